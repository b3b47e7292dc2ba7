COPY (SELECT * FROM (VALUES ('east', 1.0), ('north', 2.0), ('south', 3.0), ('west', 4.0), ('central', 5.0)) t(region, amount)) TO 'lake/orders/a.parquet';
