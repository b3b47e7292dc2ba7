#!/usr/bin/env python3
"""test_login.py - site-wide sign-in of `ducksite serve` ([auth] site = true),
end to end over real HTTP on 127.0.0.1.

Usage: test_login.py PATH/TO/ducksite PATH/TO/ds-sql

A project with a lake of one Parquet file, a page with a stored result and
one user (added with `ducksite user add`, the password on stdin).  Checks:
without a session a page is 303 to /login?next=..., data, SQL, stored
results and the sitemap are 401, the runtime's assets stay public; the
login page; a wrong password and an unknown user get the same 401 page;
signing in sets a cookie with its attributes and 303s to next, after which
everything is served; next= never leaves the site; a cross-origin POST is
403; failed sign-ins are limited per email and per address (429 with
Retry-After), each counted from its own loopback address; logout ends the
session; a rebuild keeps sessions, a password change ends them, a rebuild
that turns sign-in off warns and changes nothing until a restart; an idle
session expires (a second server with a tiny idle_minutes); a project with
users whose ducksite.toml cannot be read is served with sign-in required;
415/413 for bad bodies; export refuses the site without --public; without
[auth] nothing changes.  Every server is stopped by its own PID.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helpers import make_parquet, stop  # noqa: E402

DEADLINE = 60.0
EMAIL, PASSWORD = "alice@example.org", "correct horse battery"
TOML = """[dirs]
DIR_LAKE = "{lake}"

[[file_sources]]
name = "sales"
upstream_glob = "${{DIR_LAKE}}/*.parquet"

[auth]
site = true
max_failures = 3
lockout_minutes = 1
{extra}"""
PAGE = """# Sales

```sql n
SELECT count(*) AS n FROM sales
```

```table n
query: n
```
"""


class Server:
    def __init__(self, binary, root, extra=()):
        self.err_path = os.path.join(root, "..", "serve-%d.err" % time.monotonic_ns())
        self.err = open(self.err_path, "w+")
        self.proc = subprocess.Popen([binary, "serve", "--root", root, "--port", "0", *extra],
                                     stdout=subprocess.PIPE, stderr=self.err, text=True)
        m = None
        for line in self.proc.stdout:  # the build's summary comes first
            m = re.search(r"^serving .* at http://127\.0\.0\.1:(\d+)/$", line.strip())
            if m:
                break
        if not m:
            stop(self.proc)
            raise AssertionError("serve did not start: %r %s" % (line, self.stderr()))
        self.port = int(m.group(1))
        self.origin = "http://127.0.0.1:%d" % self.port

    def stderr(self):
        self.err.flush()
        with open(self.err_path) as f:
            return f.read()

    def stop(self):
        rc = stop(self.proc)
        self.proc.stdout.close()
        self.err.close()
        return rc


def req(port, method, path, headers=None, body=None, source="127.0.0.1"):
    """(status, headers with lower-case names, body as text) from SOURCE."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE,
                                      source_address=(source, 0))
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    conn.close()
    return r.status, hdrs, data.decode("utf-8", "replace")


def login(srv, email, password, next_path=None, source="127.0.0.1", origin=True, extra=None):
    fields = {"email": email, "password": password}
    if next_path is not None:
        fields["next"] = next_path
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if origin is True:
        headers["Origin"] = srv.origin
    elif origin:
        headers["Origin"] = origin
    headers.update(extra or {})
    return req(srv.port, "POST", "/login", headers, urllib.parse.urlencode(fields), source)


def session_of(h):
    m = re.match(r"ducksite_session=([0-9a-f]{32});", h.get("set-cookie", ""))
    assert m, h
    return m.group(1)


def cookie(sid):
    return {"Cookie": "ducksite_session=" + sid}


def alert(body):
    m = re.search(r'role="alert">([^<]*)<', body)
    return m.group(1) if m else None


CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def refused_without_session(ctx, srv):
    p = ctx["paths"]
    st, h, _ = req(srv.port, "GET", "/", {"Accept": "text/html,*/*;q=0.8"})
    assert st == 303 and h["location"] == "/login?next=/", (st, h)
    st, h, _ = req(srv.port, "GET", "/index.html?region=EU&x", {"Accept": "text/html"})
    assert st == 303 and h["location"] == "/login?next=/index.html%3Fregion%3DEU%26x", h
    for path in ["/index.html", p["data"], p["sql"], p["result"], "/sitemap.json",
                 "/sql/_manifest.json", "/no-such-file", "/_results/_index.json"]:
        for method in ("GET", "HEAD"):
            st, h, body = req(srv.port, method, path, {"Range": "bytes=0-3"})
            assert st == 401, (method, path, st)
            assert h["cache-control"] == "no-store", h
            assert "www-authenticate" in h, h
            if method == "GET":
                assert '"sign-in required"' in body, body
    st, _, _ = req(srv.port, "GET", "/assets/ducksite.css")
    assert st == 200, "the runtime's styles stay public"
    st, _, _ = req(srv.port, "GET", "/assets/duckdb-dialect.json")
    assert st == 401, "data types under assets/ are not public"


@check
def login_page(ctx, srv):
    st, h, body = req(srv.port, "GET", "/login?next=%2Findex.html")
    assert st == 200 and h["content-type"].startswith("text/html"), (st, h)
    assert h["cache-control"] == "no-store"
    assert "script-src 'self'" in h["content-security-policy"]
    assert h["referrer-policy"] == "same-origin"
    assert '<form method="post" action="/login">' in body
    assert 'name="next" value="/index.html"' in body
    # Works without JavaScript; its one script (the reader's theme, before
    # the first paint) is a file, never inline.
    assert body.count("<script") == 1 and "<script src=" in body, body
    assert 'href="/assets/ducksite.css"' in body
    assert '<script src="/assets/theme-init.js"></script>' in body
    st, _, body = req(srv.port, "GET", "/login?next=%2F%2Fevil.example")
    assert 'name="next" value="/"' in body, "an off-site next is dropped"
    st, _, body = req(srv.port, "GET", "/login?next=%22%3E%3Cb%3E")
    assert "<b>" not in body


@check
def wrong_password_and_unknown_user_look_the_same(ctx, srv):
    st, h, wrong = login(srv, EMAIL, "not the password", source="127.0.0.2")
    assert st == 401 and "set-cookie" not in h, (st, h)
    assert alert(wrong) == "Wrong email or password.", wrong
    st, _, unknown = login(srv, "nobody@example.org", "not the password", source="127.0.0.2")
    assert st == 401
    assert alert(unknown) == alert(wrong)
    assert unknown.replace("nobody@example.org", EMAIL) == wrong, "no user enumeration"
    st, _, body = login(srv, "", "", source="127.0.0.2")
    assert st == 400 and alert(body), body


@check
def sign_in_then_everything_is_served(ctx, srv):
    p = ctx["paths"]
    st, h, _ = login(srv, EMAIL.upper(), PASSWORD, next_path=p["sql"])
    assert st == 303 and h["location"] == p["sql"], (st, h)
    sc = h["set-cookie"]
    attrs = [a.strip() for a in sc.split(";")]
    assert re.fullmatch(r"ducksite_session=[0-9a-f]{32}", attrs[0]), sc
    for want in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"):
        assert want in attrs, (want, sc)
    assert "Secure" not in attrs, "plain HTTP without tls_proxy"
    sid = session_of(h)
    ctx["sid"] = sid
    for path in ["/", "/index.html", p["sql"], p["result"], "/sitemap.json"]:
        st, _, _ = req(srv.port, "GET", path, cookie(sid))
        assert st == 200, (path, st)
    st, h, _ = req(srv.port, "GET", p["data"], dict(cookie(sid), Range="bytes=0-3"))
    assert st == 206 and h["content-range"].endswith("/%d" % ctx["data_size"]), (st, h)
    st, _, body = req(srv.port, "GET", "/login", cookie(sid))
    assert st == 200 and "Signed in as <strong>%s</strong>" % EMAIL in body, body
    assert '<form method="post" action="/logout">' in body
    st, _, _ = req(srv.port, "GET", p["data"], {"Cookie": "ducksite_session=" + "0" * 32})
    assert st == 401, "a made-up id"
    # Form panels ask the session who submits (GET /api/session).
    st, h, body = req(srv.port, "GET", "/api/session", cookie(sid))
    assert st == 200 and h["cache-control"] == "no-store", (st, h)
    assert json.loads(body) == {"site_sign_in": True, "email": EMAIL}, body
    st, _, body = req(srv.port, "GET", "/api/session")
    assert st == 200 and json.loads(body) == {"site_sign_in": True, "email": None}, body
    st, h, _ = req(srv.port, "POST", "/api/session", dict(cookie(sid), Origin=srv.origin))
    assert st == 405 and h["allow"] == "GET, HEAD", (st, h)


