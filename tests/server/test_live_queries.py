#!/usr/bin/env python3
"""test_live_queries.py - POST /api/live/query of `ducksite serve`
([serve] live_queries = true, docs/server.md "Live queries").

Usage: test_live_queries.py DUCKSITE_BINARY DS_SQL_BINARY

A project over a hive-partitioned lake, with a page whose table depends on a
dropdown and a slider.  Checks: the server's results are byte for byte the
build-time engine's (the stored result of each dropdown choice); a repeat
is a cache hit; a lake file rewritten (size) or touched (mtime) is a miss;
hostile input values stay literals; unknown pages, components, queries and
inputs are 4xx JSON with a did-you-mean; method, type and Origin checks;
each limit (rows, bytes, time, concurrency: 503 with Retry-After when
live_max_queued = 0); the queue (more requests than live_max_concurrent all
answered, one beyond live_max_queued refused at once); the page mark; the endpoint off by default; sign-in; a plugin's list of more than 10,000
files pruned per request by an input's partition value (answered), and
413 (limit "files") when more than 10,000 are left.  Servers listen on 127.0.0.1
and are stopped by their own PID.  Prints "live queries: N passed, M failed".
"""
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from helpers import FIRST_BUILD, Serve, Tally, request, wait_for

PAGE = """# Orders

```sql regions
SELECT DISTINCT region FROM orders ORDER BY 1
```

```input region
visual_mode: dropdown
options_query: regions
```

```input minimum
visual_mode: slider
min: 0
max: 400
default: 10
```

```sql total
SELECT region, count(*) AS n, sum(amount) AS s, min(label) AS first_label FROM orders
WHERE (${inputs.region} IS NULL OR region = ${inputs.region}) AND amount >= ${inputs.minimum}
GROUP BY 1 ORDER BY 1
```

```table total
```

```sql many
SELECT range AS i FROM range(50) WHERE range >= ${inputs.minimum}
```

```table many
```

```sql slow
SELECT count(*) AS n
FROM range(CASE WHEN ${inputs.minimum} = 10 THEN 1 ELSE 3000000000 END) t(x)
WHERE x % 7 = ${inputs.minimum}
```

```table slow
```

```sql medium
SELECT count(*) AS n FROM range(${inputs.minimum} * 100000) t(x) WHERE x % 7 = 1
```

```table medium
```
"""

TOTAL = "/sql/pages/index/total.sql"


def make_lake(ds_sql, lake):
    for k, region in enumerate(["EU", "US", "APAC"]):
        path = os.path.join(lake, "region=%s" % region, "a.parquet")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        sql = ("COPY (SELECT range AS id, range * %d AS amount, 'r' || range AS label "
               "FROM range(100)) TO '%s' (FORMAT parquet)" % (k + 2, path))
        subprocess.run([ds_sql], input=sql, text=True, check=True, capture_output=True)


def write_project(root, lake, serve_toml):
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "orders"\nupstream_glob = "%s/**/*.parquet"\n\n%s'
                % (lake, serve_toml))
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE)


