-- name: numbers
SELECT range AS n FROM range(10)

-- name: big_count
SELECT countif(n > 3) AS big, count(*) AS total
FROM numbers
