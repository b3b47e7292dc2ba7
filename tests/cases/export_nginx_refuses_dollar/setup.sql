COPY (SELECT 1 AS id) TO 'lake/sales/a$b.parquet';
