#!/usr/bin/env python3
"""live_reload.py - the writing loop on the demo, timed: save a page (its
prose, or one of its sql blocks, or a model) under `ducksite serve` until
the new HTML is on disk and the open pages are told (an incremental rebuild: serve keeps the data map, views
and what compiling learnt between builds), against a full `ducksite build`
after the same save in the same run.  A model's save is published in two
steps (docs/serve.md, "Rebuild speed"): the pages told, then its stored
results published, both timed.  And a
build that changes nothing with and without the assets stamp
(static/.ducksite-assets.json: without it, every runtime file is read and
compared, as before the stamp).

Usage: bench/live_reload.py [RUNS] [--ducksite PATH]

Makes the demo in a temporary folder (`ducksite demo`), runs
`ducksite serve` on 127.0.0.1 (a free port; stopped by its PID) and
listens to GET /_ducksite/events.  Prints medians in ms.
"""
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(binary, *args):
    t = time.monotonic()
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed: {r.stderr}")
    return (time.monotonic() - t) * 1000, r


def assets_ms(err):
    """The assets step's time, from its "assets: ... (N ms)" line."""
    for line in err.splitlines():
        if "assets: " in line and line.endswith(" ms)"):
            return float(line.rsplit("(", 1)[1].split()[0])
    return None


def built_ms(out):
    """The build's own time, from its "built ... in N ms" line."""
    for line in out.splitlines():
        if line.startswith("built ") and line.endswith(" ms"):
            return float(line.rsplit(" ", 2)[1])
    return None


class Events:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.conn.request("GET", "/_ducksite/events")
        self.resp = self.conn.getresponse()
        self.events = []  # (monotonic time, name, data)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        name = None
        try:
            for raw in self.resp.fp:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name:
                    self.events.append((time.monotonic(), name, json.loads(line[6:])))
                    name = None
        except (OSError, ValueError):
            pass


def wait(pred, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.002)
    return None


def model_sql(sql, k):
    """The demo's orders model with a constant K added to a revenue: its
    SQL, and what the queries reading it store, change."""
    return sql.replace("round(sum(revenue), 2) AS revenue\nFROM orders_daily\nGROUP BY 1, 2",
                       f"round(sum(revenue), 2) + {k} AS revenue\nFROM orders_daily\n"
                       "GROUP BY 1, 2")


