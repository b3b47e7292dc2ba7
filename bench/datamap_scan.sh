#!/usr/bin/env bash
# datamap_scan.sh - how long the data-map step takes on a big lake, next to
# `find` walking the same tree.
#
# It builds, in a temporary directory under /tmp (removed at the end),
# 100,000 empty *.parquet files in hive-style folders
# (year=YYYY/day=DDD/part-NNNN.parquet: 10 x 100 x 100) and a project whose
# only source globs them.  After one warm-up run of each (so both read a hot
# page cache), it alternates REPS runs of
#   find LAKE -name '*.parquet'
#   ds-datamap --root PROJECT   (config, scan, sort, write static/data_map.json)
# and prints the medians and their ratio.  The goal is ours <= 1.5 x find.
#
# It is a report, not a test: a slow ratio still exits 0.  It exits 2 only
# when it cannot measure (tool missing or failing).
#
# Usage: bench/datamap_scan.sh [REPS]
#   DS_DATAMAP=/path/to/tool  use another binary than build/ds-datamap
#   DS_BENCH_TOP, DS_BENCH_SUB, DS_BENCH_FILES  change the tree's shape
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
tool="${DS_DATAMAP:-$here/build/ds-datamap}"
reps="${1:-5}"
top="${DS_BENCH_TOP:-10}"
sub="${DS_BENCH_SUB:-100}"
files="${DS_BENCH_FILES:-100}"

if [[ ! -x "$tool" ]]; then
    echo "datamap scan: $tool not found; build it first (make build)" >&2
    exit 2
fi
command -v python3 >/dev/null || {
    echo "datamap scan: python3 is needed for the timing" >&2
    exit 2
}

tmp="$(mktemp -d /tmp/ds-bench-datamap.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# Creating 100,000 files with one process per file would take minutes;
# python3 makes them in a second or two.
python3 - "$tmp/lake" "$top" "$sub" "$files" <<'EOF'
import os, sys
lake, top, sub, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for y in range(top):
    for d in range(sub):
        folder = os.path.join(lake, f"year={2015 + y}", f"day={d + 1:03d}")
        os.makedirs(folder)
        for p in range(files):
            open(os.path.join(folder, f"part-{p:04d}.parquet"), "w").close()
EOF

mkdir -p "$tmp/project"
cat >"$tmp/project/ducksite.toml" <<EOF
[[file_sources]]
name = "lake"
upstream_glob = "$tmp/lake/**/*.parquet"
EOF

# Both commands run alternately in one python3 process, so a change in
# machine load affects both sides alike.
python3 - "$tmp" "$tool" "$reps" <<'EOF'
import os, statistics, subprocess, sys, time

tmp, tool, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
find_cmd = ["find", os.path.join(tmp, "lake"), "-name", "*.parquet"]
ours_cmd = [tool, "--root", os.path.join(tmp, "project")]

def run(cmd):
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - start) * 1000.0
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        print(f"datamap scan: {' '.join(cmd)} failed (exit {done.returncode})", file=sys.stderr)
        sys.exit(2)
    return ms

run(find_cmd)  # warm the page cache and dentry cache
run(ours_cmd)
data_map = os.path.join(tmp, "project", "static", "data_map.json")
if not os.path.exists(data_map):
    print(f"datamap scan: warning: {tool} wrote no static/data_map.json", file=sys.stderr)

find_ms, ours_ms = [], []
for _ in range(reps):
    find_ms.append(run(find_cmd))
    ours_ms.append(run(ours_cmd))

f = statistics.median(find_ms)
o = statistics.median(ours_ms)
print(f"datamap scan: ours {o:.0f} ms, find {f:.0f} ms, ratio {o / f:.2f}x (target <= 1.5x)")
EOF
