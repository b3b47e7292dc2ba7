COPY (SELECT 1 AS a) TO 'lake/a.parquet';
COPY (SELECT 2 AS a) TO 'other/b.parquet';
