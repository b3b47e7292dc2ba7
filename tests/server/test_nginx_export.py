#!/usr/bin/env python3
"""test_nginx_export.py - a built site served by a real nginx through the
configuration `ducksite export --nginx` writes, with DuckDB-Wasm's HTTP
handshake checked against it; and `ducksite export --tree` over the same site.

Usage: test_nginx_export.py DUCKSITE_BINARY DS_SQL_BINARY

A project over a lake in a temporary folder with two sources: "sales", whose
lake folder holds only mapped files (served by an nginx alias), and
"events", whose folder also holds a file the map does not publish (served
through the generated nginx map, and that file must stay unreachable).
nginx (Debian's, from scripts/setup) runs as the current user with its pid,
logs and temporary folders under the test's folder, on 127.0.0.1 and a free
port, and is stopped by its PID.  Without nginx the test FAILS: it never
passes by skipping.  Prints "nginx export: N passed, M failed".
"""
import gzip
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from helpers import make_parquet, request, stop

PAGE = "# Sales\n\n```sql total\nSELECT count(*) AS n FROM sales\n```\n\n```table total\n```\n"

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def find_nginx():
    found = shutil.which("nginx")
    for path in (found, "/usr/sbin/nginx"):
        if path and os.access(path, os.X_OK):
            return path
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_project(work, ds_sql):
    root = os.path.join(work, "site")
    lake = os.path.join(work, "lake")
    make_parquet(ds_sql, os.path.join(lake, "sales", "a.parquet"), 50000)
    make_parquet(ds_sql, os.path.join(lake, "sales", "b.parquet"), 10)
    make_parquet(ds_sql, os.path.join(lake, "events", "e.parquet"), 20000)
    with open(os.path.join(lake, "events", "notes.txt"), "w") as f:
        f.write("not published\n")
    # A lake file that is a symlink, published through the map.
    os.symlink(os.path.join(lake, "sales", "b.parquet"), os.path.join(lake, "events", "l.parquet"))
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[[file_sources]]\nname = "sales"\nupstream_glob = "%s/sales/*.parquet"\n\n'
                '[[file_sources]]\nname = "events"\nupstream_glob = "%s/events/*.parquet"\n'
                % (lake, lake))
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE)
    return root, lake


