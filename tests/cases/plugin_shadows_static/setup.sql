COPY (SELECT 1 AS id) TO 'static/data/a.parquet';
COPY (SELECT 2 AS id) TO 'static/data/same.parquet';
COPY (SELECT 3 AS id) TO 'lake/b.parquet';
