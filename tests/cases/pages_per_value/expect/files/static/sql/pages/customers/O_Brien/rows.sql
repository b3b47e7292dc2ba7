-- METRICS: num_files=0 total_bytes_cold=0 largest_file_bytes=0 two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=221
WITH orders AS (
SELECT * FROM (VALUES ('Acme Corp', 10), ('Acme Corp', 5), ('Beta & Co', 7), ('O''Brien', 3)) t(customer, amount)
)
SELECT customer, sum(amount) AS total FROM orders WHERE customer = 'O''Brien' GROUP BY 1
