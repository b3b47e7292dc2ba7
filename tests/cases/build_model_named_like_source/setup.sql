COPY (SELECT 1 AS id) TO 'lake/orders/a.parquet';