def main():
    args = sys.argv[1:]
    binary = os.path.join(HERE, "..", "build", "ducksite")
    if "--ducksite" in args:
        i = args.index("--ducksite")
        binary = args[i + 1]
        del args[i:i + 2]
    runs = int(args[0]) if args else 5
    work = tempfile.mkdtemp(prefix="ds-bench-live-")
    root = os.path.join(work, "demo")
    stamp = os.path.join(root, "static", ".ducksite-assets.json")
    try:
        run(binary, "demo", "--root", root)
        run(binary, "build", "--root", root)
        before, after, full, a_before, a_after = [], [], [], [], []
        for _ in range(runs):
            if os.path.exists(stamp):
                os.unlink(stamp)
            ms, r = run(binary, "build", "--root", root)
            before.append(ms)
            a_before.append(assets_ms(r.stderr))
            run(binary, "build", "--root", root)  # writes the stamp again
            ms, r = run(binary, "build", "--root", root)
            after.append(ms)
            a_after.append(assets_ms(r.stderr))
        print(f"no-change build, whole process: {statistics.median(before):.0f} ms without the "
              f"assets stamp, {statistics.median(after):.0f} ms with it "
              f"(x{statistics.median(before) / statistics.median(after):.2f}); the assets step: "
              f"{statistics.median(a_before):.0f} ms -> {statistics.median(a_after):.0f} ms")

        proc = subprocess.Popen([binary, "serve", "--root", root, "--host", "127.0.0.1", "--port",
                                 "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = [], []
        threading.Thread(target=lambda: [out.append((time.monotonic(), l)) for l in proc.stdout],
                         daemon=True).start()
        threading.Thread(target=lambda: [err.append((time.monotonic(), l)) for l in proc.stderr],
                         daemon=True).start()
        try:
            port = wait(lambda: next((int(l.rsplit(":", 1)[1].strip().strip("/"))
                                      for _, l in out if l.startswith("serving ")), None), 300)
            ev = Events(port)
            page = os.path.join(root, "content", "index.md")
            html = os.path.join(root, "static", "index.html")
            original = open(page).read()
            told, on_disk, build_self = [], [], []
            for i in range(runs):
                time.sleep(0.5)
                marker = f"Edited line {i} {time.time()}"
                n_ev, n_out = len(ev.events), len(out)
                t0 = time.monotonic()
                open(page, "w").write(original + f"\n{marker}\n")
                t_disk = wait(lambda: marker in open(html).read() and time.monotonic())
                t_ev = wait(lambda: next((t for t, n, d in ev.events[n_ev:]
                                          if n == "reload" and "index.html" in d["pages"]), None))
                line = wait(lambda: next((l for _, l in out[n_out:] if l.startswith("built ")),
                                         None))
                on_disk.append((t_disk - t0) * 1000)
                told.append((t_ev - t0) * 1000)
                build_self.append(built_ms(line))
            page_build = statistics.median(build_self)
            print(f"save a page -> new HTML on disk {statistics.median(on_disk):.0f} ms, pages "
                  f"told {statistics.median(told):.0f} ms (the rebuild itself: "
                  f"{page_build:.0f} ms)")
            n_out = len(out)
            open(page, "w").write(original)
            wait(lambda: any(l.startswith("built ") for _, l in out[n_out:]))

            # A page's sql block: its stored result is run again and the
            # values that read it are formatted again (first paint).
            told_sql, build_sql = [], []
            for i in range(runs):
                time.sleep(0.5)
                n_ev, n_out = len(ev.events), len(out)
                t0 = time.monotonic()
                open(page, "w").write(original.replace("SELECT month, sum(revenue) AS revenue,",
                                                       f"SELECT month, {i} AS edit, "
                                                       "sum(revenue) AS revenue,", 1))
                t_ev = wait(lambda: next((t for t, n, d in ev.events[n_ev:]
                                          if n == "reload" and "index.html" in d["pages"]), None))
                line = wait(lambda: next((l for _, l in out[n_out:] if l.startswith("built ")),
                                         None))
                told_sql.append((t_ev - t0) * 1000)
                build_sql.append(built_ms(line))
            print(f"save a page's sql block -> pages told {statistics.median(told_sql):.0f} ms "
                  f"(the rebuild itself: {statistics.median(build_sql):.0f} ms)")
            n_out = len(out)
            open(page, "w").write(original)
            wait(lambda: any(l.startswith("built ") for _, l in out[n_out:]))

            model = os.path.join(root, "sources_sql", "orders.sql")
            sql = open(model).read()
            done, told, build_self, final = [], [], [], []
            for i in range(runs):
                time.sleep(0.5)
                n_out, n_err, n_ev = len(out), len(err), len(ev.events)
                t0 = time.monotonic()
                # A different constant: the model's SQL, and what it stores, change.
                open(model, "w").write(model_sql(sql, i % 2))
                t = wait(lambda: next((t for t, l in out[n_out:] if l.startswith("built ")), None))
                line = next(l for tt, l in out[n_out:] if tt == t)
                t_ev = wait(lambda: next((t for t, n, d in ev.events[n_ev:]
                                          if n == "reload" and d["pages"]), None))
                # The second step (serve publishes the pages first, then
                # runs their new stored results): its own "built" line.
                if wait(lambda: any("left for later" in l and "running the" in l
                                    for _, l in err[n_err:]), 1):
                    def second():
                        built = [tt for tt, l in out[n_out:] if l.startswith("built ")]
                        return built[1] if len(built) > 1 else None
                    final.append((wait(second, 120) - t0) * 1000)
                else:
                    final.append((t - t0) * 1000)
                wait(lambda: False, 0.3)  # let another rebuild (if any) show
                done.append((t - t0) * 1000)
                told.append((t_ev - t0) * 1000)
                build_self.append(built_ms(line))
            open(model, "w").write(sql)
            wait(lambda: False, 1)
            model_build = statistics.median(build_self)
            print(f"save a model -> rebuilt and published {statistics.median(done):.0f} ms, pages "
                  f"told {statistics.median(told):.0f} ms (the rebuild itself: "
                  f"{model_build:.0f} ms); its stored results published "
                  f"{statistics.median(final):.0f} ms")
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
        full_self = []
        for i in range(runs):
            # A page saved, then a full build: what serve did before it kept
            # anything between rebuilds.
            open(page, "w").write(original + f"\nFull {i} {time.time()}\n")
            ms, r = run(binary, "build", "--root", root)
            full.append(ms)
            full_self.append(built_ms(r.stdout))
        open(page, "w").write(original)
        full_build = statistics.median(full_self)
        model_full = []
        for i in range(runs):
            # A model saved, then a full build: every result reading it runs.
            open(model, "w").write(model_sql(sql, 2 + i % 2))
            ms, r = run(binary, "build", "--root", root)
            model_full.append(ms)
        open(model, "w").write(sql)
        print(f"full `ducksite build` of the demo after a model is saved: whole process "
              f"{statistics.median(model_full):.0f} ms")
        print(f"full `ducksite build` of the demo after a page is saved: whole process "
              f"{statistics.median(full):.0f} ms, the build itself {full_build:.0f} ms")
        print(f"incremental against full, the build itself: page {page_build:.0f} ms vs "
              f"{full_build:.0f} ms (x{full_build / page_build:.1f}), model "
              f"{model_build:.0f} ms vs {full_build:.0f} ms")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
