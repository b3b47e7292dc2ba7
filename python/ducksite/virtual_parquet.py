"""The virtual Parquet plugin contract.

A plugin is a callable ``build_manifest(cfg: ProjectConfig) ->
VirtualParquetManifest`` (it may also take a ``filter_expr`` argument, the
source's row filter and time window as one SQL predicate, or None).  Each
``VirtualParquetFile`` maps an HTTP path to a physical Parquet file; Ducksite
publishes it through the data map and builds views over it with no
plugin-specific code.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Union

from ducksite.config import ProjectConfig


@dataclass
class VirtualParquetFile:
    # "data/sales/2024-01.parquet", or a path that Ducksite puts under
    # data/<source name>/.
    http_path: str
    # The file to stream: absolute, or relative to the project root.
    physical_path: str
    # An SQL predicate ANDed into every query over this file.
    row_filter: Optional[str] = None


@dataclass
class VirtualParquetManifest:
    files: List[VirtualParquetFile] = field(default_factory=list)
    # Used when the file source does not set them itself.
    template_name: Optional[str] = None
    row_filter_template: Optional[str] = None


def _join_http(prefix: str, rest: str) -> str:
    return f"{prefix.rstrip('/')}/{rest}" if prefix else rest


def manifest_from_parquet_dir(
    cfg: ProjectConfig,
    directory: Union[str, Path],
    http_prefix: str = "",
    recursive: bool = False,
    template_name: Optional[str] = None,
    row_filter_template: Optional[str] = None,
) -> VirtualParquetManifest:
    """Every ``*.parquet`` file (any case) in ``directory`` (relative to the
    project root, or absolute), published as ``<http_prefix>/<path below
    directory>`` and sorted by that path.  With ``recursive`` it descends
    into subdirectories, never through symlinked ones."""
    base = Path(directory)
    if not base.is_absolute():
        base = Path(cfg.root) / base
    if not base.exists():
        raise FileNotFoundError(f"parquet directory not found: {base}")
    if not base.is_dir():
        raise NotADirectoryError(f"not a directory: {base}")
    found = []
    stack = [base]
    while stack:
        current = stack.pop()
        for entry in current.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                if recursive:
                    stack.append(entry)
            elif entry.is_file() and entry.name.lower().endswith(".parquet"):
                rel = entry.relative_to(base).as_posix()
                found.append(VirtualParquetFile(http_path=_join_http(http_prefix, rel),
                                                physical_path=str(entry.absolute())))
    if not found:
        raise ValueError(f"no parquet files found under {base}")
    found.sort(key=lambda f: f.http_path)
    return VirtualParquetManifest(files=found, template_name=template_name,
                                  row_filter_template=row_filter_template)


def manifest_from_file_source(
    cfg: ProjectConfig, name: str, http_prefix: Optional[str] = None
) -> VirtualParquetManifest:
    """Re-publishes the files of file source ``name``, which must be defined
    earlier in ducksite.toml: during a build Ducksite hands each plugin the
    files collected so far.  Row filters and template settings come along.
    With ``http_prefix`` the keys move: ``data/demo/a.parquet`` with prefix
    ``data/x`` becomes ``data/x/demo/a.parquet``."""
    info = cfg.build_file_sources.get(name)
    if info is None:
        known = ", ".join(sorted(cfg.build_file_sources)) or "none"
        raise ValueError(f"file source '{name}' has no files in the current build; it must be "
                         f"defined before this plugin's source in ducksite.toml "
                         f"(sources collected so far: {known})")
    if not info.get("files"):
        raise ValueError(f"file source '{name}' has no files in the current build")
    files = []
    for f in info["files"]:
        key = f["http_path"]
        if http_prefix:
            rest = key[len("data/"):] if key.startswith("data/") else key
            key = _join_http(http_prefix, rest)
        files.append(VirtualParquetFile(http_path=key, physical_path=f["physical_path"],
                                        row_filter=f.get("row_filter")))
    return VirtualParquetManifest(files=files, template_name=info.get("template_name"),
                                  row_filter_template=info.get("row_filter_template"))
