#!/usr/bin/env python3
"""test_live_reload.py - `ducksite serve` tells open pages what a rebuild
changed over GET /_ducksite/events (server-sent events): a "reload" naming
the pages whose HTML changed and no other, a "build-error" with the file and
line of a failed build (also to a page that subscribes while it is
broken), and a "build-ok" once a rebuild works again.  `ducksite serve
--no-watch` has no stream.

Usage: test_live_reload.py DUCKSITE_BINARY

The server runs on 127.0.0.1 (a free port) over a project in a temporary
folder and is always stopped by its own PID.  Prints "live_reload: N
passed, M failed".
"""
import os
import shutil
import sys
import tempfile

from helpers import FIRST_BUILD, Listener, Server, request, stop, wait_for

PAGE = "# Alpha\n\nFirst words.\n"
OTHER = "# Beta\n\nOther words.\n"


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="ds-live-")
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

    os.makedirs(os.path.join(work, "content"))
    open(os.path.join(work, "ducksite.toml"), "w").write("")
    alpha = os.path.join(work, "content", "alpha.md")
    beta = os.path.join(work, "content", "beta.md")
    open(alpha, "w").write(PAGE)
    open(beta, "w").write(OTHER)
    server = Server(binary, work)
    listeners = []
    try:
        check("builds first and serves", wait_for(lambda: server.port is not None, FIRST_BUILD),
              "".join(server.err))
        ev = Listener(server.port)
        listeners.append(ev)
        check("the stream is an event stream", ev.status == 200 and ev.type == "text/event-stream",
              (ev.status, ev.type))

        open(alpha, "w").write(PAGE.replace("First", "Edited"))
        check("editing a page names it in a reload",
              wait_for(lambda: any("alpha.html" in d["pages"] for d in ev.named("reload"))),
              ev.events)
        check("and only it", all(d["pages"] == ["alpha.html"] for d in ev.named("reload")),
              ev.events)
        status, _, body = request(server.port, "/alpha.html")
        check("the new page is on disk when told", b"Edited" in body, body[:200])

        n = len(ev.named("reload"))
        open(beta, "w").write(OTHER.replace("Other", "Changed"))
        check("editing another page reloads that one",
              wait_for(lambda: len(ev.named("reload")) > n), ev.events)
        check("and not the first", all("alpha.html" not in d["pages"]
                                       for d in ev.named("reload")[n:]), ev.events)

        open(alpha, "w").write("# Alpha\n\n```sql broken\nSELEC nonsense\n```\n")
        check("a broken page sends its error",
              wait_for(lambda: ev.named("build-error")), "".join(server.err))
        err = ev.named("build-error")[0] if ev.named("build-error") else {}
        check("the error names the file", err.get("file") == "content/alpha.md", err)
        check("and the line of the mistake", err.get("line") == 4, err)
        check("and says what is wrong", "SELEC" in err.get("message", "")
              or "syntax" in err.get("message", "").lower(), err)
        late = Listener(server.port)
        listeners.append(late)
        check("a page opened while broken gets the error",
              wait_for(lambda: late.named("build-error"), 10), late.events)

        open(alpha, "w").write(PAGE.replace("First", "Fixed"))
        check("fixing it clears the error", wait_for(lambda: ev.named("build-ok")), ev.events)
        check("after the reload of the fixed page",
              [n for n, _ in ev.events][-2:] == ["reload", "build-ok"], ev.events)
        check("a late listener is told too", wait_for(lambda: late.named("build-ok"), 10),
              late.events)

        # At most 64 streams (DS_EVENTS_MAX_LISTENERS): 2 are open.
        more = [Listener(server.port) for _ in range(62)]
        listeners.extend(more)
        check("up to 64 streams are served", all(l.status == 200 for l in more),
              [l.status for l in more])
        status, headers, _ = request(server.port, "/_ducksite/events")
        check("the 65th gets 503 with Retry-After",
              status == 503 and headers.get("retry-after") == "15", (status, headers))
        status, _, body = request(server.port, "/alpha.html")
        check("pages are still served meanwhile", status == 200 and b"Fixed" in body, status)
    finally:
        for l in listeners:
            l.close()
        code = stop(server.proc)
    check("stops cleanly with listeners open", code == 0, f"exit code {code}")

    plain = Server(binary, work, ["--no-watch"])
    try:
        check("--no-watch serves", wait_for(lambda: plain.port is not None, FIRST_BUILD),
              "".join(plain.err))
        status, _, _ = request(plain.port, "/_ducksite/events")
        check("without rebuilds there is no stream", status == 404, status)
    finally:
        stop(plain.proc)
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print(f"live_reload: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
