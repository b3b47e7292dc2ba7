-- METRICS: num_files=2 total_bytes_cold=701 largest_file_bytes=364 two_largest_bytes=701 avg_file_bytes=350.50 sql_bytes=104
SELECT * FROM read_parquet(['data/sales/a.parquet', 'data/sales/b.parquet']) WHERE region = 'South-East'
