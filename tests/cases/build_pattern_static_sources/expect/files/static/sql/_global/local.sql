-- METRICS: num_files=2 total_bytes_cold=574 largest_file_bytes=287 two_largest_bytes=574 avg_file_bytes=287.00 sql_bytes=86
SELECT * FROM read_parquet(['data/a.parquet', 'data/b.parquet'], union_by_name = true)
