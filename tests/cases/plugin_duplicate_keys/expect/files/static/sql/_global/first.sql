-- METRICS: num_files=2 total_bytes_cold=388 largest_file_bytes=194 two_largest_bytes=388 avg_file_bytes=194.00 sql_bytes=139
SELECT * FROM read_parquet(['data/first/own.parquet'])
UNION ALL BY NAME
SELECT * FROM read_parquet(['data/shared/x.parquet']) WHERE id = 1
