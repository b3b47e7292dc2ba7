COPY (SELECT i % 150 AS part, (i % 3) + 2020 AS yr, i * 1.5 AS amount FROM range(300) t(i)) TO 'lake/sales' (FORMAT parquet, PARTITION_BY (part));
