// tests/e2e/lib.mjs - shared helpers for the browser tests:
//   prepareSite()   scratch copy of tests/e2e/fixture + web/dist as
//                   static/assets + Parquet made by build/ds-sql
//   startServer()   `ducksite serve` on a free loopback port (killed by PID)
//   launchBrowser() Debian's chromium through playwright-core, fresh profile
//   openPage()      a page that records every request, response and console
//                   error, and refuses anything that is not loopback
//   expected()      a fixture query run by build/ds-sql on the physical files
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A runtime module without imports of its own (web/src/sql.js, format.js),
 * imported from its text: the repository's package.json has no
 * "type": "module", so node would warn about the .js file.
 */
export async function importRuntime(name) {
  const text = fs.readFileSync(path.join(ROOT, 'web', 'src', name), 'utf8');
  return import(`data:text/javascript;base64,${Buffer.from(text).toString('base64')}`);
}
const { rewriteDataPaths, stripMetrics, substitute } = await importRuntime('sql.js');
export const FIXTURE = path.join(ROOT, 'tests', 'e2e', 'fixture');
export const DIST = path.join(ROOT, 'web', 'dist');
export const ARTIFACTS = path.join(ROOT, 'build', 'e2e-artifacts');
const BIN = (env, dflt) => path.resolve(ROOT, process.env[env] || dflt);
export const DUCKSITE = BIN('DUCKSITE_BIN', 'build/ducksite');
export const DS_SQL = BIN('DS_SQL_BIN', 'build/ds-sql');
export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync',
];

const temps = [];
process.on('exit', () => {
  if (process.env.E2E_KEEP) return;
  for (const t of temps) fs.rmSync(t, { recursive: true, force: true });
});

export function tempDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

/**
 * Why the browser suites cannot run here (missing binary, bundle, browser),
 * or null.  The suites are then skipped with that reason, unless
 * E2E_REQUIRE=1 (ctest sets it), which makes it a failure.
 */
export function missingPrerequisite() {
  let why = null;
  if (!fs.existsSync(DUCKSITE)) why = `${DUCKSITE} not built (cmake --build build)`;
  else if (!fs.existsSync(DS_SQL)) why = `${DS_SQL} not built`;
  else if (!fs.existsSync(path.join(DIST, 'ducksite.js'))) why = 'web/dist missing: run node scripts/bundle-web.mjs';
  else if (!fs.existsSync(CHROMIUM)) why = `${CHROMIUM} missing: apt-get install chromium`;
  if (why && process.env.E2E_REQUIRE === '1') throw new Error(`e2e prerequisites: ${why}`);
  return why;
}

