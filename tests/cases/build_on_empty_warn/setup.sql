COPY (SELECT 1 AS id) TO 'lake/real/a.parquet';
