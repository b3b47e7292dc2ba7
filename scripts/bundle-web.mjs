#!/usr/bin/env node
// scripts/bundle-web.mjs - builds the browser runtime into web/dist/ at
// set-up time (scripts/setup runs it; it is safe to run again and again).
//
//   web/dist/ducksite.js (+ .map)   esbuild ESM bundle of web/src/main.js
//   web/dist/duckdb-HASH.js         web/src/duckdb.js with @duckdb/duckdb-wasm
//                                   and apache-arrow, imported on first use
//   web/dist/console-HASH.js        web/src/console/console.js with
//                                   CodeMirror, imported when the SQL
//                                   console first opens
//   web/dist/charts-HASH.js         web/src/charts/extra.js: the rarer chart
//                                   families (histogram, box plot, sankey,
//                                   treemap, calendar, maps, small
//                                   multiples), imported when a page first
//                                   draws one of them
//   web/dist/netview-HASH.js        web/src/netview/overlay.js with its CSS,
//                                   imported when the network view is shown
//   web/dist/ducksite.css           web/src/ducksite.css
//   web/dist/theme-init.js          web/src/theme-init.js (classic script run
//                                   in <head> before the first paint)
//   web/dist/echarts.min.js         ECharts (classic script, window.echarts)
//   web/dist/firstpaint.node.mjs    charts drawn as SVG at build time (node;
//                                   run by the build, never published)
//   web/dist/enginecheck.node.cjs   the browser's engine binding each query at
//                                   build time (node; never published)
//   web/dist/duckdb/                DuckDB-Wasm engines and workers (eh, mvp),
//                                   and ducksite-worker.js (web/src/duckdb-worker.js)
//                                   which starts them and reports their requests
//   web/dist/geo/                   map geometry (scripts/geo-assets.mjs),
//                                   fetched only by pages with a map
//
// Every text asset and engine also gets a gzip sidecar (NAME.gz, written after
// NAME so it is never older) which `ducksite serve` sends to clients that
// accept gzip.  Files whose content has not changed are left untouched (mtime
// kept), so running it twice does nothing the second time.  Nothing here
// touches the network.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { geoAssets } from './geo-assets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'web', 'src');
const dist = path.join(root, 'web', 'dist');
const nm = path.join(root, 'node_modules');

const DUCKDB_FILES = [
  'duckdb-eh.wasm',
  'duckdb-mvp.wasm',
  'duckdb-browser-eh.worker.js',
  'duckdb-browser-mvp.worker.js',
];

const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`bundle-web: ${msg}\n`); };

function sha(buf) {
  return createHash('sha256').update(buf).digest('hex');
}

let changed = 0;

