#!/usr/bin/env python3
"""test_results.py - stored query results under `ducksite serve`: a result is
served only while the Parquet files and folders it was computed from are
unchanged, and a new lake file triggers a rebuild.

Usage: test_results.py DUCKSITE_BINARY DS_SQL_BINARY

A project with one glob source over a lake in a temporary folder.  Part 1
serves it with --no-watch (one build, nothing rewritten behind the test's
back) and checks /_results/<hash>.json against a result index: the one the
build wrote when it writes one, else a hand-written one.  Part 2 serves it
watching, and adds and removes lake files.  Servers listen on 127.0.0.1 (a
free port) and are always stopped by their own PID.  Prints
"results: N passed, M failed".
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

from helpers import FIRST_BUILD, Server, make_parquet, request, stop, wait_for

PAGE = ("# Orders\n\n```sql total\nSELECT count(*) AS n FROM orders\n```\n\n"
        "```table total\n```\n")
HAND_HASH = "0123456789abcdef"


def write_atomic(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def file_entry(path):
    st = os.stat(path)
    return {"path": path, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def dir_entry(path):
    return {"path": path, "mtime_ns": os.stat(path).st_mtime_ns}


class Project:
    def __init__(self, work, ds_sql):
        self.root = os.path.join(work, "site")
        self.lake = os.path.join(work, "lake", "orders")
        self.a = os.path.join(self.lake, "day=1", "a.parquet")
        self.ds_sql = ds_sql
        make_parquet(ds_sql, self.a, 100)
        os.makedirs(os.path.join(self.root, "content"))
        with open(os.path.join(self.root, "ducksite.toml"), "w") as f:
            f.write('[[file_sources]]\nname = "orders"\nupstream_glob = "%s/**/*.parquet"\n'
                    % self.lake)
        with open(os.path.join(self.root, "content", "index.md"), "w") as f:
            f.write(PAGE)
        self.results = os.path.join(self.root, "static", "_results")
        self.index = os.path.join(self.results, "_index.json")

    def built_hash(self):
        """A result the build stored that read a.parquet, or None."""
        try:
            with open(self.index) as f:
                results = json.load(f)["results"]
        except (OSError, ValueError, KeyError):
            return None
        for h, entry in sorted(results.items()):
            if any(x["path"] == self.a for x in entry.get("files", [])) and \
                    os.path.exists(os.path.join(self.results, h + ".json")):
                return h
        return None

    def hand_write(self, h):
        """The result file (unless the build wrote it) and an index saying it
        read a.parquet and the listing of its folder, as they are now."""
        body = os.path.join(self.results, h + ".json")
        if not os.path.exists(body):
            data = b'{"columns": ["n"], "rows": [[100]]}'
            write_atomic(body, data)
            write_atomic(body + ".gz", gzip.compress(data))
        self.write_index(h)

    def write_index(self, h):
        index = {"version": 1, "results": {h: {
            "files": [file_entry(self.a)],
            "dirs": [dir_entry(self.lake), dir_entry(os.path.dirname(self.a))]}}}
        write_atomic(self.index, json.dumps(index).encode())


def main():
    binary = os.path.abspath(sys.argv[1])
    ds_sql = os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="ds-results-")
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

    project = Project(work, ds_sql)
    server = Server(binary, project.root, ["--no-watch"])
    try:
        check("builds and serves", wait_for(lambda: server.port is not None, FIRST_BUILD), "".join(server.err))
        port = server.port
        h = project.built_hash()
        if h:
            print("     (the build stored result %s)" % h)
            project.write_index(h)  # the same index, rewritten: a reload
        else:
            h = HAND_HASH
            project.hand_write(h)
        url = "/_results/%s.json" % h
        with open(os.path.join(project.results, h + ".json"), "rb") as f:
            stored = f.read()

        ok = wait_for(lambda: request(port, url)[0] == 200, 5)
        status, hdrs, body = request(port, url)
        check("a fresh stored result is served", ok and status == 200 and body == stored,
              (status, body[:100]))
        check("with Cache-Control: no-cache", hdrs.get("cache-control") == "no-cache", hdrs)
        etag = hdrs.get("etag", "")
        check("and a strong ETag", etag.startswith('"'), etag)
        status, hdrs, _ = request(port, url, {"If-None-Match": etag})
        check("revalidation gives 304 while the data is unchanged", status == 304, status)
        if os.path.exists(os.path.join(project.results, h + ".json.gz")):
            status, hdrs, body = request(port, url, {"Accept-Encoding": "gzip"})
            check("the gzip sidecar is served", status == 200 and
                  hdrs.get("content-encoding") == "gzip" and gzip.decompress(body) == stored,
                  (status, hdrs))
        for path in ["/_results/_index.json", "/_results/", "/_results",
                     "/_results/_index.json.tmp.1", "/_results/ffffffffffffffff.json",
                     "/_results/%s.JSON" % h]:
            status, hdrs, _ = request(port, path)
            check("404 for " + path, status == 404, status)
        status, hdrs, _ = request(port, "/_results/ffffffffffffffff.json")
        check("a hash not in the index: 404 with no-store",
              hdrs.get("cache-control") == "no-store", hdrs)

        def refused(why):
            for hdr in [{}, {"If-None-Match": etag}, {"Accept-Encoding": "gzip"}]:
                status, hdrs, _ = request(port, url, hdr)
                check("%s: 404 (%s)" % (why, hdr or "plain"),
                      status == 404 and hdrs.get("cache-control") == "no-store", (status, hdrs))
            status, _, _ = request(port, url + ".gz")
            check("%s: the sidecar by name too" % why, status == 404, status)
            status, _, _ = request(port, url, method="HEAD")
            check("%s: HEAD too" % why, status == 404, status)

        def served_again(why):
            project.write_index(h)
            check(why + ": a new index is picked up",
                  wait_for(lambda: request(port, url)[0] == 200, 5))

        # Another Parquet file's bytes written over it in place, its mtime
        # put back: only the size differs (the folder's listing does not).
        st = os.stat(project.a)
        bigger = os.path.join(work, "bigger.parquet")
        make_parquet(ds_sql, bigger, 5000)
        with open(bigger, "rb") as src, open(project.a, "wb") as dst:
            dst.write(src.read())
        os.utime(project.a, ns=(st.st_atime_ns, st.st_mtime_ns))
        check("the rewritten file has another size", os.stat(project.a).st_size != st.st_size)
        refused("file rewritten with another size")
        served_again("rewritten")

        # The same size, a new mtime; back to the recorded mtime it is fresh.
        st = os.stat(project.a)
        os.utime(project.a, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
        refused("same size, new mtime")
        os.utime(project.a, ns=(st.st_atime_ns, st.st_mtime_ns))
        check("the recorded mtime again: served", request(port, url)[0] == 200)

        # A new file in a folder the result lists.
        make_parquet(ds_sql, os.path.join(project.lake, "day=1", "b.parquet"), 10)
        refused("a new file in a listed folder")
        os.unlink(os.path.join(project.lake, "day=1", "b.parquet"))
        served_again("folder")

        # Deleted.
        saved = project.a + ".saved"
        os.rename(project.a, saved)
        refused("file deleted")
        os.rename(saved, project.a)
    finally:
        code = server.stop()
    check("part 1 server stops cleanly", code == 0, "exit %s; %s" % (code, "".join(server.err)))

    server = Server(binary, project.root)
    try:
        check("serves watching", wait_for(lambda: server.port is not None), "".join(server.err))
        port = server.port
        key = "/data/orders/day=2/b.parquet"
        check("before: the new key is not in the data map", request(port, key)[0] == 404)
        make_parquet(ds_sql, os.path.join(project.lake, "day=2", "b.parquet"), 10)
        check("a new lake file in a new folder is published by a rebuild",
              wait_for(lambda: request(port, key)[0] == 200), "".join(server.err))
        check("the rebuild says why",
              any("b.parquet changed: rebuilding" in l or "day=2 changed: rebuilding" in l
                  for l in server.err), "".join(server.err))
        before = len(server.err)
        os.unlink(os.path.join(project.lake, "day=2", "b.parquet"))
        check("a deleted lake file triggers a rebuild",
              wait_for(lambda: any("b.parquet changed: rebuilding" in l
                                   for l in server.err[before:])), "".join(server.err))
        check("and leaves the data map", wait_for(lambda: request(port, key)[0] == 404))
        # The map is written before the stored results: let that rebuild end
        # (its "stored results" line) before the next change, so the change below is
        # not made to a file the rebuild is still reading.
        check("that rebuild ends",
              wait_for(lambda: any("stored results:" in l for l in server.err[before:])),
              "".join(server.err))
        before = len(server.err)
        make_parquet(ds_sql, project.a, 300)
        check("a rewritten lake file triggers a rebuild",
              wait_for(lambda: any("a.parquet changed: rebuilding" in l
                                   for l in server.err[before:])), "".join(server.err))
    finally:
        code = server.stop()
        shutil.rmtree(work, ignore_errors=True)
    check("part 2 server stops cleanly", code == 0, "exit %s" % code)
    failed = results.count(False)
    print(f"results: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
