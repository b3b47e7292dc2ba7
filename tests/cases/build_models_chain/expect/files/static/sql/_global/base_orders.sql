-- METRICS: num_files=1 total_bytes_cold=344 largest_file_bytes=344 two_largest_bytes=344 avg_file_bytes=344.00 sql_bytes=110
WITH orders AS (
SELECT * FROM read_parquet(['data/orders/a.parquet'])
)
SELECT * FROM orders WHERE amount > 0
