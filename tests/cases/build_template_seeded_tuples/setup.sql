COPY (SELECT * FROM (VALUES ('na', 'n', 1.0)) t(region, alias, amount)) TO 'lake/s/a.parquet';
