-- METRICS: num_files=1 total_bytes_cold=194 largest_file_bytes=194 two_largest_bytes=194 avg_file_bytes=194.00 sql_bytes=54
SELECT * FROM read_parquet(['exports/2024/e.parquet'])
