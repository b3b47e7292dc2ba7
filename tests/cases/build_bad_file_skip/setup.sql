COPY (SELECT 'North' AS region) TO 'lake/u/good.parquet';
