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


def manifest_from_parquet_dir(
    directory: Union[str, Path],
    http_prefix: str = "",
    recursive: bool = False,
    template_name: Optional[str] = None,
    row_filter_template: Optional[str] = None,
) -> VirtualParquetManifest:
    """Every ``*.parquet`` file under ``directory``, published as
    ``<http_prefix>/<path below directory>`` (sorted).  Symlinked directories
    are not followed."""
    base = Path(directory)
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
                http = f"{http_prefix.rstrip('/')}/{rel}" if http_prefix else rel
                found.append(VirtualParquetFile(http_path=http, physical_path=str(entry.resolve())))
    if not found:
        raise ValueError(f"no parquet files found under {base}")
    found.sort(key=lambda f: f.http_path)
    return VirtualParquetManifest(files=found, template_name=template_name,
                                  row_filter_template=row_filter_template)
