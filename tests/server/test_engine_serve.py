#!/usr/bin/env python3
"""test_engine_serve.py - under `ducksite serve`, the browser's own engine
(DuckDB-Wasm, DuckDB 0.9.1, docs/building.md "The browser's engine itself")
is asked about the queries a save changed in the second step of the
publish: the pages are published first, the engine's refusal follows in
the log; a query the engine answered once is not asked again (its refusal
is said again from the answer kept); the engine opens the lake's files
read-only, so serve never takes its reads for an edit.

Usage: test_engine_serve.py DUCKSITE_BINARY DS_SQL_BINARY

The server runs on 127.0.0.1 (a free port) over a project in a temporary
folder and is always stopped by its own PID.  Prints "engine_serve: N
passed, M failed".
"""
import os
import shutil
import sys
import tempfile

from helpers import FIRST_BUILD, Server, make_parquet, wait_for

CONFIG = '[[file_sources]]\nname = "t"\nupstream_glob = "lake/*.parquet"\n'
PAGE = """# Days

```sql n
SELECT count(*) AS n FROM t
```

```table n
```
"""
# 0.9.1 has no date_diff(VARCHAR, BIGINT-derived DATE, TIMESTAMP WITH TIME
# ZONE); 1.5 runs it.
REFUSED = PAGE + """
```sql age
SELECT id, date_diff('day', DATE '2024-01-01', now()) AS days FROM t
```

```table age
```
"""


def main():
    binary, ds_sql = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="ds-engine-")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

    os.makedirs(os.path.join(work, "content"))
    os.makedirs(os.path.join(work, "lake"))
    make_parquet(ds_sql, os.path.join(work, "lake", "a.parquet"), 3)
    open(os.path.join(work, "ducksite.toml"), "w").write(CONFIG)
    page = os.path.join(work, "content", "index.md")
    open(page, "w").write(PAGE)
    server = Server(binary, work)
    try:
        check("builds first and serves", wait_for(lambda: server.port is not None, FIRST_BUILD),
              "".join(server.err))
        check("the first build asks the engine",
              any("queries asked of DuckDB-Wasm" in l for l in server.err), "".join(server.err))

        start = len(server.err)
        open(page, "w").write(REFUSED)

        def refused():
            return any("cannot run its query 'age'" in l for l in server.err[start:])

        check("the engine's refusal is in the log", wait_for(refused, 60),
              "".join(server.err[start:]))
        wait_for(lambda: sum(1 for l in server.out if l.startswith("built ")) >= 3, 60)
        check("once", sum(1 for l in server.err[start:] if "cannot run its query 'age'" in l) == 1,
              "".join(server.err[start:]))
        lines = server.err[start:]
        published = next((i for i, l in enumerate(lines) if l.startswith("ducksite: published;")),
                         None)
        warned = next((i for i, l in enumerate(lines) if "cannot run its query 'age'" in l), None)
        check("after the pages were published", published is not None and warned is not None
              and published < warned, "".join(lines))
        check("as a warning naming the component and the query's line",
              warned is not None and lines[warned].startswith(
                  "ducksite: warning: content/index.md:") and "(content/index.md:" in lines[warned],
              lines[warned] if warned is not None else lines)

        # The second step ends with its "built" line; then a save that
        # changes no query: the refusal is said again, from what the
        # engine answered, without starting it.
        wait_for(lambda: sum(1 for l in server.out if l.startswith("built ")) >= 3, 60)
        built = sum(1 for l in server.out if l.startswith("built "))
        start = len(server.err)
        open(page, "w").write(REFUSED.replace("# Days", "# Days since"))
        check("a save that changes no query rebuilds",
              wait_for(lambda: sum(1 for l in server.out if l.startswith("built ")) > built, 60),
              "".join(server.out))
        later = server.err[start:]
        check("and says the refusal again, once",
              sum(1 for l in later if "cannot run its query 'age'" in l) == 1, "".join(later))
        check("without starting the engine again",
              any("queries unchanged since DuckDB-Wasm was asked, 1 refused" in l for l in later)
              and not any("queries asked of DuckDB-Wasm" in l for l in later), "".join(later))
        # The engine opens the lake's files read-only: serve never takes
        # its reads for an edit of the lake.
        check("the engine's reads are no edit of the lake",
              not any("a.parquet" in l and " changed" in l for l in server.err), "".join(server.err))
    finally:
        code = server.stop()
        shutil.rmtree(work, ignore_errors=True)
    check("serve stops cleanly", code == 0, code)
    print("engine_serve: %d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
