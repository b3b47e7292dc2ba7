-- METRICS: num_files=1 total_bytes_cold=410 largest_file_bytes=410 two_largest_bytes=410 avg_file_bytes=410.00 sql_bytes=102
SELECT * FROM read_parquet(['data/s/a.parquet']) WHERE (region = 'us' OR alias = 'u') AND '?' <> alias
