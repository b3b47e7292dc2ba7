COPY (SELECT 'east' AS region) TO 'lake/a.parquet';
