-- name: other
SELECT 2 AS y

-- name: dup
SELECT 3 AS z
