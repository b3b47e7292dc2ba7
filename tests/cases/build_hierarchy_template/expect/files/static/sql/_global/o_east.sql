-- METRICS: num_files=3 total_bytes_cold=1322 largest_file_bytes=451 two_largest_bytes=888 avg_file_bytes=440.67 sql_bytes=487
SELECT * FROM read_parquet(['data/o/live/c.parquet']) WHERE (amount > 0) AND (day >= DATE '2024-06-01') AND (region = 'east')
UNION ALL
SELECT * FROM read_parquet(['data/o/2024/b.parquet']) WHERE (amount > 0) AND (region = 'east')
UNION ALL
SELECT * FROM read_parquet(['data/o/2023/a.parquet']) WHERE (amount > 0) AND (region = 'east')
UNION ALL
SELECT * FROM read_parquet(['data/o/2023/a.parquet', 'data/o/2024/b.parquet']) WHERE (amount > 0) AND (region = 'west') AND (region = 'east')
