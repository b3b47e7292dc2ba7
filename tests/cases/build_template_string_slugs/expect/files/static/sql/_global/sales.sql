-- METRICS: num_files=3 total_bytes_cold=1030 largest_file_bytes=364 two_largest_bytes=701 avg_file_bytes=343.33 sql_bytes=100
SELECT * FROM read_parquet(['data/sales/a.parquet', 'data/sales/b.parquet', 'data/sales/c.parquet'])
