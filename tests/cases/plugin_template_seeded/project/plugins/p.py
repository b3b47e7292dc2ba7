from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def seeded(cfg):
    return VirtualParquetManifest(
        files=[VirtualParquetFile("a.parquet", "lake/a.parquet")],
        template_name="seeded_[region]_m",
        row_filter_template="lower(region) = lower(?)",
    )
