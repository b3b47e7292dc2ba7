from ducksite.virtual_parquet import manifest_from_file_source


def build_manifest(cfg):
    return manifest_from_file_source(cfg, "orders", http_prefix="data/orders_2024")
