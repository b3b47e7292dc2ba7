-- METRICS: num_files=1 total_bytes_cold=329 largest_file_bytes=329 two_largest_bytes=329 avg_file_bytes=329.00 sql_bytes=74
SELECT * FROM read_parquet(['data/tmpl/a.parquet']) WHERE region = 'North'
