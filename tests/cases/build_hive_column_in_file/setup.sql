-- lake: each file holds a column 'year' as its folder year=... does (the
-- first one with another value).  orders: the glob's base sits in a folder
-- env=prod that the keys do not have, and the file holds a column 'env'.
-- sales: the same, with a folder year=... that key and path share.
COPY (SELECT 1 AS id, 1999 AS year) TO 'lake/year=2024/a.parquet' (FORMAT parquet);
COPY (SELECT 2 AS id, 2025 AS year) TO 'lake/year=2025/b.parquet' (FORMAT parquet);
COPY (SELECT 1 AS id, 'test' AS env) TO 'env=prod/orders/a.parquet' (FORMAT parquet);
COPY (SELECT 1 AS id, 'test' AS env) TO 'env=prod/sales/year=2024/a.parquet' (FORMAT parquet);
