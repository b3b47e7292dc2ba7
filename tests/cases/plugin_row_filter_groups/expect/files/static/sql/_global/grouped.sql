-- METRICS: num_files=5 total_bytes_cold=1545 largest_file_bytes=309 two_largest_bytes=618 avg_file_bytes=309.00 sql_bytes=367
SELECT * FROM read_parquet(['data/grouped/a.parquet', 'data/grouped/b.parquet']) WHERE amount IS NOT NULL
UNION ALL BY NAME
SELECT * FROM read_parquet(['data/grouped/c.parquet', 'data/grouped/d.parquet']) WHERE (amount IS NOT NULL) AND (region = 'N')
UNION ALL BY NAME
SELECT * FROM read_parquet(['data/grouped/e.parquet']) WHERE (amount IS NOT NULL) AND (amount > 5)
