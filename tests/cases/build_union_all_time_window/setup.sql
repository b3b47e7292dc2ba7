COPY (SELECT DATE '2024-01-05' AS day, 1 AS n) TO 'lake/m/a.parquet';
COPY (SELECT DATE '2024-02-05' AS day, 2 AS n) TO 'lake/m/b.parquet';