/** A scratch project: the fixture, the runtime in static/assets, data made by ds-sql. */
export function prepareSite() {
  const root = tempDir('ducksite-e2e-site-');
  fs.cpSync(FIXTURE, root, { recursive: true });
  // Timestamps kept: a gzip sidecar must not look older than its file.
  fs.cpSync(DIST, path.join(root, 'static', 'assets'), {
    recursive: true,
    preserveTimestamps: true,
    filter: (src) => !src.endsWith('.map'),
  });
  fs.mkdirSync(path.join(root, 'static', 'data', 'orders'), { recursive: true });
  execFileSync(DS_SQL, ['setup.sql'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return root;
}

/**
 * The project `ducksite demo` creates, in a new temp directory named after
 * PREFIX, built with `ducksite build` (unless BUILD is false: a test may add
 * to it first).  Returns its root.
 */
export function demoProject(prefix, { build = true } = {}) {
  const dir = tempDir(prefix);
  const root = path.join(dir, 'demo');
  execFileSync(DUCKSITE, ['demo', '--root', root], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  if (build) buildProject(root);
  return root;
}

/**
 * Hooks (for the describe it is called in) that make a project with
 * MAKEROOT(), serve it and start a browser before the tests, and stop both
 * after them.  Returns {root, server, browser}, filled in by then.
 */
export function servedProject(makeRoot, { timeout = 180000, serveArgs = [] } = {}) {
  const site = { root: null, server: null, browser: null };
  before(async () => {
    site.root = await makeRoot();
    site.server = await startServer(site.root, { args: serveArgs });
    site.browser = await launchBrowser();
  }, { timeout });
  after(async () => {
    await site.browser?.close();
    await site.server?.stop();
  });
  return site;
}

/** `ducksite build --root ROOT`. */
export function buildProject(root) {
  execFileSync(DUCKSITE, ['build', '--root', root], { cwd: path.dirname(root), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A new page of CONTEXT at URL, once the runtime is idle; the page's record (openPage). */
export async function openIdle(context, url) {
  const rec = await openPage(context);
  await rec.page.goto(url);
  await waitIdle(rec.page);
  return rec;
}

/**
 * Starts `ducksite serve --root ROOT --port 0` and resolves once it answers.
 * Returns {url, origin, pid, stop(), log(), stdout()}; stop() kills that PID
 * only. ARGS are extra arguments (e.g. ['--access-log']: stdout() then holds
 * one line per request; log() is stdout followed by stderr).  READY is the
 * path that must answer 200 before it counts as started (a site behind a
 * sign-in answers /index.html with 401: give '/login').
 */
export async function startServer(root, { args = [], ready = '/index.html' } = {}) {
  const child = spawn(DUCKSITE, ['serve', '--root', root, '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Safety net if the test process dies before its after() hook: this PID only.
  const onExit = () => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    const t = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    await gone;
    clearTimeout(t);
  };
  const deadline = Date.now() + 15000;
  let url = null;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`ducksite serve exited ${child.exitCode}: ${err}${out}`);
    const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
    if (m) {
      url = m[1];
      try {
        const res = await fetch(`${url}${ready}`);
        await res.arrayBuffer();
        if (res.ok) break;
      } catch { /* not yet */ }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!url) {
    await stop();
    throw new Error(`ducksite serve did not start: ${err}${out}`);
  }
  return { url, origin: url, pid: child.pid, stop, log: () => out + err, stdout: () => out };
}

/** Chromium with a fresh profile (a persistent context in a new temp dir). */
export async function launchBrowser(options = {}) {
  const profile = tempDir('ducksite-e2e-profile-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    acceptDownloads: true,
    viewport: { width: 1360, height: 900 },
    // Charts drawn without animation, no CSS transitions (docs/runtime.md,
    // "Motion"): what a screenshot or a check sees is the final picture.
    reducedMotion: 'reduce',
    ...options,
  });
  // Nothing may leave the machine: any other host is aborted and recorded.
  context.offsite = [];
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (isLocal(u)) return route.continue();
    context.offsite.push(u);
    return route.abort();
  });
  return context;
}

export function isLocal(u) {
  if (u.startsWith('data:') || u.startsWith('blob:') || u.startsWith('about:')) return true;
  try {
    const host = new URL(u).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

/**
 * A new page in CONTEXT that records requests (with headers), responses and
 * console errors. Navigate with page.goto(); wait with waitIdle().
 */
export async function openPage(context) {
  const page = await context.newPage();
  const rec = { page, requests: [], responses: [], errors: [] };
  const onRequest = (req) => rec.requests.push({ url: req.url(), method: req.method(), headers: req.headers() });
  const onResponse = async (res) => {
    const req = res.request();
    let headers = {};
    try { headers = await res.allHeaders(); } catch { /* gone */ }
    rec.responses.push({ url: res.url(), status: res.status(), method: req.method(), requestHeaders: req.headers(), headers });
  };
  page.on('request', onRequest);
  page.on('response', onResponse);
  // Requests of the DuckDB worker (ranged Parquet reads) come through the
  // worker, not the page.
  page.on('worker', (w) => {
    w.on?.('request', onRequest);
    w.on?.('response', onResponse);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') rec.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (e) => rec.errors.push(`pageerror: ${e.message}`));
  page.on('crash', () => rec.errors.push('page crashed'));
  return rec;
}

/** Waits until the runtime has nothing in flight. */
export async function waitIdle(page, timeout = 60000) {
  await page.waitForFunction(() => document.documentElement.dataset.dsState === 'idle' && window.ducksite, null, { timeout });
  await page.evaluate(() => window.ducksite.whenIdle());
}

/** Requests of REC that mean the browser engine or the data was fetched. */
export function engineRequests(rec) {
  return rec.requests.map((r) => r.url).filter((u) => {
    let p;
    try { p = new URL(u).pathname; } catch { return false; }
    return p.startsWith('/assets/duckdb/') || /\/duckdb-[^/]*\.js$/.test(p) || /^\/data\/.*\.parquet$/.test(p);
  });
}

/** Requests that went anywhere but loopback (must be empty). */
export function offsiteRequests(context, rec) {
  return [...context.offsite, ...rec.requests.map((r) => r.url).filter((u) => !isLocal(u))];
}

/** Splits ds-sql's tab-separated output into rows of strings (NULL -> null). */
export function parseTsv(text) {
  return text.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map((v) => (v === 'NULL' ? null : v)));
}

/** Runs SQL with build/ds-sql in ROOT (physical paths). */
let sqlFiles = 0;
export function dsSql(root, sql) {
  const file = path.join(root, `.e2e-query-${process.pid}-${sqlFiles++}.sql`);
  fs.writeFileSync(file, sql);
  try {
    return parseTsv(execFileSync(DS_SQL, [file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * A cheap lake under ROOT for a plugin to map many keys onto: four small
 * Parquet files base/f0..f3.parquet (row K: COLUMNS(K), SQL select-list
 * text), and for each year from FIRST (YEARS of them) and day 0..DAYS-1 a
 * folder phys/year=Y/day=D/ holding f0..f3.parquet, hard links to them.
 */
export function linkedLake(root, { first, years, days, columns }) {
  fs.mkdirSync(path.join(root, 'base'), { recursive: true });
  dsSql(root, [0, 1, 2, 3].map((k) => `COPY (SELECT ${columns(k)}) TO 'base/f${k}.parquet' (FORMAT parquet);`).join('\n'));
  for (let y = first; y < first + years; y++) {
    for (let d = 0; d < days; d++) {
      const dir = path.join(root, 'phys', `year=${y}`, `day=${d}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let k = 0; k < 4; k++) fs.linkSync(path.join(root, 'base', `f${k}.parquet`), path.join(dir, `f${k}.parquet`));
    }
  }
}

/**
 * The rows a compiled fixture query gives for these inputs/params, computed
 * by the build-time engine over static/data/... (what the browser reads
 * over HTTP as data/...).
 */
export function expected(root, sqlPath, env = {}) {
  return dsSql(root, physicalSql(root, sqlPath, env));
}

/** A compiled fixture query with placeholders filled and data/... paths made static/data/... */
export function physicalSql(root, sqlPath, { inputs = {}, params = {} } = {}) {
  const text = fs.readFileSync(path.join(root, 'static', sqlPath), 'utf8');
  return rewriteDataPaths(substitute(stripMetrics(text), inputs, params), 'static').replace(/;\s*$/, '');
}

/**
 * A compiled query with placeholders filled and every 'data/...' key of
 * static/data_map.json replaced by its physical path (what `ducksite serve`
 * answers for that URL), for ds-sql.  Keys missing from the map stay as
 * they are (resolved under static/ by the caller's cwd, if at all).
 */
export function mappedSql(root, sqlPath, { inputs = {}, params = {} } = {}) {
  const map = JSON.parse(fs.readFileSync(path.join(root, 'static', 'data_map.json'), 'utf8'));
  const text = substitute(stripMetrics(fs.readFileSync(path.join(root, 'static', sqlPath), 'utf8')), inputs, params);
  return text.replace(/'((?:\.\/|\/)?data\/(?:[^']|'')*)'/g, (lit, key) => {
    const k = key.replace(/''/g, "'").replace(/^\.?\//, '');
    return Object.hasOwn(map, k) ? `'${map[k].replace(/'/g, "''")}'` : lit;
  }).replace(/;\s*$/, '');
}

/** The 'data/...' keys a compiled query reads (its explicit file lists). */
export function dataKeys(root, sqlPath) {
  const text = fs.readFileSync(path.join(root, 'static', sqlPath), 'utf8');
  return [...new Set([...stripMetrics(text).matchAll(/'(data\/(?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'")))].sort();
}

/** Rows of a table component as shown: {head: [names], rows: [[cell text]]}. */
export async function tableCells(page, id) {
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-ds-table="${id}"]`);
    const head = [...el.querySelectorAll('thead th')].map((th) => th.dataset.col);
    const rows = [...el.querySelectorAll('tbody tr:not(.ds-empty-row)')].map((tr) => [...tr.cells].map((td) => td.textContent));
    return { head, rows, footer: el.querySelector('.ds-rowcount')?.textContent ?? '' };
  }, id);
}

/** A chart's drawn data: x categories and each series' values. */
export async function chartData(page, id) {
  return page.evaluate((id) => {
    const o = window.ducksite.chartOption(id);
    if (!o) return null;
    const val = (d) => (d && typeof d === 'object' && !Array.isArray(d) && 'value' in d ? d.value : d);
    return {
      x: o.xAxis?.[0]?.data ?? null,
      series: o.series.map((s) => ({ name: s.name, type: s.type, areaStyle: !!s.areaStyle, data: (s.data || []).map(val), raw: s.data })),
    };
  }, id);
}

/** Renders per component key so far (what re-ran). */
export async function renders(page) {
  return page.evaluate(() => ({ ...window.ducksite.stats.renders }));
}

/** |shown - want| within half a unit of the shown precision. */
export function closeTo(shown, want) {
  const text = String(shown).replace(/,/g, '');
  const decimals = (text.split('.')[1] || '').length;
  const tol = 0.5 * 10 ** -decimals + 1e-9 * Math.abs(Number(want));
  return Math.abs(Number(text) - Number(want)) <= tol;
}

/**
 * Resolves once the page's fonts are loaded and two frames have been drawn
 * since: with reduced motion (launchBrowser) nothing is left to animate.  A
 * page with scripts off runs no frame callbacks: there a second is given.
 */
export async function settled(page) {
  const frames = page.evaluate(() => document.fonts.ready.then(() => new Promise((r) => {
    requestAnimationFrame(() => requestAnimationFrame(() => r()));
  })));
  frames.catch(() => { /* the page closed meanwhile */ });
  let timer;
  await Promise.race([frames, new Promise((r) => { timer = setTimeout(r, 1000); })]);
  clearTimeout(timer);
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await settled(page);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Numbers as shown in a table cell ("1,234.50", "-2.25") -> Number. */
export function shownNumber(text) {
  return Number(String(text).replace(/,/g, '').replace(/−/g, '-'));
}
