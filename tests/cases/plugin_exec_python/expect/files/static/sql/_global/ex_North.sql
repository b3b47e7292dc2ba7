-- METRICS: num_files=1 total_bytes_cold=446 largest_file_bytes=446 two_largest_bytes=446 avg_file_bytes=446.00 sql_bytes=147
SELECT * FROM read_parquet(['data/ex/jan.parquet']) WHERE (amount > 0) AND (day >= DATE '2024-01-01') AND (region <> 'Test') AND (region = 'North')
