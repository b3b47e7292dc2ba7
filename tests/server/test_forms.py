#!/usr/bin/env python3
"""test_forms.py - forms that write data under `ducksite serve`
(docs/forms.md): POST /api/forms/submit and /api/auth/update_password.

Usage: test_forms.py DUCKSITE_BINARY

One project with a form per rule.  Checks: a JSON submission appends a row
with submitted_by and submitted_at; multipart with an image (good, wrong
type, too large); every refused request (4xx) leaves the target
byte-identical; 60 parallel submissions all land exactly once; a write
that fails half-way (the file size limit of the server process, as a full
disk would) leaves the previous file whole; max_rows_per_user; allowed
email domains; sign-in (set, ok, unauthorized, rate-limited, per email and
per address); update_password; cross-origin posts refused; a rebuild and
--clean keep the data; the stored result of a page query over the target
is withheld once the target changed and a rebuild stores the new rows; a
rebuild's new form is served without a restart.  The server listens on
127.0.0.1 and is stopped by its own PID.  Prints "forms: N passed, M
failed".
"""
import http.client
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from helpers import Serve

PAGE = """# Forms

```form fb
label: Feedback
target_csv: ${DIR_FORMS}/fb.csv
inputs: ["n", "text"]
sql_relation_query: |
  SELECT ${inputs.n} AS n, ${inputs.text} AS text
```

```form pic
target_csv: ${DIR_FORMS}/pic.csv
inputs: caption
image_field: photo
image_dir: ${DIR_FORMS}/pics
sql_relation_query: SELECT ${inputs.caption} AS caption
```

```form limited
target_csv: ${DIR_FORMS}/limited.csv
max_rows_per_user: 2
sql_relation_query: SELECT 1 AS one
```

```form dom
target_csv: ${DIR_FORMS}/dom.csv
allowed_email_domains: "@Example.com, example.org"
sql_relation_query: SELECT 1 AS one
```

```form auth
target_csv: ${DIR_FORMS}/auth.csv
auth_required: true
sql_relation_query: SELECT 1 AS one
```

```form outside
target_csv: data/outside.csv
inputs: ["v"]
sql_relation_query: SELECT ${inputs.v} AS v, [${inputs.v}, 'two'] AS list
```

```sql entries
SELECT count(*) AS n FROM read_csv_auto('forms/fb.csv', header = true)
```

```table entries
```
"""

NEW_FORM = """
```form later
target_csv: ${DIR_FORMS}/later.csv
sql_relation_query: SELECT 'x' AS x
```
"""

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FIRST_BUILD = 180

results = {"passed": 0, "failed": 0}


def check(name, cond, detail=""):
    if cond:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print("FAIL: %s %s" % (name, detail))


def post(port, path, body, content_type="application/json", headers=None, method="POST"):
    """(status, headers, parsed JSON or raw body) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    h = {"Content-Type": content_type} if content_type else {}
    h.update(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    hdrs = {k.lower(): v for k, v in resp.getheaders()}
    try:
        data = json.loads(data)
    except ValueError:
        pass
    return resp.status, hdrs, data


def head_only(port, path, content_type, length):
    """The status and JSON of a POST whose head announces LENGTH bytes: a
    body over the limit is refused before it is sent (the connection is
    then closed, so the body is never sent here)."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
               "Content-Length: %d\r\n\r\n" % (path, port, content_type, length)).encode())
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1])
    return status, {}, json.loads(body)


def submit(port, form_id, inputs=None, **extra):
    body = {"form_id": form_id, "inputs": inputs if inputs is not None else {}}
    body.update(extra)
    return post(port, "/api/forms/submit", body)


def multipart(fields, files):
    """(body, content type) of multipart/form-data."""
    boundary = "----ducksite-test-boundary"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, k)).encode()
        out += v.encode() + b"\r\n"
    for k, (name, data, ctype) in files.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (boundary, k, name, ctype)).encode()
        out += data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=%s" % boundary


def read(path):
    with open(path, "rb") as f:
        return f.read()


