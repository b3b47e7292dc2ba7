COPY (SELECT 1 AS id, 7::BIGINT AS amount) TO 'lake/year=2024/r=a/a.parquet' (FORMAT parquet);
COPY (SELECT 1 AS id, 9::BIGINT AS amount, 'e' AS extra) TO 'lake/year=2025/r=b/c.parquet' (FORMAT parquet);
COPY (SELECT 1 AS id, 16::BIGINT AS amount) TO 'lake/year=2024/zz.parquet' (FORMAT parquet);
