-- METRICS: num_files=150 total_bytes_cold=32550 largest_file_bytes=220 two_largest_bytes=440 avg_file_bytes=217.00 sql_bytes=100
SELECT * FROM read_parquet('ducksite:files/lake/0', hive_types = {'kind': 'VARCHAR', 'n': 'BIGINT'})