def rows(path):
    import csv
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def no_sigxfsz():
    """A write past the file size limit fails with EFBIG instead of killing
    the server (the full-disk check below)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def build(binary, root, *extra):
    r = subprocess.run([binary, "build", "--root", root, *extra], capture_output=True, text=True,
                       timeout=FIRST_BUILD)
    if r.returncode != 0:
        raise RuntimeError("build failed: %s" % r.stderr)
    return r


def stored_hash(root):
    """The stored result of the 'entries' table (from the page config)."""
    html = read(os.path.join(root, "static", "index.html")).decode()
    config = json.loads(re.search(r'id="page-config-json" type="application/json">(.*?)</script>',
                                  html, re.S).group(1))
    return next(iter(config["stored"]))


def test_json_submit(port, forms):
    fb = os.path.join(forms, "fb.csv")
    st, _, body = submit(port, "fb", {"n": 1, "text": 'a, "quoted"\nline\u00e9'},
                         email="Ann@Example.com")
    check("json submit status", st == 200 and body == {"status": "ok", "rows_appended": 1},
          (st, body))
    r = rows(fb)
    check("json submit row", len(r) == 1 and r[0]["n"] == "1" and
          r[0]["text"] == 'a, "quoted"\nline\u00e9' and r[0]["submitted_by"] == "ann@example.com",
          r)
    check("submitted_at is UTC ISO 8601",
          bool(r and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r[0]["submitted_at"])), r)
    # A list and a value that looks like SQL stay values.
    st, _, body = submit(port, "outside", {"v": "x'); DROP TABLE t; --"})
    check("sql-looking value is a value", st == 200, (st, body))
    out = rows(os.path.join(ROOT, "data", "outside.csv"))
    check("outside row", out and out[-1]["v"] == "x'); DROP TABLE t; --" and
          out[-1]["list"].startswith("[") and out[-1]["list"].endswith(", two]"), out)


def test_refusals(port, forms):
    fb = os.path.join(forms, "fb.csv")
    before = read(fb)
    big = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    image_big, image_big_type = multipart({"form_id": "pic", "inputs": '{"caption": "c"}'},
                                          {"photo": ("a.png", PNG + b"\0" * (5 * 1024 * 1024), "image/png")})
    gif_text, gif_type = multipart({"form_id": "pic", "inputs": '{"caption": "c"}'},
                                   {"photo": ("a.png", b"not an image at all", "image/png")})
    bad_mp = b"--x\r\nContent-Disposition: form-data; name=\"form_id\"\r\n\r\nfb"
    cases = [
        ("unknown form", ("/api/forms/submit", {"form_id": "nope", "inputs": {}}), 404, "unknown form"),
        ("missing form_id", ("/api/forms/submit", {"inputs": {"n": 1, "text": "t"}}), 400, "form_id"),
        ("missing inputs", ("/api/forms/submit", {"form_id": "fb"}), 400, "inputs"),
        ("missing input", ("/api/forms/submit", {"form_id": "fb", "inputs": {"n": 1}}), 400, "inputs.text"),
        ("object value", ("/api/forms/submit", {"form_id": "fb", "inputs": {"n": {"a": 1}, "text": "t"}}), 400, "inputs.n"),
        ("nested list", ("/api/forms/submit", {"form_id": "fb", "inputs": {"n": [[1]], "text": "t"}}), 400, "inputs.n"),
        ("malformed json", ("/api/forms/submit", '{"form_id": "fb", "inputs": {'), 400, "malformed JSON"),
        ("json not object", ("/api/forms/submit", "[1, 2]"), 400, "JSON object"),
        ("query fails", ("/api/forms/submit", {"form_id": "outside", "inputs": {"v": [1, "a"]}}), 400, "query failed"),
    ]
    for name, (path, body), want, text in cases:
        st, _, got = post(port, path, body)
        check("refusal %s" % name, st == want and text in got.get("error", ""), (st, got))
        check("refusal %s leaves the file" % name, read(fb) == before)
    others = [
        ("wrong content type", post(port, "/api/forms/submit", '{"form_id":"fb"}', "text/plain"), 415),
        ("no content type", post(port, "/api/forms/submit", '{"form_id":"fb"}', None), 415),
        ("form urlencoded", post(port, "/api/forms/submit", "form_id=fb", "application/x-www-form-urlencoded"), 415),
        ("cross origin", post(port, "/api/forms/submit", {"form_id": "fb", "inputs": {"n": 9, "text": "x"}},
                              headers={"Origin": "http://evil.example"}), 403),
        ("cross origin other port", post(port, "/api/forms/submit", {"form_id": "fb", "inputs": {"n": 9, "text": "x"}},
                                         headers={"Origin": "http://127.0.0.1:1"}), 403),
        ("cross site fetch", post(port, "/api/forms/submit", {"form_id": "fb", "inputs": {"n": 9, "text": "x"}},
                                  headers={"Sec-Fetch-Site": "cross-site"}), 403),
        ("null origin", post(port, "/api/forms/submit", {"form_id": "fb", "inputs": {"n": 9, "text": "x"}},
                             headers={"Origin": "null"}), 403),
        ("password wrong type", post(port, "/api/auth/update_password", "x", "multipart/form-data; boundary=x"), 415),
        ("unknown endpoint", post(port, "/api/nope", {}), 404),
        ("malformed multipart", post(port, "/api/forms/submit", bad_mp, "multipart/form-data; boundary=x"), 400),
        ("multipart no boundary", post(port, "/api/forms/submit", bad_mp, "multipart/form-data"), 400),
        ("image wrong type", post(port, "/api/forms/submit", gif_text, gif_type), 415),
        ("oversized json", head_only(port, "/api/forms/submit", "application/json", len(big)), 413),
        ("image too large", post(port, "/api/forms/submit", image_big, image_big_type), 413),
        ("oversized multipart", head_only(port, "/api/forms/submit", image_big_type,
                                          5 * 1024 * 1024 + 64 * 1024 + 1), 413),
    ]
    for name, (st, _, got), want in others:
        check("refusal %s" % name, st == want and isinstance(got, dict) and "error" in got,
              (st, got))
        check("refusal %s leaves the file" % name, read(fb) == before)
    for method in ("GET", "PUT", "DELETE"):
        st, hdrs, got = post(port, "/api/forms/submit", b"", None, method=method)
        check("%s on the api is 405" % method, st == 405 and hdrs.get("allow") == "POST", (st, hdrs))
    st, hdrs, _ = post(port, "/index.html", {"form_id": "fb"})
    check("POST elsewhere is 405", st == 405 and hdrs.get("allow") == "GET, HEAD", (st, hdrs))
    # Same origin (with and without the default port rule) is accepted.
    st, _, got = post(port, "/api/forms/submit", {"form_id": "fb", "inputs": {"n": 2, "text": "o"}},
                      headers={"Origin": "http://127.0.0.1:%d" % port})
    check("same origin accepted", st == 200, (st, got))
    # Chunked, without a length: the limit holds while reading.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("POST", "/api/forms/submit")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    status, body = None, b""
    try:
        chunk = b" " * 65536
        for _ in range(40):
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        status, body = resp.status, resp.read()
    except (BrokenPipeError, ConnectionResetError) as e:
        status = repr(e)  # the answer lost: the client never learns why
    conn.close()
    check("chunked oversized (2.5 MiB) is answered 413 with the reason",
          status == 413 and b"larger than" in body, (status, body[:200]))
    check("chunked leaves the file", read(fb) == before + read(fb)[len(before):])


def test_image(port, forms):
    body, ctype = multipart({"form_id": "pic", "inputs": '{"caption": "sunset, \\"red\\""}'},
                            {"photo": ("a.png", PNG, "image/png")})
    st, _, got = post(port, "/api/forms/submit", body, ctype)
    check("image submit", st == 200 and got.get("rows_appended") == 1, (st, got))
    r = rows(os.path.join(forms, "pic.csv"))
    path = r[-1]["photo"] if r else ""
    check("image path recorded", path.startswith("static/forms/pics/pic-") and path.endswith(".png"), r)
    check("image stored", os.path.exists(os.path.join(ROOT, path)) and read(os.path.join(ROOT, path)) == PNG)
    check("image caption", r and r[-1]["caption"] == 'sunset, "red"', r)
    before = read(os.path.join(forms, "pic.csv"))
    body, ctype = multipart({"form_id": "fb", "inputs": '{"n": 1, "text": "t"}'},
                            {"photo": ("a.png", PNG, "image/png")})
    st, _, got = post(port, "/api/forms/submit", body, ctype)
    check("image on a form without image_field", st == 400, (st, got))
    n_pics = len(os.listdir(os.path.join(forms, "pics")))
    body, ctype = multipart({"form_id": "pic", "inputs": '{"caption": "c"}'},
                            {"photo": ("a.gif", b"GIF89a" + b"\0" * 20, "image/gif")})
    st, _, got = post(port, "/api/forms/submit", body, ctype)
    check("gif accepted", st == 200 and got.get("image", "").endswith(".gif"), (st, got))
    check("refused images are not stored", len(os.listdir(os.path.join(forms, "pics"))) == n_pics + 1)
    # A file input left empty sends an empty part: no image, an empty column.
    body, ctype = multipart({"form_id": "pic", "inputs": '{"caption": "no photo"}'},
                            {"photo": ("", b"", "application/octet-stream")})
    st, _, got = post(port, "/api/forms/submit", body, ctype)
    r = rows(os.path.join(forms, "pic.csv"))
    check("empty file part is no image", st == 200 and "image" not in got and r[-1]["photo"] == "" and
          r[-1]["caption"] == "no photo", (st, got, r[-1:]))
    check("pic target grew", len(read(os.path.join(forms, "pic.csv"))) > len(before))


def test_parallel(port, forms):
    fb = os.path.join(forms, "fb.csv")
    before = len(rows(fb))
    n = 60
    statuses = [None] * n

    def one(i):
        statuses[i] = submit(port, "fb", {"n": 1000 + i, "text": "parallel %d" % i})[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("parallel all 200", all(s == 200 for s in statuses), statuses)
    r = rows(fb)
    ids = [int(x["n"]) for x in r if int(x["n"]) >= 1000]
    check("parallel all landed once", len(r) == before + n and sorted(ids) == list(range(1000, 1000 + n)),
          (len(r), before, len(ids)))
    leftovers = [f for f in os.listdir(forms) if ".tmp." in f]
    check("no temporary files left", leftovers == [], leftovers)


def test_full_disk(server, forms):
    fb = os.path.join(forms, "fb.csv")
    before = read(fb)
    # The server may not grow any file past the size fb.csv has now: the
    # new file is written whole before the rename, so its write fails.
    soft, hard = resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (len(before) + 8, hard))
    try:
        st, _, got = submit(server.port, "fb", {"n": 7, "text": "too much text for the disk"})
    finally:
        resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (soft, hard))
    check("full disk is 500", st == 500 and "nothing was written" in got.get("error", ""), (st, got))
    check("full disk leaves the previous file", read(fb) == before)
    check("full disk leaves no temporary file", [f for f in os.listdir(forms) if ".tmp." in f] == [])
    st, _, got = submit(server.port, "fb", {"n": 8, "text": "after"})
    check("a write after the full disk works", st == 200 and read(fb).startswith(before), (st, got))


def test_limits(port):
    for i in range(2):
        st, _, got = submit(port, "limited", email="bob@example.com")
        check("limited %d" % i, st == 200, (st, got))
    before = read(os.path.join(ROOT, "static", "forms", "limited.csv"))
    st, _, got = submit(port, "limited", email="BOB@example.com")
    check("limited third refused", st == 403 and "max_rows_per_user" in got["error"], (st, got))
    check("limited file unchanged", read(os.path.join(ROOT, "static", "forms", "limited.csv")) == before)
    st, _, got = submit(port, "limited", email="carol@example.com")
    check("limited other user", st == 200, (st, got))
    st, _, got = submit(port, "limited")
    check("limited needs an email", st == 400 and "email" in got["error"], (st, got))
    for email, want in [("a@example.com", 200), ("a@EXAMPLE.ORG", 200), ("a@evil-example.com", 403),
                        ("a@example.com.evil.net", 403), ("a@sub.example.com", 403)]:
        st, _, got = submit(port, "dom", email=email)
        check("domain %s" % email, st == want, (st, got))
    st, _, got = submit(port, "dom")
    check("domain needs an email", st == 400, (st, got))
    st, _, got = submit(port, "dom", email="not an email")
    check("domain bad email", st == 400, (st, got))


def test_auth(port):
    st, _, got = submit(port, "auth")
    check("auth needs email", st == 401 and "authentication required" in got["error"], (st, got))
    st, _, got = submit(port, "auth", email="dan@example.com", password="short")
    check("auth weak first password", st == 400 and "password" in got["error"], (st, got))
    st, _, got = submit(port, "auth", email="dan@example.com", password="first password")
    check("auth set", st == 200 and got.get("auth_status") == "set", (st, got))
    st, _, got = submit(port, "auth", email="DAN@example.com", password="first password")
    check("auth ok", st == 200 and got.get("auth_status") == "ok", (st, got))
    # The original's spelling inside inputs works too, and never reaches the CSV.
    st, _, got = submit(port, "auth", {"_user_email": "dan@example.com", "_user_password": "first password"})
    check("auth legacy keys", st == 200 and got.get("auth_status") == "ok", (st, got))
    auth_csv = read(os.path.join(ROOT, "static", "forms", "auth.csv")).decode()
    check("password never written", "first password" not in auth_csv and "_user" not in auth_csv, auth_csv)
    before = read(os.path.join(ROOT, "static", "forms", "auth.csv"))
    st, _, got = submit(port, "auth", email="dan@example.com", password="wrong password")
    check("auth unauthorized", st == 401 and "unauthorized" in got["error"], (st, got))
    check("auth refusal leaves the file", read(os.path.join(ROOT, "static", "forms", "auth.csv")) == before)
    users = json.loads(read(os.path.join(ROOT, "auth", "users.json")))
    check("users file", list(users) == ["dan@example.com"] and users["dan@example.com"].startswith("pbkdf2_sha256$310000$"), users)
    # update_password
    url = "/api/auth/update_password"
    st, _, got = post(port, url, {"email": "dan@example.com", "old_password": "first password",
                                  "new_password": "second password"})
    check("update_password ok", st == 200 and got == {"status": "ok"}, (st, got))
    st, _, got = submit(port, "auth", email="dan@example.com", password="second password")
    check("new password works", st == 200 and got.get("auth_status") == "ok", (st, got))
    st, _, got = post(port, url, {"email": "dan@example.com", "old_password": "second password",
                                  "new_password": "short"})
    check("update_password weak", st == 400 and "weak" in got["error"], (st, got))
    st, _, got = post(port, url, {"old_password": "a", "new_password": "bbbbbbbbbb"})
    check("update_password no email", st == 400 and "email required" in got["error"], (st, got))
    st, _, got = post(port, url, '{"email": ')
    check("update_password malformed", st == 400, (st, got))
    st, _, got = post(port, url, {"email": "dan@example.com", "old_password": "first password",
                                  "new_password": "third password"})
    check("update_password wrong old", st == 401, (st, got))  # failure 2 of dan
    st, _, got = post(port, url, {"email": "nobody@example.com", "old_password": "whatever1",
                                  "new_password": "third password"})
    check("update_password unknown user", st == 401, (st, got))
    # Rate limit: 5 failures per email within the window, then 429 even
    # with the right password; the address is limited too.
    for _ in range(3):
        submit(port, "auth", email="dan@example.com", password="wrong again")
    st, hdrs, got = submit(port, "auth", email="dan@example.com", password="second password")
    check("auth rate limited", st == 429 and int(hdrs.get("retry-after", "0")) > 0, (st, hdrs, got))
    st, hdrs, got = submit(port, "auth", email="erin@example.com", password="erin password")
    check("address rate limited", st == 429 and "retry-after" in hdrs, (st, hdrs, got))


def test_stored_result(port, root, binary, stored):
    st, _, _ = post(port, "/_results/%s.json" % stored, None, None, method="GET")
    check("stored result withheld after a submission", st == 404, st)
    build(binary, root)
    new = stored_hash(root)
    n = len(rows(os.path.join(root, "static", "forms", "fb.csv")))
    deadline = time.monotonic() + 10  # the server polls the results index
    while True:
        st, _, got = post(port, "/_results/%s.json" % new, None, None, method="GET")
        if st == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check("rebuild stores the new rows", st == 200 and got.get("rows") == [[n]], (st, got, n))


def test_rebuilds_keep_data(binary, root, port):
    names = ["static/forms/fb.csv", "static/forms/pic.csv", "data/outside.csv", "auth/users.json"]
    before = {n: read(os.path.join(root, n)) for n in names}
    pics = sorted(os.listdir(os.path.join(root, "static", "forms", "pics")))
    build(binary, root)
    build(binary, root, "--clean")
    for n in names:
        check("rebuild and --clean keep %s" % n, read(os.path.join(root, n)) == before[n])
    check("rebuild and --clean keep images",
          sorted(os.listdir(os.path.join(root, "static", "forms", "pics"))) == pics)
    # A new form in a rebuild is served without a restart.
    with open(os.path.join(root, "content", "index.md"), "a") as f:
        f.write(NEW_FORM)
    st, _, got = submit(port, "later")
    check("new form unknown before the rebuild", st == 404, (st, got))
    build(binary, root)
    st, _, got = submit(port, "later")
    check("new form served after the rebuild", st == 200, (st, got))


def test_site_sign_in(binary, tmp):
    """With [auth] site = true the endpoints need a session, and a
    submission takes its email from it (verified: no password asked)."""
    import urllib.parse
    root = os.path.join(tmp, "signed-site")
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[dirs]\nDIR_FORMS = "static/forms"\n\n[auth]\nsite = true\n')
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write("# S\n\n```form who\ntarget_csv: ${DIR_FORMS}/who.csv\nauth_required: true\n"
                "max_rows_per_user: 1\nsql_relation_query: SELECT 1 AS one\n```\n")
    r = subprocess.run([binary, "user", "add", "Sam@Example.com", "--root", root],
                       input="sam password\n", text=True, capture_output=True)
    check("site: user added", r.returncode == 0, r.stderr)
    build(binary, root)
    srv = Serve(binary, root, ("--no-build", "--no-watch"), wait=30)
    try:
        st, _, got = submit(srv.port, "who", email="sam@example.com", password="sam password")
        check("site: no session is 401", st == 401 and "sign-in required" in got.get("error", ""),
              (st, got))
        st, h, _ = post(srv.port, "/login", urllib.parse.urlencode(
            {"email": "sam@example.com", "password": "sam password"}),
            "application/x-www-form-urlencoded",
            headers={"Origin": "http://127.0.0.1:%d" % srv.port})
        m = re.match(r"ducksite_session=([0-9a-f]{32});", h.get("set-cookie", ""))
        check("site: signed in", st == 303 and m is not None, (st, h))
        if m:
            jar = {"Cookie": "ducksite_session=" + m.group(1)}
            st, _, got = post(srv.port, "/api/forms/submit", {"form_id": "who", "inputs": {}},
                              headers=jar)
            check("site: the session's email, no password",
                  st == 200 and got.get("auth_status") == "session", (st, got))
            rs = rows(os.path.join(root, "static", "forms", "who.csv"))
            check("site: submitted_by is the session's", rs and rs[-1]["submitted_by"] == "sam@example.com", rs)
            # A claimed email in the body does not override the session.
            st, _, got = post(srv.port, "/api/forms/submit",
                              {"form_id": "who", "inputs": {}, "email": "other@example.com"},
                              headers=jar)
            check("site: the session's email counts, not a claimed one",
                  st == 403 and "max_rows_per_user" in got.get("error", ""), (st, got))
    finally:
        check("site: server exits cleanly", srv.stop() == 0)


ROOT = None


def main():
    global ROOT
    binary = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="ducksite-forms-")
    ROOT = root = os.path.join(tmp, "site")
    os.makedirs(os.path.join(root, "content"))
    with open(os.path.join(root, "ducksite.toml"), "w") as f:
        f.write('[dirs]\nDIR_FORMS = "static/forms"\n')
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE)
    server = None
    try:
        build(binary, root)
        forms = os.path.join(root, "static", "forms")
        check("header-only target", read(os.path.join(forms, "fb.csv")) == b"n,text,submitted_by,submitted_at\n")
        check("header-only image target", read(os.path.join(forms, "pic.csv")) == b"caption,photo,submitted_by,submitted_at\n")
        stored = stored_hash(root)
        server = Serve(binary, root, ("--no-build", "--no-watch"), no_sigxfsz, wait=30)
        port = server.port
        st, _, _ = post(port, "/_results/%s.json" % stored, None, None, method="GET")
        check("stored result served before any submission", st == 200, st)
        test_json_submit(port, forms)
        test_refusals(port, forms)
        test_image(port, forms)
        test_parallel(port, forms)
        test_full_disk(server, forms)
        test_limits(port)
        test_stored_result(port, root, binary, stored)
        test_auth(port)  # it leaves 127.0.0.1 rate-limited for sign-ins
        test_rebuilds_keep_data(binary, root, port)
        test_site_sign_in(binary, tmp)
    finally:
        if server:
            code = server.stop()
            check("server exits cleanly", code == 0, (code, "".join(server.err)[-2000:]))
        shutil.rmtree(tmp, ignore_errors=True)
    print("forms: %d passed, %d failed" % (results["passed"], results["failed"]))
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
