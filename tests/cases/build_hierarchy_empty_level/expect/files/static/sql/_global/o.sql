-- METRICS: num_files=1 total_bytes_cold=434 largest_file_bytes=434 two_largest_bytes=434 avg_file_bytes=434.00 sql_bytes=53
SELECT * FROM read_parquet(['data/o/2024/b.parquet'])
