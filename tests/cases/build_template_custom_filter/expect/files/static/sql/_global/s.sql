-- METRICS: num_files=2 total_bytes_cold=871 largest_file_bytes=446 two_largest_bytes=871 avg_file_bytes=435.50 sql_bytes=85
SELECT * FROM read_parquet(['data/s/a.parquet', 'data/s/b.parquet']) WHERE amount > 0
