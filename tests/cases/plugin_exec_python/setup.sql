COPY (SELECT * FROM (VALUES (DATE '2024-01-05', 'North', 1.0), (DATE '2024-01-06', 'Test', 1.0)) t(day, region, amount)) TO 'lake/jan.parquet';
COPY (SELECT DATE '2024-02-05' AS day, 'South' AS region, 2.0 AS amount) TO 'lake/feb.parquet';
