from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(
        files=[VirtualParquetFile("here.parquet", "lake/here.parquet"),
               VirtualParquetFile("tomorrow.parquet", "lake/tomorrow.parquet")],
        template_name="later_[region]")


def present(cfg):
    return VirtualParquetManifest(files=[VirtualParquetFile("here.parquet", "lake/here.parquet")])
