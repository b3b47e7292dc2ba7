COPY (SELECT * FROM (VALUES ('North', 1), ('South-East', 2)) t(region, n)) TO 'lake/sales/a.parquet';
COPY (SELECT * FROM (VALUES ('South-East', 3), (' west coast!! ', 4)) t(region, n)) TO 'lake/sales/b.parquet';
COPY (SELECT * FROM (VALUES ('O''Brien', 5), (NULL, 6)) t(region, n)) TO 'lake/sales/c.parquet';