def post(port, body, headers=None, method="POST", content_type="application/json"):
    """(status, headers, raw body) of one request to the endpoint."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    h = {"Content-Type": content_type} if content_type else {}
    h.update(headers or {})
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    conn.request(method, "/api/live/query", body=data, headers=h)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, raw


def ask(port, inputs, component="table:total", query=TOTAL, **kw):
    return post(port, {"page": "index", "component": component, "query": query,
                       "inputs": inputs, "today": "2024-05-01"}, **kw)


def error_of(raw):
    try:
        return json.loads(raw).get("error", "")
    except ValueError:
        return ""


def stored_results(root):
    folder = os.path.join(root, "static", "_results")
    out = set()
    for name in os.listdir(folder):
        if name.endswith(".json") and not name.startswith("_"):
            with open(os.path.join(folder, name), "rb") as f:
                out.add(f.read())
    return out


def check_main(t, binary, root, lake):
    s = Serve(binary, root, ["--no-watch"], wait=FIRST_BUILD)
    try:
        port = s.port
        status, hdrs, _ = request(port, "/index.html")
        t(status == 200 and "ducksite-queries" in hdrs.get("server-timing", ""),
          "the page carries the ducksite-queries mark: %r" % hdrs.get("server-timing"))

        # The build stored the result of each dropdown choice (slider at its
        # default): the server's must be the same bytes.
        stored = stored_results(root)
        for region in ["", "EU", "US", "APAC"]:
            status, hdrs, raw = ask(port, {"region": region})
            t(status == 200 and raw in stored,
              "region=%r: the server's result is the build's: %d %r" % (region, status, raw[:200]))
        # Values the build never stored still give the right rows.
        status, _, raw = ask(port, {"region": "US", "minimum": "150"})
        doc = json.loads(raw) if status == 200 else {}
        t(doc.get("rows") == [["US", 50, 11175, "r50"]],
          "US, minimum 150: %d %r" % (status, raw[:300]))

        # The cache: a repeat is a hit, with the same bytes.
        first = ask(port, {"region": "EU", "minimum": "42"})
        again = ask(port, {"region": "EU", "minimum": "42"})
        t(first[1].get("x-ducksite-cache") == "miss" and again[1].get("x-ducksite-cache") == "hit"
          and first[2] == again[2],
          "repeat is a hit: %r then %r" % (first[1].get("x-ducksite-cache"),
                                          again[1].get("x-ducksite-cache")))
        # Inputs in another order, or a default given explicitly, are the
        # same SQL: a hit.
        third = ask(port, {"minimum": "42", "region": "EU"})
        t(third[1].get("x-ducksite-cache") == "hit", "same inputs in another order: a hit")

        # A file touched (mtime only): a miss, the same rows.
        eu = os.path.join(lake, "region=EU", "a.parquet")
        st = os.stat(eu)
        os.utime(eu, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        touched = ask(port, {"region": "EU", "minimum": "42"})
        t(touched[1].get("x-ducksite-cache") == "miss" and touched[2] == first[2],
          "touched file: a miss with the same rows: %r" % touched[1].get("x-ducksite-cache"))
        # A file rewritten (size changes): a miss with the new rows.
        sql = ("COPY (SELECT range AS id, range * 2 AS amount, 'x' || range AS label "
               "FROM range(300)) TO '%s' (FORMAT parquet)" % eu)
        subprocess.run([DS_SQL], input=sql, text=True, check=True, capture_output=True)
        changed = ask(port, {"region": "EU", "minimum": "42"})
        rows = json.loads(changed[2]).get("rows") if changed[0] == 200 else None
        t(changed[1].get("x-ducksite-cache") == "miss" and rows and rows[0][1] == 279,
          "rewritten file: a miss with the new rows: %r" % (rows,))

        # Rewritten in place within one second, its size kept: DuckDB's
        # own cache of the bytes it read (which tells files apart by an
        # mtime to the second) must not answer from the old bytes.
        apac = os.path.join(lake, "region=APAC", "a.parquet")
        with open(apac, "rb") as f:
            good = f.read()
        second = (os.stat(apac).st_mtime_ns // 1_000_000_000 + 7) * 1_000_000_000
        bad = bytearray(good)
        bad[len(bad) - 120:len(bad) - 60] = b"\xff" * 60  # inside the footer
        with open(apac, "r+b") as f:
            f.write(bad)
        os.utime(apac, ns=(second + 1, second + 1))
        status, _, raw = ask(port, {"region": "APAC", "minimum": "11"})
        t(status == 422, "a damaged file: 422: %d %r" % (status, raw[:200]))
        with open(apac, "r+b") as f:
            f.write(good)
        os.utime(apac, ns=(second + 2, second + 2))
        status, _, raw = ask(port, {"region": "APAC", "minimum": "12"})
        t(status == 200 and json.loads(raw).get("rows", [[None, 0]])[0][1] == 97,
          "the same file mended in the same second: its rows: %d %r" % (status, raw[:200]))

        # Hostile values stay literals: no row matches them, nothing breaks.
        for bad in ["x' OR '1'='1", "'; DROP TABLE orders; --", "EU' --", "\\'", "${inputs.region}"]:
            status, _, raw = ask(port, {"region": bad})
            t(status == 200 and json.loads(raw).get("rows") == [],
              "region=%r stays a literal: %d %r" % (bad, status, raw[:200]))
        status, _, raw = ask(port, {"region": "US", "minimum": "0 OR 1=1"})
        t(status == 200 and json.loads(raw).get("rows") == [],
          "a slider's non-number is NULL: %d %r" % (status, raw[:200]))
        # A list is a list literal, as in the browser: compared with a
        # VARCHAR column the query fails (422, DuckDB's message).
        status, _, raw = ask(port, {"region": ["EU", "US"]})
        t(status == 422 and "Conversion Error" in error_of(raw),
          "a list for a single dropdown is a list literal: %d %r" % (status, raw[:200]))

        # What the client cannot do.
        status, _, raw = ask(port, {"regio": "EU"})
        t(status == 400 and "did you mean 'region'" in error_of(raw), "unknown input: %d %r" % (status, raw))
        status, _, raw = ask(port, {}, component="table:totl")
        t(status == 404 and "did you mean 'table:total'" in error_of(raw),
          "unknown component: %d %r" % (status, raw))
        status, _, raw = post(port, {"page": "indx", "component": "table:total", "query": TOTAL})
        t(status == 404 and "did you mean 'index'" in error_of(raw), "unknown page: %d %r" % (status, raw))
        status, _, raw = ask(port, {}, query="/sql/pages/index/many.sql")
        t(status == 400 and "runs /sql/pages/index/total.sql" in error_of(raw),
          "another query than the component's: %d %r" % (status, raw))
        status, _, raw = ask(port, {}, query="SELECT 1")
        t(status == 400, "SQL text as the query: %d %r" % (status, raw))
        status, _, raw = ask(port, {"region": {"sql": "1"}})
        t(status == 400 and "a value is" in error_of(raw), "an object as a value: %d %r" % (status, raw))
        status, _, raw = post(port, b"{not json")
        t(status == 400 and "malformed JSON" in error_of(raw), "malformed JSON: %d" % status)
        status, _, raw = post(port, '{"page": "index", "page": "other", "component": '
                                    '"table:total", "query": "%s"}' % TOTAL)
        t(status == 400 and "duplicate" in error_of(raw), "a field given twice: %d %r"
          % (status, raw))
        status, _, raw = post(port, '{"page": "index", "component": "table:total", "query": '
                                    '"%s", "inputs": {"region": "E\\u0000U"}}' % TOTAL)
        t(status == 400 and "NUL character" in error_of(raw), "a NUL in a value: %d %r"
          % (status, raw))
        status, _, raw = post(port, {"page": "index", "component": "table:total", "query": TOTAL,
                                     "today": 5})
        t(status == 400 and "today must be a date" in error_of(raw), "a number as today: %d %r"
          % (status, raw))
        status, _, raw = ask(port, {}, query="/sql/" + "x" * 100000)
        t(status == 400 and len(raw) < 1000 and "..." in error_of(raw),
          "a long query is not echoed whole: %d, %d bytes" % (status, len(raw)))
        # Cut between characters: half a character is no JSON text.
        status, _, raw = ask(port, {}, query="/sql/" + "x" * 194 + "\u00e9" * 50)
        t(status == 400 and error_of(raw).endswith("x\u00e9..."),
          "a long query is cut between characters: %d %r" % (status, raw[-80:]))
        status, _, _ = ask(port, {"region": "EU"})
        t(status == 200, "the server still answers: %d" % status)
        status, _, raw = post(port, "{}", content_type="text/plain")
        t(status == 415, "text/plain body: %d" % status)
        status, hdrs, _ = post(port, None, method="GET", content_type=None)
        t(status == 405 and hdrs.get("allow") == "POST", "GET: %d" % status)
        status, _, _ = ask(port, {}, headers={"Origin": "http://evil.example"})
        t(status == 403, "cross-origin: %d" % status)
        # A body over 1 MiB is refused from its Content-Length, unread.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.putrequest("POST", "/api/live/query")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(2 * 1024 * 1024))
        conn.endheaders()
        resp = conn.getresponse()
        raw = resp.read()
        conn.close()
        t(resp.status == 413 and "larger than 1048576 bytes" in error_of(raw),
          "a 2 MiB body: %d %r" % (resp.status, raw))
    finally:
        s.stop()


def check_limits(t, binary, root):
    """Rows, bytes, time and concurrency, each refused with its limit named."""
    with open(os.path.join(root, "ducksite.toml"), "a") as f:
        pass
    s = Serve(binary, root, ["--no-build"], wait=FIRST_BUILD)
    try:
        port = s.port
        many = "/sql/pages/index/many.sql"
        status, _, raw = ask(port, {"minimum": "35"}, component="table:many", query=many)
        t(status == 200 and len(json.loads(raw)["rows"]) == 15, "15 rows: under the limit: %d" % status)
        status, _, raw = ask(port, {"minimum": "10"}, component="table:many", query=many)
        t(status == 413 and json.loads(raw).get("limit") == "rows",
          "40 rows over live_max_rows = 20: %d %r" % (status, raw))
        status, _, raw = ask(port, {"region": "US", "minimum": "0"})
        t(status == 413 and json.loads(raw).get("limit") == "bytes",
          "a result over live_max_bytes = 150: %d %r" % (status, raw))

        slow = "/sql/pages/index/slow.sql"
        results = {}

        def run_slow():
            t0 = time.monotonic()
            results["slow"] = ask(port, {"minimum": "3"}, component="table:slow", query=slow)
            results["slow_s"] = time.monotonic() - t0

        th = threading.Thread(target=run_slow)
        th.start()
        time.sleep(0.4)
        busy = ask(port, {"minimum": "4"}, component="table:slow", query=slow)
        th.join()
        t(busy[0] == 503 and busy[1].get("retry-after") == "1" and
          json.loads(busy[2]).get("limit") == "concurrency",
          "a second query while one runs (live_max_concurrent = 1): %d %r" % (busy[0], busy[2]))
        st, _, raw = results["slow"]
        t(st == 504 and json.loads(raw).get("limit") == "time" and results["slow_s"] < 30,
          "a query past live_timeout_ms = 1500: %d %r in %.1f s" % (st, raw, results["slow_s"]))
        # The engine is usable again after an interrupted query.
        status, _, raw = ask(port, {"minimum": "45"}, component="table:many", query=many)
        t(status == 200, "after the timeout the next query runs: %d %r" % (status, raw))
    finally:
        s.stop()


def concurrently(port, minima, component, query, pause=0.0):
    """Asks for each of MINIMA at once (one thread each, PAUSE seconds
    apart); returns the threads and the dict their answers go to."""
    out = {}

    def one(m):
        t0 = time.monotonic()
        status, hdrs, raw = ask(port, {"minimum": str(m)}, component=component, query=query)
        out[m] = (status, hdrs, raw, time.monotonic() - t0)

    threads = []
    for m in minima:
        th = threading.Thread(target=one, args=(m,))
        th.start()
        threads.append(th)
        time.sleep(pause)
    return threads, out


def check_queue(t, binary, root):
    """live_max_concurrent = 2 with live_max_queued = 3: five requests at
    once are all answered; a sixth while five are taken is refused."""
    s = Serve(binary, root, ["--no-build"], wait=FIRST_BUILD)
    try:
        port = s.port
        medium = "/sql/pages/index/medium.sql"
        threads, out = concurrently(port, [101, 102, 103, 104, 105], "table:medium", medium)
        for th in threads:
            th.join()
        statuses = sorted(v[0] for v in out.values())
        t(statuses == [200] * 5, "five queries, two threads, three waiting: all 200: %r" % statuses)
        t(all(json.loads(v[2]).get("rows", [[0]])[0][0] > 0 for v in out.values()),
          "each has its count: %r" % [v[2][:80] for v in out.values()])

        # Two slow queries run (interrupted after 1.5 s), three wait: the
        # queue is full, one more is refused at once.
        slow = "/sql/pages/index/slow.sql"
        threads, out = concurrently(port, [3, 4, 5, 6, 8], "table:slow", slow, pause=0.1)
        time.sleep(0.3)
        t0 = time.monotonic()
        busy = ask(port, {"minimum": "9"}, component="table:slow", query=slow)
        refused_in = time.monotonic() - t0
        for th in threads:
            th.join()
        t(busy[0] == 503 and busy[1].get("retry-after") == "1" and
          json.loads(busy[2]).get("limit") == "concurrency" and
          "live_max_queued" in error_of(busy[2]) and refused_in < 1.0,
          "a sixth beyond live_max_queued = 3: %d %r in %.2f s" % (busy[0], busy[2], refused_in))
        statuses = sorted(v[0] for v in out.values())
        t(statuses == [504] * 5, "the five taken ran each in turn (interrupted): %r" % statuses)
        # The queue drained: the next query runs.
        status, _, raw = ask(port, {"minimum": "10"}, component="table:slow", query=slow)
        t(status == 200, "after the queue drained the next query runs: %d %r" % (status, raw))

        # Two slow queries run; two requests wait and their clients give up
        # (close their connection): when the workers are free those are
        # not run, and a quick query queued behind them is answered once
        # the slow ones end (1.5 s), not after two more slow ones (3 s).
        threads, out = concurrently(port, [13, 14], "table:slow", slow)
        time.sleep(0.2)
        gone = []
        for m in (15, 16):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/live/query", body=json.dumps(
                {"page": "index", "component": "table:slow", "query": slow,
                 "inputs": {"minimum": str(m)}, "today": "2024-05-01"}),
                headers={"Content-Type": "application/json"})
            gone.append(conn)
        time.sleep(0.2)
        for conn in gone:
            conn.close()
        t0 = time.monotonic()
        status, hdrs, raw = ask(port, {"minimum": "2"}, component="table:medium", query=medium)
        waited = time.monotonic() - t0
        for th in threads:
            th.join()
        t(status == 200 and hdrs.get("x-ducksite-cache") == "miss" and waited < 2.2,
          "queued behind two abandoned requests: answered in %.2f s (%d %s %r)"
          % (waited, status, hdrs.get("x-ducksite-cache"), raw[:100]))
    finally:
        s.stop()


LAKE_PAGE = """# Events

