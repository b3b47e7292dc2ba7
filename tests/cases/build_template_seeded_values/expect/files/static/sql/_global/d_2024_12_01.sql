-- METRICS: num_files=1 total_bytes_cold=432 largest_file_bytes=432 two_largest_bytes=432 avg_file_bytes=432.00 sql_bytes=78
SELECT * FROM read_parquet(['data/d/a.parquet']) WHERE day = DATE '2024-12-01'
