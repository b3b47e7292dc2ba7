COPY (SELECT 'north' AS region, 1.0 AS amount) TO 'lake/orders/a.parquet';