```sql days
SELECT DISTINCT day FROM events ORDER BY 1
```

```input day
visual_mode: dropdown
options_query: days
```

```sql per_day
SELECT count(*) AS n, sum(v) AS s FROM events
WHERE (${inputs.day} IS NULL OR day = ${inputs.day})
```

```table per_day
```
"""


def lake_project(work, name, copy_sql, source, page):
    """A project WORK/NAME over a lake WORK/NAMElake written by COPY_SQL
    (its %s the lake), one source named as SOURCE's lines say, live
    queries on and one page; returns (root, lake)."""
    root, lake = os.path.join(work, name), os.path.join(work, name + "lake")
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    os.makedirs(lake, exist_ok=True)
    subprocess.run([DS_SQL], input=copy_sql % lake, text=True, check=True, capture_output=True)
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\n%supstream_glob = "%s/**/*.parquet"\n%s\n'
                '[serve]\nlive_queries = true\n' % (source[0], lake, source[1]))
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(page)
    return root, lake


def check_big_lake(t, binary, work):
    """A lake of more than 100 files: the build moves its file list out of
    the views' SQL (sql/filelist.h) and the server puts it back."""
    root, lake = lake_project(
        work, "big", "COPY (SELECT range // 4 AS day, range AS v FROM range(600)) TO '%s' "
        "(FORMAT parquet, PARTITION_BY (day))", ('name = "events"\n', ''), LAKE_PAGE)
    s = Serve(binary, root, ["--no-watch"], wait=FIRST_BUILD)
    try:
        query = "/sql/pages/index/per_day.sql"
        stored = stored_results(root)
        for day in ["", "7", "42"]:
            status, _, raw = ask(s.port, {"day": day}, component="table:per_day", query=query)
            t(status == 200 and raw in stored,
              "150-file lake, day=%r: the server's result is the build's: %d %r"
              % (day, status, raw[:300]))
        status, _, raw = ask(s.port, {"day": "1000"}, component="table:per_day", query=query)
        t(status == 200 and json.loads(raw).get("rows") == [[0, None]],
          "150-file lake, a day the build did not store: %d %r" % (status, raw[:300]))
        # The whole source is read through its glob (live_queries.json
        # names the pattern, not 150 files) ...
        with open(os.path.join(root, ".ducksite", "live_queries.json")) as f:
            spec = json.load(f)["sql"][query]
        t(spec["files"] == [] and [g["name"] for g in spec["globs"]] == ["data/events/"]
          and "**/*.parquet'" in spec["sql"],
          "150-file lake: read by its glob: %r" % ({k: spec[k] for k in ("files", "globs")},))
        # ... so a file damaged since the build (no rebuild with
        # --no-watch) fails the query naming it by its data path, never by
        # where it lives on the server.
        day7 = os.path.join(lake, "day=7")
        part = os.path.join(day7, sorted(os.listdir(day7))[0])
        with open(part, "rb") as f:
            kept = f.read()
        with open(part, "wb") as f:
            f.write(b"not parquet")
        # A glob's files are stamped again at most once a second.
        time.sleep(1.1)
        try:
            status, _, raw = ask(s.port, {"day": ""}, component="table:per_day", query=query)
        finally:
            with open(part, "wb") as f:
                f.write(kept)
        why = error_of(raw)
        t(status == 422 and "data/events/day=7/" in why and lake not in why and "LINE" not in why,
          "a damaged lake file is named by its data path: %d %r" % (status, why[:400]))
        # A file added since the build is read (the glob finds it), and
        # the cached answer is not given again.
        sql = ("COPY (SELECT 7 AS v) TO '%s' (FORMAT parquet)"
               % os.path.join(lake, "day=8", "added.parquet"))
        subprocess.run([DS_SQL], input=sql, text=True, check=True, capture_output=True)
        time.sleep(1.1)
        status, _, raw = ask(s.port, {"day": "8"}, component="table:per_day", query=query)
        t(status == 200 and json.loads(raw).get("rows") == [[5, 141]],
          "a file added since the build: the answer counts it: %d %r" % (status, raw[:300]))
    finally:
        s.stop()


