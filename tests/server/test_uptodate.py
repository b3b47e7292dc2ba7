#!/usr/bin/env python3
"""test_uptodate.py - `ducksite build` stops early when nothing changed, and
never when something did (docs/building.md, "Nothing changed").

A project (a lake of 120 files read by a view, a model, a page with a stored
result and one with SQL the browser engine cannot run, so the build warns, a
Python plugin whose manifest comes from a file outside the project) is built,
then built again: the second build must say it is up to date, print the same
warnings, and leave static/ untouched.  Then, one at a time, each thing a
build reads is changed (a lake file rewritten, touched, its bytes replaced
with its size and mtime kept, added, removed; a file no glob matches added
in a lake folder; a stored result edited by hand; a
page, a model, ducksite.toml; the plugin's input; an output in static/
edited or removed; the build's options; the runtime's folder; --force and
--clean): each following build must be a whole one, and static/ must then be
what a fresh build of a copy of the project makes.  A file put in static/,
ducksite.toml or such a file edited while a build runs, make the next build
whole too.  A build that fails, one whose pictures could not be drawn, and
`ducksite serve`, keep no record.

Usage: test_uptodate.py DUCKSITE DS_SQL

Servers started here run on 127.0.0.1 and are stopped by their own PID.
Prints "uptodate: N passed, M failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from helpers import FIRST_BUILD, Serve, Tally, make_parquet, make_parquets, wait_for
from test_incremental import differences

check = Tally()

CONFIG = """[[file_sources]]
name = "orders"
upstream_glob = "lake/orders/**/*.parquet"

[[file_sources]]
name = "extra"
plugin = "plugins/listed.py:files"
"""

PLUGIN = """import json, os

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def files(cfg):
    # An edit made while a build runs (after it read ducksite.toml).
    for name in (os.environ.get("UPTODATE_TOUCH") or "").split(","):
        if name:
            with open(os.path.join(str(cfg.root), name), "a") as f:
                f.write("\\n")
    with open(os.environ["UPTODATE_LIST"]) as f:
        paths = json.load(f)
    return VirtualParquetManifest(files=[
        VirtualParquetFile(http_path="data/extra/%d.parquet" % i, physical_path=p)
        for i, p in enumerate(paths)])
"""

MODEL = "-- name: totals\nSELECT count(*) AS n, sum(amount) AS amount FROM orders;\n"

INDEX = """# Orders

```sql summary
SELECT n, amount FROM totals
```

```table summary
```

```sql per_part
SELECT part, count(*) AS n FROM orders GROUP BY part ORDER BY part
```

```echart parts
type: bar
data_query: per_part
x: part
y: n
```

```sql extra_rows
SELECT count(*) AS n FROM extra
```

```table extra_rows
```
"""

WARNS = """# Digest

```sql digest
SELECT sha1('x') AS h
```

