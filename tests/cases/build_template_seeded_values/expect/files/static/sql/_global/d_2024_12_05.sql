-- METRICS: num_files=2 total_bytes_cold=864 largest_file_bytes=432 two_largest_bytes=864 avg_file_bytes=432.00 sql_bytes=98
SELECT * FROM read_parquet(['data/d/a.parquet', 'data/d/b.parquet']) WHERE day = DATE '2024-12-05'
