-- METRICS: num_files=1 total_bytes_cold=298 largest_file_bytes=298 two_largest_bytes=298 avg_file_bytes=298.00 sql_bytes=84
SELECT * FROM read_parquet(['data/by_day/f1.parquet']) WHERE day = DATE '2023-06-01'
