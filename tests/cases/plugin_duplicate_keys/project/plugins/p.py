from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def first(cfg):
    return M(files=[F("data/shared/x.parquet", "lake/one.parquet", row_filter="id = 1"),
                    F("own.parquet", "lake/one.parquet")])


def second(cfg):
    return M(files=[F("data/shared/x.parquet", "lake/two.parquet", row_filter="id = 2"),
                    F("twice.parquet", "lake/one.parquet"),
                    F("twice.parquet", "lake/two.parquet")])
