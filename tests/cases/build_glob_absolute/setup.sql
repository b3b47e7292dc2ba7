COPY (SELECT 1 AS id) TO 'lake/abs/a.parquet';
COPY (SELECT 2 AS id) TO 'lake/abs/sub/b.parquet';