@check
def next_stays_on_this_site(ctx, srv):
    for bad in ["//evil.example", "//evil.example/x", "http://evil.example/", "/\\evil.example",
                "https:evil.example", "javascript:alert(1)", "/x\r\nSet-Cookie: a=b"]:
        st, h, _ = login(srv, EMAIL, PASSWORD, next_path=bad)
        assert st == 303 and h["location"] == "/", (bad, h)
    st, h, _ = login(srv, EMAIL, PASSWORD, next_path="/index.html?region=EU")
    assert h["location"] == "/index.html?region=EU", h
    st, h, _ = login(srv, EMAIL, PASSWORD, next_path="/a b/\u00e9")
    assert h["location"] == "/a%20b/%C3%A9", h


@check
def cross_origin_post_refused(ctx, srv):
    for origin in ["http://evil.example", "null", "http://127.0.0.1:%d" % (srv.port + 1),
                   "https://127.0.0.1:%d" % srv.port]:
        st, h, body = login(srv, EMAIL, PASSWORD, origin=origin)
        assert st == 403 and "set-cookie" not in h, (origin, st, h)
        assert "another site" in body, body
    st, h, _ = login(srv, EMAIL, PASSWORD, origin=None, extra={"Referer": "http://evil.example/"})
    assert st == 403, "the Referer when there is no Origin"
    st, _, _ = req(srv.port, "POST", "/logout", dict(cookie(ctx["sid"]),
                                                     Origin="http://evil.example"))
    assert st == 403, "a cross-site logout"
    st, _, _ = req(srv.port, "GET", "/", cookie(ctx["sid"]))
    assert st == 200, "the session survived the refused logout"
    # a script or curl sends neither header: allowed
    st, _, _ = login(srv, EMAIL, PASSWORD, origin=None)
    assert st == 303


@check
def failures_limited_per_email(ctx, srv):
    # carol fails once from each of three addresses: the fourth try is 429
    # whatever the address and the password
    for i in range(3):
        st, _, _ = login(srv, "carol@example.org", "bad password", source="127.0.1.%d" % (i + 1))
        assert st == 401, st
    st, h, body = login(srv, "Carol@Example.org", "bad password", source="127.0.1.9")
    assert st == 429, st
    assert 0 < int(h["retry-after"]) <= 60, h
    assert "Too many failed sign-ins. Try again in 1 minute." == alert(body), body
    st, _, _ = login(srv, EMAIL, PASSWORD, source="127.0.1.10")
    assert st == 303, "other users are not affected"


@check
def failures_limited_per_address(ctx, srv):
    for i in range(3):
        st, _, _ = login(srv, "u%d@example.org" % i, "bad password", source="127.0.2.1")
        assert st == 401, st
    st, h, _ = login(srv, EMAIL, PASSWORD, source="127.0.2.1")
    assert st == 429 and "set-cookie" not in h, "even the right password, from that address"
    st, _, _ = login(srv, EMAIL, PASSWORD, source="127.0.2.2")
    assert st == 303


@check
def bad_bodies(ctx, srv):
    st, _, _ = req(srv.port, "POST", "/login", {"Origin": srv.origin,
                                                "Content-Type": "application/json"},
                   '{"email": "a"}')
    assert st == 415, st
    st, _, _ = req(srv.port, "POST", "/login",
                   {"Origin": srv.origin, "Content-Type": "application/x-www-form-urlencoded"},
                   "email=a&password=" + "x" * 20000)
    assert st == 413, st
    st, h, _ = req(srv.port, "GET", "/logout")
    assert st == 405 and h["allow"] == "POST", (st, h)
    st, _, _ = req(srv.port, "PUT", "/login")
    assert st == 405


@check
def logout_ends_session(ctx, srv):
    _, h, _ = login(srv, EMAIL, PASSWORD)
    sid = session_of(h)
    st, h, _ = req(srv.port, "POST", "/logout", dict(cookie(sid), Origin=srv.origin))
    assert st == 303 and h["location"] == "/login", (st, h)
    assert h["set-cookie"].startswith("ducksite_session=; ") and "Max-Age=0" in h["set-cookie"]
    st, _, _ = req(srv.port, "GET", "/index.html", cookie(sid))
    assert st == 401, "the session is over"
    st, _, _ = req(srv.port, "GET", "/index.html", cookie(ctx["sid"]))
    assert st == 200, "another session of the same user lives on"


