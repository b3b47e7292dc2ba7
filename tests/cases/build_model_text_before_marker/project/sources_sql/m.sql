
SELECT 'stray' AS ignored;
-- name: kept
SELECT 1 AS x;
