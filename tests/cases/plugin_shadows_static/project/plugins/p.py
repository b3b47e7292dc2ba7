from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("data/a.parquet", "lake/b.parquet"),
                    F("data/same.parquet", "static/data/same.parquet")])
