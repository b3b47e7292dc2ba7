-- 1,100 one-row files in hive folders year=2000..2010/day=0..99: more than
-- the 1,000 a browser can fetch in a few seconds.
COPY (SELECT i AS id, 2000 + i // 100 AS year, i % 100 AS day FROM range(1100) t(i))
  TO 'lake' (FORMAT parquet, PARTITION_BY (year, day));
