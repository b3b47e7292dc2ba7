#!/usr/bin/env python3
"""Run the toml-test conformance suite (TOML 1.0.0 cases) against a decoder.

Usage: run_conformance.py DECODER SUITE_DIR

SUITE_DIR is toml-test's `tests` directory.  Its file `files-toml-1.0.0`
lists the cases: every valid/*.toml must decode (exit 0) to JSON equal to
the matching valid/*.json, and every invalid/*.toml must be rejected with
exit status 1 and a "line:col: message" on stderr.  A crash, a sanitizer
report or any other exit status is a failure.

The decoder runs once for the whole suite (`--each DIR FILE...`: a child
process per file, its outputs and exit status in DIR), so a sanitizer build
starts once; a crash still fails only its own file.

The comparison follows toml-test: same structure and types; integers
compared as integers, floats numerically (nan equals nan), date-times by the
moment they name (so 17:45:56.6Z equals 17:45:56.600+00:00).

Prints each failure, then "toml-test: N passed, M failed".  Exits non-zero
if anything failed or the suite is missing: a missing suite is a failure,
never a skip, so a broken checkout cannot pass silently.
"""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

TIMEOUT_SECONDS = 600  # the whole suite (a file that hangs shows as the first with no status)
SANITIZER_EXIT = 99  # so a sanitizer report is never mistaken for exit 1

SCALAR_TYPES = {"string", "integer", "float", "bool",
                "datetime", "datetime-local", "date-local", "time-local"}

DATE_RE = r"(\d{4})-(\d{2})-(\d{2})"
TIME_RE = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
OFFSET_RE = r"([Zz]|[+-]\d{2}:\d{2})"


def nanos(fraction):
    """Fraction digits ("6", "600", None) as nanoseconds."""
    return int((fraction or "").ljust(9, "0")[:9])


