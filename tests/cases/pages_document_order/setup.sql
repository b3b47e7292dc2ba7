COPY (SELECT * FROM (VALUES ('north', 10.0), ('south', 2.0)) t(region, amount)) TO 'lake/orders/a.parquet';
