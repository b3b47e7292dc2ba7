import os
import sys

from helpers import X

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest

HERE = os.path.dirname(os.path.realpath(__file__))
A_DIR = os.path.join(os.path.dirname(HERE), "a")
FIRST_AT_IMPORT = os.path.realpath(sys.path[0]) == HERE
A_ON_PATH_AT_IMPORT = any(os.path.realpath(p) == A_DIR for p in sys.path if p)


def build(cfg):
    a_on_path = any(os.path.realpath(p) == A_DIR for p in sys.path if p)
    with open(os.path.join(str(cfg.root), "pid_a.txt")) as f:
        same = f.read() == str(os.getpid())
    with open(os.path.join(str(cfg.root), "sys_path_log.txt"), "a") as f:
        f.write(f"b: own dir first at import: {FIRST_AT_IMPORT}\n")
        f.write(f"b: a's dir on sys.path at import: {A_ON_PATH_AT_IMPORT}\n")
        f.write(f"b: a's dir on sys.path when called: {a_on_path}\n")
        f.write(f"b: {X}\n")
        f.write(f"b: same interpreter as a: {same}\n")
    return VirtualParquetManifest(files=[VirtualParquetFile("b.parquet", "lake/b.parquet")])
