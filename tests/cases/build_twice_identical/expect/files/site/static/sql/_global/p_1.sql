-- METRICS: num_files=1 total_bytes_cold=288 largest_file_bytes=288 two_largest_bytes=288 avg_file_bytes=288.00 sql_bytes=112
SELECT * FROM read_parquet(['data/p/k=1/data.parquet'], hive_types = {'k': 'BIGINT'}) WHERE (v >= 0) AND (k = 1)
