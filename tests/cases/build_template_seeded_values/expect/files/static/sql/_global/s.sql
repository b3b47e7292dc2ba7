-- METRICS: num_files=2 total_bytes_cold=864 largest_file_bytes=432 two_largest_bytes=864 avg_file_bytes=432.00 sql_bytes=68
SELECT * FROM read_parquet(['data/s/a.parquet', 'data/s/b.parquet'])
