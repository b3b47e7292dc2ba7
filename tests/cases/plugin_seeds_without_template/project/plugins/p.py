from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def plain(cfg):
    return VirtualParquetManifest(files=[VirtualParquetFile("a.parquet", "lake/a.parquet")])
