-- name: dup
SELECT 1 AS x
