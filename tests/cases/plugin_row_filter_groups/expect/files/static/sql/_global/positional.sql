-- METRICS: num_files=2 total_bytes_cold=618 largest_file_bytes=309 two_largest_bytes=618 avg_file_bytes=309.00 sql_bytes=144
SELECT * FROM read_parquet(['data/positional/a.parquet']) WHERE amount < 100
UNION ALL
SELECT * FROM read_parquet(['data/positional/b.parquet'])
