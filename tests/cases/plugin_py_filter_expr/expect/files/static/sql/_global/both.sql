-- METRICS: num_files=1 total_bytes_cold=314 largest_file_bytes=314 two_largest_bytes=314 avg_file_bytes=314.00 sql_bytes=101
SELECT * FROM read_parquet(['data/both/a.parquet']) WHERE (amount > 0) AND (day >= DATE '2024-01-01')
