-- name: orders
SELECT * FROM (VALUES ('Acme Corp', 10), ('Acme Corp', 5), ('Beta & Co', 7), ('O''Brien', 3)) t(customer, amount)
