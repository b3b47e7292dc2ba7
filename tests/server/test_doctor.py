#!/usr/bin/env python3
"""test_doctor.py - `ducksite doctor URL` against real servers on 127.0.0.1.

Usage: test_doctor.py DUCKSITE DS_SQL

A small project (the fixture of test_nginx_export.py: three Parquet files in
two sources) is built once, then doctor runs against:
  - `ducksite serve`: every check ok, exit 0, and the same in --json;
  - Debian's nginx with the configuration `ducksite export --nginx` writes:
    every check ok;
  - nginx configured in each wrong way: gzip on Parquet, `max_ranges 0`,
    HEAD stripped of its Range by a proxy (so it answers 200), no
    Content-Length (a body filter on data), data on another origin without
    CORS, and with CORS: each expected verdict line is checked.
A second project, a lake of 120 files whose view's list is published apart
(static/sql/_files/lake.json and its .gz), is checked against `ducksite
serve` and the exported nginx: the list is fetched, read as JSON and sent
gzipped, and its first, middle and last files answer the range handshake;
without its .gz sidecar the encoding is a warning, and a list that is not
JSON a failure.
DS_DOCTOR_SHOW=1 prints every report.  Each nginx runs as the current user with its own pid, logs and temporary
folders, listens on 127.0.0.1 only and is stopped by its PID.  Without nginx
the test FAILS.  Prints "doctor: N passed, M failed".
"""
import json
import os
import re
import shutil
import subprocess
import sys

from helpers import Tally, stop
from test_nginx_export import Nginx, free_port, nginx_conf, start

check = Tally()


def doctor(ducksite, url, *extra):
    r = subprocess.run([ducksite, "doctor", url, *extra], capture_output=True, text=True,
                       timeout=120)
    # Under the sanitizers a report must come with no finding of theirs.
    check(not any(m in r.stderr for m in ("AddressSanitizer", "LeakSanitizer", "runtime error:")),
          "doctor %s %s: sanitizer report:\n%s" % (url, " ".join(extra), r.stderr))
    if os.environ.get("DS_DOCTOR_SHOW"):  # the reports, for docs/deploy.md
        print("$ ducksite doctor %s %s\n%s%s" % (url, " ".join(extra), r.stdout, r.stderr))
    return r.returncode, r.stdout, r.stderr


def verdicts(out):
    """{(subject, check): [verdicts]} from the text report."""
    found = {}
    subject = ""
    for line in out.splitlines():
        m = re.match(r"^  (ok|warn|FAIL)\s+(\S+)\s", line)
        if m:
            found.setdefault((subject, m.group(2)), []).append(m.group(1))
        elif line and not line.startswith(" ") and not line.startswith("doctor:"):
            subject = line
    return found


def expect(name, out, subject, check_name, verdict):
    got = verdicts(out).get((subject, check_name))
    check(got == [verdict], "%s: %s %s is %s, want %s\n%s"
          % (name, subject, check_name, got, verdict, out))


def all_ok(name, rc, out, err):
    bad = [line for line in out.splitlines() if re.match(r"^  (warn|FAIL)", line)]
    check(rc == 0 and not bad and re.search(r"^doctor: \d+ ok, 0 warn, 0 FAIL", out, re.M),
          "%s: want every check ok, exit 0; got %d:\n%s%s" % (name, rc, out, err))
    # Every kind of check ran (a report that skipped them would pass too).
    kinds = {c for (_, c) in verdicts(out)}
    want = {"page", "sql", "engine-type", "engine-compression", "data-files", "head",
            "head-range", "range", "range-tail", "if-range", "range-416", "data-encoding",
            "data-type", "cache", "consistent", "cors"}
    check(want <= kinds, "%s: checks missing: %s" % (name, sorted(want - kinds)))


# The fixture's page reads the sales source only.
DATA = ["/data/sales/a.parquet", "/data/sales/b.parquet"]


def serving(proc):
    """Reads PROC's output up to the line that says it listens."""
    for _ in range(50):
        line = proc.stdout.readline()
        if not line or "serving" in line:
            return line
    return ""


