-- METRICS: num_files=2 total_bytes_cold=238 largest_file_bytes=211 two_largest_bytes=238 avg_file_bytes=119.00 sql_bytes=95
SELECT * FROM read_parquet(['data/u/bad.parquet', 'data/u/good.parquet'], union_by_name = true)
