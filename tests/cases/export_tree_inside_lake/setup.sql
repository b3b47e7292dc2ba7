COPY (SELECT 1 AS id) TO 'lake/sales/a.parquet';
COPY (SELECT 2 AS id) TO 'lake/sales/b.parquet';