def nginx_conf(prefix, site_conf):
    # As root, nginx would hand its workers to "nobody", who cannot read
    # the test's private temporary folder: keep the current user.
    user = ""
    if os.geteuid() == 0:
        user = "user %s;\n" % pwd.getpwuid(os.geteuid()).pw_name
    temps = "".join("    %s_temp_path %s;\n" % (k, os.path.join(prefix, "tmp", k))
                    for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return ("%sworker_processes 1;\npid %s;\nerror_log %s warn;\n"
            "events {\n    worker_connections 64;\n}\n"
            "http {\n    access_log %s;\n%s    include %s;\n}\n"
            % (user, os.path.join(prefix, "nginx.pid"), os.path.join(prefix, "error.log"),
               os.path.join(prefix, "access.log"), temps, site_conf))


class Nginx:
    def __init__(self, binary, prefix, conf):
        self.prefix = prefix
        self.pidfile = os.path.join(prefix, "nginx.pid")
        self.proc = subprocess.Popen([binary, "-c", conf, "-p", prefix + "/", "-g", "daemon off;"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_ready(self, port, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self):
        # -g 'daemon off;' keeps the master in the foreground: its PID is ours.
        stop(self.proc)
        return self.proc.stdout.read()


def handshake(port, key, physical):
    """DuckDB-Wasm's handshake on one data-map key (docs/server.md)."""
    with open(physical, "rb") as f:
        data = f.read()
    n = len(data)
    url = "/" + key
    status, h, body = request(port, url, {"Range": "bytes=0-"}, method="HEAD")
    check(status == 206, "%s HEAD Range bytes=0-: %d, want 206" % (key, status))
    check(h.get("content-length") == str(n),
          "%s HEAD Content-Length %s, want %d" % (key, h.get("content-length"), n))
    check(h.get("content-range") == "bytes 0-%d/%d" % (n - 1, n),
          "%s HEAD Content-Range %s" % (key, h.get("content-range")))
    check(body == b"", "%s HEAD has a body" % key)
    etag = h.get("etag")
    check(bool(etag) and not etag.startswith("W/"), "%s strong ETag: %s" % (key, etag))
    check(h.get("content-type") == "application/vnd.apache.parquet",
          "%s Content-Type %s" % (key, h.get("content-type")))
    check(h.get("cache-control") == "no-cache", "%s Cache-Control %s" % (key, h.get("cache-control")))

    status, h, body = request(port, url, {"Range": "bytes=100-4195", "Accept-Encoding": "gzip"})
    check(status == 206 and body == data[100:4196],
          "%s ranged GET: %d, %d bytes, want 206 with bytes 100-4195" % (key, status, len(body)))
    check("content-encoding" not in h, "%s ranged GET compressed: %s" % (key, h))
    status, h, body = request(port, url, {"Range": "bytes=-10"})
    check(status == 206 and body == data[-10:], "%s suffix range: %d" % (key, status))

    status, h, body = request(port, url, {"Range": "bytes=5-9", "If-Range": etag})
    check(status == 206 and body == data[5:10], "%s If-Range with the ETag: %d" % (key, status))
    status, h, body = request(port, url, {"Range": "bytes=5-9", "If-Range": '"other"'})
    check(status == 200 and body == data, "%s If-Range with another ETag: %d, want 200" % (key, status))

    status, h, _ = request(port, url, {"Range": "bytes=%d-" % n})
    check(status == 416, "%s range past the end: %d, want 416" % (key, status))
    check(h.get("content-range") == "bytes */%d" % n, "%s 416 Content-Range %s" % (key, h))

    status, h, body = request(port, url, {"Accept-Encoding": "gzip"})
    check(status == 200 and body == data and "content-encoding" not in h,
          "%s whole GET: %d, %d bytes" % (key, status, len(body)))
    status, _, _ = request(port, url, {"If-None-Match": etag})
    check(status == 304, "%s If-None-Match: %d, want 304" % (key, status))


def served(port, static, lake):
    status, h, body = request(port, "/index.html")
    check(status == 200 and b"<html" in body.lower(), "index.html: %d" % status)
    check("wasm-unsafe-eval" in h.get("content-security-policy", ""), "CSP on a page: %s" % h)
    check(h.get("x-content-type-options") == "nosniff", "nosniff on a page")
    check(h.get("referrer-policy") == "no-referrer", "Referrer-Policy on a page")
    check(h.get("cache-control") == "no-cache", "page Cache-Control %s" % h.get("cache-control"))
    status, _, _ = request(port, "/")
    check(status == 200, "/ (index.html): %d" % status)

    status, h, _ = request(port, "/assets/duckdb-test.wasm")
    check(status == 200 and h.get("content-type") == "application/wasm",
          ".wasm: %d %s" % (status, h.get("content-type")))
    status, h, body = request(port, "/assets/app.js", {"Accept-Encoding": "gzip"})
    check(status == 200 and h.get("content-encoding") == "gzip"
          and gzip.decompress(body) == b"console.log(1);\n",
          "gzip sidecar: %d %s" % (status, h.get("content-encoding")))
    check(h.get("content-type") == "text/javascript", "app.js type %s" % h.get("content-type"))
    status, h, body = request(port, "/assets/app.js")
    check(status == 200 and body == b"console.log(1);\n" and "content-encoding" not in h,
          "identity without Accept-Encoding: %d %s" % (status, h))
    status, h, _ = request(port, "/assets/app.3f9a1c2e.js")
    check(h.get("cache-control") == "public, max-age=31536000, immutable",
          "hashed asset Cache-Control %s" % h.get("cache-control"))
    status, h, _ = request(port, "/assets/app.js?v=12")
    check(h.get("cache-control") == "public, max-age=31536000, immutable",
          "?v= asset Cache-Control %s" % h.get("cache-control"))

    status, h, body = request(port, "/data/extra.csv")
    check(status == 200 and body == b"a,b\n1,2\n" and h.get("cache-control") == "no-cache",
          "a file under static/data/: %d %s" % (status, h))
    check(h.get("content-type", "").startswith("text/csv"), "csv type %s" % h.get("content-type"))
    for path in ("/data_map.json", "/data_map.json.tmp.12", "/data_map_meta.json", "/.secret",
                 "/.ducksite-outputs.json", "/assets/.hidden.js", "/_results/_index.json",
                 "/_results/", "/_results/other.txt", "/data/events/notes.txt",
                 "/data/sales/../../data_map.json", "/data/nope.parquet", "/data/out.csv"):
        status, h, body = request(port, path)
        check(status != 200 and status < 500, "%s: %d, must not be served" % (path, status))
        check(b"private" not in body, "%s leaked a private file" % path)
    status, h, _ = request(port, "/.secret")
    check("content-security-policy" in h, "404 carries the security headers: %s" % h)
    # Put in the aliased lake folder after the export: still refused.  The
    # folder's times are put back, so the stored results stay fresh.
    folder = os.stat(os.path.join(lake, "sales"))
    for name in (".secret", "data_map.json", "data_map_meta.json.1"):
        with open(os.path.join(lake, "sales", name), "w") as f:
            f.write("private\n")
        status, h, body = request(port, "/data/sales/" + name)
        check(status == 404 and b"private" not in body and h.get("cache-control") == "no-cache",
              "/data/sales/%s added to the alias folder: %d %s" % (name, status, h))
        os.unlink(os.path.join(lake, "sales", name))
    os.utime(os.path.join(lake, "sales"), ns=(folder.st_atime_ns, folder.st_mtime_ns))
    # Stored results fresh at the export are served, from their .gz
    # sidecars (a page over more files than the browser fetches needs
    # them); the .gz by its own name is not.
    results = [n for n in os.listdir(os.path.join(static, "_results")) if n.endswith(".json")
               and n != "_index.json"]
    check(len(results) > 0, "the build stored results")
    for name in results:
        with open(os.path.join(static, "_results", name), "rb") as f:
            want = f.read()
        status, h, body = request(port, "/_results/" + name, {"Accept-Encoding": "gzip"})
        check(status == 200 and h.get("content-encoding") == "gzip"
              and gzip.decompress(body) == want and h.get("cache-control") == "no-cache"
              and h.get("content-type") == "application/json",
              "stored result %s under nginx: %d %s" % (name, status, h))
        status, h, _ = request(port, "/_results/" + name + ".gz")
        check(status == 404 and h.get("cache-control") == "no-store",
              "stored result %s.gz by name: %d %s" % (name, status, h.get("cache-control")))
    # The site's own JSON (assets, search index) from its .gz sidecar, as
    # `ducksite serve` sends it; a data file's .gz never.
    for path in ("/assets/map.json", "/_search.json"):
        with open(os.path.join(static, path[1:]), "rb") as f:
            want = f.read()
        status, h, body = request(port, path, {"Accept-Encoding": "gzip"})
        check(status == 200 and h.get("content-encoding") == "gzip"
              and gzip.decompress(body) == want, "%s from its .gz: %d %s" % (path, status, h))
    status, h, body = request(port, "/data/extra.csv", {"Accept-Encoding": "gzip"})
    check(status == 200 and "content-encoding" not in h, "data from a .gz: %d %s" % (status, h))


def tree_checks(ducksite, root, static, lake, work):
    out = os.path.join(work, "tree")
    r = subprocess.run([ducksite, "export", "--root", root, "--tree", out], capture_output=True,
                       text=True)
    check(r.returncode == 0, "export --tree: %s" % r.stderr)
    link = os.path.join(out, "data", "sales", "a.parquet")
    check(os.path.islink(link) and os.readlink(link) == os.path.join(lake, "sales", "a.parquet"),
          "tree: data file is an absolute symlink to the lake")
    check(os.path.isfile(os.path.join(out, "index.html"))
          and not os.path.islink(os.path.join(out, "index.html")), "tree: index.html copied")
    for rel in ("data_map.json", ".secret", ".ducksite-outputs.json", "_results/_index.json",
                "_results/other.txt", "data/events/notes.txt", "data/out.csv"):
        check(not os.path.lexists(os.path.join(out, rel)), "tree: %s must not be there" % rel)
    results = sorted(n for n in os.listdir(os.path.join(static, "_results"))
                     if n.endswith((".json", ".json.gz")) and not n.startswith("_"))
    got = sorted(os.listdir(os.path.join(out, "_results")))
    check(got == results, "tree: the fresh stored results %s, got %s" % (results, got))
    # A lake file rewritten after the build: the results that read it are
    # stale and stay out of the next export.
    sales = os.path.join(lake, "sales", "b.parquet")
    st = os.stat(sales)
    os.utime(sales, ns=(st.st_atime_ns, st.st_mtime_ns + 1000000000))
    r = subprocess.run([ducksite, "export", "--root", root, "--tree", out], capture_output=True,
                       text=True)
    check(r.returncode == 0 and "left out %d stored result files" % len(results) in r.stdout,
          "export --tree after a lake change: %s %s" % (r.stdout, r.stderr))
    check(not os.path.exists(os.path.join(out, "_results")) or
          os.listdir(os.path.join(out, "_results")) == [], "tree: stale results left out")
    conf = os.path.join(work, "stale.conf")
    r = subprocess.run([ducksite, "export", "--root", root, "--nginx", conf], capture_output=True,
                       text=True)
    n = len([x for x in results if x.endswith(".json")])
    check(r.returncode == 0 and "left out %d stored results" % n in r.stdout
          and not re.search(r'"/_results/[0-9a-f]{16}\.json" 1;', open(conf).read()),
          "export --nginx after a lake change: stale results not served: %s %s"
          % (r.stdout, r.stderr))
    # A lake file only its owner may read: nginx's workers (another user)
    # would answer 403, so the export warns, naming it.
    check("cannot be read by other users" not in r.stderr,
          "export --nginx: no warning about readable files: %s" % r.stderr)
    os.chmod(sales, 0o600)
    try:
        r = subprocess.run([ducksite, "export", "--root", root, "--nginx", conf],
                           capture_output=True, text=True)
    finally:
        os.chmod(sales, 0o644)
    with open(os.path.join(root, "static", "data_map.json")) as f:
        closed = [k for k, p in sorted(json.load(f).items())
                  if os.path.realpath(p) == os.path.realpath(sales)]
    check(r.returncode == 0 and len(closed) >= 1
          and "%d of the data map's" % len(closed) in r.stderr
          and "cannot be read by other users (first: " in r.stderr
          and " for %s)" % closed[0] in r.stderr and "chmod o+r" in r.stderr,
          "export --nginx: the files others cannot read (%r) are named: %s" % (closed, r.stderr))
    r = subprocess.run([ducksite, "export", "--root", root, "--tree", out, "--copy"],
                       capture_output=True, text=True)
    check(r.returncode == 0, "export --tree again with --copy: %s" % r.stderr)
    check(not os.path.islink(link) and open(link, "rb").read()
          == open(os.path.join(lake, "sales", "a.parquet"), "rb").read(),
          "tree --copy: the data file is a copy")


def start(doc, prefix):
    """The command line (DUCKSITE DS_SQL), nginx, a fresh work folder and
    the fixture project built in it: (ducksite, nginx, work, root, lake),
    or an exit code after saying why (and removing the folder)."""
    if len(sys.argv) != 3:
        print(doc)
        return 2
    ducksite, ds_sql = map(os.path.abspath, sys.argv[1:])
    nginx = find_nginx()
    if not nginx:
        print("FAIL: nginx is not installed; run scripts/setup (it installs Debian's nginx)")
        return 1
    work = tempfile.mkdtemp(prefix=prefix)
    # Open to other users, as a lake nginx's workers read must be
    # (mkdtemp makes it 0700; the export warns about files others cannot read).
    os.chmod(work, 0o755)
    root, lake = make_project(work, ds_sql)
    r = subprocess.run([ducksite, "build", "--root", root], capture_output=True, text=True,
                       timeout=600)
    if r.returncode != 0:
        print("FAIL: build: " + r.stderr)
        shutil.rmtree(work, ignore_errors=True)
        return 1
    return ducksite, nginx, work, root, lake


def main():
    got = start(__doc__, "ds-nginx-")
    if isinstance(got, int):
        return got
    ducksite, nginx, work, root, lake = got
    try:
        static = os.path.join(root, "static")
        assets = os.path.join(static, "assets")
        os.makedirs(assets, exist_ok=True)
        with open(os.path.join(assets, "duckdb-test.wasm"), "wb") as f:
            f.write(b"\0asm\1\0\0\0")
        with open(os.path.join(assets, "app.js"), "wb") as f:
            f.write(b"console.log(1);\n")
        with open(os.path.join(assets, "app.js.gz"), "wb") as f:
            f.write(gzip.compress(b"console.log(1);\n"))
        with open(os.path.join(assets, "app.3f9a1c2e.js"), "wb") as f:
            f.write(b"1;\n")
        with open(os.path.join(assets, "map.json"), "wb") as f:
            f.write(b'{"type": "FeatureCollection"}\n')
        with open(os.path.join(assets, "map.json.gz"), "wb") as f:
            f.write(gzip.compress(b'{"type": "FeatureCollection"}\n'))
        # A file under static/data/ that is no key: served from static/, as
        # by the server.
        os.makedirs(os.path.join(static, "data"), exist_ok=True)
        with open(os.path.join(static, "data", "extra.csv"), "w") as f:
            f.write("a,b\n1,2\n")
        with open(os.path.join(static, "data", "extra.csv.gz"), "wb") as f:
            f.write(gzip.compress(b"a,b\n1,2\n"))
        # A symlink under static/data/ out of static/: the server does not
        # follow it, nor may nginx.
        os.symlink(os.path.join(lake, "events", "notes.txt"),
                   os.path.join(static, "data", "out.csv"))
        for name in (".secret", "assets/.hidden.js"):
            with open(os.path.join(static, name), "w") as f:
                f.write("private\n")
        # The build's _results/_index.json stays: the tree checks freshness with it.
        with open(os.path.join(static, "_results", "other.txt"), "w") as f:
            f.write('{"private": true}\n')

        port = free_port()
        prefix = os.path.join(work, "nginx")
        os.makedirs(os.path.join(prefix, "tmp"))
        site_conf = os.path.join(prefix, "site.conf")
        r = subprocess.run([ducksite, "export", "--root", root, "--nginx", site_conf,
                            "--listen", "127.0.0.1:%d" % port], capture_output=True, text=True)
        check(r.returncode == 0 and "wrote " in r.stdout, "export --nginx: %s" % r.stderr)
        conf_text = open(site_conf).read()
        check(len(re.findall(r'"/_results/[0-9a-f]{16}\.json" 1;', conf_text)) > 0,
              "the fresh stored results are in the configuration's map")
        check('location ^~ "/data/sales/"' in conf_text, "sales is served by an alias")
        check('"/data/events/e.parquet"' in conf_text and "/data/events/\"" not in conf_text,
              "events goes through the map (its folder holds an unmapped file)")
        conf = os.path.join(prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(prefix, site_conf))

        server = Nginx(nginx, prefix, conf)
        try:
            if not server.wait_ready(port):
                print("FAIL: nginx did not start:\n" + server.stop())
                return 1
            handshake(port, "data/sales/a.parquet", os.path.join(lake, "sales", "a.parquet"))
            handshake(port, "data/events/e.parquet", os.path.join(lake, "events", "e.parquet"))
            handshake(port, "data/events/l.parquet", os.path.join(lake, "sales", "b.parquet"))
            served(port, static, lake)
        finally:
            log = server.stop()
            check(server.proc.returncode == 0, "nginx exit %s: %s" % (server.proc.returncode, log))
        tree_checks(ducksite, root, static, lake, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("nginx export: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
