-- name: ok_one
SELECT 1 AS x

-- name: first
SELECT * FROM second

-- name: second
SELECT * FROM third

-- name: third
SELECT * FROM first JOIN ok_one USING (x)
