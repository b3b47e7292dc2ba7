// bench/page_speed.mjs - the demo site in Chromium on loopback: time from
// navigation to the first chart drawn on the home page, and requests and
// bytes per page, for
//   (a) `ducksite serve`
//   (b) the same static/ tree from a server that ignores Range, like the
//       original Python server (http.server): every GET, ranged or not, is
//       answered 200 with the whole file, HEAD 200 without Accept-Ranges, no
//       gzip; data/... keys resolved through static/data_map.json (re-read
//       on every request, as the original did).
// Each run loads every demo page once per server, each load with a fresh
// browser profile (cold HTTP cache); servers alternate within a run and
// which goes first alternates between runs, after one uncounted warm-up
// load each. Requests and bytes are counted by the servers (ducksite's
// --access-log, the bench server's own counters): response bodies only.
// Prints every load, the medians and the ratios (b)/(a). A report, not a
// test: exits 0 whatever the numbers; 2 when it cannot measure.
//
// (b) only works with DuckDB-Wasm's full-read fallback, which the shipped
// runtime turns off: see allowFullReads() below.
//
// Usage: node bench/page_speed.mjs [RUNS]        (default 3)
//   DUCKSITE_BIN, DS_SQL_BIN, CHROMIUM_BIN as for tests/e2e; KEEP=1 keeps
//   the temp project; LOAD_TIMEOUT=S (default 120) per page load;
//   FULL_READS=0 runs the runtime as shipped (see allowFullReads below).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { DUCKSITE, launchBrowser, missingPrerequisite, startServer, tempDir } from '../tests/e2e/lib.mjs';

const RUNS = Number(process.argv[2] || process.env.RUNS || 3);
const LOAD_TIMEOUT = Number(process.env.LOAD_TIMEOUT || 120) * 1000;
const PAGES = ['/index.html', '/charts.html', '/inputs.html', '/templates.html', '/plugin.html'];

if (process.env.KEEP) process.env.E2E_KEEP = '1';
const why = missingPrerequisite();
if (why) {
  console.error(`page_speed: cannot measure: ${why}`);
  process.exit(2);
}

// ---------------------------------------------------------------- the site
const dir = tempDir('ducksite-bench-page-');
const root = path.join(dir, 'demo');
console.log(`demo project in ${root} ...`);
execFileSync(DUCKSITE, ['demo', '--root', root], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync(DUCKSITE, ['build', '--root', root], { stdio: ['ignore', 'ignore', 'ignore'] });
const STATIC = path.join(root, 'static');

// ----------------------------------------------------- (b) no-Range server
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.sql': 'text/plain; charset=utf-8',
  '.parquet': 'application/octet-stream', '.csv': 'text/csv', '.svg': 'image/svg+xml', '.png': 'image/png',
};

function plainServer() {
  const counts = { requests: 0, bytes: 0, dataBytes: 0, status: {} };
  const srv = http.createServer((req, res) => {
    counts.requests++;
    let file = null;
    try {
      const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '');
      // Like the original server: data_map.json read on every request.
      const map = JSON.parse(fs.readFileSync(path.join(STATIC, 'data_map.json'), 'utf8'));
      if (Object.hasOwn(map, rel)) file = map[rel];
      else if (!rel.split('/').some((s) => s.startsWith('.'))) {
        file = path.join(STATIC, rel);
        if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
      }
      if (!file || !fs.statSync(file).isFile()) file = null;
    } catch { file = null; }
    const done = (status) => { counts.status[status] = (counts.status[status] || 0) + 1; };
    if (!file) {
      done(404);
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
      return;
    }
    const st = fs.statSync(file);
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
      'Content-Length': st.size,
      'Last-Modified': st.mtime.toUTCString(),
    });
    done(200);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    counts.bytes += st.size;
    if (file.endsWith('.parquet')) counts.dataBytes += st.size;
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    srv.listen(0, '127.0.0.1', () => resolve({
      url: `http://127.0.0.1:${srv.address().port}`,
      take() { const c = { ...counts, status: { ...counts.status } }; Object.assign(counts, { requests: 0, bytes: 0, dataBytes: 0, status: {} }); return c; },
      stop: () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); }),
    }));
  });
}

