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
# it prints: find, the first build, a rebuild with nothing changed (which
# stops as up to date: "Nothing changed" in docs/building.md), a whole
# rebuild with nothing changed (--force), their ratios to find, peak RSS (from /usr/bin/time), the bytes of the view's
# published SQL and of its file list, gzipped, published apart ("File lists
# published once" in docs/building.md).  Lakes of 1,000,000
# files and more are built with --no-prerender: a stored result over them
# is DuckDB reading every file, over 2 GB (docs/building.md, "Large
# lakes"); PRERENDER_ALL=1 builds them with their stored result too.
# A second line per size gives a second peer, the footer floor
# (bench/footer_floor.c, compiled here): the same walk, then every file
# opened, fstat-ed, its tail read and closed on two threads, nothing else:
# the least a build that reads every footer does, and the first build's
# ratio to it; and a third, `find -printf` with a stat of every file (one
# thread), the least a rebuild that notices any file's change does.
# Set BUILD to measure another build directory; KEEP=1 keeps the lakes.
#
# SERVE=1 adds, under each size's line, the server side of the same lake:
# `ducksite serve --no-build` loading the build's data map (its load time,
# RSS and peak RSS), and random 256-byte ranged GETs over 10,000 of the
# lake's files, 64 connections, against Debian's nginx serving the same
# site with the configuration `ducksite export --nginx` writes and an
# open_file_cache as large as ours (NGINX_CACHE=N sets another), alternated
# in the same run (SERVE_ROUNDS rounds of SERVE_SECS seconds per server,
# default 3 x 5; best runs and medians, as bench/serve_vs_nginx.sh).  It
# needs nginx and wrk (scripts/setup --bench).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/wrk_lib.sh
. bench/wrk_lib.sh
BUILD=${BUILD:-build}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
for tool in "$BUILD/ducksite" "$BUILD/ds-sql" /usr/bin/time; do
  [ -x "$tool" ] || { echo "lake scale: $tool not found (make build; apt install time)" >&2; exit 2; }
done
if [ -n "${SERVE:-}" ]; then
  for tool in nginx wrk curl; do
    command -v "$tool" >/dev/null || { echo "lake scale: SERVE=1 needs $tool (scripts/setup --bench)" >&2; exit 2; }
  done
