-- METRICS: num_files=1 total_bytes_cold=341 largest_file_bytes=341 two_largest_bytes=341 avg_file_bytes=341.00 sql_bytes=110
SELECT * FROM read_parquet(['data/q/it''s here.parquet']) WHERE (region <> 'O''Hidden') AND (region = 'North')
