-- METRICS: num_files=2 total_bytes_cold=885 largest_file_bytes=451 two_largest_bytes=885 avg_file_bytes=442.50 sql_bytes=351
SELECT * FROM read_parquet(['data/o/2024/b.parquet']) WHERE (amount > 0) AND (region = 'west')
UNION ALL
SELECT * FROM read_parquet(['data/o/2023/a.parquet']) WHERE (amount > 0) AND (region = 'west')
UNION ALL
SELECT * FROM read_parquet(['data/o/2023/a.parquet', 'data/o/2024/b.parquet']) WHERE (amount > 0) AND (region = 'west') AND (region = 'west')
