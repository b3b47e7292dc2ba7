#!/usr/bin/env python3
"""test_serve.py - `ducksite serve` end to end, over real HTTP.

Usage: test_serve.py PATH/TO/ducksite

Builds a small site in a temporary directory (static files, a data map
pointing outside static/, gzip sidecars, symlinks), starts `ducksite serve
--port 0 --access-log` on 127.0.0.1, and checks: the DuckDB-Wasm handshake
rows, conditional requests, what is never served, 405, MIME types, gzip
negotiation, the cache policy, ETag changes after a file is replaced, the live
data-map swap and a malformed map being ignored, malformed requests, startup
errors, and a clean exit on SIGTERM (under ASan: with no report).  The server
is always stopped by its own PID, also when a check fails.  No check depends
on timing; waits have generous deadlines and only guard against hanging.
"""
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

DEADLINE = 60.0  # seconds any single wait may take before we give up


class Server:
    """A running `ducksite serve` with its output collected by threads."""

    def __init__(self, binary, root, extra=()):
        self.proc = subprocess.Popen(
            [binary, "serve", "--root", root, "--port", "0", "--access-log", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.out, self.err = [], []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._drain, args=(self.proc.stdout, self.out), daemon=True),
                        threading.Thread(target=self._drain, args=(self.proc.stderr, self.err), daemon=True)]
        for t in self.threads:
            t.start()
        self.port = None
        line = self.wait_for(self.out, r"^serving .* at http://127\.0\.0\.1:(\d+)/$")
        self.port = int(re.search(r":(\d+)/$", line).group(1))

    def _drain(self, stream, lines):
        for line in stream:
            with self.lock:
                lines.append(line.rstrip("\n"))

    def wait_for(self, lines, pattern, start=0):
        """Returns the first line at index >= START matching PATTERN."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            with self.lock:
                for line in lines[start:]:
                    if re.search(pattern, line):
                        return line
            if self.proc.poll() is not None and not any(t.is_alive() for t in self.threads):
                break
            time.sleep(0.02)
        raise AssertionError("no line matching %r; stdout=%r stderr=%r" %
                             (pattern, self.out[-20:], self.err[-20:]))

    def stop(self):
        """SIGTERM by PID, then wait; kills after the deadline."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for t in self.threads:
            t.join(DEADLINE)
        return self.proc.returncode


