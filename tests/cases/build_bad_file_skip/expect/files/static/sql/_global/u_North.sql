-- METRICS: num_files=1 total_bytes_cold=211 largest_file_bytes=211 two_largest_bytes=211 avg_file_bytes=211.00 sql_bytes=74
SELECT * FROM read_parquet(['data/u/good.parquet']) WHERE region = 'North'
