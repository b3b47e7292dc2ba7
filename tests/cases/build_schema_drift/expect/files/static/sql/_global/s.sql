-- METRICS: num_files=3 total_bytes_cold=1839 largest_file_bytes=637 two_largest_bytes=1274 avg_file_bytes=613.00 sql_bytes=530
SELECT * FROM (SELECT CAST("id" AS BIGINT) AS "id", CAST("x" AS DOUBLE) AS "x", CAST("price" AS DECIMAL(12,3)) AS "price", CAST("label" AS VARCHAR) AS "label", CAST("region" AS VARCHAR) AS "region" FROM read_parquet(['data/s/a.parquet', 'data/s/c.parquet'])) WHERE id > 0
UNION ALL
SELECT * FROM (SELECT CAST("id" AS BIGINT) AS "id", CAST("x" AS DOUBLE) AS "x", CAST("price" AS DECIMAL(12,3)) AS "price", CAST(NULL AS VARCHAR) AS "label", CAST("region" AS VARCHAR) AS "region" FROM read_parquet(['data/s/b.parquet'])) WHERE id > 0
