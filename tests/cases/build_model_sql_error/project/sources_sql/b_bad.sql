-- name: fine
SELECT count(*) AS n FROM good

-- name: broken
SELECT region, nope
FROM orders
WHERE amount > ${min}
