from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M


def build_manifest(cfg):
    # What os.listdir returns for the Latin-1 name b"caf\xe9.parquet".
    latin1 = "caf\udce9.parquet"
    return M(files=[F("a.parquet", "lake/a.parquet"), F(latin1, "lake/" + latin1)])
