-- One small file; the plugin publishes it 1,100 times under flat names
-- (no name=value folders), every row of region 'north'.
COPY (SELECT 1 AS id, 'north' AS region) TO 'lake/one.parquet' (FORMAT parquet);
