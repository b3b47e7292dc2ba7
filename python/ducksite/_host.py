"""The process Ducksite runs Python plugins in.

Ducksite starts one interpreter per build (the user's python3, the active
virtualenv's, or $DUCKSITE_PYTHON) with this module, then sends one JSON
request per line on stdin.  Each answer is a JSON header line
({"ok": true, "files": N, "template_name": ..., "row_filter_template": ...}
or {"ok": false, "error": ...}) followed by N lines "http_path TAB
physical_path TAB row_filter" with backslash, tab, newline and CR escaped.
While a plugin runs, its own prints go to stderr so they cannot corrupt the
answers, and its stdin is /dev/null so that it cannot read (or wait on) the
requests.  Each plugin starts in the directory the host was started in
(the project root) and sees the sys.path every plugin sees: what one plugin
changes is undone before the next.  A plugin that crashes this process
fails only its own build step.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import sys
import traceback

from ducksite.config import ProjectConfig
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest

PROTOCOL = 1


class PluginError(Exception):
    """A user-facing error about the plugin itself (no traceback needed)."""


def _load_file(path: str, serial: int):
    if not os.path.isfile(path):
        raise PluginError(f"plugin file not found: {os.path.abspath(path)}")
    name = f"_ducksite_plugin_{serial}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot load plugin file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up here
    spec.loader.exec_module(module)
    return module


def _first_on_path(request: dict) -> str:
    """The folder put first on sys.path while the plugin loads and runs."""
    if request["kind"] == "file":
        return os.path.dirname(request["path"])
    return request["root"]


def _resolve(request: dict, serial: int):
    """Imports the plugin and returns its callable."""
    if request["kind"] == "file":
        module = _load_file(request["path"], serial)
    else:
        module = importlib.import_module(request["target"])
    attr = request["callable"]
    if not hasattr(module, attr):
        raise PluginError(
            f"virtual parquet plugin target '{attr}' not found in '{request['ref']}'")
    fn = getattr(module, attr)
    if not callable(fn):
        raise PluginError(
            f"virtual parquet plugin target '{attr}' in '{request['ref']}' is not callable "
            f"(it is {type(fn).__name__})")
    return fn


def _restore(saved_path: list, before: set, first: str, is_file: bool) -> None:
    """Puts sys.path back and forgets the sibling modules a file plugin
    imported from its own folder, so two plugins with a helpers.py each stay
    apart."""
    sys.path[:] = saved_path
    if not is_file:
        return
    for name in set(sys.modules) - before:
        mod_file = getattr(sys.modules[name], "__file__", None) or ""
        if mod_file.startswith(first + os.sep) and not name.startswith("_ducksite_plugin_"):
            del sys.modules[name]


def _accepts_filter_expr(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "filter_expr" or p.kind is inspect.Parameter.VAR_KEYWORD
               for p in params)


def _text(value, what: str):
    if value is None:
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise PluginError(f"{what} must be a string; got {type(value).__name__}")
    return value


def _field(value: str) -> str:
    """One tab-separated field of an answer line, with \\, \\t, \\n, \\r escaped."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = (value.replace("\\", "\\\\").replace("\t", "\\t")
                 .replace("\n", "\\n").replace("\r", "\\r"))
    return value


def _check_utf8(files, lines) -> None:
    """Names that are not UTF-8 (os.listdir gives a Latin-1 file name as
    surrogates) cannot go into the data map, a URL or SQL: the entry is named
    instead of the answer failing half-written.  One encode of the whole
    answer, then a search only when it fails."""
    try:
        "\n".join(lines).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    for i, f in enumerate(files):
        for key in ("http_path", "physical_path", "row_filter"):
            value = getattr(f, key)
            value = os.fspath(value) if isinstance(value, os.PathLike) else value
            try:
                if value is not None:
                    value.encode("utf-8")
            except UnicodeEncodeError:
                shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                raise PluginError(
                    f"files[{i}].{key} '{shown}' is not UTF-8 text (a file name in another "
                    "encoding, as os.listdir gives it): the data map, URLs and SQL carry names "
                    "as UTF-8; rename the file (convmv -f latin1 -t utf8 --notest -r DIR), "
                    "or leave it out of the manifest") from None


def _manifest_lines(result) -> tuple:
    """The answer header and one line per file: http_path, physical_path and
    row_filter separated by tabs.  Lines instead of one JSON document keep a
    100,000-file manifest cheap on both sides."""
    if not isinstance(result, VirtualParquetManifest):
        raise PluginError("virtual parquet plugin must return VirtualParquetManifest; got "
                          f"{type(result).__module__}.{type(result).__qualname__}")
    lines = []
    for i, f in enumerate(result.files or []):
        if not isinstance(f, VirtualParquetFile):
            raise PluginError(f"manifest files[{i}] must be a VirtualParquetFile; got "
                              f"{type(f).__name__}")
        http, phys, rf = f.http_path, f.physical_path, f.row_filter
        if type(http) is not str or type(phys) is not str or (rf is not None and type(rf) is not str):
            http = _text(http, f"files[{i}].http_path") or ""
            phys = _text(phys, f"files[{i}].physical_path") or ""
            rf = _text(rf, f"files[{i}].row_filter")
        lines.append(f"{_field(http)}\t{_field(phys)}\t{_field(rf) if rf else ''}")
    _check_utf8(result.files or [], lines)
    header = {
        "ok": True,
        "files": len(lines),
        "template_name": _text(result.template_name, "template_name"),
        "row_filter_template": _text(result.row_filter_template, "row_filter_template"),
    }
    return header, lines


def _handle(request: dict, serial: int) -> tuple:
    cfg = ProjectConfig.from_dict(request["project"])
    # The working directory is process-wide: a plugin's os.chdir would
    # otherwise make the next plugin's relative paths point elsewhere.
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    before = set(sys.modules)
    first = _first_on_path(request)
    sys.path.insert(0, first)
    try:
        fn = _resolve(request, serial)
        if _accepts_filter_expr(fn):
            result = fn(cfg, filter_expr=request.get("filter_expr"))
        else:
            result = fn(cfg)
        return _manifest_lines(result)
    except PluginError as e:
        return {"ok": False, "error": str(e)}, []
    except BaseException as e:  # noqa: BLE001 - report anything the plugin raised
        if isinstance(e, KeyboardInterrupt):
            raise
        # The traceback starts at the plugin's code, not at this host.
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        text = "".join(traceback.format_exception(type(e), e, tb)).rstrip()
        return {"ok": False, "error": "the plugin raised an exception:\n" + text}, []
    finally:
        os.chdir(saved_cwd)
        _restore(saved_path, before, first, request["kind"] == "file")


def main() -> None:
    # Answers go to a private copy of stdout; fd 1 itself (and sys.stdout)
    # now lead to stderr, so nothing a plugin or its subprocesses print can
    # corrupt the protocol.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Requests come from a private copy of stdin, and fd 0 (and sys.stdin)
    # now read /dev/null: a plugin or a program it runs that reads stdin
    # gets end-of-file at once, instead of swallowing the next request or
    # waiting for one until plugin_timeout.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, encoding="utf-8")
    hello = {"hello": "ducksite-plugin-host", "protocol": PROTOCOL,
             "python": ".".join(map(str, sys.version_info[:3]))}
    out.write(json.dumps(hello) + "\n")
    out.flush()
    serial = 0
    for line in requests:
        if not line.strip():
            continue
        serial += 1
        header, lines = _handle(json.loads(line), serial)
        out.write(json.dumps(header) + "\n")
        if lines:
            out.write("\n".join(lines) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
