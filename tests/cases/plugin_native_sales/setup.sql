COPY (SELECT * FROM (VALUES ('North', 10.0), ('Refunds', -4.0)) t(region, amount)) TO 'lake/sales/a.parquet';
COPY (SELECT * FROM (VALUES ('South', 3.0)) t(region, amount)) TO 'lake/sales/b.parquet';
