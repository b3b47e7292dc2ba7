from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def same(cfg):
    return M(files=[F("data/g/a.parquet", "lake/a.parquet", row_filter="a > 0")])


def other(cfg):
    return M(files=[F("data/g/a.parquet", "other/b.parquet")])
