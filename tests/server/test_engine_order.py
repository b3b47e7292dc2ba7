#!/usr/bin/env python3
"""test_engine_order.py - the browser's own engine (docs/building.md, "The
browser's engine itself") names a component once, for the first of its
states that it refuses, and the same one whether the answers were kept
from an earlier build or given now: a build says the same thing twice.

Usage: test_engine_order.py DUCKSITE_BINARY DS_SQL_BINARY

One page, one table over a query two dropdowns filter; DuckDB 0.9.1
refuses both inputs' templates (1.5 runs them).  The first build names
input 'age'; after 'age''s template changes (its answer is asked again)
while 'channel''s is kept, the build still names 'age', not 'channel'.
Prints "engine_order: N passed, M failed".
"""
import os
import shutil
import subprocess
import sys
import tempfile

from helpers import Tally

CONFIG = '[[file_sources]]\nname = "t"\nupstream_glob = "lake/*.parquet"\n'
# date_diff over a DATE and a TIMESTAMP WITH TIME ZONE, and epoch() of a
# TIMESTAMP WITH TIME ZONE: no such overloads in 0.9.1.
PAGE = """# Orders

```input age
label: Ordered within
visual_mode: dropdown
options: 30, 365
expression_template: AGE_TEMPLATE
all_label: Any time
all_expression: TRUE
```

```input channel
label: Channel
visual_mode: dropdown
options: web, store
expression_template: channel = ? AND epoch(now()) > 0
all_label: All
all_expression: TRUE
```

```sql recent
SELECT count(*) AS n FROM t WHERE ${params.age} AND ${params.channel}
```

```table r
query: recent
```
"""
FIRST = "date_diff('day', day, now()) <= CAST(? AS INTEGER)"
SECOND = "date_diff('day', day, now()) <= CAST(? AS INTEGER) + 0"

check = Tally()


def write_page(root, template):
    with open(os.path.join(root, "content", "index.md"), "w") as f:
        f.write(PAGE.replace("AGE_TEMPLATE", template))


def refusals(ducksite, root):
    r = subprocess.run([ducksite, "build", "--root", root], capture_output=True, text=True)
    lines = [l for l in r.stderr.splitlines() if "cannot run its query" in l]
    return r.returncode, lines, r.stderr


def main():
    ducksite, ds_sql = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    root = tempfile.mkdtemp(prefix="ds-engine-order-")
    try:
        os.makedirs(os.path.join(root, "content"))
        os.makedirs(os.path.join(root, "lake"))
        with open(os.path.join(root, "ducksite.toml"), "w") as f:
            f.write(CONFIG)
        subprocess.run([ds_sql], cwd=root, check=True, capture_output=True, text=True,
                       input="COPY (SELECT 1 AS id, DATE '2024-01-01' AS day, 'web' AS channel) "
                             "TO 'lake/a.parquet' (FORMAT parquet);")
        write_page(root, FIRST)
        rc, lines, err = refusals(ducksite, root)
        check(rc == 0 and len(lines) == 1 and "when input 'age' is '30'" in lines[0],
              "the first build names the table once, for input 'age'\n" + err)
        write_page(root, SECOND)
        rc, lines, err = refusals(ducksite, root)
        check("asked of DuckDB-Wasm" in err and "unchanged since it was asked" in err,
              "the second build asks about the changed template only\n" + err)
        check(rc == 0 and len(lines) == 1 and "when input 'age' is '30'" in lines[0],
              "the second build, with 'channel''s answer kept, still names input 'age'\n" + err)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print("engine_order: %d passed, %d failed" % (check.passed, check.failed))
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
