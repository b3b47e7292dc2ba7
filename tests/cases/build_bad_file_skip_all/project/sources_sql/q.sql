-- name: total
SELECT count(*) AS n FROM u
