-- METRICS: num_files=2 total_bytes_cold=878 largest_file_bytes=446 two_largest_bytes=878 avg_file_bytes=439.00 sql_bytes=244
SELECT * FROM read_parquet(['data/ex/feb.parquet']) WHERE (amount > 0) AND (day >= DATE '2024-01-01')
UNION ALL BY NAME
SELECT * FROM read_parquet(['data/ex/jan.parquet']) WHERE (amount > 0) AND (day >= DATE '2024-01-01') AND (region <> 'Test')
