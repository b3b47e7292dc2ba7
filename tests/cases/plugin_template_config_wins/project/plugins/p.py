from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest


def _manifest(prefix):
    return VirtualParquetManifest(
        files=[VirtualParquetFile("a.parquet", "lake/a.parquet")],
        template_name=prefix + "_[region]_m",
        row_filter_template="lower(region) = lower(?)",
    )


def cfg(cfg):
    return _manifest("cfg")


def mixed(cfg):
    return _manifest("mixed")


def manifest(cfg):
    return _manifest("manifest")


def tmpl(cfg):
    return _manifest("tmpl")
