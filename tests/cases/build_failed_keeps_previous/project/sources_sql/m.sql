-- name: broken
SELECT no_such_column FROM orders
