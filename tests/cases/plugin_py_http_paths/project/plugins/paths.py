from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile(http_path="2024\\01\\a.parquet", physical_path="lake/a.parquet"),
        VirtualParquetFile(http_path="flat.parquet", physical_path="./lake/b.parquet"),
        VirtualParquetFile(http_path="data/elsewhere/c.parquet",
                           physical_path=str(cfg.root / "lake" / "c.parquet")),
    ])


def other(cfg):
    raise RuntimeError("only build_manifest may be called")
