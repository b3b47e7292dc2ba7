COPY (SELECT 1 AS id) TO 'lake/t/real/a.parquet';
COPY (SELECT 2 AS id) TO 'lake/t/real/deep/b.parquet';
