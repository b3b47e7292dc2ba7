-- name: totals
SELECT 'north' AS region, 2.5 AS total
