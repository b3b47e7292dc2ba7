from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def build_manifest(cfg):
    from helpers import SHARED_CONST

    return VirtualParquetManifest(files=[VirtualParquetFile(SHARED_CONST, "lake/a.parquet")])
