COPY (SELECT 'N' AS region, 1.0 AS amount) TO 'lake/a.parquet';
COPY (SELECT 'S' AS region, 2.0 AS amount) TO 'lake/b.parquet';
COPY (SELECT 'N' AS region, 3.0 AS amount) TO 'lake/c.parquet';
COPY (SELECT 'S' AS region, 4.0 AS amount) TO 'lake/d.parquet';
COPY (SELECT 'E' AS region, 9.0 AS amount) TO 'lake/e.parquet';
