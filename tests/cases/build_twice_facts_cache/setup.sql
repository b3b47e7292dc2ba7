COPY (SELECT 1 AS id, 'North' AS region) TO 'lake/a.parquet';
COPY (SELECT range AS id, 'South' AS region FROM range(10)) TO 'lake/b.parquet';
COPY (SELECT 3 AS id, 'East' AS region WHERE false) TO 'lake/c.parquet';
