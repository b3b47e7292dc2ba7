-- name: orders
SELECT * FROM (VALUES ('Acme Corp', 10)) t(customer, amount)
