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
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from helpers import make_parquet

PAGE = ("# Lake\n\n```sql total\nSELECT count(*) AS n, sum(amount) AS total FROM lake\n```\n\n"
        "```table total\n```\n")


def build(ducksite, root, *extra):
    r = subprocess.run([ducksite, "build", "--root", root, *extra], capture_output=True,
                       text=True)
    return r.returncode, r.stderr


def result(root):
    """(rows of the one stored result, number of files its index names)."""
    results = os.path.join(root, "static", "_results")
    with open(os.path.join(results, "_index.json")) as f:
        index = json.load(f)["results"]
    (h, entry), = index.items()
    with open(os.path.join(results, h + ".json")) as f:
        return json.load(f)["rows"], len(entry["files"])


def main():
    ducksite, ds_sql = sys.argv[1], sys.argv[2]
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
        os.makedirs(os.path.join(root, "content"))
        with open(os.path.join(root, "ducksite.toml"), "w") as f:
            f.write('[[file_sources]]\nname = "lake"\nupstream_glob = "%s/**/*.parquet"\n' % lake)
        with open(os.path.join(root, "content", "index.md"), "w") as f:
            f.write(PAGE)

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
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("stored glob: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
