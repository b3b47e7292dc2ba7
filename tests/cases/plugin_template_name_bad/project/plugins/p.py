from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("a.parquet", "lake/a.parquet")], template_name="bad-name_[region]")
