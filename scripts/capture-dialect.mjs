#!/usr/bin/env node
// scripts/capture-dialect.mjs - records what the browser's SQL engine knows,
// so `ducksite build` can warn about queries it cannot run.  scripts/setup
// runs it when web/dist/duckdb-dialect.json is missing or older than the
// npm install (or than this script); running it again rewrites the file only
// when its content changed.
//
// The browser runs DuckDB-Wasm from node_modules, while the build validates
// queries with a newer libduckdb.  The very same Wasm engine runs under node
// (duckdb-node-blocking.cjs), so the dialect is asked from the engine itself
// rather than written down by hand:
//
//   duckdb_wasm      the npm package version
//   duckdb_version   the DuckDB inside it (pragma_version())
//   functions        {name: [function_type, ...]} from duckdb_functions(),
//                    names lowercased, sorted (scalar, aggregate, table,
//                    macro, table_macro, pragma)
//   max_args         {name: n}: the most arguments any overload of a scalar
//                    or aggregate function takes, for those without a
//                    variadic overload (a call with more fails in the
//                    browser: arg_max(x, y, 3) is newer than DuckDB 0.9)
//   keywords         duckdb_keywords(), lowercased, sorted
//   settings         duckdb_settings() names, sorted
//
// Nothing here touches the network.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkgDir = path.join(root, 'node_modules', '@duckdb', 'duckdb-wasm');
const distDir = path.join(pkgDir, 'dist');
const out = path.join(root, 'web', 'dist', 'duckdb-dialect.json');
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`capture-dialect: ${msg}\n`); };

function need(file) {
  if (!fs.existsSync(file)) {
    process.stderr.write(`capture-dialect: missing ${path.relative(root, file)}; run scripts/setup (npm ci) first\n`);
    process.exit(1);
  }
  return file;
}

function rows(conn, sql) {
  return conn.query(sql).toArray().map((r) => r.toJSON());
}

async function main() {
  const pkg = JSON.parse(fs.readFileSync(need(path.join(pkgDir, 'package.json')), 'utf8'));
  const require = createRequire(import.meta.url);
  const duckdb = require(need(path.join(distDir, 'duckdb-node-blocking.cjs')));
  const bundles = {
    mvp: {
      mainModule: need(path.join(distDir, 'duckdb-mvp.wasm')),
      mainWorker: path.join(distDir, 'duckdb-node-mvp.worker.cjs'),
    },
    eh: {
      mainModule: need(path.join(distDir, 'duckdb-eh.wasm')),
      mainWorker: path.join(distDir, 'duckdb-node-eh.worker.cjs'),
    },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate();
  db.open({ path: ':memory:' });
  const conn = db.connect();

  const version = rows(conn, 'SELECT library_version AS v, source_id AS s FROM pragma_version()')[0];
  const functions = {};
  for (const r of rows(conn, `SELECT DISTINCT lower(function_name) AS name, function_type AS type
                              FROM duckdb_functions() ORDER BY name, type`)) {
    (functions[r.name] ||= []).push(r.type);
  }
  // A name with a variadic overload, or of another type too (a macro, a
  // table function), takes any count as far as this check goes.
  const maxArgs = {};
  for (const r of rows(conn, `SELECT lower(function_name) AS name,
                                     max(len(parameters))::INTEGER AS n
                              FROM duckdb_functions()
                              GROUP BY 1
                              HAVING bool_and(function_type IN ('scalar', 'aggregate'))
                                 AND bool_and(varargs IS NULL)
                              ORDER BY 1`)) {
    maxArgs[r.name] = r.n;
  }
  const keywords = rows(conn, 'SELECT DISTINCT lower(keyword_name) AS k FROM duckdb_keywords() ORDER BY k')
    .map((r) => r.k);
  const settings = rows(conn, 'SELECT DISTINCT lower(name) AS n FROM duckdb_settings() ORDER BY n')
    .map((r) => r.n);
  conn.close();

  // Sorted with plain code-unit order so the file is the same on every
  // machine whatever DuckDB's collation; one entry a line keeps diffs short.
  const names = Object.keys(functions).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = names.map((n) => `    ${JSON.stringify(n)}: ${JSON.stringify(functions[n])}`);
  const text = '{\n'
    + `  "duckdb_wasm": ${JSON.stringify(pkg.version)},\n`
    + `  "duckdb_version": ${JSON.stringify(version.v)},\n`
    + `  "source_id": ${JSON.stringify(version.s)},\n`
    + `  "functions": {\n${lines.join(',\n')}\n  },\n`
    + `  "max_args": {\n${Object.keys(maxArgs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((n) => `    ${JSON.stringify(n)}: ${maxArgs[n]}`).join(',\n')}\n  },\n`
    + `  "keywords": ${JSON.stringify(keywords)},\n`
    + `  "settings": ${JSON.stringify(settings)}\n`
    + '}\n';

  fs.mkdirSync(path.dirname(out), { recursive: true });
  let old = null;
  try { old = fs.readFileSync(out, 'utf8'); } catch { /* missing */ }
  if (old === text) {
    // Still touch it: setup compares its mtime with the npm install's.
    const now = new Date();
    fs.utimesSync(out, now, now);
    log(`${path.relative(root, out)} up to date`);
    return;
  }
  const tmp = `${out}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, out);
  log(`wrote ${path.relative(root, out)}: DuckDB ${version.v}, ${names.length} functions, `
      + `${keywords.length} keywords`);
}

main().catch((err) => {
  process.stderr.write(`capture-dialect: ${err.stack || err}\n`);
  process.exit(1);
});
