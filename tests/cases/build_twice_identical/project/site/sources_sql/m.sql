-- name: total
SELECT k, sum(v) AS v FROM p GROUP BY k
