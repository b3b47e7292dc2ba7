COPY (SELECT 1 AS id) TO 'lake/a.parquet' (FORMAT parquet);
