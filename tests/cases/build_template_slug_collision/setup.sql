COPY (SELECT * FROM (VALUES ('a-b'), ('a b'), ('ok')) t(tag)) TO 'lake/c/a.parquet';
