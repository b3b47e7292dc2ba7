"""The process Ducksite runs Python plugins in.

Ducksite starts one interpreter per build (the user's python3, the active
virtualenv's, or $DUCKSITE_PYTHON) with this module, then sends one JSON
request per line on stdin and reads one JSON answer per line on stdout.
While a plugin runs, its own prints go to stderr so they cannot corrupt the
answers.  A plugin that crashes this process fails only its own build step.
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


def _resolve(request: dict, serial: int):
    """Imports the plugin and returns its callable, restoring sys.path."""
    saved_path = list(sys.path)
    before = set(sys.modules)
    if request["kind"] == "file":
        first = os.path.dirname(request["path"])
    else:
        first = request["root"]
    sys.path.insert(0, first)
    try:
        if request["kind"] == "file":
            module = _load_file(request["path"], serial)
        else:
            module = importlib.import_module(request["target"])
    finally:
        sys.path[:] = saved_path
        # Sibling modules imported from the plugin's own directory are
        # forgotten, so two plugins with a helpers.py each stay apart.
        for name in set(sys.modules) - before:
            mod_file = getattr(sys.modules[name], "__file__", None) or ""
            if request["kind"] == "file" and mod_file.startswith(first + os.sep):
                if not name.startswith("_ducksite_plugin_"):
                    del sys.modules[name]
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


def _manifest_to_json(result) -> dict:
    if not isinstance(result, VirtualParquetManifest):
        raise PluginError("virtual parquet plugin must return VirtualParquetManifest; got "
                          f"{type(result).__module__}.{type(result).__qualname__}")
    files = []
    for i, f in enumerate(result.files or []):
        if not isinstance(f, VirtualParquetFile):
            raise PluginError(f"manifest files[{i}] must be a VirtualParquetFile; got "
                              f"{type(f).__name__}")
        files.append({
            "http_path": _text(f.http_path, f"files[{i}].http_path") or "",
            "physical_path": _text(f.physical_path, f"files[{i}].physical_path") or "",
            "row_filter": _text(f.row_filter, f"files[{i}].row_filter"),
        })
    return {
        "files": files,
        "template_name": _text(result.template_name, "template_name"),
        "row_filter_template": _text(result.row_filter_template, "row_filter_template"),
    }


def _handle(request: dict, serial: int) -> dict:
    cfg = ProjectConfig.from_dict(request["project"])
    try:
        fn = _resolve(request, serial)
        if _accepts_filter_expr(fn):
            result = fn(cfg, filter_expr=request.get("filter_expr"))
        else:
            result = fn(cfg)
        return {"ok": True, "manifest": _manifest_to_json(result)}
    except PluginError as e:
        return {"ok": False, "error": str(e)}
    except BaseException as e:  # noqa: BLE001 - report anything the plugin raised
        if isinstance(e, KeyboardInterrupt):
            raise
        return {"ok": False,
                "error": "the plugin raised an exception:\n" + traceback.format_exc().rstrip()}


def main() -> None:
    # Answers go to a private copy of stdout; fd 1 itself (and sys.stdout)
    # now lead to stderr, so nothing a plugin or its subprocesses print can
    # corrupt the protocol.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    hello = {"hello": "ducksite-plugin-host", "protocol": PROTOCOL,
             "python": ".".join(map(str, sys.version_info[:3]))}
    out.write(json.dumps(hello) + "\n")
    out.flush()
    serial = 0
    for line in sys.stdin:
        if not line.strip():
            continue
        serial += 1
        answer = _handle(json.loads(line), serial)
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
