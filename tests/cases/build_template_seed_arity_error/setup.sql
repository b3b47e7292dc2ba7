COPY (SELECT * FROM (VALUES ('na', DATE '2024-12-01', 1.0)) t(region, day, amount)) TO 'lake/s/a.parquet';
