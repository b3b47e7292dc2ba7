-- METRICS: num_files=2 total_bytes_cold=679 largest_file_bytes=350 two_largest_bytes=679 avg_file_bytes=339.50 sql_bytes=116
SELECT * FROM read_parquet(['data/sales/a.parquet', 'data/sales/b.parquet'], union_by_name = true) WHERE amount >= 0
