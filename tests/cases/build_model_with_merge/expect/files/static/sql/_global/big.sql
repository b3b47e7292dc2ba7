-- METRICS: num_files=1 total_bytes_cold=329 largest_file_bytes=329 two_largest_bytes=329 avg_file_bytes=329.00 sql_bytes=151
WITH orders AS (
SELECT * FROM read_parquet(['data/orders/a.parquet'])
),
x AS (SELECT * FROM orders WHERE amount > ${min})
SELECT count(*) AS n FROM x
