COPY (SELECT 'east' AS region, 5 AS amount, 10 AS target) TO 'o.parquet' (FORMAT parquet);
