// enginecheck.js - the browser's own engine, run at build time.  Not part
// of the browser runtime: scripts/bundle-web.mjs bundles it for node into
// web/dist/enginecheck.node.cjs, and `ducksite build` runs it once per
// build when there are queries it has not checked before
// (src/site/enginecheck.c).  It loads the very DuckDB-Wasm the pages load
// (DuckDB 0.9.1), in node, and prepares each query: the engine parses and
// binds it, reading the footers its read_parquet(...) names, as the
// browser would before running it.  SQL the build-time engine (DuckDB 1.5)
// accepts but this one refuses (a function's argument types, AT TIME ZONE,
// a JSON function, ...) is named at build time instead of on a reader's
// click.
//
// Input (stdin): one JSON document
//   {"wasm": {"eh": PATH, "mvp": PATH},
//    "files": [[NAME, PHYSICAL_PATH], ...],
//    "queries": [SQL, ...]}
// where NAME is a data path as the SQL names it (data/sales/2024.parquet)
// and the file at PHYSICAL_PATH is what the server sends for it.
// Output (stdout): one JSON line per query the engine refuses,
// {"i": INDEX, "error": TEXT}, then {"done": true, "version": "v0.9.1"};
// or {"fatal": TEXT} when the engine cannot start.
import fs from 'node:fs';

import * as duckdb from '@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs';

/**
 * An engine's message on one line, without the "LINE n:" excerpt (it
 * points into the SQL as the browser runs it, not as it is written).
 */
export function oneLine(message) {
  const text = String(message).split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  const cut = text.search(/ LINE \d+:/);
  const short = cut >= 0 ? text.slice(0, cut) : text;
  return short.length > 400 ? `${short.slice(0, 399)}…` : short;
}

function say(obj) {
  fs.writeSync(1, `${JSON.stringify(obj)}\n`);
}

/**
 * DuckDB-Wasm's node runtime opens a file it is given read-write, created
 * if missing: a lake's files would be opened for writing (which `ducksite
 * serve` sees as an edit, and a read-only lake refuses) and a missing file
 * made.  Here they are opened read-only, and the engine finds no file by
 * a pattern, as over HTTP in the browser.
 */
function readOnlyRuntime() {
  const rt = duckdb.NODE_RUNTIME;
  rt.openFile = (mod, fileId) => {
    try {
      rt._fileInfoCache.delete(fileId);
      const info = rt.resolveFileInfo(mod, fileId);
      if (info?.dataProtocol !== duckdb.DuckDBDataProtocol.NODE_FS) {
        duckdb.failWith(mod, 'Unsupported data protocol');
        return 0;
      }
      let fd = rt._filesById.get(fileId);
      if (fd == null) {
        fd = fs.openSync(info.dataUrl, fs.constants.O_RDONLY);
        rt._filesById.set(fileId, fd);
      }
      const out = mod._malloc(2 * 8);
      mod.HEAPF64[(out >> 3) + 0] = fs.fstatSync(fd).size;
      mod.HEAPF64[(out >> 3) + 1] = 0;
      return out;
    } catch (e) {
      duckdb.failWith(mod, String(e?.message || e));
    }
    return 0;
  };
  rt.glob = () => 0;
  return rt;
}

async function main() {
  // The engine's own complaints (console.error) come back as each query's
  // error: the build's output stays its own.
  console.error = () => {};
  const req = JSON.parse(fs.readFileSync(0, 'utf8'));
  let db;
  try {
    const bundles = {
      mvp: { mainModule: req.wasm.mvp, mainWorker: '' },
      eh: { mainModule: req.wasm.eh, mainWorker: '' },
    };
    db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), readOnlyRuntime());
    await db.instantiate();
    db.open({});
  } catch (e) {
    say({ fatal: oneLine(e?.message || e) });
    return;
  }
  for (const [name, physical] of req.files || []) {
    db.registerFileURL(name, physical, duckdb.DuckDBDataProtocol.NODE_FS, false);
  }
  const conn = db.connect();
  const version = String(conn.query('SELECT version() AS v').toArray()[0].toJSON().v);
  (req.queries || []).forEach((sql, i) => {
    try {
      // Prepared, not run: parsing and binding are where SQL the engine
      // lacks is refused, and running would read the data itself.
      conn.prepare(sql).close();
    } catch (e) {
      say({ i, error: oneLine(e?.message || e) });
    }
  });
  conn.close();
  say({ done: true, version });
}

main().catch((e) => say({ fatal: oneLine(e?.message || e) }));
