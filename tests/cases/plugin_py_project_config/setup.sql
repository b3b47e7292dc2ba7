COPY (SELECT DATE '2024-01-05' AS day, 'North' AS region, 1.0 AS amount) TO 'lake/o/a.parquet';
