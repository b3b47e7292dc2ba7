-- METRICS: num_files=3 total_bytes_cold=576 largest_file_bytes=192 two_largest_bytes=384 avg_file_bytes=192.00 sql_bytes=198
SELECT * FROM read_parquet(['data/h/year=2024/month=01/a.parquet', 'data/h/year=2024/month=02/a.parquet', 'data/h/year=2025/month=12/a.parquet'], hive_types = {'year': 'BIGINT', 'month': 'VARCHAR'})
