-- name: good
SELECT region FROM orders
