import os
import sys

from helpers import X

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest

HERE = os.path.dirname(os.path.realpath(__file__))
FIRST_AT_IMPORT = os.path.realpath(sys.path[0]) == HERE


def build_manifest(cfg):
    with open(os.path.join(str(cfg.root), "sys_path_log.txt"), "w") as f:
        f.write(f"a: own dir first at import: {FIRST_AT_IMPORT}\n")
        f.write(f"a: {X}\n")
    with open(os.path.join(str(cfg.root), "pid_a.txt"), "w") as f:
        f.write(str(os.getpid()))
    return VirtualParquetManifest(files=[VirtualParquetFile("a.parquet", "lake/a.parquet")])
