-- METRICS: num_files=2 total_bytes_cold=194 largest_file_bytes=194 two_largest_bytes=194 avg_file_bytes=97.00 sql_bytes=94
SELECT * FROM read_parquet(['data/s/a.parquet', 'data/s/later.parquet'], union_by_name = true)
