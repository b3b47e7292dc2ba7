#!/usr/bin/env python3
"""test_stored_glob.py - a stored result over a whole source of many files
is read by the source's upstream_glob, and stays right when the lake
changes between builds.

Usage: test_stored_glob.py DUCKSITE_BINARY DS_SQL_BINARY

A lake of 150 one-folder-each Parquet files (more than a file list kept in
the SQL) and a page counting its rows.  The first build reads the glob and
records all 150 files; a file added after it (the facts cache knows the
others) makes the next build run the result again over 151 files, still by
the glob; a build with nothing changed (--force) runs nothing.  Prints
"stored glob: N passed, M failed".

Then a lake of 10,001 files (more than DS_RESULTS_FILES_INLINE_MAX): the
index lists them as one "files_text" string, a line per file, which the
server reads (the result served, then refused once a file changes), and a
build with nothing changed keeps the result (and writes an index from
before "files_text" again in it); with a path holding a tab, the
result's files go back to the "files" array, read again as unchanged.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from helpers import Serve, make_parquet, request

PAGE = ("# Lake\n\n```sql total\nSELECT count(*) AS n, sum(amount) AS total FROM lake\n```\n\n"
        "```table total\n```\n")


def build(ducksite, root, *extra):
    r = subprocess.run([ducksite, "build", "--root", root, *extra], capture_output=True,
                       text=True)
    return r.returncode, r.stderr


def make_site(root, lake):
    """ROOT: one source LAKE (a glob of all its Parquet files), one page."""
    os.makedirs(os.path.join(root, "content"), exist_ok=True)
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "lake"\nupstream_glob = "%s/**/*.parquet"\n' % lake)
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE)


def index_entry(root):
    """(hash, entry) of the one stored result in ROOT's index."""
    with open(os.path.join(root, "static", "_results", "_index.json")) as f:
        (h, entry), = json.load(f)["results"].items()
    return h, entry


def result(root):
    """(rows of the one stored result, number of files its index names)."""
    h, entry = index_entry(root)
    with open(os.path.join(root, "static", "_results", h + ".json")) as f:
        return json.load(f)["rows"], len(entry["files"])


