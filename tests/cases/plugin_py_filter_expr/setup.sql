COPY (SELECT DATE '2024-01-05' AS day, 1.0 AS amount) TO 'lake/a.parquet';
