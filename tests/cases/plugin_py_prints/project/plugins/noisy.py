import subprocess
import sys

from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest

print("noisy: printed while importing")


def build_manifest(cfg):
    print("noisy: print() inside build_manifest")
    sys.stdout.write('{"ok": true, "manifest": {"files": []}}\n')
    sys.stdout.flush()
    subprocess.run(["/bin/sh", "-c", "echo noisy: from a subprocess"], check=True)
    print("noisy: to stderr", file=sys.stderr)
    return VirtualParquetManifest(files=[VirtualParquetFile("a.parquet", "lake/a.parquet")])
