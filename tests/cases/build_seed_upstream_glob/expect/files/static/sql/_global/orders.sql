-- METRICS: num_files=3 total_bytes_cold=1302 largest_file_bytes=447 two_largest_bytes=877 avg_file_bytes=434.00 sql_bytes=174
SELECT * FROM read_parquet(['data/orders/top.parquet', 'data/orders/year=2023/part-0.parquet', 'data/orders/year=2024/part-0.parquet'], union_by_name = true) WHERE amount > 0
