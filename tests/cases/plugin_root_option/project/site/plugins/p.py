import os

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    ok = cfg.root.is_absolute() and (cfg.root / "ducksite.toml").is_file() \
        and cfg.root.name == "site"
    return VirtualParquetManifest(
        files=[VirtualParquetFile(f"root-ok-{ok}.parquet", "lake/a.parquet")])