// ----------------------------------------------------- (a) ducksite serve
async function ducksiteServer() {
  const s = await startServer(root, { args: ['--access-log'] });
  let mark = s.stdout().length;
  return {
    url: s.url,
    stop: s.stop,
    async take() {
      await new Promise((r) => setTimeout(r, 200)); // let the last log lines arrive
      const text = s.stdout();
      const lines = text.slice(mark).split('\n');
      mark = text.length;
      const c = { requests: 0, bytes: 0, dataBytes: 0, status: {} };
      for (const l of lines) {
        const m = /^\S+Z \S+ "(\S+) (\S+)" (\d{3}) (\d+)$/.exec(l);
        if (!m) continue;
        c.requests++;
        c.bytes += Number(m[4]);
        if (/\.parquet$/.test(m[2])) c.dataBytes += Number(m[4]);
        c.status[m[3]] = (c.status[m[3]] || 0) + 1;
      }
      return c;
    },
  };
}

// ------------------------------------------------------------ one page load
/** Records performance.now() (ms since navigation start) when the first chart is drawn and when the page is last idle. */
function timingProbe() {
  window.__bench = { firstChart: null, idle: null };
  const obs = new MutationObserver(() => {
    const b = window.__bench;
    if (b.firstChart === null && document.querySelector('[data-ds-chart][data-ds-state="ok"] canvas')) {
      b.firstChart = -1;
      requestAnimationFrame(() => requestAnimationFrame(() => { b.firstChart = performance.now(); }));
    }
    if (document.documentElement.dataset.dsState === 'idle') b.idle = performance.now();
  });
  obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ds-state'] });
}

/**
 * The shipped runtime opens DuckDB-Wasm with allowFullHTTPReads: false; with
 * it, DuckDB-Wasm 1.28 cannot open a file whose server answers the
 * `HEAD Range: bytes=0-` probe with 200, and the query never finishes. The
 * original Ducksite worked with a Range-less server because its engine fell
 * back to full reads, so both servers get a runtime with that fallback on
 * (no effect when the server answers 206). FULL_READS=0 keeps the runtime
 * as shipped.
 */
async function allowFullReads(browser) {
  if (process.env.FULL_READS === '0') return;
  await browser.route('**/assets/ducksite.js*', async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace(/allowFullHTTPReads:\s*(!1|false)/, 'allowFullHTTPReads:true');
    const headers = { ...res.headers() };
    delete headers['content-encoding'];
    delete headers['content-length'];
    await route.fulfill({ status: res.status(), headers, body });
  });
}

async function load(server, route) {
  const browser = await launchBrowser();
  try {
    await allowFullReads(browser);
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(timingProbe);
    let clientRequests = 0;
    page.on('request', () => { clientRequests++; });
    await server.take(); // reset the counters
    await page.goto(`${server.url}${route}`);
    try {
      await page.waitForFunction(() => document.documentElement.dataset.dsState === 'idle' && window.ducksite, null, { timeout: LOAD_TIMEOUT });
      await page.evaluate(() => window.ducksite.whenIdle());
      if (await page.evaluate(() => document.querySelector('[data-ds-chart]') !== null)) {
        await page.waitForFunction(() => window.__bench.firstChart > 0, null, { timeout: 10000 });
      }
    } catch (e) {
      if (e.name !== 'TimeoutError') throw e;
      const c = await server.take();
      return { route, firstChart: null, idle: null, clientRequests, ...c, failed: 'timeout', offsite: browser.offsite.length };
    }
    const t = await page.evaluate(() => ({ ...window.__bench }));
    const states = await page.evaluate(() => window.ducksite.components().map((c) => c.state));
    const bad = states.filter((s) => s !== 'ok').length;
    const c = await server.take();
    return { route, firstChart: t.firstChart, idle: t.idle, clientRequests, ...c, failed: bad + errors.length, offsite: browser.offsite.length };
  } finally {
    await browser.close();
  }
}

