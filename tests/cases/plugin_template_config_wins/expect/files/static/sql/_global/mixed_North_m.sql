-- METRICS: num_files=1 total_bytes_cold=329 largest_file_bytes=329 two_largest_bytes=329 avg_file_bytes=329.00 sql_bytes=112
SELECT * FROM read_parquet(['data/mixed/a.parquet'], union_by_name = true) WHERE region = 'North' AND amount > 0
