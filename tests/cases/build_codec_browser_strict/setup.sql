COPY (SELECT 1 AS id, 'a' AS label) TO 'lake/a.parquet' (FORMAT parquet);
COPY (SELECT 2 AS id, 'b' AS label) TO 'lake/b.parquet' (FORMAT parquet, COMPRESSION lz4);
COPY (SELECT 3 AS id, 'c' AS label) TO 'lake/c.parquet' (FORMAT parquet, COMPRESSION brotli);
COPY (SELECT 4 AS id, 'd' AS label) TO 'lake/d.parquet' (FORMAT parquet, COMPRESSION zstd);
