COPY (SELECT * FROM (VALUES ('North', DATE '2024-12-01', 1.0)) t(region, day, amount)) TO 'lake/s/a.parquet';
COPY (SELECT * FROM (VALUES ('South', DATE '2024-12-02', 2.0)) t(region, day, amount)) TO 'lake/s/b.parquet';
