#!/usr/bin/env bash
# bench/plugin_manifest.sh - what a plugin returning 100,000 files costs the
# build beyond the plugin's own run time, next to a glob source of the same
# files, in one run.
#
# Both projects publish the same 100,000 (empty) *.parquet files; only the
# data-map stage runs (build/ds-datamap), since empty files cannot be
# queried.  The plugin times its own work (building the manifest objects)
# and reports it; everything else — starting Python, carrying the manifest
# to Ducksite, normalising it, writing the map — is Ducksite's overhead.
# Target: overhead <= 0.5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${DS_DATAMAP:-build/ds-datamap}
work=$(mktemp -d /tmp/ds-bench-plugin-XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$work" <<'PY'
import os, sys
work = sys.argv[1]
names = []
for y in range(10):
    for d in range(100):
        folder = f"{work}/lake/year={2000 + y}/day={d:03d}"
        os.makedirs(folder)
        for f in range(100):
            path = f"{folder}/part-{f:04d}.parquet"
            open(path, "w").close()
            names.append(path)
with open(f"{work}/files.txt", "w") as out:
    out.write("\n".join(names))
for p in ("glob", "plugin"):
    os.makedirs(f"{work}/{p}/plugins")
open(f"{work}/glob/ducksite.toml", "w").write(
    f'[[file_sources]]\nname = "lake"\nupstream_glob = "{work}/lake/**/*.parquet"\n')
open(f"{work}/plugin/ducksite.toml", "w").write(
    '[[file_sources]]\nname = "lake"\nplugin = "plugins/lake.py"\n')
open(f"{work}/plugin/plugins/lake.py", "w").write(f'''
import sys, time
from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest

def build_manifest(cfg):
    t = time.monotonic()
    base = "{work}/lake/"
    with open("{work}/files.txt") as f:
        files = [VirtualParquetFile(p[len(base):], p) for p in f.read().split("\\n")]
    with open("{work}/plugin_ms", "w") as out:
        out.write(str((time.monotonic() - t) * 1000))
    return VirtualParquetManifest(files=files)
''')
PY

ms() { python3 -c 'import time; print(int(time.monotonic()*1000))'; }
"$tool" --root "$work/glob" && "$tool" --root "$work/plugin"   # warm up
glob=() plugin=() own=()
for _ in 1 2 3 4 5; do
  t=$(ms); "$tool" --root "$work/glob"; glob+=($(( $(ms) - t )))
  t=$(ms); "$tool" --root "$work/plugin"; plugin+=($(( $(ms) - t )))
  own+=("$(cut -d. -f1 "$work/plugin_ms")")
done
python3 - "${glob[*]}" "${plugin[*]}" "${own[*]}" <<'PY'
import statistics, sys
glob, plugin, own = (list(map(int, a.split())) for a in sys.argv[1:4])
g, p, o = statistics.median(glob), statistics.median(plugin), statistics.median(own)
print(f"plugin with 100000 files: build {p:.0f} ms, plugin's own work {o:.0f} ms, "
      f"Ducksite's overhead {p - o:.0f} ms (target <= 500 ms)")
print(f"glob source of the same files: {g:.0f} ms; plugin overhead / glob = {(p - o) / g:.2f}x")
PY
