# bench/wrk_lib.sh - what the benchmarks that run `ducksite serve` next to
# nginx share (sourced by serve_vs_nginx.sh and lake_scale.sh): free ports,
# waiting for a server, and wrk runs alternating ours and nginx.
#
# measure() reads the globals ours_url, nginx_url and rounds, and sets
# ours/peer (the best runs) and ours_med/peer_med (the medians).

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() {    # wait_http URL: up to 10 s for the server to answer
    for _ in $(seq 100); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.1
    done
    return 1
}

# serving_url OUT TENTHS: waits up to TENTHS/10 s for `ducksite serve` to
# write its "serving ... at URL/" line to OUT; prints URL (nothing if not).
serving_url() {
    for _ in $(seq "$2"); do
        grep -q '^serving' "$1" 2>/dev/null && break
        sleep 0.1
    done
    sed -n 's/^serving .* at \(http:[^ ]*\)\/$/\1/p' "$1"
}

# cache_entries ERR: the open-file cache size `ducksite serve` logged to ERR
# ("open-file cache: N files"), which nginx's open_file_cache max gets too
# so both keep as many files open; NGINX_CACHE overrides it (1000 was the
# benches' figure before, when ours had 1024 entries).
cache_entries() {
    local n
    n=$(sed -n 's/.*open-file cache: \([0-9]*\) files.*/\1/p' "$1" | tail -n 1)
    echo "${NGINX_CACHE:-${n:-1000}}"
}

rps_of() { awk '/^Requests\/sec:/ {print $2}'; }
median_us_of() {    # the 50% line of wrk --latency, in microseconds
    awk '$1 == "50%" {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
         if (u=="us") m=v; else if (u=="ms") m=v*1000; else if (u=="s") m=v*1000000; print m}'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
best_high() { tr ' ' '\n' | grep -v '^$' | sort -g | tail -n 1; }
best_low() { tr ' ' '\n' | grep -v '^$' | sort -g | head -n 1; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }

# measure METRIC PATH "WRK_OPTIONS" ["SCRIPT_ARGS"]: runs ours and nginx
# alternately, ROUNDS times each.  Sets $ours/$peer to the best run of each
# (highest req/s, lowest latency) and $ours_med/$peer_med to the medians.
# The machine is shared (other jobs, and wrk itself runs on the same two
# CPUs), so single runs swing by +-30% and sometimes halve; interference only
# ever slows a run down, so the best of several runs is the fairest estimate
# of what each server can do.  Both figures are printed.
measure() {
    local metric=$1 path=$2 opts=$3 sargs=${4:-}
    local o="" n="" out who url v
    for _ in $(seq "$rounds"); do
        for who in ours nginx; do
            if [[ $who == ours ]]; then url="$ours_url$path"; else url="$nginx_url$path"; fi
            # shellcheck disable=SC2086 # options are split on purpose
            out=$(wrk --latency $opts "$url" ${sargs:+-- $sargs} 2>&1)
            if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
                echo "  warning ($who): $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')"
            fi
            if [[ $metric == rps ]]; then v=$(rps_of <<<"$out"); else v=$(median_us_of <<<"$out"); fi
            [[ -n $v ]] || { echo "serve bench: wrk failed:" >&2; echo "$out" >&2; exit 2; }
            if [[ $who == ours ]]; then o="$o $v"; else n="$n $v"; fi
        done
    done
    ours_med=$(median <<<"$o")
    peer_med=$(median <<<"$n")
    if [[ $metric == rps ]]; then
        ours=$(best_high <<<"$o"); peer=$(best_high <<<"$n")
    else
        ours=$(best_low <<<"$o"); peer=$(best_low <<<"$n")
    fi
    echo "  ours: $o"
    echo "  nginx:$n"
}