def many_files(ds_sql, work, check):
    """A stored result over 10,001 files: "files_text", then "files" again
    for a path with a tab; kept by a build with nothing changed."""
    lake = os.path.join(work, "many")
    template = os.path.join(work, "one.parquet")
    make_parquet(ds_sql, template, 3)
    with open(template, "rb") as f:
        data = f.read()
    for i in range(10001):  # copies of one file: 10,001 files in a second
        folder = os.path.join(lake, "part=%d" % (i // 100))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "f%d.parquet" % i), "wb") as f:
            f.write(data)
    root = os.path.join(work, "many-site")
    make_site(root, lake)

    rc, err = build(ducksite_binary, root)
    check("10,001 files: build", rc == 0 and "(1 run, 0 unchanged)" in err, err)
    h, entry = index_entry(root)
    lines = entry.get("files_text", "").split("\n")
    first = os.path.join(lake, "part=0", "f0.parquet")
    st = os.stat(first)
    check("10,001 files: one files_text line each, no files array",
          "files" not in entry and len(lines) == 10002 and lines[-1] == ""
          and lines[0] == "%d\t%d\t%s" % (st.st_size, st.st_mtime_ns, first)
          and len(entry["dirs"]) > 101, (list(entry), lines[:2], len(lines)))
    with open(os.path.join(root, "static", "_results", h + ".json")) as f:
        rows = json.load(f)["rows"]
    check("10,001 files: the result", rows == [[30003, 60006]], rows)
    rc, err = build(ducksite_binary, root, "--force")
    check("10,001 files: nothing changed, result kept", rc == 0 and "(0 run, 1 unchanged)" in err,
          err)

    # An index from before "files_text", its files as the array: read as
    # unchanged, and written again in the new form.
    index = os.path.join(root, "static", "_results", "_index.json")
    with open(index) as f:
        doc = json.load(f)
    files = [line.split("\t", 2) for line in doc["results"][h].pop("files_text").split("\n")[:-1]]
    doc["results"][h]["files"] = [{"path": p, "size": int(z), "mtime_ns": int(m)}
                                  for z, m, p in files]
    with open(index, "w") as f:
        json.dump(doc, f)
    rc, err = build(ducksite_binary, root, "--force")
    check("10,001 files in the old array: kept, written as files_text",
          rc == 0 and "(0 run, 1 unchanged)" in err
          and "files_text" in index_entry(root)[1] and "files" not in index_entry(root)[1], err)

    # The server reads the lines: the result is served, and refused once a
    # file changes.
    server = Serve(ducksite_binary, root, ["--no-build"], wait=60)
    try:
        status = request(server.port, "/_results/%s.json" % h)[0]
        check("10,001 files: served while fresh", status == 200, status)
        last = os.path.join(lake, "part=100", "f10000.parquet")
        os.utime(last, ns=(st.st_mtime_ns, st.st_mtime_ns + 1000))
        time.sleep(1.1)  # a result over many files is checked once a second
        status = request(server.port, "/_results/%s.json" % h)[0]
        check("10,001 files: refused once its last file changed", status == 404, status)
    finally:
        server.stop()

    # A lake's own name may hold a tab (its files' names, published, may not).
    tabbed = os.path.join(work, "many\tlake")
    os.rename(lake, tabbed)
    make_site(root, tabbed)
    rc, err = build(ducksite_binary, root)
    h, entry = index_entry(root)
    check("a path with a tab: files array", rc == 0 and "(1 run, 0 unchanged)" in err
          and "files_text" not in entry and len(entry.get("files", [])) == 10001
          and entry["files"][0]["path"] == os.path.join(tabbed, "part=0", "f0.parquet"), err)
    rc, err = build(ducksite_binary, root, "--force")
    check("a path with a tab: nothing changed, result kept",
          rc == 0 and "(0 run, 1 unchanged)" in err, err)


def main():
    global ducksite_binary
    ducksite, ds_sql = sys.argv[1], sys.argv[2]
    ducksite_binary = ducksite
    passed = failed = 0

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL %s %s" % (name, detail))

    work = tempfile.mkdtemp(prefix="ds-stored-glob-")
    try:
        lake = os.path.join(work, "lake")
        sql = ("COPY (SELECT i AS part, i AS id, 2 * i AS amount FROM range(150) t(i)) TO '%s' "
               "(FORMAT parquet, PARTITION_BY (part))" % lake)
        subprocess.run([ds_sql], input=sql, text=True, check=True, capture_output=True)
        root = os.path.join(work, "site")
        make_site(root, lake)

        rc, err = build(ducksite, root)
        check("first build", rc == 0, err)
        check("first build reads the glob",
              "(1 run, 0 unchanged)" in err and "1 of 1 file lists read by their upstream_glob" in err,
              err)
        rows, n = result(root)
        check("first result", rows == [[150, 22350]], rows)
        check("first result's files", n == 150, n)

        make_parquet(ds_sql, os.path.join(lake, "part=150", "late.parquet"), 3)
        rc, err = build(ducksite, root)
        check("build after a new file", rc == 0, err)
        check("new file: result run again by the glob",
              "(1 run, 0 unchanged)" in err and "1 of 1 file lists read by their upstream_glob" in err,
              err)
        check("new file's footer read, the others known", "1 footers read, 150 known" in err, err)
        rows, n = result(root)
        # the new file's rows: amount 0, 2, 4
        check("result with the new file", rows == [[153, 22356]], rows)
        check("result's files with the new file", n == 151, n)

        # --force: a whole build, not one that stops as up to date.
        rc, err = build(ducksite, root, "--force")
        check("build with nothing changed", rc == 0 and "(0 run, 1 unchanged)" in err, err)

        many_files(ds_sql, work, check)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("stored glob: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
