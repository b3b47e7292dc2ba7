COPY (SELECT 1 AS id) TO 'site/lake/a.parquet';
