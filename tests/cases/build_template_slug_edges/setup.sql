COPY (SELECT * FROM (VALUES ('(a)'), ('***')) t(code)) TO 'lake/k/a.parquet';
