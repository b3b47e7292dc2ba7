import dataclasses
import json
from pathlib import Path

from ducksite.config import FileSourceConfig, ProjectConfig
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def dump(cfg: ProjectConfig) -> VirtualParquetManifest:
    root = cfg.root
    rel = lambda p: str(Path(p).relative_to(root)) if Path(p).is_absolute() else "NOT ABSOLUTE " + str(p)
    seen = {
        "root": str(root),
        "config_type": type(cfg).__name__,
        "root_is_path": isinstance(root, Path),
        "root_is_absolute": root.is_absolute(),
        "root_is_project": root.resolve() == Path.cwd().resolve() and (root / "ducksite.toml").is_file(),
        "dirs": cfg.dirs,
        "source_types": [type(fs).__name__ for fs in cfg.file_sources],
        "file_sources": [dataclasses.asdict(fs) for fs in cfg.file_sources],
        "orders_template": cfg.file_source("orders").template_name,
        "content_dir": rel(cfg.content_dir),
        "sources_sql_dir": rel(cfg.sources_sql_dir),
        "site_root": rel(cfg.site_root),
        "paths_are_paths": all(isinstance(p, Path) for p in
                               (cfg.content_dir, cfg.sources_sql_dir, cfg.site_root)),
    }
    (root / "config_seen.json").write_text(json.dumps(seen, indent=2, sort_keys=True) + "\n")
    return VirtualParquetManifest(files=[VirtualParquetFile("x.parquet", "lake/o/a.parquet")])
