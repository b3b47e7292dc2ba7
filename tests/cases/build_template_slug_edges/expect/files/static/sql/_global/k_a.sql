-- METRICS: num_files=1 total_bytes_cold=204 largest_file_bytes=204 two_largest_bytes=204 avg_file_bytes=204.00 sql_bytes=67
SELECT * FROM read_parquet(['data/k/a.parquet']) WHERE code = '(a)'
