COPY (SELECT 1 AS id) TO 'lake/one.parquet';
COPY (SELECT 2 AS id) TO 'lake/two.parquet';
