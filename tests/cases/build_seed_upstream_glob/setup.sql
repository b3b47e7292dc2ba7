COPY (SELECT * FROM (VALUES (1, 'north', 10.5), (2, 'south', -1.0)) t(id, region, amount)) TO 'lake/orders/year=2023/part-0.parquet';
COPY (SELECT * FROM (VALUES (3, 'north', 7.0)) t(id, region, amount)) TO 'lake/orders/year=2024/part-0.parquet';
COPY (SELECT 4 AS id, 'east' AS region, 1.0 AS amount) TO 'lake/orders/top.parquet';
