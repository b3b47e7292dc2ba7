#!/usr/bin/env python3
"""bench/results_index.py - peak memory of reading a stored-results index
whose one result read very many files, with its files written as the
"files" array and as the compact "files_text" string (docs/server.md,
"Stored results").

Usage: bench/results_index.py [FILES]          (default: 1000000)

Builds a one-page project over a one-file source, then replaces its
static/_results/_index.json by one naming its one stored result as read from
FILES empty files (made once, 1,000 per folder) and, for each form, prints
the index's size and the peak RSS (/usr/bin/time -f %M) of:
  serve:  `ducksite serve --no-build` loading the index and answering one
          request for that result (200: every file stat()ed and found as
          recorded), then stopped;
  build:  `ducksite build --force` reading that index as the previous
          build's (its still_fresh check; the result is then run again).
A build of the small index (the first, which also compresses the runtime's
assets) is printed first.  Set BUILD to measure another
build directory, WORK to keep the files in a folder of your own (not
removed; the files are reused by the next run).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

BUILD = os.environ.get("BUILD", "build")
DUCKSITE = os.path.abspath(os.path.join(BUILD, "ducksite"))
DS_SQL = os.path.abspath(os.path.join(BUILD, "ds-sql"))
PAGE = "# T\n\n```sql total\nSELECT count(*) AS n FROM t\n```\n\n```table total\n```\n"


def make_lake(lake, n):
    """N empty files under LAKE; their (path, size, mtime_ns), in order."""
    files = []
    for i in range(n):
        folder = os.path.join(lake, "d%04d" % (i // 1000))
        path = os.path.join(folder, "f%07d.parquet" % i)
        if not os.path.exists(path):
            os.makedirs(folder, exist_ok=True)
            open(path, "wb").close()
        st = os.stat(path)
        files.append((path, st.st_size, st.st_mtime_ns))
    return files


def write_index(root, h, files, compact):
    results = os.path.join(root, "static", "_results")
    entry = {"dirs": [], "bytes": os.path.getsize(os.path.join(results, h + ".json"))}
    if compact:
        entry["files_text"] = "".join("%d\t%d\t%s\n" % (s, m, p) for p, s, m in files)
    else:
        entry["files"] = [{"path": p, "size": s, "mtime_ns": m} for p, s, m in files]
    path = os.path.join(results, "_index.json")
    with open(path, "w") as f:
        json.dump({"version": 1, "results": {h: entry}}, f, indent=1, sort_keys=True)
    return os.path.getsize(path)


def peak_kb(stderr):
    return int(stderr.strip().splitlines()[-1])


def serve(root, h):
    """(peak RSS in KB, status of the request, seconds to the serving line)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", DUCKSITE, "serve", "--root", root,
                             "--port", "0", "--no-build"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    port = None
    for line in proc.stdout:
        if line.startswith("serving ") and " at http://" in line:
            port = int(line.rsplit(":", 1)[1].strip().strip("/"))
            break
    started = time.monotonic() - t0
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/_results/%s.json" % (port, h)) as r:
            status = r.status
    except urllib.error.HTTPError as e:
        status = e.code
    # SIGTERM to ducksite itself (the child of time, which then reports).
    child = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    os.kill(int(child.stdout.split()[0]), signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    return peak_kb(err), status, started


def build(root):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", DUCKSITE, "build", "--root", root,
                        "--force"], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("build failed: " + r.stderr)
    return peak_kb(r.stderr)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000000
    work = os.environ.get("WORK") or tempfile.mkdtemp(prefix="ds-results-index-")
    try:
        root = os.path.join(work, "site")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, "content"))
        os.makedirs(os.path.join(work, "t"), exist_ok=True)
        subprocess.run([DS_SQL], input="COPY (SELECT 1 AS v) TO '%s/t/a.parquet' "
                       "(FORMAT parquet)" % work, text=True, check=True, capture_output=True)
        with open(os.path.join(root, "ducksite.toml"), "w") as f:
            f.write('[[file_sources]]\nname = "t"\nupstream_glob = "%s/t/*.parquet"\n' % work)
        with open(os.path.join(root, "content", "index.md"), "w") as f:
            f.write(PAGE)
        base = build(root)
        with open(os.path.join(root, "static", "_results", "_index.json")) as f:
            (h, _), = json.load(f)["results"].items()
        t0 = time.monotonic()
        files = make_lake(os.path.join(work, "lake"), n)
        print("%d files ready in %.0f s; a build of the small index: peak %d MB"
              % (n, time.monotonic() - t0, base // 1024))
        for compact in (False, True):
            size = write_index(root, h, files, compact)
            kb, status, started = serve(root, h)
            print("%-10s index %4d MB  serve: peak %5d MB, serving after %.1f s, result %d"
                  % ("files_text" if compact else "files", size >> 20, kb // 1024, started,
                     status))
            write_index(root, h, files, compact)
            print("%-10s                build --force: peak %5d MB"
                  % ("", build(root) // 1024))
    finally:
        if not os.environ.get("WORK"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
