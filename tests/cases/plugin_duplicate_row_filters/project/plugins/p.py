from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("data/g/a.parquet", "lake/a.parquet", row_filter="region = 'east'"),
                    F("a.parquet", "lake/a.parquet", row_filter="region = 'east'"),
                    F("a.parquet", "lake/a.parquet", row_filter="region = 'west'")])
