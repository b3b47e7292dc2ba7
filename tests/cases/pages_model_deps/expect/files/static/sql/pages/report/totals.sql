-- METRICS: num_files=1 total_bytes_cold=344 largest_file_bytes=344 two_largest_bytes=344 avg_file_bytes=344.00 sql_bytes=251
WITH orders AS (
SELECT * FROM read_parquet(['data/orders/a.parquet'])
),
base_orders AS (
SELECT * FROM orders WHERE amount > 0
),
totals AS (
SELECT region, sum(amount) AS total
FROM base_orders
GROUP BY region
)
SELECT * FROM totals ORDER BY region
