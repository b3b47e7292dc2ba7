-- METRICS: num_files=1 total_bytes_cold=364 largest_file_bytes=364 two_largest_bytes=364 avg_file_bytes=364.00 sql_bytes=84
SELECT * FROM read_parquet(['data/sales/b.parquet']) WHERE region = ' west coast!! '
