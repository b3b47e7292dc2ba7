-- METRICS: num_files=2 total_bytes_cold=679 largest_file_bytes=350 two_largest_bytes=679 avg_file_bytes=339.50 sql_bytes=343
SELECT * FROM (SELECT CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/sales/a.parquet'])) WHERE amount >= 0
UNION ALL
SELECT * FROM (SELECT CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/sales/b.parquet'])) WHERE amount >= 0
