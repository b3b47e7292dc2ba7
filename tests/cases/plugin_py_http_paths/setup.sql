COPY (SELECT 1 AS id) TO 'lake/a.parquet';
COPY (SELECT 2 AS id) TO 'lake/b.parquet';
COPY (SELECT 3 AS id) TO 'lake/c.parquet';
COPY (SELECT 4 AS id) TO 'lake/g/g.parquet';
