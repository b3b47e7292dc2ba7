#!/usr/bin/env python3
"""live_queries.py - the load test of live queries (docs/server.md, "Live
queries"): CLIENTS concurrent clients (50) ask `ducksite serve` for a page
component with random input values for SECONDS (60), each a new request as
soon as the last one is answered.  Prints the requests, the answers, the
refusals (503: live_max_queued requests waiting already, or one waited
past live_queue_ms; the page would run those in the browser), errors (any
other status, and failed connections), p50/p95/p99 latency, the cache
hits, and the server's largest RSS, sampled every 100 ms.

The peer, in the same run: the same clients for the same time fetching the
build's stored results of the same component (GET /_results/<hash>.json,
the path a page takes when the build computed its state), printed as the
ratio of latencies.

Usage: bench/live_queries.py [--clients N] [--seconds S] [--rows N]
                             [--ducksite PATH] [--ds-sql PATH]

The lake (hive folders region=*/part-*.parquet, ROWS rows in all, 2,000,000
by default) and the project are made in a temporary folder, removed at the
end.  The server listens on 127.0.0.1 (a free port) and is stopped by its
PID.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REGIONS = ["north", "south", "east", "west", "centre", "islands", "coast", "hills"]

PAGE = """# Sales

```sql regions
SELECT DISTINCT region FROM sales ORDER BY 1
```

```input region
visual_mode: dropdown
options_query: regions
```

```input minimum
visual_mode: slider
min: 0
max: 1000
default: 0
```

```sql by_month
SELECT month, count(*) AS orders, sum(amount) AS revenue, avg(amount) AS mean
FROM sales
WHERE (${inputs.region} IS NULL OR region = ${inputs.region}) AND amount >= ${inputs.minimum}
GROUP BY month ORDER BY month
```

```table by_month
```
"""


def make_project(work, ds_sql, rows):
    lake = os.path.join(work, "lake")
    per = rows // (len(REGIONS) * 4)
    sql = []
    for r in REGIONS:
        for part in range(4):
            path = os.path.join(lake, "region=%s" % r, "part-%d.parquet" % part)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            sql.append("COPY (SELECT range AS id, (range %% 24) + 1 AS month, "
                       "((range * 7919 + %d) %% 100000) / 100.0 AS amount FROM range(%d)) "
                       "TO '%s' (FORMAT parquet);" % (part, per, path))
    subprocess.run([ds_sql], input="\n".join(sql), text=True, check=True, capture_output=True)
    root = os.path.join(work, "site")
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "sales"\nupstream_glob = "%s/**/*.parquet"\n\n'
                '[serve]\nlive_queries = true\n' % lake)
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE)
    return root


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def start(binary, root):
    proc = subprocess.Popen([binary, "serve", "--root", root, "--port", "0", "--no-watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    port = None
    deadline = time.monotonic() + 300
    while port is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("serving ") and " at http://" in line:
            port = int(line.rsplit(":", 1)[1].strip().strip("/"))
    if port is None:
        proc.kill()
        sys.exit("serve did not start: %s" % proc.stderr.read())
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    threading.Thread(target=proc.stderr.read, daemon=True).start()
    return proc, port


def stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def load(port, clients, seconds, make_request):
    """Runs CLIENTS threads for SECONDS; returns (latencies ms, errors, hits)."""
    stop_at = time.monotonic() + seconds
    lat, errors, hits, refused, answered = [], [], [0], [0], []
    lock = threading.Lock()

    def client(seed):
        rnd = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine, bad, hit, no, ok = [], [], 0, 0, []
        while time.monotonic() < stop_at:
            method, path, body, headers = make_request(rnd)
            t0 = time.monotonic()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status == 503 and resp.getheader("Retry-After"):
                    no += 1
                elif resp.status != 200:
                    bad.append(resp.status)
                else:
                    ok.append((time.monotonic() - t0) * 1000)
                hit += resp.getheader("X-Ducksite-Cache") == "hit"
            except (OSError, http.client.HTTPException) as e:
                bad.append(repr(e))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine.append((time.monotonic() - t0) * 1000)
        conn.close()
        with lock:
            lat.extend(mine)
            errors.extend(bad)
            hits[0] += hit
            refused[0] += no
            answered.extend(ok)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, hits[0], refused[0], answered


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * p / 100))] if s else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--ducksite", default=os.path.join(HERE, "..", "build", "ducksite"))
    ap.add_argument("--ds-sql", default=os.path.join(HERE, "..", "build", "ds-sql"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ds-bench-live-")
    proc = None
    try:
        root = make_project(work, a.ds_sql, a.rows)
        b = subprocess.run([a.ducksite, "build", "--root", root], capture_output=True, text=True)
        if b.returncode != 0:
            sys.exit(b.stderr)
        proc, port = start(a.ducksite, root)
        peak = [rss_kb(proc.pid)]
        sampling = [True]

        def sample():
            while sampling[0]:
                peak[0] = max(peak[0], rss_kb(proc.pid))
                time.sleep(0.1)

        threading.Thread(target=sample, daemon=True).start()
        start_rss = peak[0]

        def live_request(rnd):
            region = rnd.choice(REGIONS + [None])
            body = json.dumps({"page": "index", "component": "table:by_month",
                               "query": "/sql/pages/index/by_month.sql",
                               "inputs": {"region": region, "minimum": str(rnd.randint(0, 999))}})
            return "POST", "/api/live/query", body, {"Content-Type": "application/json"}

        lat, errors, hits, refused, answered = load(port, a.clients, a.seconds, live_request)
        live_peak = peak[0]

        # The peer: the stored results of the same component (each region
        # at the default minimum), fetched by the same clients.
        with open(os.path.join(root, "static", "_results", "_index.json")) as f:
            hashes = sorted(json.load(f)["results"])

        def stored_request(rnd):
            return "GET", "/_results/%s.json" % rnd.choice(hashes), None, {}

        slat, serrors, _, _, _ = load(port, a.clients, a.seconds, stored_request)
        sampling[0] = False
        print("live queries: %d clients x %.0f s over %d rows (%d files)"
              % (a.clients, a.seconds, a.rows, len(REGIONS) * 4))
        print("  requests %d (%.0f/s): answered %d (%.0f/s, cache hits %d), refused with 503 %d, "
              "errors %d%s"
              % (len(lat), len(lat) / a.seconds, len(answered), len(answered) / a.seconds, hits,
                 refused, len(errors),
                 (" " + repr(sorted(set(map(str, errors)))[:5])) if errors else ""))
        print("  latency ms, all: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f"
              % (pct(lat, 50), pct(lat, 95), pct(lat, 99), max(lat) if lat else float("nan")))
        print("  latency ms, answered: p50 %.1f  p95 %.1f" % (pct(answered, 50), pct(answered, 95)))
        print("  server RSS: %.0f MB at start, max %.0f MB under load"
              % (start_rss / 1024, live_peak / 1024))
        print("peer, stored results (GET /_results/<hash>.json), same clients and time:")
        print("  requests %d (%.0f/s), errors %d" % (len(slat), len(slat) / a.seconds, len(serrors)))
        print("  latency ms: p50 %.1f  p95 %.1f" % (pct(slat, 50), pct(slat, 95)))
        print("ratio live (answered)/stored: p50 %.1fx  p95 %.1fx"
              % (pct(answered, 50) / pct(slat, 50), pct(answered, 95) / pct(slat, 95)))
        sys.exit(1 if errors else 0)
    finally:
        if proc:
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