def check_template_glob(t, binary, work):
    """A templated view of more than 100 files, all in one folder of an
    upstream_glob source: the server reads that folder's glob."""
    root, lake = lake_project(
        work, "tpl", "COPY (SELECT k AS kind, n, n AS v FROM (VALUES ('a'), ('b')) t(k), "
        "range(120) r(n)) TO '%s' (FORMAT parquet, PARTITION_BY (kind, n))",
        ('name = "parts"\n', 'template_name = "parts_[kind]"\n'),
        "# Parts\n\n```sql total\nSELECT count(*) AS n, sum(v) AS s FROM parts_b "
        "WHERE n < 10\n```\n\n```table total\n```\n")
    s = Serve(binary, root, ["--no-watch"], wait=FIRST_BUILD)
    try:
        query = "/sql/pages/index/total.sql"
        with open(os.path.join(root, ".ducksite", "live_queries.json")) as f:
            spec = json.load(f)["sql"][query]
        folder = os.path.join(lake, "kind=b") + "/**/*.parquet"
        t(spec["files"] == [] and [g["pattern"] for g in spec["globs"]] == [folder]
          and "'%s'" % folder in spec["sql"],
          "templated view: read by its folder's glob: %r" % ({k: spec[k] for k in ("files", "globs")},))
        status, _, raw = ask(s.port, {}, component="table:total", query=query)
        t(status == 200 and json.loads(raw).get("rows") == [[10, 45]],
          "templated view by its folder's glob: %d %r" % (status, raw[:300]))
    finally:
        s.stop()