// --------------------------------------------------------------------- main
const median = (xs) => {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (b) => (b / 1e6).toFixed(2);
const ms = (x) => (x === null || x === undefined ? '-' : `${Math.round(x)}`);

const servers = { ducksite: await ducksiteServer(), norange: await plainServer() };
const results = { ducksite: [], norange: [] };
try {
  // Does ducksite serve send the engine gzipped? (It needs the build's
  // static/assets/*.gz sidecar not to be older than the file.)
  const head = await fetch(`${servers.ducksite.url}/assets/duckdb/duckdb-eh.wasm`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
  const gz = head.headers.get('content-encoding') === 'gzip';
  console.log(`ducksite serve sends duckdb-eh.wasm ${gz ? 'gzipped' : 'UNCOMPRESSED (its .gz sidecar is older than the file)'};`
    + ' the no-Range server never compresses');
  // One load per server first, not counted: page cache, Chromium's first start.
  for (const name of Object.keys(servers)) await load(servers[name], '/index.html');
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which server goes first.
    const names = Object.keys(servers);
    if (run % 2 === 0) names.reverse();
    for (const name of names) {
      for (const route of PAGES) {
        const r = await load(servers[name], route);
        results[name].push({ run, ...r });
        console.log(`run ${run} ${name.padEnd(8)} ${route.padEnd(16)} first chart ${ms(r.firstChart).padStart(6)} ms  idle ${ms(r.idle).padStart(6)} ms`
          + `  ${String(r.requests).padStart(4)} req  ${mb(r.bytes).padStart(7)} MB (parquet ${mb(r.dataBytes)} MB)`
          + `  status ${JSON.stringify(r.status)}${r.failed ? `  FAILED: ${r.failed === 'timeout' ? `not idle after ${LOAD_TIMEOUT / 1000} s` : `${r.failed} components/errors`}` : ''}${r.offsite ? '  OFFSITE' : ''}`);
      }
    }
  }
} finally {
  await servers.ducksite.stop();
  await servers.norange.stop();
}

console.log(`\nmedians over ${RUNS} cold loads (fresh profile each), Chromium on loopback`);
console.log('page             server    first chart      idle  requests   bytes (MB)   parquet (MB)');
const med = {};
for (const route of PAGES) {
  for (const name of Object.keys(results)) {
    const all = results[name].filter((r) => r.route === route);
    const rs = all.filter((r) => !r.failed);
    const m = {
      ok: `${rs.length}/${all.length}`,
      firstChart: median(rs.map((r) => r.firstChart)), idle: median(rs.map((r) => r.idle)),
      requests: median(rs.map((r) => r.requests)), bytes: median(rs.map((r) => r.bytes)), dataBytes: median(rs.map((r) => r.dataBytes)),
    };
    (med[route] ||= {})[name] = m;
    console.log(`${route.padEnd(16)} ${name.padEnd(9)} ${(ms(m.firstChart) + ' ms').padStart(10)} ${(ms(m.idle) + ' ms').padStart(9)}`
      + ` ${String(m.requests).padStart(9)} ${(m.bytes === null ? '-' : mb(m.bytes)).padStart(12)} ${(m.dataBytes === null ? '-' : mb(m.dataBytes)).padStart(14)}`
      + `${rs.length < all.length ? `   (${m.ok} loads finished)` : ''}`);
  }
}
const ratio = (a, b) => (a && b ? (b / a).toFixed(2) : '-');
const h = med['/index.html'];
console.log(`\nhome page, no-Range server / ducksite serve: first chart ${ratio(h.ducksite.firstChart, h.norange.firstChart)}x,`
  + ` idle ${ratio(h.ducksite.idle, h.norange.idle)}x, bytes ${ratio(h.ducksite.bytes, h.norange.bytes)}x,`
  + ` parquet bytes ${ratio(h.ducksite.dataBytes, h.norange.dataBytes)}x, requests ${ratio(h.ducksite.requests, h.norange.requests)}x`);
const sum = (name, k) => PAGES.reduce((s, p) => s + (med[p][name][k] || 0), 0);
console.log(`all ${PAGES.length} pages (sum of medians): ducksite ${ms(sum('ducksite', 'idle'))} ms idle, ${mb(sum('ducksite', 'bytes'))} MB;`
  + ` no-Range ${ms(sum('norange', 'idle'))} ms idle, ${mb(sum('norange', 'bytes'))} MB`
  + ` (idle ${ratio(sum('ducksite', 'idle'), sum('norange', 'idle'))}x, bytes ${ratio(sum('ducksite', 'bytes'), sum('norange', 'bytes'))}x)`);
