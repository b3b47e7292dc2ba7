#!/usr/bin/env python3
"""serve_soak.py - `ducksite serve` under mixed traffic while the data map is
rebuilt every second.

Usage: bench/serve_soak.py [SECONDS] [--ducksite PATH] [--clients N]

Builds a site in a temporary directory: a static page, and six data files
(2-6 MB of random bytes) that exist twice, as copies A and B, outside
static/.  The data map publishes them as data/soak/fN.parquet.  Every second
the map is rewritten atomically (temporary file + rename, like `ducksite
build`), pointing each key at the other copy and adding a changing key, so
the server swaps maps ~SECONDS times while requests are in flight.

Client threads (keep-alive connections) send, at random:
  ranged GETs (checked byte for byte against the file), suffix ranges,
  HEAD with Range: bytes=0- (the DuckDB-Wasm handshake), revalidations with
  If-None-Match (304 while the ETag holds), the HTML page, and bad paths
  (must be 400/404).

Passes when there are zero 5xx answers, zero wrong bytes, zero unexpected
statuses or connection errors, and memory is stable: RSS at the end within
32 MB of RSS after warm-up.  Loopback only; the server is started here and
stopped by its own PID (SIGTERM; it must exit 0).  Exit 0 on pass, 1 on
failure, 2 when it cannot run.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BAD_PATHS = ["/data_map.json", "/../etc/passwd", "/%2e%2e/secret", "/.env", "/a%2fb",
             "/a%00b", "/a\\b", "/nothing.html", "/data/soak/none.parquet", "/%zz"]


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.errors = []

    def add(self, kind):
        with self.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1

    def fail(self, msg):
        with self.lock:
            self.errors.append(msg)


def client(port, files, stop, stats, seed):
    rnd = random.Random(seed)
    conn = None
    etags = {}
    while not stop.is_set():
        if conn is None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        key = rnd.choice(list(files))
        data = files[key]
        n = len(data)
        op = rnd.random()
        headers = {}
        if op < 0.45:
            kind = "range"
            a = rnd.randrange(n)
            b = min(n - 1, a + rnd.choice([0, 1, 100, 16383, 65535, 300000]))
            headers["Range"] = "bytes=%d-%d" % (a, b)
            path, want = "/" + key, (206, data[a:b + 1])
        elif op < 0.55:
            kind = "suffix"
            k = rnd.randrange(1, 70000)
            headers["Range"] = "bytes=-%d" % k
            path, want = "/" + key, (206, data[-k:])
        elif op < 0.65:
            kind = "head"
            headers["Range"] = "bytes=0-"
            path, want = "/" + key, (206, b"")
        elif op < 0.80:
            kind = "revalidate"
            headers["If-None-Match"] = etags.get(key, '"none"')
            headers["Range"] = "bytes=0-99"
            path, want = "/" + key, None  # 304, or 206 with the bytes when the ETag changed
        elif op < 0.90:
            kind = "html"
            path, want = "/index.html", (200, None)
        else:
            kind = "bad"
            path, want = rnd.choice(BAD_PATHS), None
        method = "HEAD" if kind == "head" else "GET"
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
            status = r.status
        except Exception as e:  # noqa: BLE001 - every failure counts
            stats.fail("%s %s: %r" % (method, path, e))
            conn.close()
            conn = None
            continue
        stats.add(kind)
        stats.add("status %d" % status)
        if status >= 500:
            stats.fail("%d for %s %s %s" % (status, method, path, headers))
        elif kind == "bad":
            if status not in (400, 404):
                stats.fail("bad path %s answered %d" % (path, status))
        elif kind == "revalidate":
            if status == 304:
                pass
            elif status == 206 and body == data[:100]:
                etags[key] = r.getheader("ETag")
            else:
                stats.fail("revalidate %s: %d, %d bytes" % (key, status, len(body)))
        elif kind == "head":
            ok = (status == 206 and body == b"" and r.getheader("Content-Length") == str(n)
                  and r.getheader("Content-Range") == "bytes 0-%d/%d" % (n - 1, n)
                  and r.getheader("Accept-Ranges") == "bytes" and r.getheader("Last-Modified"))
            if not ok:
                stats.fail("HEAD %s: %d %r" % (key, status, r.getheaders()))
            etags[key] = r.getheader("ETag")
        elif want[1] is None:
            if status != want[0] or b"soak" not in body:
                stats.fail("%s: %d" % (path, status))
        elif status != want[0] or body != want[1]:
            stats.fail("WRONG BYTES %s %s: %d, %d bytes (want %d)" %
                       (key, headers, status, len(body), len(want[1])))
            stats.add("wrong bytes")
    if conn:
        conn.close()


def write_map(static, mapping):
    text = "{" + ",".join("\n  %s: %s" % (json.dumps(k), json.dumps(v))
                          for k, v in sorted(mapping.items())) + "\n}\n"
    tmp = os.path.join(static, "data_map.json.tmp.%d" % os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, os.path.join(static, "data_map.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seconds", nargs="?", type=int, default=60)
    ap.add_argument("--ducksite", default=os.path.join(HERE, "..", "build", "ducksite"))
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()
    if not os.access(args.ducksite, os.X_OK):
        print("soak: %s not found; run make build" % args.ducksite, file=sys.stderr)
        return 2

    tmp = tempfile.mkdtemp(prefix="ds-soak-")
    proc = None
    try:
        static = os.path.join(tmp, "site", "static")
        lake = os.path.join(tmp, "lake")
        os.makedirs(static)
        os.makedirs(os.path.join(lake, "A"))
        os.makedirs(os.path.join(lake, "B"))
        with open(os.path.join(static, "index.html"), "w") as f:
            f.write("<!doctype html><title>soak</title><p>soak test page</p>\n")
        files = {}
        rnd = random.Random(7)
        for i in range(6):
            data = rnd.randbytes((2 + i % 5) * 1024 * 1024 + rnd.randrange(1000))
            name = "f%d.parquet" % i
            for copy in ("A", "B"):
                with open(os.path.join(lake, copy, name), "wb") as f:
                    f.write(data)
            files["data/soak/" + name] = data

        def mapping(gen):
            copy = "AB"[gen % 2]
            m = {k: os.path.join(lake, copy, k.split("/")[-1]) for k in files}
            m["data/soak/generation-%d.parquet" % gen] = os.path.join(lake, copy, "f0.parquet")
            return m

        write_map(static, mapping(0))
        proc = subprocess.Popen([args.ducksite, "serve", "--root", os.path.join(tmp, "site"),
                                 "--port", "0"], stdout=subprocess.PIPE,
                                stderr=open(os.path.join(tmp, "server.err"), "w"), text=True)
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            print("soak: the server did not start: %r" % line, file=sys.stderr)
            return 2
        port = int(m.group(1))

        stats, stop = Stats(), threading.Event()
        threads = [threading.Thread(target=client, args=(port, files, stop, stats, i))
                   for i in range(args.clients)]
        for t in threads:
            t.start()
        time.sleep(2)  # warm-up: connections open, caches filled
        rss_start = rss_kb(proc.pid)
        t0 = time.monotonic()
        gen = 0
        while time.monotonic() - t0 < args.seconds:
            time.sleep(1)
            gen += 1
            write_map(static, mapping(gen))
        stop.set()
        for t in threads:
            t.join()
        rss_end = rss_kb(proc.pid)
        elapsed = time.monotonic() - t0

        proc.send_signal(signal.SIGTERM)
        code = proc.wait(60)
        proc = None
        with open(os.path.join(tmp, "server.err")) as f:
            err = f.read()
        reloads = err.count("data map reloaded")

        total = sum(v for k, v in stats.counts.items() if k.startswith("status "))
        fivexx = sum(v for k, v in stats.counts.items() if k.startswith("status 5"))
        wrong = stats.counts.get("wrong bytes", 0)
        print("soak: %.0f s, %d clients, %d requests (%.0f/s), %d map rewrites, %d reloads seen"
              % (elapsed, args.clients, total, total / elapsed, gen, reloads))
        print("  by kind:   " + ", ".join("%s %d" % (k, v) for k, v in sorted(stats.counts.items())
                                          if not k.startswith("status ") and k != "wrong bytes"))
        print("  by status: " + ", ".join("%s %d" % (k[7:], v) for k, v in sorted(stats.counts.items())
                                          if k.startswith("status ")))
        print("  5xx: %d, wrong bytes: %d, other failures: %d" % (fivexx, wrong, len(stats.errors) - wrong - fivexx))
        growth = (rss_end - rss_start) / 1024
        print("  RSS: %.1f MB after warm-up, %.1f MB at the end (%+.1f MB)"
              % (rss_start / 1024, rss_end / 1024, growth))
        print("  server exit code after SIGTERM: %d" % code)
        for e in stats.errors[:10]:
            print("  error: " + e)
        ok = (not stats.errors and code == 0 and growth <= 32 and total > 0 and reloads > 0)
        print("soak: " + ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)  # by its own PID
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