def days_from_civil(y, m, d):
    """Days since 1970-01-01 in the proleptic Gregorian calendar."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def datetime_key(kind, text):
    """A value that is equal for equal date-times of the given kind, or the
    raw text when it does not parse (then only identical text matches)."""
    if kind == "datetime":
        m = re.fullmatch(DATE_RE + "[Tt ]" + TIME_RE + OFFSET_RE, text)
        if not m:
            return ("raw", text)
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        offset = m.group(8)
        off_min = 0
        if offset not in ("Z", "z"):
            sign = -1 if offset[0] == "-" else 1
            off_min = sign * (int(offset[1:3]) * 60 + int(offset[4:6]))
        seconds = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
        return ("instant", seconds - off_min * 60, nanos(m.group(7)))
    if kind == "datetime-local":
        m = re.fullmatch(DATE_RE + "[Tt ]" + TIME_RE, text)
        if not m:
            return ("raw", text)
        return tuple(int(g) for g in m.groups()[:6]) + (nanos(m.group(7)),)
    if kind == "date-local":
        m = re.fullmatch(DATE_RE, text)
        return tuple(int(g) for g in m.groups()) if m else ("raw", text)
    if kind == "time-local":
        m = re.fullmatch(TIME_RE, text)
        if not m:
            return ("raw", text)
        return tuple(int(g) for g in m.groups()[:3]) + (nanos(m.group(4)),)
    return ("raw", text)


def parse_float(text):
    t = text.strip().lower()
    if t in ("nan", "+nan", "-nan"):
        return math.nan
    if t in ("inf", "+inf"):
        return math.inf
    if t == "-inf":
        return -math.inf
    return float(text)


def is_tagged(v):
    return (isinstance(v, dict) and set(v) == {"type", "value"}
            and isinstance(v["type"], str) and isinstance(v["value"], str)
            and v["type"] in SCALAR_TYPES)


def compare(expected, actual, path):
    """Return None if equal, else a description of the first difference."""
    where = path or "(root)"
    if is_tagged(expected):
        if not is_tagged(actual):
            return f"{where}: expected a tagged {expected['type']}, got {json.dumps(actual)[:200]}"
        et, at = expected["type"], actual["type"]
        ev, av = expected["value"], actual["value"]
        if et != at:
            return f"{where}: expected type {et}, got {at}"
        if et == "integer":
            try:
                same = int(ev) == int(av)
            except ValueError:
                same = False
        elif et == "float":
            try:
                e, a = parse_float(ev), parse_float(av)
                same = (math.isnan(e) and math.isnan(a)) or e == a
            except ValueError:
                same = False
        elif et in ("datetime", "datetime-local", "date-local", "time-local"):
            same = datetime_key(et, ev) == datetime_key(et, av)
        else:
            same = ev == av
        if not same:
            return f"{where}: expected {et} {ev!r}, got {av!r}"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{where}: expected an array, got {json.dumps(actual)[:200]}"
        if len(expected) != len(actual):
            return f"{where}: expected {len(expected)} array items, got {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff = compare(e, a, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or is_tagged(actual):
            return f"{where}: expected a table, got {json.dumps(actual)[:200]}"
        if set(expected) != set(actual):
            missing = sorted(set(expected) - set(actual))
            extra = sorted(set(actual) - set(expected))
            return f"{where}: keys differ: missing {missing}, unexpected {extra}"
        for k in expected:
            diff = compare(expected[k], actual[k], f"{path}.{k}" if path else k)
            if diff:
                return diff
        return None
    return f"{where}: unexpected value in expected JSON: {expected!r}"


def sanitizer_env():
    env = dict(os.environ)
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        extra = f"exitcode={SANITIZER_EXIT}"
        if var == "UBSAN_OPTIONS":
            extra += ":halt_on_error=1:print_stacktrace=1"
        env[var] = (env[var] + ":" + extra) if env.get(var) else extra
    return env


def run_decoder_each(decoder, paths, env):
    """Every file of PATHS decoded: (problem, results).  results is a list
    of (status, stdout, stderr), status the exit status, -signal, or None
    when the decoder never reported that file (it hung or died before).
    problem describes how the decoder's own run ended badly (a leak found
    at its exit, a crash, a time-out), else None."""
    work = tempfile.mkdtemp(prefix="toml-test-")
    try:
        try:
            proc = subprocess.run([decoder, "--each", work] + paths, capture_output=True,
                                  timeout=TIMEOUT_SECONDS, env=env)
            problem = None if proc.returncode == 0 else \
                f"the decoder's run ended with {describe_status(proc.returncode)}: " \
                f"{proc.stderr.decode('utf-8', 'replace')[:2000]}"
        except subprocess.TimeoutExpired:
            problem = f"the decoder's run did not end within {TIMEOUT_SECONDS}s"
        def read(n, suffix):
            try:
                with open(os.path.join(work, "%d.%s" % (n, suffix)), "rb") as f:
                    return f.read()
            except OSError:
                return None
        results = []
        for n in range(len(paths)):
            status = read(n, "status")
            if status is None:
                results.append((None, b"", b"no status reported (the decoder hung or died)"))
                continue
            kind, value = status.decode().split()
            rc = int(value) if kind == "exit" else -int(value)
            results.append((rc, read(n, "out") or b"", read(n, "err") or b""))
        return problem, results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def describe_status(rc):
    if rc is None:
        return "no status (hung or died)"
    if rc < 0:
        return f"killed by signal {-rc}"
    if rc == SANITIZER_EXIT:
        return "sanitizer error"
    return f"exit status {rc}"


def check_valid(suite, name, result):
    toml_path = os.path.join(suite, name)
    json_path = toml_path[:-len(".toml")] + ".json"
    try:
        with open(json_path, "rb") as f:
            expected = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        return f"cannot read expected output {json_path}: {e}"
    rc, out, err = result
    if rc != 0:
        return f"rejected a valid document ({describe_status(rc)}): " \
               f"{err.decode('utf-8', 'replace').strip()[:500]}"
    if b"runtime error:" in err or b"Sanitizer" in err:
        return f"sanitizer report: {err.decode('utf-8', 'replace')[:500]}"
    try:
        actual = json.loads(out.decode("utf-8"))
    except ValueError as e:
        return f"output is not JSON ({e}): {out[:200]!r}"
    return compare(expected, actual, "")


def check_invalid(suite, name, result):
    rc, out, err = result
    text = err.decode("utf-8", "replace")
    if rc == 0:
        return f"accepted an invalid document; output: {out[:200]!r}"
    if rc != 1:
        return f"{describe_status(rc)}: {text.strip()[:500]}"
    if "runtime error:" in text or "Sanitizer" in text:
        return f"sanitizer report: {text[:500]}"
    if not re.match(r"\d+:\d+: \S", text):
        return f"error message is not 'line:col: message': {text[:200]!r}"
    return None


def main(argv):
    if len(argv) != 3:
        print("usage: run_conformance.py DECODER SUITE_DIR", file=sys.stderr)
        return 2
    decoder, suite = argv[1], argv[2]
    list_path = os.path.join(suite, "files-toml-1.0.0")
    if not os.access(decoder, os.X_OK):
        print(f"decoder {decoder} is missing or not executable")
        print("toml-test: 0 passed, 1 failed")
        return 1
    try:
        with open(list_path, encoding="utf-8") as f:
            listed = [line.strip() for line in f if line.strip()]
    except OSError as e:
        print(f"cannot read the suite's file list {list_path}: {e}")
        print("toml-test: 0 passed, 1 failed")
        return 1

    valid = [n for n in listed if n.startswith("valid/") and n.endswith(".toml")]
    invalid = [n for n in listed if n.startswith("invalid/") and n.endswith(".toml")]
    if not valid or not invalid:
        print(f"{list_path} lists no valid or no invalid cases")
        print("toml-test: 0 passed, 1 failed")
        return 1

    problem, results = run_decoder_each(decoder, [os.path.join(suite, n) for n in valid + invalid],
                                        sanitizer_env())
    decoded = dict(zip(valid + invalid, results))
    passed = failed = 0
    if problem:
        failed += 1
        print(f"FAIL {problem}")
    results = {"valid": [0, len(valid)], "invalid": [0, len(invalid)]}
    for kind, names, check in (("valid", valid, check_valid),
                               ("invalid", invalid, check_invalid)):
        for name in names:
            problem = check(suite, name, decoded[name])
            if problem:
                failed += 1
                print(f"FAIL {name}: {problem}")
            else:
                passed += 1
                results[kind][0] += 1

    print(f"valid: {results['valid'][0]}/{results['valid'][1]} decoded correctly; "
          f"invalid: {results['invalid'][0]}/{results['invalid'][1]} rejected")
    print(f"toml-test: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
