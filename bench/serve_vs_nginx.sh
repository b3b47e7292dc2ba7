#!/usr/bin/env bash
# serve_vs_nginx.sh - `ducksite serve` next to nginx, in one run, with wrk.
#
# Builds a site in a temporary directory under /tmp (removed at the end):
# static/index.html (a small page), a 24 MB file outside static/ published
# through static/data_map.json as data/bench/big.parquet, and for nginx the
# same URL through an `alias` (bench/serve_nginx.conf).  Both servers are
# started by this script on free loopback ports and stopped by their PIDs.
# Each measurement alternates ours and nginx for a few rounds and prints
# every run, the ratio of the best runs and the ratio of the medians:
#
#   (a) random 64 KiB ranged GETs over the 24 MB file, 64 keep-alive
#       connections: requests/s, target ours >= 0.9 x nginx
#   (b) the small HTML page, 64 connections: requests/s, target >= 0.7 x
#   (c) one connection, sequential 16 KiB ranged GETs: median latency,
#       target ours <= 1.2 x nginx
#   (d) a 1,000,000-entry data map: load time (target <= 1 s) and the
#       server's peak RSS (target <= 300 MB)
#
# It is a report, not a test: a missed target still exits 0.  It exits 2
# only when it cannot measure (a tool missing or a server not starting).
#
# Usage: bench/serve_vs_nginx.sh [SECONDS]      (per run, default 5)
#   DS_BENCH_ROUNDS=N              alternating runs per server (default 5)
#   DS_DUCKSITE=/path/to/ducksite  use another binary than build/ducksite
#   DS_BENCH_THREADS=N             wrk threads (default 2)
#   NGINX_CACHE=N                  nginx's open_file_cache max (default: as
#                                  many files as our open-file cache, the
#                                  size `ducksite serve` logs)
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=bench/wrk_lib.sh
. "$here/bench/wrk_lib.sh"
ducksite="${DS_DUCKSITE:-$here/build/ducksite}"
secs="${1:-5}"
rounds="${DS_BENCH_ROUNDS:-5}"
wrk_threads="${DS_BENCH_THREADS:-2}"

for tool in nginx wrk python3 curl; do
    command -v "$tool" >/dev/null || {
        echo "serve bench: $tool not found (scripts/setup installs nginx, scripts/setup --bench wrk)" >&2
        exit 2
    }
done
[[ -x "$ducksite" ]] || { echo "serve bench: $ducksite not found; run make build" >&2; exit 2; }

