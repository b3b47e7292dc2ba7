import subprocess
import time

from ducksite.virtual_parquet import VirtualParquetManifest


def fine(cfg):
    return VirtualParquetManifest()


def stuck(cfg):
    subprocess.Popen(["sleep", "1000"])
    while True:
        time.sleep(1)