RACE_PAGE = """---
prerender: false
---
# Years

```input y
visual_mode: text
default: 2000
```

```sql by_year
SELECT count(*) AS n, sum(v) AS s FROM lk WHERE v = ${inputs.y}
```

```table by_year
```
"""


def check_cache_race(t, binary, work):
    """A file added to a lake read by its glob just before a query runs,
    after its key was stamped (a glob's stamp is reused for a second): the
    result, which read it, must not be kept under the files as they were,
    and served once they are so again."""
    root, lake = lake_project(
        work, "race", "COPY (SELECT 2000 + range %% 3 AS year, range %% 50 AS part, range AS v "
        "FROM range(150)) TO '%s' (FORMAT parquet, PARTITION_BY (year, part))",
        ('name = "lk"\n', ''), RACE_PAGE)
    s = Serve(binary, root, ["--no-watch"], wait=FIRST_BUILD)
    query = "/sql/pages/index/by_year.sql"
    try:
        status, _, raw = ask(s.port, {"y": "3"}, component="table:by_year", query=query)
        t(status == 200, "the glob is stamped: %d %r" % (status, raw[:200]))
        with open(os.path.join(root, ".ducksite", "live_queries.json")) as f:
            globs = json.load(f)["sql"][query].get("globs")
        t(bool(globs), "the source is read by its glob: %r" % (globs,))
        new = os.path.join(lake, "year=2050", "part=0", "data_0.parquet")
        os.makedirs(os.path.dirname(new))
        subprocess.run([DS_SQL], input="COPY (SELECT 1000 AS v) TO '%s' (FORMAT parquet)" % new,
                       text=True, check=True, capture_output=True)
        status, _, raw = ask(s.port, {"y": "1000"}, component="table:by_year", query=query)
        t(status == 200 and json.loads(raw).get("rows") == [[1, 1000]],
          "the new file is read: %d %r" % (status, raw[:200]))
        shutil.rmtree(os.path.join(lake, "year=2050"))
        time.sleep(1.2)  # past the reuse of the glob's stamp
        status, hdrs, raw = ask(s.port, {"y": "1000"}, component="table:by_year", query=query)
        t(status == 200 and json.loads(raw).get("rows") == [[0, None]],
          "the file removed: no rows from it (%s): %d %r"
          % (hdrs.get("x-ducksite-cache"), status, raw[:200]))
    finally:
        s.stop()


