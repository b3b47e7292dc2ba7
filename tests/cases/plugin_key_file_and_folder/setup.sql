COPY (SELECT 1 AS a) TO 'lake/a.parquet';
