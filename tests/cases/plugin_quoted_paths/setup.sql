COPY (SELECT * FROM (VALUES ('North', 1), ('O''Hidden', 2)) t(region, amount)) TO 'la''ke/a b.parquet';
