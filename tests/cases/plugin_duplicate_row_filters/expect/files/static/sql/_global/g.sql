-- METRICS: num_files=1 total_bytes_cold=358 largest_file_bytes=358 two_largest_bytes=358 avg_file_bytes=358.00 sql_bytes=48
SELECT * FROM read_parquet(['data/g/a.parquet'])
