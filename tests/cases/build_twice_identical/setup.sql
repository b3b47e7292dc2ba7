COPY (SELECT 1 AS k, 10 AS v) TO 'site/lake/p/k=1/data.parquet';
COPY (SELECT 2 AS k, 20 AS v) TO 'site/lake/p/k=2/data.parquet';
