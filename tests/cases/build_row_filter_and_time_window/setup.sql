COPY (SELECT DATE '2024-01-05' AS day, 1.5 AS amount) TO 'lake/m/a.parquet';
