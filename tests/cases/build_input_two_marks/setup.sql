COPY (SELECT 'east' AS region, 5 AS amount) TO 'o.parquet' (FORMAT parquet);
