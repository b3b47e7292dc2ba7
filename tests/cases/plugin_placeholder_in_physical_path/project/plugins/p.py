from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile("region=eu/a.parquet", "lake/ok.parquet"),
        VirtualParquetFile("region=us/b.parquet", "lake/x=${inputs.y}.parquet"),
    ])
