from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("data/s/a.parquet", "lake/a.parquet", row_filter="region = 'east'"),
                    F("data/s/b.parquet", "lake/a.parquet", row_filter="regoin = 'west'")])
