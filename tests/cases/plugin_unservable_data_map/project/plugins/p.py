from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile("fine.parquet", "lake/fine.parquet"),
        VirtualParquetFile("data/data_map.json", "lake/x.parquet"),
    ])
