-- METRICS: num_files=1 total_bytes_cold=350 largest_file_bytes=350 two_largest_bytes=350 avg_file_bytes=350.00 sql_bytes=191
SELECT * FROM (SELECT CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/sales/a.parquet'])) WHERE (amount >= 0) AND (region = 'North')
