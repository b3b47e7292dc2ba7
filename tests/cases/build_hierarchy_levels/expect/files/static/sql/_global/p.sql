-- METRICS: num_files=3 total_bytes_cold=1322 largest_file_bytes=451 two_largest_bytes=888 avg_file_bytes=440.67 sql_bytes=185
SELECT * FROM read_parquet(['data/p/2023/a.parquet', 'data/p/2024/b.parquet', 'data/p/live/c.parquet'])
UNION ALL
SELECT * FROM read_parquet(['data/p/live/c.parquet']) WHERE amount > 35
