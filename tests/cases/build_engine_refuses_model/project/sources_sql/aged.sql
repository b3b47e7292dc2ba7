-- name: aged
SELECT id, date_diff('day', day, now()) AS days FROM t;
