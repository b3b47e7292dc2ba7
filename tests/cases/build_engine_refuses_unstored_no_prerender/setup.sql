COPY (SELECT 1 AS id, DATE '2024-01-01' AS day, 'web' AS channel) TO 'lake/a.parquet' (FORMAT parquet);
