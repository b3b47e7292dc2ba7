#!/usr/bin/env python3
"""run_cases.py - runs the CLI scenario cases in tests/cases/.

A case is data, in tests/cases/NAME/:

  cmd             ducksite invocations, one per line ('#' lines are comments,
                  '<none>' means no arguments at all), run in the project directory.  Every line but the last must
                  exit 0; the last is checked against expect/.
  project/        the project to copy into a fresh work directory (optional).
  setup.sql       SQL run with the build-time DuckDB in the project directory
                  before the commands, to make Parquet files at test time.
  env             NAME=VALUE lines added to the commands' environment.
  input           text given on stdin to every command (a password for
                  `ducksite user`); without it stdin is left as it is.
  expect/exit     exit code of the last command (default 0).
  expect/stdout   lines that must appear in stdout, in this order (substrings).
  expect/stderr   lines that must appear in stderr, in this order (substrings).
  expect/not_stderr  lines that must not appear anywhere in stderr.
  expect/not_stdout  lines that must not appear anywhere in stdout.
  expect/files/   files that must exist in the project with exactly this text.
  expect/absent   paths (relative to the project) that must not exist.
  expect/present  paths (relative to the project) that must exist, whatever
                  their content.

In every expected text, {ROOT} stands for the project's absolute path.  In
project/ducksite.toml, {BUILD} stands for the build directory (where the
example native plugin is built).
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.startswith("#")]


def check_in_order(label, want_lines, text, root, problems):
    pos = 0
    for want in want_lines:
        want = want.replace("{ROOT}", root)
        found = text.find(want, pos)
        if found < 0:
            where = "at all" if text.find(want) < 0 else "in order"
            problems.append(f"{label}: missing {where}: {want!r}")
        else:
            pos = found + len(want)


def run_case(name, args):
    case = os.path.join(CASES, name)
    work = os.path.join(args.work, name)
    shutil.rmtree(work, ignore_errors=True)
    if os.path.isdir(os.path.join(case, "project")):
        shutil.copytree(os.path.join(case, "project"), work, symlinks=True)
    else:
        os.makedirs(work)
    root = os.path.realpath(work)
    problems = []
    toml = os.path.join(work, "ducksite.toml")
    if os.path.exists(toml):
        with open(toml, encoding="utf-8") as f:
            text = f.read()
        with open(toml, "w", encoding="utf-8") as f:
            f.write(text.replace("{BUILD}", args.build_dir))

    setup_sql = os.path.join(case, "setup.sql")
    if os.path.exists(setup_sql):
        # COPY does not create folders, and git keeps no empty ones: make
        # the folder of every COPY ... TO 'path' first.
        with open(setup_sql, encoding="utf-8") as f:
            for target in re.findall(r"\bTO\s+'([^']+)'", f.read(), re.IGNORECASE):
                folder = os.path.dirname(target)
                if folder and "(" not in target:
                    os.makedirs(os.path.join(work, folder), exist_ok=True)
        r = subprocess.run([args.sql, setup_sql], cwd=work, capture_output=True, text=True)
        if r.returncode != 0:
            return [f"setup.sql failed: {r.stderr.strip()}"]

    commands = read_lines(os.path.join(case, "cmd"))
    if not commands:
        return ["no commands in cmd"]
    env = dict(os.environ, NO_COLOR="1")
    for line in read_lines(os.path.join(case, "env")):
        name, _, value = line.partition("=")
        env[name.strip()] = value.strip().replace("{ROOT}", root)
    stdin_text = None
    if os.path.exists(os.path.join(case, "input")):
        with open(os.path.join(case, "input"), encoding="utf-8") as f:
            stdin_text = f.read()
    result = None
    for i, line in enumerate(commands):
        words = [] if line.strip() == "<none>" else shlex.split(line)
        argv = [args.ducksite] + [a.replace("{ROOT}", root) for a in words]
        result = subprocess.run(argv, cwd=work, capture_output=True, text=True, env=env,
                                timeout=600, input=stdin_text)
        for stream in (result.stdout, result.stderr):
            if any(mark in stream for mark in SANITIZER_MARKS):
                problems.append(f"sanitizer report from `{line}`:\n{stream}")
        if i < len(commands) - 1 and result.returncode != 0:
            problems.append(f"`{line}` exited {result.returncode}:\n{result.stderr}")
            return problems

    expect = os.path.join(case, "expect")
    want_exit = int((read_lines(os.path.join(expect, "exit")) or ["0"])[0])
    if result.returncode != want_exit:
        problems.append(f"exit code {result.returncode}, expected {want_exit}")
    check_in_order("stdout", read_lines(os.path.join(expect, "stdout")), result.stdout, root,
                   problems)
    check_in_order("stderr", read_lines(os.path.join(expect, "stderr")), result.stderr, root,
                   problems)
    for stream, text in (("stderr", result.stderr), ("stdout", result.stdout)):
        for banned in read_lines(os.path.join(expect, "not_" + stream)):
            if banned.replace("{ROOT}", root) in text:
                problems.append(f"{stream}: must not contain {banned!r}")
    files = os.path.join(expect, "files")
    for dirpath, _, names in os.walk(files):
        for fname in sorted(names):
            want_path = os.path.join(dirpath, fname)
            rel = os.path.relpath(want_path, files)
            got_path = os.path.join(work, rel)
            with open(want_path, encoding="utf-8") as f:
                want = f.read().replace("{ROOT}", root)
            if not os.path.exists(got_path):
                problems.append(f"file {rel}: missing")
                continue
            with open(got_path, encoding="utf-8", errors="replace") as f:
                got = f.read()
            if got != want:
                problems.append(f"file {rel}: differs\n--- expected\n{want}\n--- got\n{got}")
    for rel in read_lines(os.path.join(expect, "absent")):
        if os.path.lexists(os.path.join(work, rel)):
            problems.append(f"{rel}: should not exist")
    for rel in read_lines(os.path.join(expect, "present")):
        if not os.path.lexists(os.path.join(work, rel)):
            problems.append(f"{rel}: missing")
    if problems:
        problems.append(f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ducksite", required=True)
    ap.add_argument("--sql", required=True, help="the ds-sql helper")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--build-dir", default="build", help="build directory ({BUILD})")
    ap.add_argument("names", nargs="*", help="cases to run (default: all)")
    args = ap.parse_args()
    args.ducksite = os.path.abspath(args.ducksite)
    args.sql = os.path.abspath(args.sql)
    args.build_dir = os.path.abspath(args.build_dir)
    names = args.names or sorted(n for n in os.listdir(CASES)
                                 if os.path.isdir(os.path.join(CASES, n)))
    passed = failed = 0
    for name in names:
        if not os.path.isdir(os.path.join(CASES, name)):
            print(f"case {name}: no such case")
            failed += 1
            continue
        problems = run_case(name, args)
        if problems:
            failed += 1
            print(f"case {name}: FAILED")
            for p in problems:
                print("  " + p.replace("\n", "\n  "))
        else:
            passed += 1
            print(f"case {name}: ok")
    print(f"cases: {passed} passed, {failed} failed")
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main())
