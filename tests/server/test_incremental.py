#!/usr/bin/env python3
"""test_incremental.py - `ducksite serve` rebuilds only what changed, and
what it publishes is what a full build would: after each edit (a page's
prose, a page's sql block, a page's title, a model, ducksite.toml, a page
added and removed, a lake file added, a broken page and its fix, a page
changed by hand in static/, a chart's keys, a build by another process)
static/ is compared with a fresh `ducksite build` of a copy of the project
in another folder, and the reload events must name the right pages.  Serve
keeps one process drawing the first-paint pictures for all its rebuilds,
and stops it when it stops.

Allowed differences (docs/serve.md, "Rebuild speed"): the project's own
folder, which absolute paths in the data map and the stored-results index
name, and static/.ducksite-assets.json (sizes, mtimes and inodes of the
runtime's files).  Gzip sidecars are compared by their content.

Usage: test_incremental.py DUCKSITE_BINARY DS_SQL_BINARY

The server runs on 127.0.0.1 (a free port) and is stopped by its own PID.
Prints "incremental: N passed, M failed".
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from helpers import FIRST_BUILD, Listener, Server, Tally, make_parquet, stop, wait_for

# "events" has more than 100 files, so its list is published once
# (sql/_files/events.json) and a rebuild must keep it right too.
CONFIG = ('[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/**/*.parquet"\n'
          '[[file_sources]]\nname = "events"\nupstream_glob = "lake/events/**/*.parquet"\n')
MODEL = ("-- name: buckets\nSELECT id % 4 AS bucket, sum(amount) AS total FROM orders "
         "GROUP BY 1 ORDER BY 1;\n")
INDEX = """# Buckets

Totals per bucket.

```sql per_bucket
SELECT bucket, total FROM buckets ORDER BY bucket
```

```echart chart
type: bar
data_query: per_bucket
x: bucket
y: total
```

```table per_bucket
```
"""
OTHER = """# Other

Rows of the lake.

```sql counted
SELECT count(*) AS n FROM orders WHERE amount > 10
```

```table counted
```

```sql on_day
SELECT count(*) AS n FROM events WHERE day = 3
```

```table on_day
```
"""
# The model again, with a scalar subquery that keeps the build-time engine
# busy (120,000,000 rows took it 0.3 s to 3 s, depending on the machine and
# its load): the second step of serve's publish (its stored results) runs
# long enough to look at static/ between the two steps (ROWS_SLOW), and to
# be stopped by a newer edit (ROWS_STOPPED: minutes, were it not stopped).
SLOW = ("-- name: buckets\nSELECT id % 4 AS bucket, sum(amount) + least(0, (SELECT count(*) "
        "FROM range({n}) t(i) WHERE hash(i) = {k})) AS total FROM orders "
        "GROUP BY 1 ORDER BY 1;\n")
ROWS_SLOW = 1200000000
ROWS_STOPPED = 120000000000
LEFT_ALONE = {".ducksite-assets.json"}


def page_config(static, page):
    """The page config JSON of static/PAGE."""
    with open(os.path.join(static, page)) as f:
        text = f.read()
    m = re.search(r'<script id="page-config-json"[^>]*>(.*?)</script>', text, re.S)
    return json.loads(m.group(1)) if m else {}


def stored_problems(static):
    """Pages that list a stored result static/ does not hold, and results
    the index lists without their file: a page must never ask for a result
    that is not there (nor find one of another SQL text: a result's name is
    the hash of its SQL)."""
    with open(os.path.join(static, "_results", "_index.json")) as f:
        index = json.load(f)["results"]
    out = ["the index lists %s, which is missing" % h for h in index
           if not os.path.isfile(os.path.join(static, "_results", h + ".json"))]
    for page in sorted(x for x in os.listdir(static) if x.endswith(".html")):
        for h in page_config(static, page).get("stored", {}):
            if h not in index or not os.path.isfile(os.path.join(static, "_results", h + ".json")):
                out.append("%s lists %s, which is not stored" % (page, h))
    return out


def tree(root):
    """Every file below ROOT, relative, with its bytes (gzip sidecars
    decompressed)."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".ducksite-stage.")]
        for name in files:
            path = os.path.join(d, name)
            rel = os.path.relpath(path, root)
            if rel in LEFT_ALONE:
                continue
            with open(path, "rb") as f:
                data = f.read()
            out[rel] = gzip.decompress(data) if name.endswith(".gz") else data
            if rel == os.path.join("_results", "_index.json"):
                out[rel] = comparable_index(out[rel])
    return out


