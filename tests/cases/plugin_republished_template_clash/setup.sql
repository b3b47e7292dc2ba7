COPY (SELECT 'n' AS region, 1 AS a) TO 'lake/a.parquet';
