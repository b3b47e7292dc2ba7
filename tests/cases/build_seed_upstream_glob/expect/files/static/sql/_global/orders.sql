-- METRICS: num_files=3 total_bytes_cold=1302 largest_file_bytes=447 two_largest_bytes=877 avg_file_bytes=434.00 sql_bytes=516
SELECT * FROM (SELECT CAST("id" AS INTEGER) AS "id", CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/orders/top.parquet', 'data/orders/year=2024/part-0.parquet'], hive_partitioning = false)) WHERE amount > 0
UNION ALL
SELECT * FROM (SELECT CAST("id" AS INTEGER) AS "id", CAST("region" AS VARCHAR) AS "region", CAST("amount" AS DECIMAL(3,1)) AS "amount" FROM read_parquet(['data/orders/year=2023/part-0.parquet'], hive_partitioning = false)) WHERE amount > 0
