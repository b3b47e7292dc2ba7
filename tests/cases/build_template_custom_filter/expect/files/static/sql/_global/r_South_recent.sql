-- METRICS: num_files=1 total_bytes_cold=425 largest_file_bytes=425 two_largest_bytes=425 avg_file_bytes=425.00 sql_bytes=123
SELECT * FROM read_parquet(['data/s/b.parquet']) WHERE (amount > 0) AND (lower(region) = lower('South') OR alias = 'South')