// Writes BYTES to FILE unless it already holds exactly them; then (re)writes
// FILE.gz when GZIP is set and the sidecar is missing, stale or older.
function put(file, bytes, gzip) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let same = false;
  try {
    const old = fs.readFileSync(file);
    same = old.length === bytes.length && sha(old) === sha(bytes);
  } catch { /* missing */ }
  if (!same) {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
    changed++;
    log(`wrote ${path.relative(root, file)} (${bytes.length} bytes)`);
  }
  if (!gzip) return;
  const gz = `${file}.gz`;
  let fresh = false;
  if (same) {
    try {
      fresh = fs.statSync(gz).mtimeMs >= fs.statSync(file).mtimeMs;
    } catch { /* missing */ }
  }
  if (!fresh) {
    const packed = zlib.gzipSync(bytes, { level: 9 });
    const tmp = `${gz}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, packed);
    fs.renameSync(tmp, gz);
    changed++;
    log(`wrote ${path.relative(root, gz)} (${packed.length} bytes)`);
  }
}

// Copies FROM to TO (with a gzip sidecar) unless TO is already a copy: same
// size, not older than FROM, and a sidecar not older than TO.  That check
// keeps a second run from re-reading the 40 MB of engines.
function copy(from, to) {
  try {
    const a = fs.statSync(from);
    const b = fs.statSync(to);
    const gz = fs.statSync(`${to}.gz`);
    if (a.size === b.size && b.mtimeMs >= a.mtimeMs && gz.mtimeMs >= b.mtimeMs) return;
  } catch { /* something missing: copy */ }
  put(to, fs.readFileSync(from), true);
}

// A separate bundle's files (NAME-[hash].js and its map) renamed
// NAME-<16 hex digits of the script>.js: esbuild's [hash] is base32, and the
// server takes only hexadecimal digits in a name for a content hash
// (docs/server.md, "versioned"), which lets browsers keep the file for good.
function hexNamed(bundle, name) {
  const js = bundle.outputFiles.find((o) => o.path.endsWith('.js'));
  const from = path.basename(js.path);
  const file = `${name}-${sha(Buffer.from(js.contents)).slice(0, 16)}.js`;
  const outputFiles = bundle.outputFiles.map((o) => {
    if (o.path.endsWith('.map')) return { path: path.join(dist, `${file}.map`), contents: o.contents };
    const text = Buffer.from(o.contents).toString('utf8').replace(`sourceMappingURL=${from}.map`, `sourceMappingURL=${file}.map`);
    return { path: path.join(dist, file), contents: Buffer.from(text) };
  });
  return { file, outputFiles };
}

function need(file) {
  if (!fs.existsSync(file)) {
    process.stderr.write(`bundle-web: missing ${path.relative(root, file)}; run scripts/setup (npm ci) first\n`);
    process.exit(1);
  }
  return file;
}

async function main() {
  need(path.join(nm, '@duckdb', 'duckdb-wasm', 'package.json'));
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    write: false,
    outdir: dist,
    absWorkingDir: root,
    logLevel: 'warning',
  };
  // The engine (duckdb.js with DuckDB-Wasm and Arrow) is a bundle of its
  // own, duckdb-HASH.js, loaded by a dynamic import only when a page needs
  // it.  Two separate bundles rather than esbuild's code splitting: split
  // chunks share a helper chunk that every page would have to fetch before
  // its first chart.  It sits next to ducksite.js so the engine files
  // resolve as ./duckdb/*.
  const engine = hexNamed(await build({ ...common, entryPoints: [path.join(src, 'duckdb.js')], entryNames: 'duckdb-[hash]' }), 'duckdb');
  const engineJs = engine.file;
  // An import of one of the separate bundles (web/src/duckdb.js,
  // web/src/console/console.js, web/src/charts/extra.js,
  // web/src/netview/overlay.js), from whichever
  // module, becomes an import of its file next to the importer: the same
  // URL, so one module instance.
  const separate = (bundles) => ({
    name: 'separate-bundles',
    setup(b) {
      b.onResolve({ filter: /(duckdb|console|extra|overlay)\.js$/ }, (args) => {
        const file = bundles[path.resolve(args.resolveDir, args.path)];
        return file ? { path: `./${file}`, external: true } : undefined;
      });
    },
  });
  // The SQL console (console/console.js with CodeMirror and its CSS as
  // text), console-HASH.js, imported only when a page opens it.
  const consoleBundle = hexNamed(await build({
    ...common,
    entryPoints: [path.join(src, 'console', 'console.js')],
    entryNames: 'console-[hash]',
    loader: { '.css': 'text' },
    plugins: [separate({ [path.join(src, 'duckdb.js')]: engineJs })],
  }), 'console');
  const consoleJs = consoleBundle.file;
  // The rarer chart families (charts/extra.js), charts-HASH.js, imported by
  // charts/registry.js when a page draws one of them.  The small modules
  // they share with the page runtime (charts/common.js, format.js, ...) are
  // in both files: they hold no state, and the page runtime stays one file.
  const chartsBundle = hexNamed(await build({
    ...common,
    entryPoints: [path.join(src, 'charts', 'extra.js')],
    entryNames: 'charts-[hash]',
  }), 'charts');
  // The network view (netview/overlay.js and its CSS as text),
  // netview-HASH.js, imported only when a page shows it.
  const netBundle = hexNamed(await build({
    ...common,
    entryPoints: [path.join(src, 'netview', 'overlay.js')],
    entryNames: 'netview-[hash]',
    loader: { '.css': 'text' },
  }), 'netview');
  const page = await build({
    ...common,
    entryPoints: [path.join(src, 'main.js')],
    entryNames: 'ducksite',
    plugins: [separate({
      [path.join(src, 'duckdb.js')]: engineJs,
      [path.join(src, 'console', 'console.js')]: consoleJs,
      [path.join(src, 'charts', 'extra.js')]: chartsBundle.file,
      [path.join(src, 'netview', 'overlay.js')]: netBundle.file,
    })],
  });
  // Charts drawn at build time (src/site/firstpaint.c runs it under node):
  // a build-only file, never published (src/site/assets.c skips *.node.mjs
  // and *.node.cjs).
  // It reads the map geometry beside it: a hash of that geometry in its
  // first line makes new geometry a new script, so the build draws maps again.
  const geo = geoAssets(nm);
  const geoHash = sha(Buffer.concat(Object.values(geo))).slice(0, 16);
  const firstPaint = await build({
    ...common,
    entryPoints: [path.join(src, 'firstpaint.js')],
    entryNames: 'firstpaint.node',
    outExtension: { '.js': '.mjs' },
    banner: { js: `// map geometry ${geoHash}` },
    platform: 'node',
    target: ['node18'],
    sourcemap: false,
    minify: false,
  });
  // The browser's engine run at build time (src/site/enginecheck.c runs it
  // under node): build-only as well, never published.  It loads the wasm
  // files of web/dist/duckdb/, the ones the pages load.
  const engineCheck = await build({
    ...common,
    entryPoints: [path.join(src, 'enginecheck.js')],
    entryNames: 'enginecheck.node',
    // CommonJS: DuckDB-Wasm's node build and Arrow require node's own
    // modules and use __dirname, which an ES module does not have.
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: ['node18'],
    sourcemap: false,
    minify: true,
  });
  const result = {
    outputFiles: [...engine.outputFiles, ...consoleBundle.outputFiles, ...chartsBundle.outputFiles, ...netBundle.outputFiles,
      ...page.outputFiles, ...firstPaint.outputFiles, ...engineCheck.outputFiles],
  };
  const made = new Set();
  for (const out of result.outputFiles) {
    put(out.path, Buffer.from(out.contents), out.path.endsWith('.js') && !out.path.endsWith('.node.mjs'));
    made.add(path.basename(out.path));
  }
  // Chunks of earlier bundles (NAME-HASH.js, esbuild's HASH before) are removed.
  for (const name of fs.readdirSync(dist)) {
    const m = /^([a-z0-9_]+-(?:[0-9a-f]{16}|[A-Z0-9]{8})\.js)(\.map|\.gz)?$/.exec(name);
    if (m && !made.has(m[1])) {
      fs.rmSync(path.join(dist, name));
      changed++;
    }
  }
  copy(need(path.join(src, 'ducksite.css')), path.join(dist, 'ducksite.css'));
  copy(need(path.join(src, 'theme-init.js')), path.join(dist, 'theme-init.js'));
  copy(need(path.join(nm, 'echarts', 'dist', 'echarts.min.js')), path.join(dist, 'echarts.min.js'));
  // The common build (bar, line, scatter, pie): pages with only those charts
  // load it instead of the full one (src/site/html.c).
  copy(need(path.join(nm, 'echarts', 'dist', 'echarts.common.min.js')), path.join(dist, 'echarts.common.min.js'));
  for (const [name, bytes] of Object.entries(geo)) put(path.join(dist, 'geo', name), bytes, true);
  for (const name of DUCKDB_FILES) {
    copy(need(path.join(nm, '@duckdb', 'duckdb-wasm', 'dist', name)), path.join(dist, 'duckdb', name));
  }
  copy(need(path.join(src, 'duckdb-worker.js')), path.join(dist, 'duckdb', 'ducksite-worker.js'));
  log(changed ? `web/dist updated (${changed} files)` : 'web/dist up to date');
}

main().catch((err) => {
  process.stderr.write(`bundle-web: ${err.stack || err}\n`);
  process.exit(1);
});
