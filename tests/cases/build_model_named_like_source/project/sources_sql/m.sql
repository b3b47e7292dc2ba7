-- name: fine
SELECT * FROM orders

-- name: orders
SELECT 42 AS id
