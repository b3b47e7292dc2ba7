-- name: big
WITH x AS (SELECT * FROM orders WHERE amount > ${min})
SELECT count(*) AS n FROM x;

-- name: shadow
WITH orders AS (SELECT 1 AS amount)
SELECT * FROM orders
