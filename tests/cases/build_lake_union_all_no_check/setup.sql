-- 150 one-row files in kind=a/n=0..149, half with a column id, half with
-- other: union_mode = "union_all" gives the view no validation copy, so it
-- is checked as published, its list of more than 100 files put back.
COPY (SELECT i AS id, 'a' AS kind, i AS n FROM range(0, 150, 2) t(i))
  TO 'lake' (FORMAT parquet, PARTITION_BY (kind, n));
COPY (SELECT i AS other, 'a' AS kind, i AS n FROM range(1, 150, 2) t(i))
  TO 'lake' (FORMAT parquet, PARTITION_BY (kind, n), APPEND);
