-- METRICS: num_files=1 total_bytes_cold=314 largest_file_bytes=314 two_largest_bytes=314 avg_file_bytes=314.00 sql_bytes=144
SELECT * FROM read_parquet(['data/m/a.parquet']) WHERE (amount > 0 OR amount IS NULL) AND (day >= DATE '2024-01-01' AND day < DATE '2024-02-01')
