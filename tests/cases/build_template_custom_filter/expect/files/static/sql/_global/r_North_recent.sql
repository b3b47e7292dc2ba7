-- METRICS: num_files=1 total_bytes_cold=446 largest_file_bytes=446 two_largest_bytes=446 avg_file_bytes=446.00 sql_bytes=123
SELECT * FROM read_parquet(['data/s/a.parquet']) WHERE (amount > 0) AND (lower(region) = lower('North') OR alias = 'North')
