from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    return M(files=[F("data/s/a.parquet", "lake/a.parquet")],
             template_name="s_[region]", row_filter_template="regoin = ?")