def comparable_index(data):
    """The results index without what a copy of the same files cannot
    have alike: each result's hash of its files' ctimes and the mtime of
    its own file (docs/server.md, "Stored results")."""
    doc = json.loads(data)
    for entry in doc.get("results", {}).values():
        entry.pop("ctimes", None)
        entry.pop("written_ns", None)
    return json.dumps(doc, sort_keys=True).encode()


def differences(binary, site, fresh):
    """How static/ of SITE differs from a full build of a copy of SITE made
    in FRESH (absent: none).  The full build is made by
    $DS_REFERENCE_DUCKSITE when set (the sanitizer suite gives the normal
    build's binary: the same program, so the same files, in less time)."""
    binary = os.environ.get("DS_REFERENCE_DUCKSITE") or binary
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns("static", ".ducksite"))
    r = subprocess.run([binary, "build", "--root", fresh], capture_output=True, text=True)
    if r.returncode != 0:
        return ["the full build failed: " + r.stderr]
    ours = tree(os.path.join(site, "static"))
    full = tree(os.path.join(fresh, "static"))
    a, b = site.encode(), fresh.encode()
    out = ["only in serve's: " + x for x in sorted(set(ours) - set(full))]
    out += ["only in the full build's: " + x for x in sorted(set(full) - set(ours))]
    out += ["differs: " + x for x in sorted(set(ours) & set(full))
            if ours[x].replace(a, b) != full[x]]
    return out


