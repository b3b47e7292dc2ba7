from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("data/g/a.parquet/part-0.parquet", "lake/a.parquet")])
