-- METRICS: num_files=2 total_bytes_cold=716 largest_file_bytes=358 two_largest_bytes=716 avg_file_bytes=358.00 sql_bytes=159
SELECT * FROM read_parquet(['data/g/a.parquet']) WHERE region = 'east'
UNION ALL BY NAME
SELECT * FROM read_parquet(['data/s/a.parquet']) WHERE region = 'west'
