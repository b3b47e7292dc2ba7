from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("a.parquet", "lake/a.parquet"),
                    F("dir.parquet", "lake/sub"),
                    F("loop.parquet", "lake/loop.parquet"),
                    F("later.parquet", "lake/later.parquet")])
