from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    return VirtualParquetManifest(files=[
        VirtualParquetFile("ok.parquet", "ok.parquet"),
        VirtualParquetFile("data/escape/../../secret.parquet", "ok.parquet"),
    ])
