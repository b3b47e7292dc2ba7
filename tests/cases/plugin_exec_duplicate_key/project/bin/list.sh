#!/bin/sh
cat >/dev/null
echo '{"files": [{"http_path": "a.parquet", "physical_path": "lake/a.parquet", "row_filter": "id = 1", "row_filter": "id = 2"}]}'
