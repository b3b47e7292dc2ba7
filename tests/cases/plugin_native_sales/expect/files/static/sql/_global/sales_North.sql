-- METRICS: num_files=1 total_bytes_cold=350 largest_file_bytes=350 two_largest_bytes=350 avg_file_bytes=350.00 sql_bytes=117
SELECT * FROM read_parquet(['data/sales/a.parquet'], union_by_name = true) WHERE (amount >= 0) AND (region = 'North')
