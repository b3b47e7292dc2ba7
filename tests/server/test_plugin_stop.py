#!/usr/bin/env python3
"""test_plugin_stop.py - `ducksite serve` stops on SIGTERM while a plugin
hangs, and takes the plugin and every process it started with it.

Usage: test_plugin_stop.py DUCKSITE_BINARY

Two cases, each on a project in a temporary folder with an executable
plugin that, once told to, starts `sleep 1000` in the background, writes
the pids to a file and waits for ever:
  - the plugin hangs in a rebuild (SIGTERM is blocked in every thread of
    the server then): serve exits 0 within seconds;
  - the plugin hangs in the first build, before the server runs: serve
    dies of the signal within seconds.
In both, the plugin and its child must be gone afterwards.  The server
listens on 127.0.0.1 (a free port) and is always stopped by its own PID.
Prints "plugin-stop: N passed, M failed".
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from helpers import wait_for

GOOD = "#!/bin/sh\necho '{\"files\": []}'\n"
# $$ is the plugin's shell; $! its background child.
HANG = "#!/bin/sh\nsleep 1000 &\necho \"$$ $!\" > pids.tmp && mv pids.tmp pids\nwait\n"
TOML = ('[[file_sources]]\nname = "lake"\nplugin = "bin/lake.sh"\nplugin_timeout = 600\n')


def gone(pid):
    """The process has exited (a zombie nobody reaped runs nothing)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state in ("Z", "X")
    except FileNotFoundError:
        return True


def make_project(work, plugin):
    os.makedirs(os.path.join(work, "bin"))
    os.makedirs(os.path.join(work, "content"))
    with open(os.path.join(work, "ducksite.toml"), "w") as f:
        f.write(TOML)
    write_plugin(work, plugin)


def write_plugin(work, text):
    path = os.path.join(work, "bin", "lake.sh")
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.chmod(path + ".tmp", 0o755)
    os.rename(path + ".tmp", path)


def read_pids(work):
    with open(os.path.join(work, "pids")) as f:
        return [int(p) for p in f.read().split()]


class Server:
    def __init__(self, binary, root):
        self.proc = subprocess.Popen([binary, "serve", "--root", root, "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        for stream in (self.proc.stdout, self.proc.stderr):
            threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def serving(self):
        return any(line.startswith("serving ") for line in self.lines)

    def sigterm_and_wait(self, seconds):
        """SIGTERM; the exit code, or None if it did not stop in time."""
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def main():
    binary = os.path.abspath(sys.argv[1])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

    # A plugin that hangs in a rebuild.
    work = tempfile.mkdtemp(prefix="ds-plugin-stop-")
    make_project(work, GOOD)
    server = Server(binary, work)
    pids = []
    try:
        check("serves after the first build", wait_for(server.serving, 120),
              "".join(server.lines))
        write_plugin(work, HANG)
        started = wait_for(lambda: os.path.exists(os.path.join(work, "pids")), 120)
        check("the changed plugin runs in a rebuild and hangs", started, "".join(server.lines))
        if started:
            pids = read_pids(work)
        t0 = time.monotonic()
        code = server.sigterm_and_wait(10)
        check("SIGTERM stops serve while the plugin hangs", code == 0,
              f"exit code {code}: " + "".join(server.lines))
        took = time.monotonic() - t0
        print(f"     serve stopped {took:.2f} s after SIGTERM")
        check("promptly", took < 5, f"{took:.1f} s")
        check("the plugin and its child are gone",
              bool(pids) and wait_for(lambda: all(gone(p) for p in pids), 5), str(pids))
    finally:
        server.kill()
        for p in pids:
            if not gone(p):
                os.kill(p, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)

    # A plugin that hangs in the first build.
    work = tempfile.mkdtemp(prefix="ds-plugin-stop-")
    make_project(work, HANG)
    server = Server(binary, work)
    pids = []
    try:
        started = wait_for(lambda: os.path.exists(os.path.join(work, "pids")), 120)
        check("the plugin hangs in the first build", started, "".join(server.lines))
        if started:
            pids = read_pids(work)
        code = server.sigterm_and_wait(10)
        check("SIGTERM stops serve during its first build", code == -signal.SIGTERM,
              f"exit code {code}: " + "".join(server.lines))
        check("the plugin and its child are gone",
              bool(pids) and wait_for(lambda: all(gone(p) for p in pids), 5), str(pids))
    finally:
        server.kill()
        for p in pids:
            if not gone(p):
                os.kill(p, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)

    failed = results.count(False)
    print(f"plugin-stop: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
