COPY (SELECT 1 AS id, 'x' AS label) TO 'static/data/a.parquet';
COPY (SELECT 'y' AS label, 2 AS id) TO 'static/data/b.parquet';
COPY (SELECT 3 AS id) TO 'static/data/c.csv';
COPY (SELECT 4 AS id) TO 'static/exports/2024/e.parquet';
