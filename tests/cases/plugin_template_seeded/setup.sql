COPY (SELECT 'North' AS region, 1.0 AS amount) TO 'lake/a.parquet';
