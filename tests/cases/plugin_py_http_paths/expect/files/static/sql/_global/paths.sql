-- METRICS: num_files=3 total_bytes_cold=582 largest_file_bytes=194 two_largest_bytes=388 avg_file_bytes=194.00 sql_bytes=115
SELECT * FROM read_parquet(['data/elsewhere/c.parquet', 'data/paths/2024/01/a.parquet', 'data/paths/flat.parquet'])