MANY_PLUGIN = """from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def files(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile(http_path="data/many/zone=eu/part=%d/%05d.parquet"
                           % (i * 4 // 10001, i),
                           physical_path=str(cfg.root / "parts" / "zone=eu"
                                             / ("part=%d" % (i * 4 // 10001)) / "one.parquet"))
        for i in range(10001)])
"""

MANY_PAGE = """---
prerender: false
---
# Many

```input p
visual_mode: slider
min: 0
max: 3
default: 0
```

```sql total
SELECT count(*) AS n FROM many
```

```table total
```

```sql part
SELECT part, count(*) AS n, sum(v) AS s FROM many WHERE part = ${inputs.p} GROUP BY 1
```

```table part
```
"""


def check_too_many_files(t, binary, work):
    """A plugin's list of 10,001 files (no glob to read it by), more than
    the server names one by one (10,000), stays a placeholder in the live
    query: the server keeps, per request, the files whose part=K folders
    the request's values can match, as the browser does, runs the query
    over them, and answers 413 (limit "files"), naming the view and its
    partition column whose values differ (part, not the one-valued zone),
    when more than 10,000 are left (no filter)."""
    root = os.path.join(work, "many")
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    os.makedirs(os.path.join(root, "plugins"), exist_ok=True)
    for k in range(4):
        os.makedirs(os.path.join(root, "parts", "zone=eu", "part=%d" % k), exist_ok=True)
        subprocess.run([DS_SQL], input="COPY (SELECT %d AS v) TO "
                       "'%s/parts/zone=eu/part=%d/one.parquet' (FORMAT parquet)"
                       % (10 + k, root, k),
                       text=True, check=True, capture_output=True)
    with open(os.path.join(root, "plugins", "many.py"), "w") as f:
        f.write(MANY_PLUGIN)
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "many"\nplugin = "plugins/many.py:files"\n\n'
                '[serve]\nlive_queries = true\n')
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(MANY_PAGE)
    r = subprocess.run([binary, "build", "--root", root], capture_output=True, text=True)
    t(r.returncode == 0 and "live queries: page" not in r.stderr,
      "10,001 files in a list: built, no live query refused: %s" % r.stderr[-800:])
    with open(os.path.join(root, ".ducksite", "live_queries.json")) as f:
        queries = json.load(f)["sql"]
    spec = queries.get("/sql/pages/index/part.sql", {})
    t(spec.get("lists") == {"many/0": "sql/_files/many.json"}
      and "'ducksite:files/many/0'" in spec.get("sql", "") and len(spec.get("files", [1])) == 0
      and spec.get("prune", {}).get("many", [{}])[0].get("col") == "part",
      "10,001 files in a list: a placeholder, its document and the predicates, no file "
      "named: %r" % {k: v for k, v in spec.items() if k != "sql"})
    s = Serve(binary, root, ["--no-build", "--no-watch"], wait=FIRST_BUILD)
    try:
        for p, files in [(2, 2500), (3, 2500)]:
            status, _, raw = post(s.port, {"page": "index", "component": "table:part",
                                           "query": "/sql/pages/index/part.sql",
                                           "inputs": {"p": str(p)}})
            got = json.loads(raw) if raw.startswith(b"{") else {}
            t(status == 200 and got.get("rows") == [[p, files, files * (10 + p)]],
              "part = %d: only its folder's files read, the rows: %d %r"
              % (p, status, raw[:300]))
        status, _, raw = post(s.port, {"page": "index", "component": "table:total",
                                       "query": "/sql/pages/index/total.sql", "inputs": {}})
        why = json.loads(raw) if raw.startswith(b"{") else {}
        t(status == 413 and why.get("limit") == "files"
          and "it would read 10001 files (10001 of view 'many')" in why.get("error", "")
          and "filter it on a partition column of many (part)" in why.get("error", "")
          and root not in why.get("error", ""),
          "10,001 files kept: 413, limit files, the view and its column: %d %r"
          % (status, raw[:400]))
    finally:
        t(s.stop() == 0, "the server over 10,001 files stops cleanly")


