from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def _log(cfg, line):
    with open(cfg.root / "filter_log.txt", "a") as f:
        f.write(line + "\n")


def _manifest():
    return VirtualParquetManifest(files=[VirtualParquetFile("a.parquet", "lake/a.parquet")])


def with_filter(cfg, filter_expr):
    _log(cfg, f"with_filter: {filter_expr!r}")
    return _manifest()


def keyword_only(cfg, *, filter_expr=None):
    _log(cfg, f"keyword_only: {filter_expr!r}")
    return _manifest()


def cfg_only(cfg):
    _log(cfg, "cfg_only: called with cfg only")
    return _manifest()
