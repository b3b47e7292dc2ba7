from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(
        files=[VirtualParquetFile("it's here.parquet", "la'ke/a b.parquet",
                                  row_filter="region <> 'O''Hidden'")],
        template_name="q_[region]")
