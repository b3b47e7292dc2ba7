-- name: top
SELECT * FROM totals WHERE total > ${min_total} ORDER BY total DESC;;

-- name: label
SELECT 'totals' AS name
