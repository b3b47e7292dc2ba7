COPY (SELECT 1 AS id, DATE '2024-01-01' AS day) TO 'lake/a.parquet' (FORMAT parquet);
