#!/usr/bin/env bash
# bench/plugin_rss.sh - peak memory of the data-map stage when a Python
# plugin returns 100,000 files (with row filters) and three more plugins
# follow, each shown the earlier files (build_file_sources).
#
# Prints the peak RSS of the whole process tree (Ducksite and the Python
# host) as /usr/bin/time -v reports it, and the wall time, first for the
# data-map stage alone (build/ds-datamap), then for the whole `ducksite
# build` of the same project (its files do not exist, so views and
# validation work without reading data).  Target: peak RSS under 200 MB.
# Set DS_DATAMAP / DS_DUCKSITE to measure other builds of the tools.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${DS_DATAMAP:-build/ds-datamap}
ducksite=${DS_DUCKSITE:-build/ducksite}
work=$(mktemp -d /tmp/ds-bench-rss-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugins"
cat > "$work/ducksite.toml" <<'TOML'
[[file_sources]]
name = "lake"
plugin = "plugins/lake.py"

[[file_sources]]
name = "second"
plugin = "plugins/lake.py:later"
on_empty = "warn"

[[file_sources]]
name = "third"
plugin = "plugins/lake.py:later"

[[file_sources]]
name = "fourth"
plugin = "plugins/lake.py:later"
TOML
cat > "$work/plugins/lake.py" <<'PY'
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    files = []
    for i in range(100000):
        rel = f"year={2000 + i // 10000}/day={i // 100 % 100:03d}/part-{i % 100:04d}.parquet"
        files.append(VirtualParquetFile(rel, "/srv/lake/orders/" + rel, f"id = {i}"))
    return VirtualParquetManifest(files=files)


def later(cfg):
    return VirtualParquetManifest()
PY
/usr/bin/time -v "$tool" --root "$work" 2> "$work/time.txt" >/dev/null || {
  cat "$work/time.txt"; exit 1; }
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
echo "plugin with 100000 files and 3 later plugins: peak RSS $((rss / 1024)) MB" \
     "(target < 200 MB), wall $wall"
/usr/bin/time -v "$ducksite" build --root "$work" 2> "$work/time.txt" >/dev/null || {
  cat "$work/time.txt"; exit 1; }
rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
echo "the whole ducksite build of that project: peak RSS $((rss / 1024)) MB" \
     "(target < 200 MB), wall $wall"
