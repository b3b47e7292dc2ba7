-- METRICS: num_files=1 total_bytes_cold=565 largest_file_bytes=565 two_largest_bytes=565 avg_file_bytes=565.00 sql_bytes=273
SELECT * FROM (SELECT CAST("id" AS BIGINT) AS "id", CAST("x" AS DOUBLE) AS "x", CAST("price" AS DECIMAL(12,3)) AS "price", CAST(NULL AS VARCHAR) AS "label", CAST("region" AS VARCHAR) AS "region" FROM read_parquet(['data/s/b.parquet'])) WHERE (id > 0) AND (region = 'south')
