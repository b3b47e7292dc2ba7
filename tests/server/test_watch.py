#!/usr/bin/env python3
"""test_watch.py - `ducksite serve` builds first, rebuilds when the project
changes, and keeps serving the last good build when a rebuild fails.

Usage: test_watch.py DUCKSITE_BINARY

Starts the server on 127.0.0.1 (a free port) over a small project in a
temporary folder, edits the project, and checks what is served; the server
is always stopped by its own PID.  Prints "watch: N passed, M failed".
"""
import http.client
import os
import shutil
import sys
import tempfile
import time

from helpers import FIRST_BUILD, Server, stop, wait_for

PAGE = "# Hello\n\n```sql total\nSELECT sum(x) AS total FROM numbers\n```\n\n```table total\n```\n"
MODELS = "-- name: numbers\nSELECT 1 AS x UNION ALL SELECT 2\n"


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body.decode("utf-8", "replace")


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ds-watch-")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

    os.makedirs(os.path.join(work, "content"))
    os.makedirs(os.path.join(work, "sources_sql"))
    open(os.path.join(work, "ducksite.toml"), "w").write("")
    open(os.path.join(work, "content", "index.md"), "w").write(PAGE)
    open(os.path.join(work, "sources_sql", "models.sql"), "w").write(MODELS)
    server = Server(binary, work)
    try:
        check("builds first and serves", wait_for(lambda: server.port is not None, FIRST_BUILD),
              "".join(server.err))
        status, body = get(server.port, "/index.html")
        check("the page is served", status == 200 and "Hello" in body, body[:200])

        open(os.path.join(work, "content", "index.md"), "w").write(PAGE.replace("Hello", "Changed"))
        check("an edited page is rebuilt",
              wait_for(lambda: "Changed" in get(server.port, "/index.html")[1]),
              "".join(server.err))
        check("the rebuild hands its data map to the server",
              wait_for(lambda: any("keys handed over by the rebuild" in l for l in server.err)),
              "".join(server.err))

        open(os.path.join(work, "content", "second.md"), "w").write("# Second page\n")
        check("a new page appears", wait_for(lambda: get(server.port, "/second.html")[0] == 200))

        models = os.path.join(work, "sources_sql", "models.sql")
        open(models, "w").write(MODELS + "-- name: broken\nSELEC nonsense\n")
        check("a failing rebuild prints its error",
              wait_for(lambda: any("query 'broken'" in l for l in server.err)), "".join(server.err))
        status, body = get(server.port, "/index.html")
        check("the last good build is still served", status == 200 and "Changed" in body)
        status, body = get(server.port, "/sql/_global/numbers.sql")
        check("its SQL too", status == 200 and "SELECT 1 AS x" in body, body[:200])

        open(models, "w").write(MODELS.replace("SELECT 2", "SELECT 40"))
        check("fixing the error rebuilds",
              wait_for(lambda: "SELECT 40" in get(server.port, "/sql/_global/numbers.sql")[1]))
        before = len(server.out) + len(server.err)
        open(os.path.join(work, "notes.txt"), "w").write("not an input of the build\n")
        os.makedirs(os.path.join(work, "static", "forms"), exist_ok=True)
        open(os.path.join(work, "static", "forms", "x.csv"), "w").write("a\n1\n")
        time.sleep(1.5)
        check("outputs and other files do not trigger a build",
              not any("rebuilding" in l for l in (server.out + server.err)[before:]))

        # A module plugin under the project root is watched like a file plugin.
        pkg = os.path.join(work, "lakeplug")
        os.makedirs(pkg)
        open(os.path.join(pkg, "__init__.py"), "w").write("")
        plugin = ("from ducksite.virtual_parquet import VirtualParquetManifest\n"
                  "def build_manifest(cfg):\n    return VirtualParquetManifest(files=[])  # v1\n")
        open(os.path.join(pkg, "sales.py"), "w").write(plugin)
        open(os.path.join(work, "ducksite.toml"), "w").write(
            '[[file_sources]]\nname = "sales"\nplugin = "lakeplug.sales"\n')
        check("the module plugin runs",
              wait_for(lambda: any("'lakeplug.sales'" in l for l in server.err)), "".join(server.err))
        time.sleep(0.5)
        before = len(server.err)
        open(os.path.join(pkg, "sales.py"), "w").write(plugin.replace("v1", "v2"))
        check("editing a module plugin rebuilds",
              wait_for(lambda: any("lakeplug/sales.py changed" in l for l in server.err[before:])),
              "".join(server.err[before:]))
    finally:
        code = server.stop()
        shutil.rmtree(work, ignore_errors=True)
    check("stops cleanly on SIGTERM", code == 0, f"exit code {code}")
    failed = results.count(False)
    print(f"watch: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