def check_settings_change(t, binary, root, lake):
    """[serve] is read once: a rebuild that finds a live_* key changed says
    the running server still uses what it started with, naming the key."""
    write_project(root, lake, "[serve]\nlive_queries = true\n")
    s = Serve(binary, root, [], wait=FIRST_BUILD)
    try:
        write_project(root, lake, "[serve]\nlive_queries = true\nlive_timeout_ms = 5000\n")
        said = wait_for(lambda: "live_timeout_ms" in "".join(s.err), 60)
        t(said and "restart ducksite serve" in "".join(s.err),
          "a changed live_timeout_ms is told to need a restart: %r" % "".join(s.err)[-400:])
        status, _, _ = ask(s.port, {})
        t(status == 200, "the server goes on with live queries: %d" % status)
        # Every other key read at start is told the same way.
        write_project(root, lake, "[serve]\nlive_queries = true\nlive_timeout_ms = 5000\n"
                      "allowed_hosts = [\"dash.example.com\"]\n[auth]\nsession_hours = 1\n")
        said = wait_for(lambda: "[auth] session_hours changed" in "".join(s.err), 60)
        err = "".join(s.err)
        t(said and "[serve] allowed_hosts, live_timeout_ms changed" in err,
          "a changed allowed_hosts and session_hours are told to need a restart: %r" % err[-600:])
        status, _, _ = request(s.port, "/index.html", headers={"Host": "dash.example.com"})
        t(status == 421, "the running server still answers only the names it started with: %d"
          % status)
    finally:
        s.stop()


