-- METRICS: num_files=1 total_bytes_cold=329 largest_file_bytes=329 two_largest_bytes=329 avg_file_bytes=329.00 sql_bytes=191
SELECT * FROM (SELECT CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/sales/b.parquet'])) WHERE (amount >= 0) AND (region = 'South')
