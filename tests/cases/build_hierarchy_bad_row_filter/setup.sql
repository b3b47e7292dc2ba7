COPY (SELECT * FROM (VALUES ('north', 10, DATE '2023-03-01'), ('west', 5, DATE '2023-04-01'), ('south', -1, DATE '2023-05-01')) t(region, amount, day)) TO 'lake/o/2023/a.parquet';
COPY (SELECT * FROM (VALUES ('north', 20, DATE '2024-02-01'), ('west', 7, DATE '2024-03-01')) t(region, amount, day)) TO 'lake/o/2024/b.parquet';
COPY (SELECT * FROM (VALUES ('north', 30, DATE '2024-07-01'), ('south', 40, DATE '2024-05-01')) t(region, amount, day)) TO 'lake/o/live/c.parquet';
