COPY (SELECT i AS id, i * 10 - 15 AS amount, CASE WHEN i % 2 = 0 THEN 'east' ELSE 'west' END AS region FROM range(4) t(i)) TO 'lake/a.parquet';
