-- name: base_orders
SELECT * FROM orders WHERE amount > 0;

-- name: totals
SELECT region, sum(amount) AS total
FROM base_orders
GROUP BY region;