tmp="$(mktemp -d /tmp/ds-bench-serve.XXXXXX)"
ours_pid=""
nginx_pid=""
cleanup() {
    [[ -n "$ours_pid" ]] && kill "$ours_pid" 2>/dev/null && wait "$ours_pid" 2>/dev/null
    [[ -n "$nginx_pid" ]] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
# nginx workers run as an unprivileged user when started by root.
chmod 755 "$tmp"

site="$tmp/site"
lake="$tmp/lake"
mkdir -p "$site/static" "$lake" "$tmp/nginx/tmp"
size=$((24 * 1024 * 1024))
head -c "$size" /dev/urandom >"$lake/big.parquet"
python3 - "$site/static/index.html" <<'PY'
import sys
open(sys.argv[1], "w").write("<!doctype html>\n<title>bench</title>\n<p>" + "hello ducks " * 20 + "</p>\n")
PY
printf '{\n  "data/bench/big.parquet": "%s"\n}\n' "$lake/big.parquet" >"$site/static/data_map.json"
chmod -R a+rX "$tmp"

# --- start both servers -------------------------------------------------
"$ducksite" serve --root "$site" --port 0 >"$tmp/ours.out" 2>"$tmp/ours.err" &
ours_pid=$!
ours_url=$(serving_url "$tmp/ours.out" 100)
[[ -n "$ours_url" ]] || { echo "serve bench: ducksite did not start:" >&2; cat "$tmp/ours.err" >&2; exit 2; }

nginx_port=$(free_port)
sed -e "s|@PORT@|$nginx_port|" -e "s|@STATIC@|$site/static|" -e "s|@LAKE@|$lake|" \
    -e "s|@CACHE@|$(cache_entries "$tmp/ours.err")|" \
    "$here/bench/serve_nginx.conf" >"$tmp/nginx/nginx.conf"
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port"
wait_http "$nginx_url/index.html" || { echo "serve bench: nginx did not start:" >&2; cat "$tmp/nginx/error.log" >&2; exit 2; }
wait_http "$ours_url/index.html" || { echo "serve bench: ducksite does not answer" >&2; exit 2; }

# Both must give the same bytes for the same range before we time them.
for url in "$ours_url" "$nginx_url"; do
    got=$(curl -s -H 'Range: bytes=1000-66535' "$url/data/bench/big.parquet" | sha1sum)
    want=$(python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(1000); sys.stdout.buffer.write(f.read(65536))' \
        "$lake/big.parquet" | sha1sum)
    [[ "$got" == "$want" ]] || { echo "serve bench: wrong bytes from $url" >&2; exit 2; }
done

cat >"$tmp/ranges.lua" <<'LUA'
-- Random ranged GETs: wrk ... -s ranges.lua URL -- FILE_SIZE CHUNK [sequential]
local size, chunk, sequential, offset
function init(args)
    size = tonumber(args[1])
    chunk = tonumber(args[2])
    sequential = args[3] == "sequential"
    offset = 0
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000003)
end
function request()
    local first
    if sequential then
        first = offset
        offset = offset + chunk
        if offset + chunk > size then offset = 0 end
    else
        first = math.random(0, size - chunk)
    end
    return wrk.format("GET", nil, { ["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1) })
end
LUA

echo "serve bench: $rounds rounds x ${secs}s per server and measurement, $(nproc) CPUs, wrk -t$wrk_threads"
echo

echo "(a) 64 KiB random ranged GETs over a 24 MB data-mapped file, 64 connections (req/s)"
measure rps /data/bench/big.parquet "-t$wrk_threads -c64 -d${secs}s -s $tmp/ranges.lua" "$size 65536"
a_ratio=$(ratio "$ours" "$peer")
printf '  best: ours %.0f, nginx %.0f req/s; ratio %s (target >= 0.9); ratio of medians %s\n\n' \
    "$ours" "$peer" "$a_ratio" "$(ratio "$ours_med" "$peer_med")"

echo "(b) small HTML page, 64 connections (req/s)"
measure rps /index.html "-t$wrk_threads -c64 -d${secs}s"
b_ratio=$(ratio "$ours" "$peer")
printf '  best: ours %.0f, nginx %.0f req/s; ratio %s (target >= 0.7); ratio of medians %s\n\n' \
    "$ours" "$peer" "$b_ratio" "$(ratio "$ours_med" "$peer_med")"

echo "(c) one connection, sequential 16 KiB ranged GETs (median latency, us)"
measure latency /data/bench/big.parquet "-t1 -c1 -d${secs}s -s $tmp/ranges.lua" "$size 16384 sequential"
c_ratio=$(ratio "$ours" "$peer")
printf '  best: ours %s us, nginx %s us; ratio %s (target <= 1.2); ratio of medians %s\n\n' \
    "$ours" "$peer" "$c_ratio" "$(ratio "$ours_med" "$peer_med")"

kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true; ours_pid=""
kill -QUIT "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; nginx_pid=""

echo "(d) a 1,000,000-entry data map"
big="$tmp/bigmap"
mkdir -p "$big/static"
python3 - "$big/static/data_map.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("{")
    n = 1000000
    for i in range(n):
        f.write('%s\n  "data/events/year=%04d/day=%03d/part-%07d.parquet": '
                '"/srv/lake/events/year=%04d/day=%03d/part-%07d.parquet"'
                % ("," if i else "", 2000 + i // 100000, i // 1000 % 100, i, 2000 + i // 100000, i // 1000 % 100, i))
    f.write("\n}\n")
PY
map_mb=$(du -m "$big/static/data_map.json" | cut -f1)
"$ducksite" serve --root "$big" --port 0 >"$tmp/big.out" 2>"$tmp/big.err" &
ours_pid=$!
serving_url "$tmp/big.out" 300 >/dev/null
load=$(sed -n 's/.*keys loaded from .* in \([0-9.]*\) s$/\1/p' "$tmp/big.err")
hwm=$(awk '/^VmHWM:/ {printf "%.0f", $2/1024}' "/proc/$ours_pid/status")
rss=$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$ours_pid/status")
kill "$ours_pid"; wait "$ours_pid" 2>/dev/null || true; ours_pid=""
echo "  map file ${map_mb} MB: loaded in ${load:-?} s (target <= 1 s); RSS ${rss} MB, peak ${hwm} MB (target <= 300 MB)"
echo
echo "summary: (a) ${a_ratio}x  (b) ${b_ratio}x  (c) ${c_ratio}x latency  (d) ${load:-?} s, peak ${hwm} MB"