def request(port, method, path, headers=None, conn=None):
    """One request; returns (status, headers dict (lower-case names), body)."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE)
    c.putrequest(method, path, skip_accept_encoding=True,
                 skip_host=any(k.lower() == "host" for k in (headers or {})))
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    if own:
        c.close()
    return r.status, hdrs, body


def raw(port, data):
    """Sends raw bytes, returns everything the server sends before closing."""
    s = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before reading it all
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, OSError):
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks)
    finally:
        s.close()


def write_atomic(path, data):
    tmp = path + ".tmp-test"
    with open(tmp, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


class Site:
    def __init__(self, base):
        self.root = os.path.join(base, "project")
        self.static = os.path.join(self.root, "static")
        self.lake = os.path.join(base, "lake")
        os.makedirs(os.path.join(self.static, "sub"))
        os.makedirs(os.path.join(self.static, "empty_dir"))
        os.makedirs(os.path.join(self.static, ".git"))
        os.makedirs(os.path.join(self.static, "assets"))
        os.makedirs(self.lake)
        self.parquet = bytes((i * 7 + 3) % 256 for i in range(100000))
        self.other = b"OTHER" * 1000
        with open(os.path.join(self.lake, "a.parquet"), "wb") as f:
            f.write(self.parquet)
        with open(os.path.join(self.lake, "b.parquet"), "wb") as f:
            f.write(self.other)
        with open(os.path.join(base, "secret.txt"), "w") as f:
            f.write("outside static")
        files = {
            "index.html": "<!doctype html><p>home</p>\n",
            "sub/index.html": "<p>sub</p>\n",
            "app.js": "console.log('app');\n" * 50,
            "mod.mjs": "export const x = 1;\n",
            "style.css": "body { color: black }\n" * 40,
            "logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
            "engine.wasm": "\0asm\1\0\0\0",
            "sql/_manifest.json": json.dumps({"views": {}}),
            "t.csv": "a,b\n1,2\n",
            "local.parquet": "PAR1" + "x" * 100 + "PAR1",
            "assets/app.3f9a1c2e.js": "hashed();\n",
            "stale.js": "fresh content\n" * 20,
            ".env": "SECRET=1\n",
            ".git/config": "[core]\n",
            "data_map_meta.json": json.dumps({"row_filters": {}}),
            "a\\b.html": "backslash name\n",
        }
        for rel, text in files.items():
            path = os.path.join(self.static, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        # gzip sidecars: a fresh one for app.js, a stale one for stale.js
        for rel in ("app.js", "stale.js"):
            src = os.path.join(self.static, rel)
            with open(src, "rb") as f, gzip.open(src + ".gz", "wb") as g:
                g.write(f.read())
        now = time.time()
        os.utime(os.path.join(self.static, "stale.js.gz"), (now - 3600, now - 3600))
        os.utime(os.path.join(self.static, "stale.js"), (now, now))
        # symlinks: one inside (served), several that leave static/ (never)
        os.symlink("index.html", os.path.join(self.static, "inside_link.html"))
        os.symlink(os.path.join(base, "secret.txt"), os.path.join(self.static, "abs_out.txt"))
        os.symlink("../../secret.txt", os.path.join(self.static, "rel_out.txt"))
        os.symlink("..", os.path.join(self.static, "up"))
        os.symlink(".env", os.path.join(self.static, "env_link.txt"))
        self.write_map({"data/x/a.parquet": os.path.join(self.lake, "a.parquet"),
                        "data/x/missing.parquet": os.path.join(self.lake, "nope.parquet")})

    def write_map(self, mapping):
        text = "{" + ",".join("\n  %s: %s" % (json.dumps(k), json.dumps(v))
                              for k, v in sorted(mapping.items())) + "\n}\n"
        write_atomic(os.path.join(self.static, "data_map.json"), text)


# ---------------------------------------------------------------- handshake

@check
def handshake_head_range_zero(srv, site):
    st, h, body = request(srv.port, "HEAD", "/data/x/a.parquet", {"Range": "bytes=0-"})
    n = len(site.parquet)
    assert st == 206, st
    assert body == b"", body
    assert h["content-length"] == str(n), h
    assert h["content-range"] == "bytes 0-%d/%d" % (n - 1, n), h
    assert h["accept-ranges"] == "bytes", h
    assert "last-modified" in h and "etag" in h, h
    assert h["etag"].startswith('"'), h  # strong


@check
def handshake_first_byte(srv, site):
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-0"})
    assert st == 206 and h["content-length"] == "1", (st, h)
    assert h["content-range"] == "bytes 0-0/%d" % len(site.parquet), h
    assert body == site.parquet[:1]


@check
def handshake_ranges(srv, site):
    n = len(site.parquet)
    for a, b in [(0, 99), (12345, 23456), (n - 10, n - 1), (5, 5), (n - 1, n - 1)]:
        st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=%d-%d" % (a, b)})
        assert st == 206, (a, b, st)
        assert body == site.parquet[a:b + 1], (a, b)
        assert h["content-range"] == "bytes %d-%d/%d" % (a, b, n), h
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=99000-"})
    assert st == 206 and body == site.parquet[99000:], st
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=-8"})
    assert st == 206 and body == site.parquet[-8:], st
    assert h["content-range"] == "bytes %d-%d/%d" % (n - 8, n - 1, n), h
    # last-pos past the end is clamped
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=%d-%d" % (n - 5, n + 500)})
    assert st == 206 and body == site.parquet[-5:], st
    # ranges of files under static/ too
    st, h, body = request(srv.port, "GET", "/local.parquet", {"Range": "bytes=0-3"})
    assert st == 206 and body == b"PAR1", (st, body)


@check
def handshake_unsatisfiable(srv, site):
    n = len(site.parquet)
    for r in ["bytes=%d-" % n, "bytes=%d-%d" % (n + 10, n + 20), "bytes=-0"]:
        st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": r})
        assert st == 416, (r, st)
        assert h["content-range"] == "bytes */%d" % n, h
    st, h, _ = request(srv.port, "HEAD", "/data/x/a.parquet", {"Range": "bytes=%d-" % n})
    assert st == 416 and h["content-range"] == "bytes */%d" % n, (st, h)


@check
def handshake_conditionals(srv, site):
    st, h, _ = request(srv.port, "GET", "/data/x/a.parquet")
    assert st == 200 and h["cache-control"] == "no-cache", h
    etag, lm = h["etag"], h["last-modified"]
    for extra in [{}, {"Range": "bytes=0-9"}]:
        st, h2, body = request(srv.port, "GET", "/data/x/a.parquet", dict({"If-None-Match": etag}, **extra))
        assert st == 304 and body == b"", (extra, st)
        assert h2["etag"] == etag, h2
        st, h2, body = request(srv.port, "GET", "/data/x/a.parquet", dict({"If-Modified-Since": lm}, **extra))
        assert st == 304 and body == b"", (extra, st)
    st, _, _ = request(srv.port, "HEAD", "/data/x/a.parquet", {"If-None-Match": etag})
    assert st == 304
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-None-Match": 'W/' + etag})
    assert st == 304  # weak comparison for If-None-Match
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-None-Match": '"other", ' + etag})
    assert st == 304
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-None-Match": "*"})
    assert st == 304
    # If-None-Match takes precedence over a matching If-Modified-Since
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"If-None-Match": '"nope"', "If-Modified-Since": lm})
    assert st == 200 and body == site.parquet, st
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert st == 200
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-Modified-Since": "not a date"})
    assert st == 200


@check
def handshake_if_range(srv, site):
    st, h, _ = request(srv.port, "HEAD", "/data/x/a.parquet")
    etag, lm = h["etag"], h["last-modified"]
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=10-19", "If-Range": etag})
    assert st == 206 and body == site.parquet[10:20], st
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=10-19", "If-Range": lm})
    assert st == 206 and body == site.parquet[10:20], st
    for bad in ['"stale"', "W/" + etag, "Thu, 01 Jan 1970 00:00:00 GMT"]:
        st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=10-19", "If-Range": bad})
        assert st == 200 and body == site.parquet, (bad, st)
        assert "content-range" not in h, h


@check
def multiple_ranges_give_whole_file(srv, site):
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-9,20-29"})
    assert st == 200 and body == site.parquet, st
    # and an invalid Range header is ignored
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=9-5"})
    assert st == 200 and body == site.parquet, st
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "pages=1-2"})
    assert st == 200


@check
def head_matches_get(srv, site):
    for path in ["/data/x/a.parquet", "/index.html", "/app.js", "/t.csv"]:
        for hdrs in [{}, {"Range": "bytes=1-3"}, {"Accept-Encoding": "gzip"}]:
            sg, hg, bg = request(srv.port, "GET", path, hdrs)
            sh, hh, bh = request(srv.port, "HEAD", path, hdrs)
            assert sg == sh and bh == b"", (path, hdrs, sg, sh)
            hg.pop("date", None)
            hh.pop("date", None)
            assert hg == hh, (path, hdrs, hg, hh)
            assert hg["content-length"] == str(len(bg)), (path, hg)


# ---------------------------------------------------------------- never served

@check
def never_served(srv, site):
    paths = [
        "/data_map.json", "/data_map_meta.json", "/sub/../data_map.json",
        "/.env", "/.git/config", "/.git/", "/sub/.hidden",
        "/../secret.txt", "/..", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd",
        "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/sub%2findex.html",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..\\secret.txt", "/a\\b.html", "/a%5cb.html",
        "/index.html%00.txt", "/%00", "/abs_out.txt", "/rel_out.txt", "/up/secret.txt",
        "/up/project/static/index.html", "/env_link.txt", "/%2eenv", "/data_map.json.tmp.1",
        "/data/x/missing.parquet", "/empty_dir/", "/nothing-here.html",
    ]
    for path in paths:
        for method in ("GET", "HEAD"):
            st, _, body = request(srv.port, method, path)
            assert st in (400, 404), (method, path, st)
            assert b"SECRET" not in body and b"outside static" not in body and b"/lake" not in body, path


@check
def raw_request_attacks(srv, site):
    for target in [b"/../secret.txt", b"/..%2f..%2fsecret.txt", b"/%00", b"/a%00b",
                   b"//../secret.txt", b"/.%2e/secret.txt", b"\\..\\secret.txt", b"/%zz",
                   b"/%", b"secret.txt", b"*", b"http://127.0.0.1/../secret.txt"]:
        resp = raw(srv.port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
        assert m and m.group(1) in (b"400", b"404"), (target, resp[:80])
        assert b"outside static" not in resp, target


@check
def symlink_inside_is_served(srv, site):
    st, _, body = request(srv.port, "GET", "/inside_link.html")
    assert st == 200 and b"home" in body, st


@check
def methods(srv, site):
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"):
        st, h, _ = request(srv.port, method, "/index.html")
        assert st == 405, (method, st)
        assert h.get("allow") == "GET, HEAD", h
    resp = raw(srv.port, b"POST /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello")
    assert resp.startswith(b"HTTP/1.1 405"), resp[:40]


# ---------------------------------------------------------------- types, gzip, cache

@check
def mime_types(srv, site):
    want = {
        "/engine.wasm": "application/wasm", "/app.js": "text/javascript",
        "/mod.mjs": "text/javascript", "/sql/_manifest.json": "application/json",
        "/index.html": "text/html; charset=utf-8", "/style.css": "text/css",
        "/logo.svg": "image/svg+xml", "/local.parquet": "application/vnd.apache.parquet",
        "/data/x/a.parquet": "application/vnd.apache.parquet", "/t.csv": "text/csv",
    }
    for path, ctype in want.items():
        st, h, _ = request(srv.port, "GET", path)
        assert st == 200 and h["content-type"] == ctype, (path, st, h.get("content-type"))


@check
def directories(srv, site):
    st, h, _ = request(srv.port, "GET", "/sub")
    assert st == 301 and h["location"] == "/sub/", (st, h)
    st, _, body = request(srv.port, "GET", "/sub/")
    assert st == 200 and b"sub" in body
    st, _, body = request(srv.port, "GET", "/")
    assert st == 200 and b"home" in body
    st, _, body = request(srv.port, "GET", "/?q=1")
    assert st == 200 and b"home" in body
    st, _, _ = request(srv.port, "GET", "/index.html/")
    assert st == 404


@check
def gzip_sidecars(srv, site):
    with open(os.path.join(site.static, "app.js"), "rb") as f:
        plain = f.read()
    st, h, body = request(srv.port, "GET", "/app.js", {"Accept-Encoding": "gzip, deflate, br"})
    assert st == 200 and h.get("content-encoding") == "gzip", h
    assert gzip.decompress(body) == plain
    assert h["vary"] == "Accept-Encoding" and h["content-type"] == "text/javascript", h
    gz_etag = h["etag"]
    st, h, body = request(srv.port, "GET", "/app.js")
    assert st == 200 and "content-encoding" not in h and body == plain, h
    assert h["vary"] == "Accept-Encoding", h
    assert h["etag"] != gz_etag, "each representation has its own ETag"
    st, h, body = request(srv.port, "GET", "/app.js", {"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in h and body == plain, h
    # a Range always gets identity bytes
    st, h, body = request(srv.port, "GET", "/app.js", {"Accept-Encoding": "gzip", "Range": "bytes=0-6"})
    assert st == 206 and "content-encoding" not in h and body == plain[:7], (st, h)
    # the gzip variant revalidates with its own ETag
    st, h, _ = request(srv.port, "GET", "/app.js", {"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
    assert st == 304 and h["etag"] == gz_etag, (st, h)
    # a sidecar older than its file is not used
    st, h, body = request(srv.port, "GET", "/stale.js", {"Accept-Encoding": "gzip"})
    assert st == 200 and "content-encoding" not in h and body.startswith(b"fresh"), h
    # parquet and data-map files are never compressed, and vary on nothing
    st, h, _ = request(srv.port, "GET", "/data/x/a.parquet", {"Accept-Encoding": "gzip"})
    assert "content-encoding" not in h and "vary" not in h, h


@check
def cache_policy(srv, site):
    def cc(path):
        st, h, _ = request(srv.port, "GET", path)
        assert st == 200, (path, st)
        return h["cache-control"]
    immutable = "public, max-age=31536000, immutable"
    assert cc("/index.html") == "no-cache"
    assert cc("/index.html?v=3") == "no-cache"
    assert cc("/app.js") == "no-cache"
    assert cc("/app.js?v=abc123") == immutable
    assert cc("/assets/app.3f9a1c2e.js") == immutable
    assert cc("/data/x/a.parquet") == "no-cache"
    assert cc("/data/x/a.parquet?v=1") == "no-cache"
    assert cc("/local.parquet") == "no-cache"
    assert cc("/t.csv") == "no-cache"
    assert cc("/sql/_manifest.json?v=2") == "no-cache"


@check
def etag_changes_when_file_changes(srv, site):
    path = os.path.join(site.lake, "a.parquet")
    st, h1, _ = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-3"})
    new = b"NEWDATA!" * 2000
    write_atomic(path, new)  # replaced by rename
    st, h2, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-7"})
    assert st == 206 and body == b"NEWDATA!", (st, body)
    assert h2["etag"] != h1["etag"], (h1["etag"], h2["etag"])
    assert h2["content-range"] == "bytes 0-7/%d" % len(new), h2
    st, _, _ = request(srv.port, "GET", "/data/x/a.parquet", {"If-None-Match": h1["etag"]})
    assert st == 200, "the old ETag no longer matches"
    # rewritten in place (same inode, new size)
    with open(path, "ab") as f:
        f.write(b"MORE")
    st, h3, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=-4"})
    assert st == 206 and body == b"MORE" and h3["etag"] != h2["etag"], (st, body)
    write_atomic(path, site.parquet)
    # a small static page replaced: new bytes and new ETag on the next request
    page = os.path.join(site.static, "sub", "index.html")
    _, p1, _ = request(srv.port, "GET", "/sub/")
    write_atomic(page, "<p>sub v2</p>\n")
    st, p2, body = request(srv.port, "GET", "/sub/")
    assert body == b"<p>sub v2</p>\n" and p2["etag"] != p1["etag"], body


@check
def small_and_large_bodies(srv, site):
    # Bodies up to 16 KB are read and sent with the headers, larger ones
    # with sendfile: either way the file's bytes as they are now.
    path = os.path.join(site.lake, "a.parquet")
    data = bytes(range(256)) * 200
    write_atomic(path, data)
    for a, b in [(0, 16383), (0, 16384), (100, 100), (1000, len(data) - 1), (len(data) - 8, len(data) - 1)]:
        st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=%d-%d" % (a, b)})
        assert st == 206 and body == data[a:b + 1], (a, b, st, len(body))
        assert h["content-length"] == str(b - a + 1), h
    st, h, body = request(srv.port, "HEAD", "/data/x/a.parquet", {"Range": "bytes=0-9"})
    assert st == 206 and body == b"" and h["content-length"] == "10", (st, h)
    # a small data file answered whole, then rewritten in place with the
    # same size (the stat may not tell): the new bytes, never kept ones
    write_atomic(path, b"tiny data")
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet")
    assert st == 200 and body == b"tiny data", (st, body)
    with open(path, "r+b") as f:
        f.write(b"TINY")
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet")
    assert st == 200 and body == b"TINY data", (st, body)
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-3"})
    assert st == 206 and body == b"TINY", (st, body)
    write_atomic(path, site.parquet)


@check
def open_file_cache_sized_from_the_descriptor_limit(srv, site):
    # docs/server.md, "open-file cache": the largest power of two the soft
    # descriptor limit leaves after 2 per connection and 64 spare, from
    # 1,024 to 65,536 files, logged at start.
    line = srv.wait_for(srv.err, r"open-file cache: \d+ files, \d+ connections")
    files, conns = map(int, re.findall(r"(\d+) files, (\d+) connections", line)[0])
    limits = open("/proc/%d/limits" % srv.proc.pid).read()
    soft = re.search(r"Max open files\s+(\S+)", limits).group(1)
    assert files & (files - 1) == 0 and 1024 <= files <= 65536, files
    assert conns == 1024, conns
    if soft != "unlimited":
        left = int(soft) - 2 * conns - 64
        assert files <= left and (files == 65536 or files * 2 > left), (files, soft)


@check
def file_shrunk_in_place_seen_at_once(srv, site):
    # A data file truncated in place: the next request sees its new size
    # (fstat of the cached descriptor), so a range is clipped to what the
    # file holds, never a short body under the old Content-Length.
    path = os.path.join(site.lake, "a.parquet")
    data = bytes(range(256)) * 8
    write_atomic(path, data)
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-999"})
    assert st == 206 and body == data[:1000], (st, len(body))
    with open(path, "r+b") as f:
        f.truncate(500)
    st, h, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-999"})
    assert st == 206 and body == data[:500], (st, len(body))
    assert h["content-range"] == "bytes 0-499/500" and h["content-length"] == "500", h
    write_atomic(path, site.parquet)


@check
def path_naming_another_file_seen_within_a_second(srv, site):
    # The map names a file through a symlinked folder, and the link is
    # swapped to another folder: the old file is untouched, so the cached
    # descriptor cannot tell.  Until the path is checked again (at most 1 s
    # after its last check, docs/server.md "open-file cache") the old file
    # is served whole and consistent; then the new one, and never the old
    # one again.
    cur = os.path.join(site.lake, "cur")
    one, two = b"ONE!" * 100, b"TWO!" * 150
    for name, data in (("v1", one), ("v2", two)):
        os.makedirs(os.path.join(site.lake, name), exist_ok=True)
        write_atomic(os.path.join(site.lake, name, "s.parquet"), data)
    os.symlink("v1", cur)
    site.write_map({"data/x/a.parquet": os.path.join(site.lake, "a.parquet"),
                    "data/x/missing.parquet": os.path.join(site.lake, "nope.parquet"),
                    "data/x/s.parquet": os.path.join(cur, "s.parquet")})
    end = time.monotonic() + DEADLINE
    while request(srv.port, "GET", "/data/x/s.parquet", {"Range": "bytes=0-3"})[0] != 206:
        assert time.monotonic() < end, "the map with s.parquet was never used"
        time.sleep(0.01)
    os.symlink("v2", cur + ".tmp")
    os.replace(cur + ".tmp", cur)
    swapped = time.monotonic()
    seen = None
    while time.monotonic() < (seen + 0.2 if seen else swapped + 3):
        st, h, body = request(srv.port, "GET", "/data/x/s.parquet", {"Range": "bytes=0-3"})
        done = time.monotonic()
        assert st == 206, st
        if body == b"TWO!":
            assert h["content-range"] == "bytes 0-3/600", h
            seen = seen or done
        else:
            assert body == b"ONE!" and h["content-range"] == "bytes 0-3/400", (body, h)
            assert seen is None, "the old file again after the new one"
        time.sleep(0.02)
    assert seen is not None and seen - swapped <= 1.25, "new file after %s s" % (
        seen and round(seen - swapped, 3))
    print("     a swapped folder seen after %.3f s" % (seen - swapped))
    os.unlink(cur)


@check
def keep_alive(srv, site):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=DEADLINE)
    c.connect()
    sock = c.sock
    for path in ["/index.html", "/data/x/a.parquet", "/nothing", "/app.js"]:
        st, h, _ = request(srv.port, "GET", path, {"Range": "bytes=0-1"}, conn=c)
        assert c.sock is sock, "the connection was not kept alive"
    c.close()


# ---------------------------------------------------------------- live data map

@check
def live_map_swap(srv, site):
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-4"})
    assert body == site.parquet[:5]
    site.write_map({"data/x/a.parquet": os.path.join(site.lake, "b.parquet"),
                    "data/y/new.parquet": os.path.join(site.lake, "a.parquet")})
    end = time.monotonic() + DEADLINE
    while True:  # every answer meanwhile is the old or the new file, never an error
        st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-4"})
        assert st == 206 and body in (site.parquet[:5], site.other[:5]), (st, body)
        if body == site.other[:5]:
            break
        assert time.monotonic() < end, "the new map was never used"
        time.sleep(0.01)
    st, _, body = request(srv.port, "GET", "/data/y/new.parquet", {"Range": "bytes=0-4"})
    assert st == 206 and body == site.parquet[:5], st
    # a malformed map is logged and the current one kept
    mark = len(srv.err)
    write_atomic(os.path.join(site.static, "data_map.json"), '{"data/x/a.parquet": ')
    srv.wait_for(srv.err, r"keeping the previous data map", start=mark)
    st, _, body = request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-4"})
    assert st == 206 and body == site.other[:5], (st, body)
    st, _, _ = request(srv.port, "GET", "/data_map.json")
    assert st == 404
    # and a good map after that is picked up again
    site.write_map({"data/x/a.parquet": os.path.join(site.lake, "a.parquet"),
                    "data/x/missing.parquet": os.path.join(site.lake, "nope.parquet")})
    end = time.monotonic() + DEADLINE
    while request(srv.port, "GET", "/data/x/a.parquet", {"Range": "bytes=0-4"})[2] != site.parquet[:5]:
        assert time.monotonic() < end, "the repaired map was never used"
        time.sleep(0.01)


# ---------------------------------------------------------------- hardening

def status_of(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


@check
def control_bytes_in_request_line(srv, site):
    # libmicrohttpd hands the handler the target cut at a NUL: without the
    # check, "/index.html\0/../x" was answered 200 with index.html.
    mark = len(srv.out)
    for target in [b"/index.html\x00/../x", b"/index.html\x00", b"/ind\x01ex.html", b"/a\tb.html",
                   b"/index.html\x7f", b"/index.html?v=1\x00x", b"/index.html?a\x1bb=1",
                   b"/index.html?v=1&x=\x00"]:
        resp = raw(srv.port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert status_of(resp) == 400, (target, resp[:60])
        assert b"home" not in resp, target
    # the log shows what was sent, the bytes after the NUL included
    srv.wait_for(srv.out, r'"GET /index\.html%00/\.\./x" 400 ', start=mark)
    # the same paths without the control byte are still fine
    resp = raw(srv.port, b"GET /index.html?v=1&x=2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status_of(resp) == 200 and b"home" in resp, resp[:60]


@check
def redirects_stay_on_this_host(srv, site):
    # "//sub" was answered "Location: //sub/", a link to the host "sub".
    for path, want in [("/sub", "/sub/"), ("//sub", "/sub/"), ("///sub", "/sub/"),
                       ("//%73ub", "/sub/"), ("/assets", "/assets/"), ("//assets?x=1", "/assets/")]:
        st, h, _ = request(srv.port, "GET", path)
        assert st == 301 and h["location"] == want, (path, st, h.get("location"))
    resp = raw(srv.port, b"GET //sub HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert b"\r\nLocation: /sub/\r\n" in resp, resp[:200]


@check
def host_header(srv, site):
    port = srv.port
    # DNS rebinding: another origin's name resolved to this machine
    for host in ["evil.example", "evil.example:%d" % port, "localhost.evil.example",
                 "127.0.0.1.nip.io", "[evil]"]:
        st, _, body = request(port, "GET", "/data/x/a.parquet", {"Host": host, "Range": "bytes=0-3"})
        assert st == 421 and body.startswith(b"421"), (host, st)
        st, _, _ = request(port, "GET", "/index.html", {"Host": host})
        assert st == 421, (host, st)
    for host in ["localhost", "localhost:%d" % port, "LocalHost", "127.0.0.1:%d" % port,
                 "127.0.0.2", "[::1]:%d" % port, "192.168.1.20:%d" % port]:
        st, _, body = request(port, "GET", "/data/x/a.parquet", {"Host": host, "Range": "bytes=0-3"})
        assert st == 206 and body == site.parquet[:4], (host, st)
    # HTTP/1.1 requires Host; HTTP/1.0 may go without
    resp = raw(port, b"GET /index.html HTTP/1.1\r\n\r\n")
    assert status_of(resp) == 400, resp[:60]
    resp = raw(port, b"GET /index.html HTTP/1.0\r\n\r\n")
    assert status_of(resp) == 200 and b"home" in resp, resp[:60]


@check
def allowed_hosts_setting(srv, site):
    # [serve] allowed_hosts in ducksite.toml, read when serve starts
    toml = os.path.join(site.root, "ducksite.toml")
    binary = srv.proc.args[0]
    try:
        with open(toml, "w") as f:
            f.write('[serve]\nallowed_hosts = ["dash.example.com"]\n')
        other = Server(binary, site.root, ["--no-build"])
        try:
            st, _, _ = request(other.port, "GET", "/index.html", {"Host": "Dash.Example.com:443"})
            assert st == 200, st
            st, _, _ = request(other.port, "GET", "/index.html", {"Host": "evil.example"})
            assert st == 421, st
        finally:
            assert other.stop() == 0
        with open(toml, "w") as f:
            f.write('[serve]\nallowed_host = ["dash.example.com"]\n')
        p = subprocess.run([binary, "serve", "--root", site.root, "--no-build", "--port", "0"],
                           capture_output=True, text=True, timeout=DEADLINE)
        assert p.returncode == 1, (p.returncode, p.stderr)
        assert "ducksite.toml:2:1: serve.allowed_host: unknown key 'allowed_host'; did you mean " \
               "'allowed_hosts'?" in p.stderr, p.stderr
        # building first: the build reports it and the previous build is
        # served, with a warning that the settings were not read
        other = Server(binary, site.root, ["--no-watch"])
        try:
            other.wait_for(other.err, r"\[serve\] settings not read")
            assert any("unknown key 'allowed_host'" in line for line in other.err), other.err
            st, _, _ = request(other.port, "GET", "/index.html")
            assert st == 200, st
        finally:
            assert other.stop() == 0
    finally:
        os.unlink(toml)


SECURITY_HEADERS = ("x-content-type-options", "content-security-policy", "referrer-policy")


@check
def security_headers_on_every_answer(srv, site):
    etag = request(srv.port, "GET", "/index.html")[1]["etag"]
    cases = [("GET", "/index.html", {}), ("GET", "/app.js", {"Accept-Encoding": "gzip"}),
             ("GET", "/engine.wasm", {}), ("GET", "/logo.svg", {}),
             ("GET", "/index.html", {"If-None-Match": etag}),
             ("GET", "/data/x/a.parquet", {"Range": "bytes=999999-"}),
             ("GET", "/nothing-here", {}), ("GET", "/.env", {}), ("GET", "/sub", {}),
             ("POST", "/index.html", {}), ("GET", "/index.html", {"Host": "evil.example"}),
             ("GET", "/_results/_index.json", {}), ("GET", "/%zz", {})]
    # data files (never documents) carry nosniff alone
    data = [("GET", "/data/x/a.parquet", {"Range": "bytes=0-9"}), ("HEAD", "/local.parquet", {}),
            ("GET", "/t.csv", {}), ("GET", "/sql/_manifest.json", {})]
    seen = set()
    for method, path, hdrs in data:
        st, h, _ = request(srv.port, method, path, hdrs)
        seen.add(st)
        assert h.get("x-content-type-options") == "nosniff", (method, path, st, h)
    for method, path, hdrs in cases:
        st, h, _ = request(srv.port, method, path, hdrs)
        seen.add(st)
        for name in SECURITY_HEADERS:
            assert name in h, (method, path, st, name)
        assert h["x-content-type-options"] == "nosniff", h
        assert h["referrer-policy"] == "no-referrer", h
        csp = h["content-security-policy"]
        for part in ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'",
                     "frame-ancestors 'none'", "object-src 'none'"]:
            assert part in csp, (part, csp)
    assert seen >= {200, 206, 301, 304, 400, 404, 405, 416, 421}, seen


@check
def mapped_symlinks_to_private_files(srv, site):
    # A map entry whose physical file is, or links to, a file the server
    # refuses by name is 404, whatever the route; other symlinks are served.
    lake = site.lake
    other_static = os.path.join(os.path.dirname(site.root), "other_static")
    os.makedirs(os.path.join(other_static, "_results"), exist_ok=True)
    for name in ("data_map.json", "_results/_index.json"):
        with open(os.path.join(other_static, name), "w") as f:
            f.write('{"data/secret.parquet": "/srv/lake/secret.parquet"}\n')
    links = {
        "map.parquet": os.path.join(site.static, "data_map.json"),
        "meta.parquet": os.path.join(site.static, "data_map_meta.json"),
        "env.parquet": os.path.join(site.static, ".env"),
        "git.parquet": os.path.join(site.static, ".git", "config"),
        "othermap.parquet": os.path.join(other_static, "data_map.json"),
        "otherindex.parquet": os.path.join(other_static, "_results", "_index.json"),
        "good.parquet": os.path.join(lake, "a.parquet"),
    }
    for name, target in links.items():
        path = os.path.join(lake, "links", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink(target, path)
    os.makedirs(os.path.join(lake, "dirlink"), exist_ok=True)
    mapping = {"data/x/a.parquet": os.path.join(lake, "a.parquet"),
               "data/x/missing.parquet": os.path.join(lake, "nope.parquet")}
    for name in links:
        mapping["data/l/" + name] = os.path.join(lake, "links", name)
    # direct entries, not links, to the same private files
    mapping["data/d/map.parquet"] = os.path.join(site.static, "data_map.json")
    mapping["data/d/env.parquet"] = os.path.join(site.static, ".env")
    mapping["data/d/through.parquet"] = os.path.join(lake, "links", "..", "links", "map.parquet")
    mapping["data/d/hard.parquet"] = os.path.join(lake, "hard.parquet")
    try:
        site.write_map(mapping)
        # a hard link to the map now in place has no telling name
        hard = os.path.join(lake, "hard.parquet")
        if os.path.exists(hard):
            os.unlink(hard)
        os.link(os.path.join(site.static, "data_map.json"), hard)
        end = time.monotonic() + DEADLINE
        while request(srv.port, "GET", "/data/l/good.parquet")[0] != 200:
            assert time.monotonic() < end, "the map with links was never used"
            time.sleep(0.01)
        st, _, body = request(srv.port, "GET", "/data/l/good.parquet", {"Range": "bytes=0-3"})
        assert st == 206 and body == site.parquet[:4], st
        for key in mapping:
            if key.startswith("data/x/") or key == "data/l/good.parquet":
                continue
            for method in ("GET", "HEAD"):
                st, _, body = request(srv.port, method, "/" + key, {"Range": "bytes=0-"})
                assert st == 404, (method, key, st)
                assert b"data/x" not in body and b"SECRET" not in body and b"/srv" not in body, key
    finally:
        site.write_map({"data/x/a.parquet": os.path.join(site.lake, "a.parquet"),
                        "data/x/missing.parquet": os.path.join(site.lake, "nope.parquet")})
        end = time.monotonic() + DEADLINE
        while request(srv.port, "GET", "/data/l/good.parquet")[0] != 404:
            assert time.monotonic() < end, "the restored map was never used"
            time.sleep(0.01)


@check
def file_shrunk_during_download(srv, site):
    # `cp` over a data file while it is being sent: the answer must end at
    # once, short of its Content-Length (so the client retries), instead of
    # stalling until the idle timeout; and no byte is one the file never had.
    big = os.path.join(site.lake, "big.parquet")
    size = 64 * 1024 * 1024
    pattern = bytes(range(1, 256)) * 16  # no zero byte anywhere
    with open(big, "wb") as f:
        for _ in range(size // len(pattern) + 1):
            f.write(pattern)
        f.truncate(size)
    small = os.path.join(site.lake, "small.parquet")
    with open(small, "wb") as f:
        f.write(b"\x7f" * (1024 * 1024))
    site.write_map({"data/x/a.parquet": os.path.join(site.lake, "a.parquet"),
                    "data/x/missing.parquet": os.path.join(site.lake, "nope.parquet"),
                    "data/x/big.parquet": big})
    try:
        end = time.monotonic() + DEADLINE
        while request(srv.port, "HEAD", "/data/x/big.parquet")[0] != 200:
            assert time.monotonic() < end, "the map with big.parquet was never used"
            time.sleep(0.01)
        for method_range in (None, "bytes=1000-"):
            with open(big, "r+b") as f:  # whole again for the second round
                f.truncate(0)
                for _ in range(size // len(pattern) + 1):
                    f.write(pattern)
                f.truncate(size)
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            s.settimeout(10)
            s.connect(("127.0.0.1", srv.port))
            extra = b"Range: %s\r\n" % method_range.encode() if method_range else b""
            s.sendall(b"GET /data/x/big.parquet HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n")
            data = b""
            while b"\r\n\r\n" not in data or len(data) < 1024 * 1024:
                data += s.recv(65536)
            head, body = data.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"\r\nContent-Length: (\d+)", head).group(1))
            shutil.copyfile(small, big)  # in place: same inode, shorter
            t0 = time.monotonic()
            try:
                while True:
                    b = s.recv(1024 * 1024)
                    if not b:
                        break
                    body += b
            except ConnectionResetError:
                pass
            except socket.timeout:
                raise AssertionError("the answer stalled after the file shrank (%d of %d bytes)"
                                     % (len(body), length))
            finally:
                s.close()
            took = time.monotonic() - t0
            assert len(body) < length, (len(body), length)
            assert b"\x00" not in body, "zero bytes the file never had"
            print("     shrunk during %s: cut after %.2f s at %d of %d bytes"
                  % ("a range" if method_range else "a whole file", took, len(body), length))
    finally:
        site.write_map({"data/x/a.parquet": os.path.join(site.lake, "a.parquet"),
                        "data/x/missing.parquet": os.path.join(site.lake, "nope.parquet")})
        for p in (big, small):
            os.unlink(p)


# ---------------------------------------------------------------- robustness

@check
def malformed_requests(srv, site):
    junk = [
        b"\x00\x01\x02garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes=" + b"1-2," * 5000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-None-Match: \"" + b"\"," * 3000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Modified-Since: Sun, 99 Xyz 99999 99:99:99 GMT\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: ;;;q=;,,*;q\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nIf-Range: W/\r\nRange: bytes=0-1\r\n\r\n",
    ]
    for data in junk:
        resp = raw(srv.port, data)
        if resp:
            assert re.match(rb"HTTP/1\.[01] [1-5]\d\d", resp), (data[:40], resp[:60])
            assert not resp.startswith((b"HTTP/1.1 5", b"HTTP/1.0 5")) or b" 505 " in resp[:20], resp[:60]
    # a client that connects and says nothing, and one that stops mid-header
    idle = socket.create_connection(("127.0.0.1", srv.port))
    half = socket.create_connection(("127.0.0.1", srv.port))
    half.sendall(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    st, _, body = request(srv.port, "GET", "/index.html")
    assert st == 200 and b"home" in body, "still serving"
    idle.close()
    half.close()
    assert srv.proc.poll() is None, "the server died"


@check
def access_log(srv, site):
    mark = len(srv.out)
    request(srv.port, "GET", "/index.html?from=log")
    line = srv.wait_for(srv.out, r'"GET /index\.html" 200 ', start=mark)
    assert "127.0.0.1" in line, line


# ---------------------------------------------------------------- start and stop

def startup_errors(binary, base):
    empty = os.path.join(base, "empty")
    os.makedirs(empty)
    p = subprocess.run([binary, "serve", "--root", empty, "--port", "0"],
                       capture_output=True, text=True, timeout=DEADLINE)
    assert p.returncode == 1 and "ducksite build" in p.stderr, (p.returncode, p.stderr)
    p = subprocess.run([binary, "serve", "--port", "notaport"], capture_output=True, text=True,
                       timeout=DEADLINE)
    assert p.returncode == 2 and "--port" in p.stderr, (p.returncode, p.stderr)


def port_in_use(binary, site, port):
    p = subprocess.run([binary, "serve", "--root", site.root, "--port", str(port)],
                       capture_output=True, text=True, timeout=DEADLINE)
    assert p.returncode == 1 and "already in use" in p.stderr, (p.returncode, p.stderr)


SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer")


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    base = tempfile.mkdtemp(prefix="ds-serve-test-")
    failed = 0
    srv = None
    try:
        startup_errors(binary, base)
        print("ok   startup_errors")
        site = Site(base)
        srv = Server(binary, site.root)
        port_in_use(binary, site, srv.port)
        print("ok   port_in_use")
        for fn in CHECKS:
            t0 = time.monotonic()
            try:
                fn(srv, site)
                print("ok   %s (%.2f s)" % (fn.__name__, time.monotonic() - t0))
            except Exception:
                failed += 1
                print("FAIL " + fn.__name__)
                traceback.print_exc()
        code = srv.stop()
        stderr = "\n".join(srv.err)
        if code != 0:
            failed += 1
            print("FAIL clean_shutdown: exit code %s\n%s" % (code, stderr[-3000:]))
        elif SANITIZER_REPORT.search(stderr):
            failed += 1
            print("FAIL clean_shutdown: sanitizer report\n" + stderr[-6000:])
        elif "SIGTERM received" not in stderr:
            failed += 1
            print("FAIL clean_shutdown: no shutdown message\n" + stderr[-3000:])
        else:
            print("ok   clean_shutdown")
    except Exception:
        failed += 1
        traceback.print_exc()
    finally:
        if srv is not None:
            srv.stop()  # by its own PID; a no-op when it already exited
        shutil.rmtree(base, ignore_errors=True)
    print("server tests: %d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