def check_off_and_sign_in(t, binary, root, lake):
    write_project(root, lake, "")
    s = Serve(binary, root, ["--no-build"], wait=FIRST_BUILD)
    try:
        status, _, raw = ask(s.port, {})
        t(status == 404 and "live queries are off" in error_of(raw), "off by default: %d %r" % (status, raw))
        _, hdrs, _ = request(s.port, "/index.html")
        t("ducksite-queries" not in hdrs.get("server-timing", ""), "no mark when off")
    finally:
        s.stop()
    # A limit set while live queries are off does nothing: serve says so,
    # naming the file, the line and the key.
    write_project(root, lake, "[serve]\nlive_max_rows = 500\nlive_queue_ms = 100\n")
    s = Serve(binary, root, ["--no-build"], wait=FIRST_BUILD)
    try:
        # stderr is read by a thread of its own: the line may come after
        # the address on stdout.
        wait_for(lambda: "set live_queries = true" in "".join(s.err), 10)
        err = "".join(s.err)
        t("ducksite.toml:6: serve.live_max_rows, live_queue_ms have no effect while "
          "live_queries is off" in err
          and "set live_queries = true" in err,
          "a live_* key without live_queries is told: %r" % err[-300:])
    finally:
        s.stop()
    write_project(root, lake, "[serve]\nlive_queries = true\n\n[auth]\nsite = true\n")
    s = Serve(binary, root, ["--no-build"], wait=FIRST_BUILD)
    try:
        status, _, raw = ask(s.port, {})
        t(status == 401, "behind the sign-in without a session: %d %r" % (status, raw))
    finally:
        s.stop()


def main():
    global DS_SQL
    binary, DS_SQL = sys.argv[1], sys.argv[2]
    t = Tally()
    work = tempfile.mkdtemp(prefix="ds-live-")
    try:
        root, lake = os.path.join(work, "site"), os.path.join(work, "lake")
        make_lake(DS_SQL, lake)
        write_project(root, lake, "[serve]\nlive_queries = true\n")
        check_main(t, binary, root, lake)
        write_project(root, lake, "[serve]\nlive_queries = true\nlive_max_rows = 20\n"
                                  "live_max_bytes = 150\nlive_timeout_ms = 1500\n"
                                  "live_max_concurrent = 1\nlive_max_queued = 0\n")
        check_limits(t, binary, root)
        write_project(root, lake, "[serve]\nlive_queries = true\nlive_timeout_ms = 1500\n"
                                  "live_max_concurrent = 2\nlive_max_queued = 3\n"
                                  "live_queue_ms = 20000\n")
        check_queue(t, binary, root)
        check_off_and_sign_in(t, binary, root, lake)
        check_big_lake(t, binary, work)
        check_template_glob(t, binary, work)
        check_cache_race(t, binary, work)
        check_settings_change(t, binary, root, lake)
        check_too_many_files(t, binary, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("live queries: %d passed, %d failed" % (t.passed, t.failed))
    sys.exit(1 if t.failed else 0)


if __name__ == "__main__":
    main()
