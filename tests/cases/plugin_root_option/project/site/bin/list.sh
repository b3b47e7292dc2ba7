#!/bin/sh
cat > /dev/null
echo '{"files": [{"http_path": "b.parquet", "physical_path": "lake/a.parquet"}]}'
