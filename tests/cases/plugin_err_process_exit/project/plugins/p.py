import os

from ducksite.virtual_parquet import VirtualParquetManifest


def fine(cfg):
    return VirtualParquetManifest()


def quit_hard(cfg):
    os._exit(7)
