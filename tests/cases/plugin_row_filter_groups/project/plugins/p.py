from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[
        F("a.parquet", "lake/a.parquet"),
        F("c.parquet", "lake/c.parquet", row_filter="region = 'N'"),
        F("b.parquet", "lake/b.parquet", row_filter=None),
        F("e.parquet", "lake/e.parquet", row_filter="amount > 5"),
        F("d.parquet", "lake/d.parquet", row_filter="region = 'N'"),
    ])


def positional(cfg):
    return M(files=[F("a.parquet", "lake/a.parquet", row_filter="amount < 100"),
                    F("b.parquet", "lake/b.parquet")])