def serve(ducksite, root, what):
    """`ducksite serve` of ROOT on a free port, started: (process, port)."""
    port = free_port()
    proc = subprocess.Popen([ducksite, "serve", "--root", root, "--no-build", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check(serving(proc), what + " started")
    return proc, port


def run_serve(ducksite, root):
    proc, port = serve(ducksite, root, "serve")
    try:
        url = "http://127.0.0.1:%d/" % port
        rc, out, err = doctor(ducksite, url)
        all_ok("ducksite serve", rc, out, err)
        for path in DATA:
            expect("ducksite serve", out, path, "range", "ok")
        rc, out, err = doctor(ducksite, url, "--json")
        doc = json.loads(out) if rc == 0 else {}
        summary = doc.get("summary", {})
        check(summary.get("fail") == 0 and summary.get("warn") == 0 and summary.get("ok", 0) > 30,
              "--json summary: %s %s" % (summary, err))
        check(all(c["ms"] >= 0 and c["verdict"] == "ok" for c in doc.get("checks", [])),
              "--json checks: %s" % out[:2000])
        # A page whose compiled SQL is not served: its live query cannot run.
        sql = os.path.join(root, "static", "sql", "pages", "index", "total.sql")
        os.rename(sql, sql + ".away")
        try:
            rc, out, err = doctor(ducksite, url)
        finally:
            os.rename(sql + ".away", sql)
        check(rc == 1, "SQL missing: exit %d" % rc)
        expect("SQL missing", out, "/sql/pages/index/total.sql", "sql", "FAIL")
        check(re.search(r"^  FAIL  sql .*answered 404: the query total cannot run", out, re.M),
              "SQL missing: the line says which query\n" + out)
    finally:
        check(stop(proc) == 0, "serve exit code")
    return port


class Site:
    """One nginx with the exported configuration, changed by EDIT, plus
    EXTRA server blocks (which may proxy to it at UPSTREAM)."""

    def __init__(self, nginx, work, ducksite, root, name, edit=None, extra=""):
        self.port = free_port()
        self.front = free_port()
        prefix = os.path.join(work, "nginx-" + name)
        os.makedirs(os.path.join(prefix, "tmp"))
        site_conf = os.path.join(prefix, "site.conf")
        r = subprocess.run([ducksite, "export", "--root", root, "--nginx", site_conf,
                            "--listen", "127.0.0.1:%d" % self.port], capture_output=True,
                           text=True)
        check(r.returncode == 0, "export --nginx: %s" % r.stderr)
        text = open(site_conf).read()
        if edit:
            changed = edit(text)
            check(changed != text, "%s: the edit changed the configuration" % name)
            text = changed
        text += extra.replace("FRONT", str(self.front)).replace("UPSTREAM", str(self.port))
        with open(site_conf, "w") as f:
            f.write(text)
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(prefix, site_conf))
        self.server = Nginx(nginx, prefix, conf)
        self.ready = self.server.wait_ready(self.port) and (
            not extra or self.server.wait_ready(self.front))
        if not self.ready:
            print("FAIL: nginx %s did not start:\n%s" % (name, self.server.stop()))

    def stop(self):
        log = self.server.stop()
        check(self.server.proc.returncode == 0,
              "nginx exit %s: %s" % (self.server.proc.returncode, log))


def gzip_on_parquet(text):
    return text.replace("    gzip off;\n",
                        "    gzip on;\n    gzip_min_length 1;\n"
                        "    gzip_types application/vnd.apache.parquet application/octet-stream;\n")


def no_ranges(text):
    return text.replace("    gzip off;\n", "    gzip off;\n    max_ranges 0;\n")


def body_filter(text):
    # A filter that may rewrite the body (as proxies that inject or rewrite
    # content do) drops Content-Length and ranges.
    return text.replace("    gzip off;\n",
                        "    gzip off;\n    sub_filter_types application/vnd.apache.parquet;\n"
                        "    sub_filter 'ducksite-doctor-never' 'x';\n")


# nginx set up wrong: (name, change to the exported configuration, the
# verdicts expected on the fixture's a.parquet, a line the report must hold).
WRONG = [
    ("gzip", gzip_on_parquet,
     [("data-encoding", "FAIL"), ("range", "FAIL"), ("head-range", "FAIL")],
     r"^        fix: .*gzip_types"),
    ("max_ranges", no_ranges,
     [("head-range", "FAIL"), ("range", "FAIL"), ("range-tail", "FAIL"), ("range-416", "warn"),
      ("data-encoding", "ok")],
     r"^  FAIL  range .*answered 200: DuckDB-Wasm downloads the whole file"),
    ("length", body_filter,
     [("head-range", "FAIL"), ("range", "FAIL")],
     r"^  FAIL  head-range .*without Content-Length"),
]

# A proxy in front that drops Range from HEAD requests: HEAD is then 200.
HEAD_PROXY = """
map $request_method $doctor_range {
    HEAD "";
    default $http_range;
}
server {
    listen 127.0.0.1:FRONT;
    location / {
        proxy_pass http://127.0.0.1:UPSTREAM;
        proxy_set_header Range $doctor_range;
    }
}
"""

# Data on another origin with the CORS headers DuckDB-Wasm needs.
CORS_PROXY = """
server {
    listen 127.0.0.1:FRONT;
    location / {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $http_origin always;
            add_header Access-Control-Allow-Methods "GET, HEAD" always;
            add_header Access-Control-Allow-Headers "Range, If-Range" always;
            add_header Access-Control-Max-Age 3600 always;
            return 204;
        }
        proxy_pass http://127.0.0.1:UPSTREAM;
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Expose-Headers "Content-Range, Content-Length, Accept-Ranges, ETag" always;
    }
}
"""


def run_nginx(nginx, work, ducksite, root, serve_port):
    a = DATA[0]

    site = Site(nginx, work, ducksite, root, "good")
    if site.ready:
        try:
            url = "http://127.0.0.1:%d/" % site.port
            rc, out, err = doctor(ducksite, url)
            all_ok("nginx (exported)", rc, out, err)
            # Data on another origin without CORS: ducksite serve sends none.
            other = "http://127.0.0.1:%d%s" % (serve_port, a)
            rc, out, err = doctor(ducksite, url, "--data", other, "--max-files", "1")
            check(rc == 1, "data on another origin without CORS: exit %d" % rc)
            expect("no CORS", out, other, "cors", "FAIL")
            expect("no CORS", out, other, "range", "ok")
        finally:
            site.stop()

    for name, edit, lines, said in WRONG:
        site = Site(nginx, work, ducksite, root, name, edit)
        if not site.ready:
            continue
        try:
            rc, out, err = doctor(ducksite, "http://127.0.0.1:%d/" % site.port)
            check(rc == 1 and "checks failed" in err, "%s: exit %d %s" % (name, rc, err))
            for check_name, verdict in lines:
                expect(name, out, a, check_name, verdict)
            check(re.search(said, out, re.M), "%s: no line matches %r\n%s" % (name, said, out))
        finally:
            site.stop()

    site = Site(nginx, work, ducksite, root, "head", extra=HEAD_PROXY)
    if site.ready:
        try:
            page = "http://127.0.0.1:%d/" % site.front
            rc, out, err = doctor(ducksite, page)
            check(rc == 0, "HEAD stripped: exit %d (warnings only)\n%s%s" % (rc, out, err))
            expect("HEAD stripped", out, a, "head-range", "warn")
            expect("HEAD stripped", out, a, "range", "ok")
            # Not a Ducksite page: DuckDB-Wasm without allowFullHTTPReads fails.
            rc, out, err = doctor(ducksite, page + "assets/ducksite.css", "--data", a)
            check(rc == 1, "HEAD stripped, --data: exit %d" % rc)
            expect("HEAD stripped, --data", out, a, "head-range", "FAIL")
        finally:
            site.stop()

    site = Site(nginx, work, ducksite, root, "cors", extra=CORS_PROXY)
    if site.ready:
        try:
            other = "http://127.0.0.1:%d%s" % (site.front, a)
            rc, out, err = doctor(ducksite, "http://127.0.0.1:%d/" % site.port, "--data", other,
                                  "--max-files", "1")
            expect("CORS", out, other, "cors", "ok")
            expect("CORS", out, other, "range", "ok")
            check(rc == 0, "CORS: exit %d\n%s%s" % (rc, out, err))
        finally:
            site.stop()


# The lake: 120 one-row files in year=2000..2003 folders; the page reads
# one year of the view through its published list.
LAKE_YEARS = (2000, 2001, 2002, 2003)
LAKE_LIST = "/sql/_files/lake.json"
LAKE_SAMPLE = ["/data/lake/year=2000/part-0000.parquet", "/data/lake/year=2002/part-0000.parquet",
               "/data/lake/year=2003/part-0029.parquet"]


def make_lake(work, ducksite, ds_sql):
    root = os.path.join(work, "lake-project")
    for y in LAKE_YEARS:
        os.makedirs(os.path.join(root, "lake", "year=%d" % y))
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "make.sql"), "w") as f:
        for y in LAKE_YEARS:
            for k in range(30):
                f.write("COPY (SELECT %d AS id) TO 'lake/year=%d/part-%04d.parquet' "
                        "(FORMAT parquet);\n" % (k, y, k))
    r = subprocess.run([ds_sql, "make.sql"], cwd=root, capture_output=True, text=True)
    check(r.returncode == 0, "lake files: %s" % r.stderr)
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "lake"\nupstream_glob = "lake/**/*.parquet"\n')
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write("# Lake\n\n```sql n\nSELECT count(*) AS n FROM lake WHERE year = 2001\n```\n\n"
                "```table n\nquery: n\n```\n")
    r = subprocess.run([ducksite, "build", "--root", root], capture_output=True, text=True,
                       timeout=300)
    check(r.returncode == 0, "lake build: %s" % r.stderr)
    return root


