"""The project configuration as plugins see it.

Ducksite parses ``ducksite.toml`` itself and hands each plugin a
``ProjectConfig``; these dataclasses mirror every key of the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional


@dataclass
class FileSourceConfig:
    """One ``[[file_sources]]`` entry (``${DIR_*}`` already substituted)."""

    name: Optional[str] = None
    template_name: Optional[str] = None
    pattern: str = "data/*.parquet"
    upstream_glob: Optional[str] = None
    plugin: Optional[str] = None
    union_mode: str = "union_all_by_name"
    row_filter: Optional[str] = None
    # Hierarchy levels: [{"pattern": str, "row_filter": str | None}], read
    # before, instead of, and after the source's own files.
    hierarchy_before: Optional[List[Dict[str, Optional[str]]]] = None
    hierarchy: Optional[List[Dict[str, Optional[str]]]] = None
    hierarchy_after: Optional[List[Dict[str, Optional[str]]]] = None
    row_filter_template: Optional[str] = None
    # Template values made into views even when the data lacks them: scalars
    # (str, int, float, bool; dates as text) or lists of them (tuples).
    template_values: Optional[List[Any]] = None
    # A build-time query whose rows are template values.
    template_values_sql: Optional[str] = None
    on_empty: str = "warn"
    # "error": a file that cannot be read fails the build; "skip": it is left
    # out of the source's views with a warning.
    on_bad_file: str = "error"
    # {"column": str, "start": str | None, "end": str | None}; the bounds are
    # typed SQL literals such as "DATE '2024-01-01'".
    time_window: Optional[Dict[str, Optional[str]]] = None
    # Seconds the source's plugin may run before Ducksite kills it.
    plugin_timeout: float = 300.0

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "FileSourceConfig":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ProjectConfig:
    """The whole project: its root, ``[dirs]`` and file sources."""

    root: Path
    dirs: Dict[str, str] = field(default_factory=dict)
    file_sources: List[FileSourceConfig] = field(default_factory=list)
    content_dir: Path = Path("content")
    sources_sql_dir: Path = Path("sources_sql")
    site_root: Path = Path("static")
    # Files of the sources collected so far in the running build (sources
    # defined earlier in ducksite.toml), for virtual_parquet helpers:
    # {name: {"files": [{"http_path", "physical_path", "row_filter"}],
    #         "template_name", "row_filter_template"}}.
    build_file_sources: Dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "ProjectConfig":
        root = Path(data["root"])
        return cls(
            root=root,
            dirs=dict(data.get("dirs", {})),
            file_sources=[FileSourceConfig.from_dict(fs) for fs in data.get("file_sources", [])],
            content_dir=Path(data.get("content_dir", root / "content")),
            sources_sql_dir=Path(data.get("sources_sql_dir", root / "sources_sql")),
            site_root=Path(data.get("site_root", root / "static")),
            build_file_sources=dict(data.get("build_file_sources", {})),
        )

    def file_source(self, name: str) -> FileSourceConfig:
        """The file source called ``name`` (KeyError if there is none)."""
        for fs in self.file_sources:
            if fs.name == name:
                return fs
        raise KeyError(f"no file source named {name!r}")
