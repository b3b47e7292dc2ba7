-- METRICS: num_files=2 total_bytes_cold=576 largest_file_bytes=288 two_largest_bytes=576 avg_file_bytes=288.00 sql_bytes=179
WITH p AS (
SELECT * FROM read_parquet(['data/p/k=1/data.parquet', 'data/p/k=2/data.parquet'], hive_types = {'k': 'BIGINT'}) WHERE v >= 0
)
SELECT k, sum(v) AS v FROM p GROUP BY k
