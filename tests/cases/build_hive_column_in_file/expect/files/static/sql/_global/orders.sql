-- METRICS: num_files=1 total_bytes_cold=298 largest_file_bytes=298 two_largest_bytes=298 avg_file_bytes=298.00 sql_bytes=80
SELECT * FROM read_parquet(['data/orders/a.parquet'], hive_partitioning = false)
