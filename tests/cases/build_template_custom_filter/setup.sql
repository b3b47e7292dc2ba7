COPY (SELECT * FROM (VALUES ('North', 'n', 1.0), ('Hidden', 'h', -1.0)) t(region, alias, amount)) TO 'lake/s/a.parquet';
COPY (SELECT * FROM (VALUES ('South', 's', 2.0)) t(region, alias, amount)) TO 'lake/s/b.parquet';
