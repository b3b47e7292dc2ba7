-- METRICS: num_files=1 total_bytes_cold=337 largest_file_bytes=337 two_largest_bytes=337 avg_file_bytes=337.00 sql_bytes=75
SELECT * FROM read_parquet(['data/sales/a.parquet']) WHERE region = 'North'
