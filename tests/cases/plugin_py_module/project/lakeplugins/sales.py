import os
import sys

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest
from lakeplugins import shared

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ROOT_FIRST_AT_IMPORT = os.path.realpath(sys.path[0]) == PROJECT_ROOT


def build_manifest(cfg):
    raise RuntimeError("the :custom_manifest callable should be used")


def custom_manifest(cfg):
    root = os.path.realpath(str(cfg.root))
    with open(os.path.join(root, "module_log.txt"), "w") as f:
        f.write(f"pkg: root first at import: {ROOT_FIRST_AT_IMPORT}\n")
        f.write(f"pkg: shared: {shared.NAME}\n")
    return VirtualParquetManifest(files=[VirtualParquetFile(shared.NAME, "lake/a.parquet")])