def main():
    binary, ds_sql = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="ds-incr-")
    site, fresh = os.path.join(work, "site"), os.path.join(work, "fresh")
    check = Tally()
    make_parquet(ds_sql, os.path.join(site, "lake", "orders", "day=1", "a.parquet"), 50)
    one = os.path.join(work, "event.parquet")
    make_parquet(ds_sql, one, 3)
    for day in range(12):
        for part in range(10):
            dest = os.path.join(site, "lake", "events", "day=%d" % day, "part-%d.parquet" % part)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            shutil.copy(one, dest)
    files = {"ducksite.toml": CONFIG, "sources_sql/buckets.sql": MODEL,
             "content/index.md": INDEX, "content/other.md": OTHER}
    for rel, text in files.items():
        os.makedirs(os.path.dirname(os.path.join(site, rel)), exist_ok=True)
        with open(os.path.join(site, rel), "w") as f:
            f.write(text)

    # node as the build starts it, each start logged with its pid: serve
    # keeps one drawing process for all its rebuilds, and stops it.
    starts = os.path.join(work, "node-starts")
    node = os.path.join(work, "node")
    with open(node, "w") as f:
        f.write('#!/bin/sh\necho "$$ $*" >> "%s"\nexec node "$@"\n' % starts)
    os.chmod(node, 0o755)
    os.environ["DUCKSITE_NODE"] = node
    server = Server(binary, site)
    ev = None
    try:
        check(wait_for(lambda: server.port is not None, FIRST_BUILD),
              "serve builds first: " + "".join(server.err))
        ev = Listener(server.port)
        check(os.path.isfile(os.path.join(site, "static", "sql", "_files", "events.json")),
              "the events list is published once (sql/_files/events.json)")

        def settled():
            """Every rebuild that started has ended, and none started for
            a moment (an edit may trigger more than one)."""
            def done():
                # A rebuild, and the second step that runs the stored
                # results it left out (or is stopped by a newer edit).
                started = sum(" changed: " in l or ("running the " in l and " left for later" in l)
                              for l in server.err)
                ended = sum(l.startswith("built ") for l in server.out) + \
                    sum("still serving the last good build" in l or
                        "stopped for a newer edit" in l for l in server.err)
                return started + 1 == ended  # the first build is not a change
            for _ in range(20):  # a save may cause a few rebuilds, one after another
                if not wait_for(done, FIRST_BUILD):
                    return False
                if not wait_for(lambda: not done(), 0.7):
                    return True
            return False

        def step(action, what, reloads=None, kept=True):
            """Runs ACTION, waits for the rebuilds it causes, and checks them:
            the data map and views kept or made again, static/ as a full
            build makes it, and the pages reloaded (a set; None: not
            checked)."""
            n_err, n_ev = len(server.err), len(ev.events)
            action()
            check(wait_for(lambda: any(" changed: " in l for l in server.err[n_err:]), 30) and
                  settled(), what + ": rebuilt: " + "".join(server.err[n_err:]))
            said = "".join(server.err[n_err:])
            check(("data map and views:" in said) == kept,
                  what + (": the data map and views are kept" if kept else
                          ": the data map and views are made again") + ": " + said)
            diff = differences(binary, site, fresh)
            check(not diff, what + ": static/ is what a full build makes: " + "; ".join(diff))
            if reloads is not None:
                told = set()
                for n, d in ev.events[n_ev:]:
                    if n == "reload":
                        told.update(d["pages"])
                check(told == reloads, "%s: reloads %s, told %s" % (what, sorted(reloads),
                                                                  sorted(told)))

        def write(rel, text):
            path = os.path.join(site, rel)
            if text is None:
                return lambda: os.unlink(path)

            def act():
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path + ".tmp", "w") as f:
                    f.write(text)
                os.replace(path + ".tmp", path)
            return act

        def edit(rel, text, what, reloads=None, kept=True):
            step(write(rel, text), what, reloads, kept)

        static = os.path.join(site, "static")

        def two_steps(model):
            """A model saved whose stored results take a while: the pages
            are published first, without the results whose SQL changed
            (the browser computes them meanwhile), then the results, and
            each step reloads the page.  static/ is consistent between the
            steps and a full build's after them."""
            n_err, n_out, n_ev = len(server.err), len(server.out), len(ev.events)
            before = set(page_config(static, "index.html").get("stored", {}))
            write("sources_sql/buckets.sql", model)()
            first = wait_for(lambda: any("stored results whose SQL changed run next" in l
                                         for l in server.err[n_err:]), 60)
            n_built = sum(l.startswith("built ") for l in server.out[n_out:])
            between = set(page_config(static, "index.html").get("stored", {}))
            problems = stored_problems(static)
            with open(os.path.join(static, "sql", "pages", "index", "per_bucket.sql")) as f:
                published = f.read()
            told_first = [d for n, d in ev.events[n_ev:] if n == "reload"]
            check(first and n_built == 1, "a slow model: the pages are published first, the "
                  "stored results not yet (%d builds): %s" % (n_built,
                                                              "".join(server.err[n_err:])))
            check("range(%d)" % ROWS_SLOW in published and "hash(i) = " in published,
                  "a slow model: the page's new SQL is published at once")
            check(not problems, "a slow model: between the steps every stored result a page "
                  "lists is there: " + "; ".join(problems))
            check(between < before, "a slow model: between the steps the page lists none of "
                  "its new results (it computes them): %s, before %s" % (sorted(between),
                                                                         sorted(before)))
            check(any("index.html" in d["pages"] for d in told_first),
                  "a slow model: the first step reloads the page: %s" % told_first)
            check(settled(), "a slow model: the second step ends: " + "".join(server.err[n_err:]))
            after = set(page_config(static, "index.html").get("stored", {}))
            check(len(after - between) >= 1 and not stored_problems(static),
                  "a slow model: the second step lists the new results: %s" % sorted(after))
            reloads = [d for n, d in ev.events[n_ev:] if n == "reload"]
            check(len(reloads) == 2 and "index.html" in reloads[1]["pages"],
                  "a slow model: the second step reloads the page again: %s" % reloads)
            diff = differences(binary, site, fresh)
            check(not diff, "a slow model: after both steps static/ is what a full build makes: "
                  + "; ".join(diff))

        def stopped_by_an_edit(slow, fast):
            """An edit while the second step runs stops it at once (the
            query running is interrupted); the newer edit is published in
            its two steps, and static/ ends as a full build's."""
            n_err = len(server.err)
            write("sources_sql/buckets.sql", slow)()
            check(wait_for(lambda: any("running the stored results left for later" in l
                                       for l in server.err[n_err:]), 60),
                  "an edit during the second step: it starts: " + "".join(server.err[n_err:]))
            time.sleep(0.3)  # the slow query runs
            n_stop = len(server.err)
            t0 = time.monotonic()
            write("sources_sql/buckets.sql", fast)()
            stopped = wait_for(lambda: any("stopped for a newer edit" in l
                                           for l in server.err[n_stop:]), 30)
            took = time.monotonic() - t0
            check(stopped and took < 1.5, "an edit during the second step stops it at once "
                  "(%.1f s): %s" % (took, "".join(server.err[n_err:])))
            check(settled(), "an edit during the second step: the newer edit is built: " +
                  "".join(server.err[n_err:]))
            said = "".join(server.err[n_err:])
            check("error" not in said.lower() and "Interrupted" not in said,
                  "an edit during the second step: no error is shown: " + said)
            diff = differences(binary, site, fresh)
            check(not diff, "an edit during the second step: static/ is what a full build makes "
                  "of the newer edit: " + "; ".join(diff))
            with open(os.path.join(static, "sql", "pages", "index", "per_bucket.sql")) as f:
                check("range(" not in f.read(),
                      "an edit during the second step: the newer model is the one published")

        check(not differences(binary, site, fresh), "the first build is what a full build makes")
        edit("content/index.md", INDEX.replace("Totals per bucket.", "Sums per bucket."),
             "prose", {"index.html"})
        # A page changed by hand in static/ (serve does not watch it) is not
        # the file the last build made: the next rebuild makes it again.
        with open(os.path.join(site, "static", "other.html"), "w") as f:
            f.write("changed by hand")
        edit("content/index.md", INDEX.replace("Totals per bucket.", "Sums, per bucket."),
             "prose after a page was changed by hand", {"index.html", "other.html"})
        edit("content/other.md", OTHER.replace("amount > 10", "amount > 20"), "a sql block",
             {"other.html"})
        # Only the chart's keys change: its pictures are drawn again, and the
        # page does not keep the ones it had.
        edit("content/index.md", INDEX.replace("type: bar", "type: line"), "a chart's spec",
             {"index.html"})
        # Another process builds the site: every file in static/ is its own,
        # none is what serve remembers publishing.
        r = subprocess.run([binary, "build", "--root", site], capture_output=True, text=True)
        check(r.returncode == 0, "a build by another process: " + r.stderr)
        edit("content/index.md", INDEX.replace("type: bar", "type: line").replace(
            "Totals per bucket.", "Totals per bucket, again."), "prose after another build",
             {"index.html"})
        edit("content/other.md", OTHER.replace("# Other", "# Renamed").replace(
            "amount > 10", "amount > 20"), "a title", {"index.html", "other.html"})
        edit("sources_sql/buckets.sql", MODEL.replace("id % 4", "id % 3"), "a model",
             {"index.html"})
        two_steps(SLOW.format(k=0, n=ROWS_SLOW))
        stopped_by_an_edit(SLOW.format(k=1, n=ROWS_STOPPED), MODEL.replace("id % 4", "id % 2"))
        edit("content/third.md", "# Third\n\nA new page.\n", "a page added",
             {"index.html", "other.html", "third.html"})
        edit("content/third.md", None, "a page removed", {"index.html", "other.html"})

        n_err, n_ev = len(server.err), len(ev.events)
        write("content/other.md", OTHER.replace("SELECT count(*)", "SELEC count(*)"))()
        check(wait_for(lambda: any(n == "build-error" for n, _ in ev.events[n_ev:]), 60),
              "a broken sql block is an error: " + "".join(server.err[n_err:]))
        settled()
        errs = [d for n, d in ev.events[n_ev:] if n == "build-error"]
        check(errs and errs[0].get("file") == "content/other.md" and errs[0].get("line") == 6,
              "the error names the page and the line: %s" % errs)
        edit("content/other.md", OTHER, "the error fixed", {"index.html", "other.html"})

        edit("ducksite.toml", CONFIG + '\n[[file_sources]]\nname = "more"\n'
             'upstream_glob = "lake/orders/**/*.parquet"\n', "ducksite.toml", kept=False)
        step(lambda: make_parquet(ds_sql, os.path.join(site, "lake", "orders", "day=2",
                                                       "b.parquet"), 30),
             "a lake file added", kept=False)
        edit("content/other.md", OTHER.replace("Rows", "All rows"), "a page after the lake",
             {"other.html"})
        edit("content/index.md", INDEX, "a page edited again", {"index.html"})
    finally:
        if ev:
            ev.close()
        code = stop(server.proc)
    check(code == 0, "serve stops cleanly: exit code %s" % code)
    with open(starts) as f:
        kept = [line.split()[0] for line in f if line.rstrip().endswith(" --lines")]
    check(len(kept) == 1, "serve starts one drawing process for all its builds: %s" % kept)

    def gone(pid):
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        return False
    check(all(wait_for(lambda: gone(pid), 10) for pid in kept),
          "the drawing process ends with serve")
    shutil.rmtree(work, ignore_errors=True)
    print("incremental: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
