"""helpers.py - what the tests in tests/server/ share: one HTTP request on a
fresh connection, Parquet files made with the build-time engine, a child
process stopped by its own PID, and a tally of checks."""
import http.client
import os
import signal
import subprocess


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
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sql = ("COPY (SELECT range AS id, range * 2 AS amount FROM range(%d)) TO '%s' (FORMAT parquet)"
           % (rows, path.replace("'", "''")))
    subprocess.run([ds_sql], input=sql, text=True, check=True, capture_output=True)


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