@check
def rebuild_keeps_sessions_password_change_ends_them(ctx, srv):
    root = ctx["root"]
    with open(os.path.join(root, "content", "index.md"), "a") as f:
        f.write("\nRebuilt.\n")
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        st, _, body = req(srv.port, "GET", "/index.html", cookie(ctx["sid"]))
        assert st == 200, st
        if "Rebuilt." in body:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("no rebuild: %s" % srv.stderr())
    r = subprocess.run([ctx["binary"], "user", "passwd", EMAIL, "--root", root],
                       input="another password 2\n", text=True, capture_output=True)
    assert r.returncode == 0, r.stderr
    end = time.monotonic() + 10
    while req(srv.port, "GET", "/index.html", cookie(ctx["sid"]))[0] == 200:
        assert time.monotonic() < end, "the changed password did not end the session"
        time.sleep(0.1)
    st, _, _ = login(srv, EMAIL, PASSWORD)
    assert st == 401, "the old password no longer works"
    st, _, _ = login(srv, EMAIL, "another password 2")
    assert st == 303


@check
def auth_change_needs_restart(ctx, srv):
    # [auth] is read at start: turning sign-in off while serving rebuilds,
    # warns, and leaves the running server asking for it
    toml = os.path.join(ctx["root"], "ducksite.toml")
    with open(toml, "w") as f:
        f.write(TOML.format(lake=ctx["lake"], extra="").replace("site = true", "site = false"))
    end = time.monotonic() + DEADLINE
    while "restart ducksite serve for the change" not in srv.stderr():
        assert time.monotonic() < end, srv.stderr()
        time.sleep(0.1)
    assert "now says [auth] site = false, but this server started with sign-in on" in srv.stderr()
    st, _, _ = req(srv.port, "GET", ctx["paths"]["data"])
    assert st == 401, st
    with open(toml, "w") as f:
        f.write(TOML.format(lake=ctx["lake"], extra=""))


def idle_session_expires(ctx):
    """A second server with idle_minutes = 0.02 (1.2 s)."""
    root = ctx["root"]
    toml = os.path.join(root, "ducksite.toml")
    with open(toml, "w") as f:
        f.write(TOML.format(lake=ctx["lake"], extra="idle_minutes = 0.02\ntls_proxy = true\n"))
    srv = Server(ctx["binary"], root, ["--no-watch"])
    try:
        st, h, _ = login(srv, EMAIL, "another password 2", origin="https://127.0.0.1:%d" % srv.port)
        assert st == 303, (st, h)
        assert "Secure" in [a.strip() for a in h["set-cookie"].split(";")], "tls_proxy"
        sid = session_of(h)
        st, _, _ = req(srv.port, "GET", "/index.html", cookie(sid))
        assert st == 200, st
        time.sleep(1.6)
        st, _, _ = req(srv.port, "GET", "/index.html", cookie(sid))
        assert st == 401, "1.6 s idle"
    finally:
        assert srv.stop() == 0


def unreadable_config_keeps_sign_in(ctx):
    """A project with users whose ducksite.toml does not parse."""
    root = ctx["root"]
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write("[auth]\nsite = tru\n")
    srv = Server(ctx["binary"], root, ["--no-watch"])
    try:
        st, _, _ = req(srv.port, "GET", "/sitemap.json")
        assert st == 401, st
        assert "every page and data file needs a sign-in" in srv.stderr(), srv.stderr()
    finally:
        assert srv.stop() == 0


