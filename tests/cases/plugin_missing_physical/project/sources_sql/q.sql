-- name: later_total
SELECT sum(amount) AS total FROM later

-- name: now_total
SELECT sum(amount) AS total FROM now
