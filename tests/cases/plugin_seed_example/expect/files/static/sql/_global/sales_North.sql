-- METRICS: num_files=1 total_bytes_cold=474 largest_file_bytes=474 two_largest_bytes=474 avg_file_bytes=474.00 sql_bytes=143
SELECT * FROM read_parquet(['data/sales/sales-2024-01.parquet']) WHERE (sale_date between '2024-01-01' and '2024-01-31') AND (region = 'North')
