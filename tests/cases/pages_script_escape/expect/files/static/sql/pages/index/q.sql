-- METRICS: num_files=0 total_bytes_cold=0 largest_file_bytes=0 two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=74
SELECT '</script><script>alert(1)</script>' AS s, 1 AS "<!-- <script> -->"
