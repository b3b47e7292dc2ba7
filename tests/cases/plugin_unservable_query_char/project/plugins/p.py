from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile("region=eu/why?.parquet", "lake/x.parquet"),
    ])
