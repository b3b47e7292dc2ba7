#!/bin/sh
cat > /dev/null
first=$(yes a.parquet | head -n 1)
echo "{\"files\": [{\"http_path\": \"$first\", \"physical_path\": \"lake/a.parquet\"}]}"
