COPY (SELECT * FROM (VALUES (DATE '2024-01-03', 'North', 10.0), (DATE '2024-01-20', 'South', 5.0), (DATE '2024-02-02', 'East', 7.0)) t(sale_date, region, amount)) TO 'lake/sales-2024-01.parquet';
