#!/usr/bin/env bash
# bench/lake_scale.sh - the build over a hive-partitioned lake of many small
# Parquet files, next to `find` over the same tree in the same run.
#
# Usage: bench/lake_scale.sh [FILES ...]      (default: 10000 100000)
#   e.g. bench/lake_scale.sh 10000 100000 1000000
#
# Each lake is year=YYYY/day=DDD/part-NNNN.parquet, 100 one-row files per
# folder, 10,000 per year.  The project has one source with a templated
# view per year and one page with one query over the source.  For each size
# it prints: find, the first build, a rebuild with nothing changed, their
# ratios to find, peak RSS (from /usr/bin/time), the bytes of the view's
# published SQL and of its file list, gzipped, published apart ("File lists
# published once" in docs/building.md).  Lakes of 1,000,000
# files and more are built with --no-prerender: a stored result over them
# is DuckDB reading every file, over 2 GB (docs/building.md, "Large
# lakes"); PRERENDER_ALL=1 builds them with their stored result too.
# Set BUILD to measure another build directory; KEEP=1 keeps the lakes.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for tool in "$BUILD/ducksite" "$BUILD/ds-sql" /usr/bin/time; do
  [ -x "$tool" ] || { echo "lake scale: $tool not found (make build; apt install time)" >&2; exit 2; }
done
work=$(mktemp -d /tmp/ds-bench-lake-XXXXXX)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

echo "COPY (SELECT 1::BIGINT AS id, 2.5::DOUBLE AS amount, 'x' AS label) TO '$work/tpl.parquet' (FORMAT parquet);" \
  > "$work/tpl.sql"
"$BUILD/ds-sql" "$work/tpl.sql" >/dev/null

# Runs a build; prints "seconds peak_MB" (exits on failure).
timed_build() {
  local root=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$BUILD/ducksite" build "$@" --root "$root" \
    >/dev/null 2>"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
  awk '{printf "%s %d\n", $1, $2 / 1024}' "$work/time.txt"
}

printf "%-10s %8s %12s %12s %10s %10s %10s %10s %10s\n" files find first rebuild "first/find" "again/find" "peak MB" \
  "view SQL" "list gz"
for n in "${sizes[@]}"; do
  lake="$work/lake$n"
  proj="$work/p$n"
  python3 - "$lake" "$n" "$work/tpl.parquet" <<'PY'
import os, sys
lake, n, tpl = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], "rb").read()
for i in range(n):
    folder = f"{lake}/year={2000 + i // 10000}/day={(i // 100) % 100:03d}"
    if i % 100 == 0:
        os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/part-{i % 100:04d}.parquet", "wb") as f:
        f.write(tpl)
PY
  mkdir -p "$proj/content"
  cat > "$proj/ducksite.toml" <<TOML
[[file_sources]]
name = "lake"
upstream_glob = "$lake/**/*.parquet"
template_name = "lake_[year]"
TOML
  cat > "$proj/content/index.md" <<'MD'
# Lake

```sql by_year
SELECT year, count(*) AS n, sum(amount) AS total FROM lake GROUP BY year ORDER BY year
```

```table t
query: by_year
```
MD
  extra=()
  [ "$n" -lt 1000000 ] || [ -n "${PRERENDER_ALL:-}" ] || extra=(--no-prerender)
  find "$lake" -name '*.parquet' >/dev/null # warm the dentry cache
  /usr/bin/time -f "%e" -o "$work/find.txt" find "$lake" -name '*.parquet' >/dev/null
  f=$(cat "$work/find.txt")
  read -r first rss1 < <(timed_build "$proj" "${extra[@]}")
  read -r again rss2 < <(timed_build "$proj" "${extra[@]}")
  peak=$(( rss1 > rss2 ? rss1 : rss2 ))
  view=$(stat -c %s "$proj/static/sql/_global/lake.sql")
  list=$(stat -c %s "$proj/static/sql/_files/lake.json.gz" 2>/dev/null || echo 0)
  python3 - "$n" "$f" "$first" "$again" "$peak" "$view" "$list" "${extra[*]:-}" <<'PY'
import sys
n, f, first, again, peak, view, lst, extra = sys.argv[1:9]
f = max(float(f), 0.01)  # /usr/bin/time counts in 10 ms steps
first, again = float(first), float(again)
note = f"  ({extra})" if extra else ""
print(f"{int(n):<10} {f:7.2f}s {first:11.2f}s {again:11.2f}s {first / f:9.1f}x {again / f:9.1f}x {peak:>10}"
      f" {int(view):>10} {int(lst):>10}{note}")
PY
  rm -rf "$lake" "$proj"
done