```table digest
```
"""

RECORD = os.path.join(".ducksite", "build_state.json")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def stamps(static):
    """Every file of static/ by its mtime (a build that rewrites nothing
    leaves them all)."""
    out = {}
    for d, _, files in os.walk(static):
        for name in files:
            p = os.path.join(d, name)
            out[os.path.relpath(p, static)] = os.stat(p).st_mtime_ns
    return out


class Project:
    def __init__(self, binary, ds_sql, root, env):
        self.binary, self.ds_sql, self.root, self.env = binary, ds_sql, root, env

    def build(self, *extra, env=None):
        r = subprocess.run([self.binary, "build", "--root", self.root, *extra],
                           capture_output=True, text=True, env=env or self.env, timeout=600)
        return r

    def lake_file(self, i):
        return os.path.join(self.root, "lake", "orders", "part=%d" % (i % 4), "f%03d.parquet" % i)


def warnings(stderr):
    return [line for line in stderr.splitlines() if line.startswith("ducksite: warning: ")]


def up_to_date(r):
    return r.returncode == 0 and "(up to date)" in r.stdout


def whole(r):
    return r.returncode == 0 and "built " in r.stdout and "(up to date)" not in r.stdout


def same_as_fresh(p, fresh, what):
    diff = differences(p.binary, p.root, fresh)
    check(not diff, "%s: static/ is what a fresh build makes: %s" % (what, diff[:5]))


def main():
    binary, ds_sql = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="ds-uptodate-")
    root = os.path.join(work, "site")
    fresh = os.path.join(work, "fresh")
    outside = os.path.join(work, "outside")
    env = dict(os.environ)
    env["UPTODATE_LIST"] = os.path.join(outside, "list.json")
    try:
        make_parquets(ds_sql, [(os.path.join(root, "lake", "orders", "part=%d" % (i % 4),
                                             "f%03d.parquet" % i), 1 + i % 3) for i in range(120)]
                      + [(os.path.join(outside, "x%d.parquet" % i), 2) for i in range(3)])
        write(env["UPTODATE_LIST"], json.dumps([os.path.join(outside, "x0.parquet"),
                                                 os.path.join(outside, "x1.parquet")]))
        write(os.path.join(root, "ducksite.toml"), CONFIG)
        write(os.path.join(root, "plugins", "listed.py"), PLUGIN)
        write(os.path.join(root, "sources_sql", "totals.sql"), MODEL)
        write(os.path.join(root, "content", "index.md"), INDEX)
        write(os.path.join(root, "content", "digest.md"), WARNS)
        os.environ.update(env)  # the fresh builds' plugin reads the same list
        p = Project(binary, ds_sql, root, env)
        static = os.path.join(root, "static")

        first = p.build()
        check(whole(first), "the first build is a whole one: %s %s" % (first.stdout, first.stderr))
        check(os.path.isfile(os.path.join(root, RECORD)), "a successful build keeps its record")
        first_warnings = warnings(first.stderr)
        check(any("sha1" in w for w in first_warnings),
              "the project warns (sha1 in the browser engine): %s" % first.stderr)
        before = stamps(static)

        second = p.build()
        check(up_to_date(second), "nothing changed: up to date: %s %s"
              % (second.stdout, second.stderr))
        check(warnings(second.stderr) == first_warnings,
              "an up-to-date build repeats the warnings: %r" % warnings(second.stderr))
        check("nothing changed since the last build" in second.stderr,
              "it says why it stopped: %s" % second.stderr)
        check(stamps(static) == before, "an up-to-date build rewrites nothing in static/")
        def summary(out):
            return re.sub(r" in \d+ ms.*", "", out.strip().splitlines()[-1])
        check(summary(second.stdout) == summary(first.stdout),
              "its summary line names what the whole build made: %r against %r"
              % (summary(second.stdout), summary(first.stdout)))

        def changed(what, change, *extra, env=None, then_up_to_date=True):
            change()
            r = p.build(*extra, env=env)
            check(whole(r), "%s: a whole build: %s %s" % (what, r.stdout, r.stderr[-600:]))
            if not extra:
                same_as_fresh(p, fresh, what)
            if then_up_to_date:
                again = p.build(*extra, env=env)
                check(up_to_date(again), "%s: the build after is up to date: %s %s"
                      % (what, again.stdout, again.stderr[-400:]))
            return r

        def rewrite():
            # The same name and size class, other rows, and an mtime kept as
            # it was: the size alone must then tell.
            path = p.lake_file(5)
            st = os.stat(path)
            make_parquet(ds_sql, path, 7)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        changed("a lake file rewritten (mtime put back)", rewrite)

        def touch():
            path = p.lake_file(6)
            st = os.stat(path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
        changed("a lake file touched", touch)

        def chmod():
            # Only the ctime changes: a file the build could not read may be
            # readable now (or the other way round), so it looks again.
            path = p.lake_file(8)
            os.chmod(path, 0o600 if os.stat(path).st_mode & 0o004 else 0o644)
        changed("a lake file's permissions changed", chmod)

        def copy_over():
            # Other values in a file of the same size, its mtime put back
            # (cp -p, touch -d): only the ctime tells; the stored results
            # and the facts cache must not keep the old values.
            path = p.lake_file(9)
            st = os.stat(path)
            tmp = os.path.join(work, "same-size.parquet")
            subprocess.run([ds_sql], input="COPY (SELECT 0::BIGINT AS id, 5::BIGINT AS amount) TO '%s' "
                           "(FORMAT parquet);" % tmp, text=True, check=True, capture_output=True)
            check(os.stat(tmp).st_size == st.st_size,
                  "the new file has the old one's size: %d against %d"
                  % (os.stat(tmp).st_size, st.st_size))
            shutil.copyfile(tmp, path)
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        changed("a lake file's bytes replaced, its size and mtime kept", copy_over)

        def edit_result():
            results = os.path.join(static, "_results")
            name = sorted(x for x in os.listdir(results) if re.fullmatch(r"[0-9a-f]{16}\.json", x))[0]
            with open(os.path.join(results, name), "w") as f:
                f.write('{"columns":[],"rows":[]}')
        changed("a stored result edited by hand", edit_result)

        # A file no glob matches, beside the lake's (a Spark _SUCCESS
        # marker): the folder's mtime, which the server compares before it
        # serves a result stored from the folder, changed.
        changed("a file no glob matches added in a lake folder",
                lambda: write(os.path.join(root, "lake", "orders", "part=1", "_SUCCESS"), ""))

        changed("a lake file added",
                lambda: make_parquet(ds_sql, p.lake_file(120), 2))
        changed("a lake file removed", lambda: os.remove(p.lake_file(7)))

        def edit(rel, old, new):
            path = os.path.join(root, rel)
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace(old, new))
        changed("a page edited", lambda: edit("content/index.md", "# Orders", "# All orders"))
        changed("a model edited", lambda: edit("sources_sql/totals.sql", "count(*) AS n",
                                               "count(*) + 0 AS n"))
        changed("ducksite.toml edited", lambda: edit("ducksite.toml", '[[file_sources]]\nname = "extra"',
                                                     '# the plugin\'s files\n[[file_sources]]\nname = "extra"'))
        changed("a page added", lambda: write(os.path.join(root, "content", "more.md"),
                                              "# More\n\nText.\n"))
        changed("the plugin's input changed",
                lambda: write(env["UPTODATE_LIST"], json.dumps(
                    [os.path.join(outside, "x%d.parquet" % i) for i in range(3)])))

        def edit_output():
            with open(os.path.join(static, "index.html"), "a") as f:
                f.write("<!-- by hand -->")
        changed("an output edited by hand", edit_output)
        changed("an output removed", lambda: os.remove(os.path.join(static, "digest.html")))

        # The options are part of what was built.
        r = changed("--no-prerender", lambda: None, "--no-prerender")
        results = os.path.join(static, "_results")
        stored = [x for x in os.listdir(results) if not x.startswith("_")] \
            if os.path.isdir(results) else []
        check(not stored, "--no-prerender stored no result: %s" % stored[:3])
        r = p.build()
        check(whole(r), "back to stored results: a whole build: %s" % r.stdout)
        r = p.build("--force")
        check(whole(r), "--force builds everything: %s" % r.stdout)
        r = p.build("--clean")
        check(whole(r), "--clean builds everything: %s" % r.stdout)
        check(up_to_date(p.build()), "after --clean, up to date again")

        # The runtime's folder is read: another one is another build.
        dist = os.environ.get("DUCKSITE_WEB_DIST") or os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "..", "web", "dist")
        other = os.path.join(work, "dist")
        shutil.copytree(dist, other)
        r = p.build(env=dict(env, DUCKSITE_WEB_DIST=other))
        check(whole(r), "another runtime folder: a whole build: %s" % r.stdout)
        r = p.build()
        check(whole(r), "and back: a whole build: %s" % r.stdout)
        check(up_to_date(p.build()), "up to date before the failure")

        # A build that fails forgets the record; the fix is a whole build.
        edit("sources_sql/totals.sql", "FROM orders", "FROM no_such_view")
        r = p.build()
        check(r.returncode != 0, "a broken model fails the build: %s" % r.stderr[-300:])
        check(not os.path.exists(os.path.join(root, RECORD)), "a failed build forgets the record")
        edit("sources_sql/totals.sql", "FROM no_such_view", "FROM orders")
        r = p.build()
        check(whole(r), "the fix is a whole build: %s" % r.stdout)
        check(up_to_date(p.build()), "then up to date")

        # serve's builds never keep one either.
        s = Serve(binary, root, wait=FIRST_BUILD)
        try:
            check(wait_for(lambda: not os.path.exists(os.path.join(root, RECORD)), 30),
                  "serve's build forgets the record")
        finally:
            check(s.stop() == 0, "serve stops cleanly")
        r = p.build()
        check(whole(r), "after serve, a whole build: %s" % r.stdout)
        check(up_to_date(p.build()), "and up to date after it")

        # An edit made during a build (here by the plugin, after the
        # configuration was read; a form's CSV in static/ too) is not
        # recorded as built: the next build is whole.
        write(os.path.join(static, "feedback.csv"), "n\n1\n")
        check(whole(p.build()), "a file put in static/: a whole build")
        check(up_to_date(p.build()), "then up to date")
        for name in ("ducksite.toml", "static/feedback.csv"):
            r = p.build("--force", env=dict(env, UPTODATE_TOUCH=name))
            check(whole(r), "%s edited during the build: %s" % (name, r.stderr[-300:]))
            r = p.build()
            check(whole(r), "%s edited during the last build: the next is whole: %s"
                  % (name, r.stdout))
            check(up_to_date(p.build()), "%s: then up to date" % name)

        # A build that could not draw its pictures keeps no record: the
        # next one draws them again.
        failing = os.path.join(work, "node-fails")
        write(failing, "#!/bin/sh\nexit 3\n")
        os.chmod(failing, 0o755)
        os.remove(os.path.join(static, "_results", ".first_paint.json"))  # all to draw again
        r = p.build(env=dict(env, DUCKSITE_NODE=failing))
        check(whole(r) and "no record of this build kept" in r.stderr
              and not os.path.exists(os.path.join(root, RECORD)),
              "node failed: no record kept: %s" % r.stderr[-400:])
        r = p.build(env=dict(env, DUCKSITE_NODE=failing))
        check(whole(r), "node failed before: the next build is whole: %s" % r.stdout)
        r = p.build()
        check(whole(r) and os.path.exists(os.path.join(root, RECORD)),
              "node back: a whole build that keeps its record: %s" % r.stdout)
        check(up_to_date(p.build()), "and up to date after it")

        # A damaged record is no record.
        with open(os.path.join(root, RECORD), "w") as f:
            f.write("{not json")
        check(whole(p.build()), "a damaged record: a whole build")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("uptodate: %d passed, %d failed" % (check.passed, check.failed))
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
