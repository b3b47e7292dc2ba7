-- 1,100 one-row files in hive folders kind=a/n=0..1099: the templated view
-- lake_a names all of them, more than the 1,000 a browser can fetch in a
-- few seconds.
COPY (SELECT i AS id, 'a' AS kind, i AS n FROM range(1100) t(i))
  TO 'lake' (FORMAT parquet, PARTITION_BY (kind, n));