fi
work=$(mktemp -d /tmp/ds-bench-lake-XXXXXX)
ours_pid=""
nginx_pid=""
stop_servers() {
  [ -z "$ours_pid" ] || { kill "$ours_pid" 2>/dev/null; wait "$ours_pid" 2>/dev/null || true; }
  [ -z "$nginx_pid" ] || { kill -QUIT "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null || true; }
  ours_pid=""
  nginx_pid=""
}
trap 'stop_servers; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
rounds=${SERVE_ROUNDS:-3}
serve_secs=${SERVE_SECS:-5}

# serve_figures PROJECT: the server side of a built lake, one line.
serve_figures() {
  local proj=$1 load rss hwm
  "$BUILD/ducksite" serve --root "$proj" --no-build --no-watch --port 0 \
    >"$work/serve.out" 2>"$work/serve.err" &
  ours_pid=$!
  ours_url=$(serving_url "$work/serve.out" 600)
  [ -n "$ours_url" ] || { echo "lake scale: ducksite serve did not start:" >&2; cat "$work/serve.err" >&2; exit 2; }
  load=$(sed -n 's/.*keys loaded from .* in \([0-9.]*\) s$/\1/p' "$work/serve.err" | tail -n 1)
  rss=$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$ours_pid/status")
  # The peer: nginx with the configuration the export writes for this site.
  local port prefix user="" cache
  cache=$(cache_entries "$work/serve.err")
  port=$(free_port)
  prefix="$work/nginx"
  mkdir -p "$prefix/tmp"
  "$BUILD/ducksite" export --root "$proj" --nginx "$prefix/site.conf" --listen "127.0.0.1:$port" >/dev/null
  [ "$(id -u)" != 0 ] || user="user $(id -un);"
  cat >"$prefix/nginx.conf" <<CONF
$user
worker_processes 2;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    open_file_cache max=$cache inactive=60s;
    keepalive_requests 1000000;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/site.conf;
}
CONF
  nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" -g 'daemon off;' &
  nginx_pid=$!
  nginx_url="http://127.0.0.1:$port"
  # 10,000 of the lake's keys, the same for both; both answer the first alike.
  python3 - "$proj/static/data_map.json" "$work/keys.txt" <<'PY'
import json, random, sys
keys = list(json.load(open(sys.argv[1])))
random.seed(1)
with open(sys.argv[2], "w") as f:
    f.write("".join("/" + k + "\n" for k in random.sample(keys, min(10000, len(keys)))))
PY
  local first
  first=$(head -n 1 "$work/keys.txt")
  wait_http "$nginx_url$first" || { echo "lake scale: nginx did not start:" >&2; cat "$prefix/error.log" >&2; exit 2; }
  [ "$(curl -s -r 0-255 "$ours_url$first" | sha1sum)" = "$(curl -s -r 0-255 "$nginx_url$first" | sha1sum)" ] ||
    { echo "lake scale: ours and nginx answer $first differently" >&2; exit 2; }
  cat >"$work/keys.lua" <<'LUA'
-- Random 256-byte ranged GETs over the files listed in args[1].
local keys = {}
function init(args)
    for line in io.lines(args[1]) do keys[#keys + 1] = line end
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
end
function request()
    return wrk.format("GET", keys[math.random(1, #keys)], { ["Range"] = "bytes=0-255" })
end
LUA
  measure rps / "-t2 -c64 -d${serve_secs}s -s $work/keys.lua" "$work/keys.txt" >"$work/measure.log"
  hwm=$(awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$ours_pid/status")
  printf "  serve: data map loaded in %s s, RSS %s MB, peak %s MB; ranged reads %.0f req/s, nginx (open_file_cache max=%s) %.0f; ratio %s (target >= 0.9), of medians %s\n" \
    "${load:-?}" "$rss" "$hwm" "$ours" "$cache" "$peer" "$(ratio "$ours" "$peer")" "$(ratio "$ours_med" "$peer_med")"
  grep -h warning "$work/measure.log" || true
  stop_servers
  rm -rf "$prefix"
}

cc -O2 -pthread -o "$work/footer_floor" bench/footer_floor.c

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

printf "%-10s %8s %9s %9s %9s %10s %10s %10s %10s %10s %10s\n" files find first rebuild forced \
  "first/find" "again/find" "force/find" "peak MB" "view SQL" "list gz"
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
  # A user's lake is on disk before the build: the bench's own writes are
  # flushed first, so the kernel's writeback does not run during the build.
  sync
  find "$lake" -name '*.parquet' >/dev/null # warm the dentry cache
  /usr/bin/time -f "%e" -o "$work/find.txt" find "$lake" -name '*.parquet' >/dev/null
  f=$(cat "$work/find.txt")
  read -r first rss1 < <(timed_build "$proj" "${extra[@]}")
  read -r again rss2 < <(timed_build "$proj" "${extra[@]}")
  read -r forced rss3 < <(timed_build "$proj" --force "${extra[@]}")
  # The floor after the builds: the files are as warm for it as for them.
  /usr/bin/time -f "%e" -o "$work/floor.txt" "$work/footer_floor" "$lake" 2 >"$work/floor.out"
  [ "$(cat "$work/floor.out")" = "$n" ] || { echo "lake scale: the footer floor read $(cat "$work/floor.out") files, not $n" >&2; exit 1; }
  floor=$(cat "$work/floor.txt")
  # A rebuild's peer: find with a stat of every file, the least a build
  # that notices any file's change must do.
  /usr/bin/time -f "%e" -o "$work/fstat.txt" find "$lake" -name '*.parquet' -printf '%s %T@ %C@\n' >/dev/null
  fstat=$(cat "$work/fstat.txt")
  peak=$(( rss1 > rss2 ? rss1 : rss2 ))
  peak=$(( peak > rss3 ? peak : rss3 ))
  view=$(stat -c %s "$proj/static/sql/_global/lake.sql")
  list=$(stat -c %s "$proj/static/sql/_files/lake.json.gz" 2>/dev/null || echo 0)
  python3 - "$n" "$f" "$first" "$again" "$forced" "$peak" "$view" "$list" "$floor" "$fstat" "${extra[*]:-}" <<'PY'
import sys
n, f, first, again, forced, peak, view, lst, floor, fstat, extra = sys.argv[1:12]
f = max(float(f), 0.01)  # /usr/bin/time counts in 10 ms steps
first, again, forced = float(first), float(again), float(forced)
note = f"  ({extra})" if extra else ""
print(f"{int(n):<10} {f:7.2f}s {first:8.2f}s {again:8.2f}s {forced:8.2f}s {first / f:9.1f}x"
      f" {again / f:9.1f}x {forced / f:9.1f}x {peak:>10} {int(view):>10} {int(lst):>10}{note}")
floor = max(float(floor), 0.01)
print(f"{'':<10} footer floor (walk, then open+fstat+read+close of every file, 2 threads)"
      f" {floor:.2f}s = {floor / f:.1f}x find; first build = {first / floor:.1f}x the floor")
fstat = max(float(fstat), 0.01)
print(f"{'':<10} find with a stat of every file (-printf '%s %T@ %C@', one thread)"
      f" {fstat:.2f}s = {fstat / f:.1f}x find; rebuild = {again / fstat:.1f}x it")
PY
  [ -z "${SERVE:-}" ] || serve_figures "$proj"
  rm -rf "$lake" "$proj"
done