def lake_ok(name, url, ducksite):
    """Every check of the lake page ok, with the list's lines and the sample."""
    rc, out, err = doctor(ducksite, url)
    all_ok(name, rc, out, err)
    expect(name, out, LAKE_LIST, "file-list", "ok")
    expect(name, out, LAKE_LIST, "file-list-encoding", "ok")
    check(re.search(r"^  ok +file-list +200, JSON, 120 files in 1 list of view lake", out, re.M),
          "%s: the list line counts its files\n%s" % (name, out))
    check(re.search(r"^  ok +file-list-encoding +Content-Encoding: gzip, ", out, re.M),
          "%s: the list comes gzipped\n%s" % (name, out))
    for path in LAKE_SAMPLE:
        expect(name, out, path, "range", "ok")


def run_lake(ducksite, nginx, work, ds_sql):
    root = make_lake(work, ducksite, ds_sql)
    lists = os.path.join(root, "static", "sql", "_files")
    proc, port = serve(ducksite, root, "lake serve")
    try:
        url = "http://127.0.0.1:%d/" % port
        lake_ok("lake, ducksite serve", url, ducksite)
        # Without its .gz sidecar the list goes out as it is: slower, works.
        gz = os.path.join(lists, "lake.json.gz")
        os.rename(gz, gz + ".away")
        try:
            rc, out, err = doctor(ducksite, url)
        finally:
            os.rename(gz + ".away", gz)
        check(rc == 0, "no .gz: exit %d (a warning only)\n%s%s" % (rc, out, err))
        expect("no .gz", out, LAKE_LIST, "file-list-encoding", "warn")
        # A list that is not JSON: no query over the view can run.
        doc = os.path.join(lists, "lake.json")
        os.rename(doc, doc + ".away")
        os.rename(gz, gz + ".away")
        try:
            with open(doc, "w") as f:
                f.write("<html>oops</html>")
            rc, out, err = doctor(ducksite, url)
        finally:
            os.replace(doc + ".away", doc)
            os.rename(gz + ".away", gz)
        check(rc == 1, "list not JSON: exit %d" % rc)
        expect("list not JSON", out, LAKE_LIST, "sql", "FAIL")
        check(re.search(r"is not a list document: the queries over view lake cannot run", out),
              "list not JSON: the line says which view\n" + out)
    finally:
        check(stop(proc) == 0, "lake serve exit code")
    site = Site(nginx, work, ducksite, root, "lake")
    if site.ready:
        try:
            lake_ok("lake, nginx (exported)", "http://127.0.0.1:%d/" % site.port, ducksite)
        finally:
            site.stop()


def main():
    got = start(__doc__, "ds-doctor-")
    if isinstance(got, int):
        return got
    ducksite, nginx, work, root, _ = got
    try:
        run_serve(ducksite, root)
        # The no-CORS case needs a second origin without CORS headers: a
        # server of our own again.
        proc, serve_port = serve(ducksite, root, "second serve")
        try:
            run_nginx(nginx, work, ducksite, root, serve_port)
        finally:
            check(stop(proc) == 0, "serve exit code")
        run_lake(ducksite, nginx, work, os.path.abspath(sys.argv[2]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("doctor: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
