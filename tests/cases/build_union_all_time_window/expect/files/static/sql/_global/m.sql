-- METRICS: num_files=2 total_bytes_cold=584 largest_file_bytes=292 two_largest_bytes=584 avg_file_bytes=292.00 sql_bytes=127
SELECT * FROM read_parquet(['data/m/a.parquet', 'data/m/b.parquet']) WHERE day >= DATE '2024-01-01' AND day < DATE '2024-02-01'
