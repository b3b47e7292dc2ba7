-- METRICS: num_files=1 total_bytes_cold=329 largest_file_bytes=329 two_largest_bytes=329 avg_file_bytes=329.00 sql_bytes=90
SELECT * FROM read_parquet(['data/seeded/a.parquet']) WHERE lower(region) = lower('North')