def export_refused(ctx):
    root, binary = ctx["root"], ctx["binary"]
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write(TOML.format(lake=ctx["lake"], extra=""))
    out = os.path.join(ctx["base"], "tree")
    r = subprocess.run([binary, "export", "--root", root, "--tree", out], capture_output=True,
                       text=True)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "ducksite.toml:9: [auth] site = true, but an exported site cannot ask for a " \
           "sign-in" in r.stderr, r.stderr
    assert "--public" in r.stderr
    assert not os.path.exists(out)
    r = subprocess.run([binary, "export", "--root", root, "--tree", out, "--public"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "open to everyone" in r.stderr


def no_auth_no_change(ctx):
    root = ctx["root"]
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write(TOML.format(lake=ctx["lake"], extra="").replace("site = true", "site = false"))
    srv = Server(ctx["binary"], root, ["--no-watch"])
    try:
        st, _, _ = req(srv.port, "GET", ctx["paths"]["data"])
        assert st == 200
        st, _, _ = req(srv.port, "GET", "/login")
        assert st == 404
        st, h, _ = login(srv, EMAIL, PASSWORD)
        assert st == 405 and h["allow"] == "GET, HEAD", (st, h)
        st, _, body = req(srv.port, "GET", "/api/session")
        assert st == 200 and json.loads(body) == {"site_sign_in": False, "email": None}, body
    finally:
        assert srv.stop() == 0


def user_on_a_terminal(ctx):
    """`ducksite user add` on a terminal: asked twice, without echo."""
    import pty
    import select

    def run(answers):
        master, slave = pty.openpty()
        proc = subprocess.Popen([ctx["binary"], "user", "add", "tty@example.org", "--root",
                                 ctx["root"]], stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        os.close(slave)
        err, echoed = b"", b""
        try:
            for prompt, answer in zip((b"New password for tty@example.org: ",
                                       b"Same password again: "), answers):
                end = time.monotonic() + DEADLINE
                while prompt not in err:
                    assert time.monotonic() < end, err
                    ready, _, _ = select.select([proc.stderr], [], [], 0.1)
                    if ready:
                        err += os.read(proc.stderr.fileno(), 4096)
                os.write(master, answer.encode() + b"\n")
            out, rest = proc.communicate(timeout=DEADLINE)
            err += rest
            while select.select([master], [], [], 0.2)[0]:
                try:
                    echoed += os.read(master, 4096)
                except OSError:
                    break
        finally:
            stop(proc)
            os.close(master)
        return proc.returncode, out.decode(), err.decode(), echoed.decode()

    rc, out, err, echoed = run(["first password", "second password"])
    assert rc == 1, (rc, err)
    assert "the two passwords differ; nothing changed" in err, err
    assert "password" not in echoed, "echo is off: %r" % echoed
    rc, out, err, echoed = run(["same password", "same password"])
    assert rc == 0, (rc, err)
    assert "added tty@example.org" in out
    assert "same password" not in echoed, echoed


def run(checks, *args):
    """Runs each check with ARGS, printing ok or FAIL; the number failed."""
    failed = 0
    for fn in checks:
        try:
            fn(*args)
            print("ok   %s" % fn.__name__)
        except Exception:
            failed += 1
            print("FAIL %s" % fn.__name__)
            traceback.print_exc()
    return failed


def main():
    binary, ds_sql = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    base = tempfile.mkdtemp(prefix="ds-login-")
    root, lake = os.path.join(base, "site"), os.path.join(base, "lake")
    failures = 0
    try:
        os.makedirs(os.path.join(root, "content"))
        make_parquet(ds_sql, os.path.join(lake, "a.parquet"), 100)
        with open(os.path.join(root, "ducksite.toml"), "w") as f:
            f.write(TOML.format(lake=lake, extra=""))
        with open(os.path.join(root, "content", "index.md"), "w") as f:
            f.write(PAGE)
        r = subprocess.run([binary, "user", "add", EMAIL, "--root", root],
                           input=PASSWORD + "\n", text=True, capture_output=True)
        assert r.returncode == 0, r.stderr
        srv = Server(binary, root)
        static = os.path.join(root, "static")
        results = [n for n in os.listdir(os.path.join(static, "_results"))
                   if re.fullmatch(r"[0-9a-f]{16}\.json", n)]
        sqls = [os.path.relpath(os.path.join(d, n), os.path.join(static, "sql"))
                for d, _, names in os.walk(os.path.join(static, "sql"))
                for n in names if n.endswith(".sql")]
        assert results and sqls, (results, sqls)
        ctx = {"binary": binary, "root": root, "lake": lake, "base": base,
               "data_size": os.path.getsize(os.path.join(lake, "a.parquet")),
               "paths": {"data": "/data/sales/a.parquet", "sql": "/sql/" + sqls[0],
                         "result": "/_results/" + results[0]}}
        try:
            failures += run(CHECKS, ctx, srv)
        finally:
            rc = srv.stop()
            if rc != 0:
                failures += 1
                print("FAIL serve exited %s" % rc)
        failures += run([user_on_a_terminal, idle_session_expires, unreadable_config_keeps_sign_in,
                         export_refused, no_auth_no_change], ctx)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print("%d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
