-- METRICS: num_files=3 total_bytes_cold=1030 largest_file_bytes=364 two_largest_bytes=701 avg_file_bytes=343.33 sql_bytes=174
WITH sales AS (
SELECT * FROM read_parquet(['data/sales/a.parquet', 'data/sales/b.parquet', 'data/sales/c.parquet'])
)
SELECT sum(n) AS n FROM sales WHERE region = 'O''Brien'
