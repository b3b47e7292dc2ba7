-- METRICS: num_files=1 total_bytes_cold=317 largest_file_bytes=317 two_largest_bytes=317 avg_file_bytes=317.00 sql_bytes=73
SELECT * FROM read_parquet(['data/by_year/f2.parquet']) WHERE year = 2024
