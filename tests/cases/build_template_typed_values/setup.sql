COPY (SELECT 2023 AS year, DATE '2023-06-01' AS day) TO 'lake/ev/f1.parquet';
COPY (SELECT * FROM (VALUES (2024, DATE '2024-01-15'), (2024, DATE '2024-01-15'), (2024, NULL)) t(year, day)) TO 'lake/ev/f2.parquet';
