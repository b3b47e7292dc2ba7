-- name: orders
SELECT 'north' AS region, 10.5 AS amount
