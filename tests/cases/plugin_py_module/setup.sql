COPY (SELECT 1 AS id) TO 'lake/a.parquet';
COPY (SELECT 2 AS id) TO 'lake/b.parquet';
