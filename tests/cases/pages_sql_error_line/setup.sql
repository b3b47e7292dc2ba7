COPY (SELECT * FROM (VALUES ('east', 1.0), ('north', 2.0)) t(region, amount)) TO 'lake/orders/a.parquet';
