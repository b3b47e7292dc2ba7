COPY (SELECT 1::INTEGER AS id, 1.5::DOUBLE AS x, 1.25::DECIMAL(5,2) AS price, 'a' AS label, 'north' AS region) TO 'lake/s/a.parquet';
COPY (SELECT 5000000000::BIGINT AS id, 2::INTEGER AS x, 123456.789::DECIMAL(12,3) AS price, 'south' AS region) TO 'lake/s/b.parquet';
COPY (SELECT 3::INTEGER AS id, 2.5::DOUBLE AS x, 2.50::DECIMAL(5,2) AS price, 'c' AS label, 'north' AS region) TO 'lake/s/c.parquet';
COPY (SELECT 1 AS v) TO 'lake/h/year=2024/month=01/a.parquet';
COPY (SELECT 2 AS v) TO 'lake/h/year=2024/month=02/a.parquet';
COPY (SELECT 3 AS v) TO 'lake/h/year=2025/month=12/a.parquet';
