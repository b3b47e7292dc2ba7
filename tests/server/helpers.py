"""helpers.py - what the tests in tests/server/ share: one HTTP request on a
fresh connection, Parquet files made with the build-time engine, a child
process stopped by its own PID, `ducksite serve` as such a child (its port
read from its first line), a bounded wait, and a tally of checks."""
import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time


def request(port, path, headers=None, method="GET"):
    """(status, headers with lower-case names, body) of one request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def make_parquet(ds_sql, path, rows):
    """A Parquet file of ROWS rows (id, amount) at PATH, made with ds-sql."""
    make_parquets(ds_sql, [(path, rows)])


def make_parquets(ds_sql, files):
    """make_parquet for each (PATH, ROWS) of FILES, with one start of ds-sql
    (a start is 0.1 s, 0.3 s under the sanitizers)."""
    sql = []
    for path, rows in files:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        sql.append("COPY (SELECT range AS id, range * 2 AS amount FROM range(%d)) TO '%s' (FORMAT parquet);"
                   % (rows, path.replace("'", "''")))
    subprocess.run([ds_sql], input="\n".join(sql), text=True, check=True, capture_output=True)


def stop(proc, timeout=20):
    """SIGTERM to PROC's own PID, SIGKILL after TIMEOUT seconds; its exit code."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


class Tally:
    """Counts checks; a failed one is printed at once."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)


# The first build compresses the runtime's assets (DuckDB-Wasm): a few
# seconds alone, well over 30 on a machine busy with other jobs.
FIRST_BUILD = 180


def wait_for(predicate, seconds=30):
    """Polls until predicate() is true; the loop is bounded in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class Serve:
    """`ducksite serve --root ROOT --port 0 EXTRA...` on 127.0.0.1, its stdout
    and stderr lines collected (out, err); .port is the port it bound, once
    its "serving" line is out (waited for up to WAIT seconds; 0: the caller
    waits)."""

    def __init__(self, binary, root, extra=(), preexec_fn=None, wait=0):
        self.proc = subprocess.Popen([binary, "serve", "--root", root, "--port", "0", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     preexec_fn=preexec_fn)
        self.out, self.err, self.port = [], [], None
        threading.Thread(target=self._read, args=(self.proc.stdout, self.out), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True).start()
        deadline = time.monotonic() + wait
        while wait and self.port is None and time.monotonic() < deadline and \
                self.proc.poll() is None:
            time.sleep(0.05)
        if wait and self.port is None:
            stop(self.proc)
            raise RuntimeError("serve did not start: %s" % "".join(self.err))

    def _read(self, stream, lines):
        for line in stream:
            lines.append(line)
            if line.startswith("serving ") and " at http://" in line:
                self.port = int(line.rsplit(":", 1)[1].strip().strip("/"))

    def stop(self):
        return stop(self.proc)


# The name the live-reload, watch and results tests use.
Server = Serve


class Listener:
    """One event stream, read on a thread into self.events as (name, data)."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", "/_ducksite/events")
        self.resp = self.conn.getresponse()
        self.status = self.resp.status
        self.type = self.resp.getheader("Content-Type")
        self.events = []
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        name, data = None, []
        try:
            for raw in self.resp.fp:
                line = raw.decode().rstrip("\n")
                if line == "":
                    if name:
                        self.events.append((name, json.loads("\n".join(data))))
                    name, data = None, []
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
        except (OSError, ValueError):
            pass

    def named(self, name):
        return [d for n, d in self.events if n == name]

    def close(self):
        # Wakes the reading thread first: closing the response under it
        # would wait for its read.
        if self.conn.sock:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        self.conn.close()
