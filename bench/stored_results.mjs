// bench/stored_results.mjs - what stored results buy, in Chromium on
// loopback, in one run. The demo project is made once, copied, and built
//   A  `ducksite build`                 pages paint from static/_results/
//   B  `ducksite build --no-prerender`  every query runs in DuckDB-Wasm
// each served by its own `ducksite serve --no-build --no-watch --access-log`
// on a free loopback port (stopped by PID at the end).
//
// Measured (every load with a fresh browser and profile: cold HTTP cache;
// one uncounted warm-up load per build first; which build goes first
// alternates between runs):
//
//  1. RUNS cold loads of each of the 5 demo pages on A and on B:
//       chart shown  ms from navigation start to the first frame that shows
//                    a chart: after the first chart's build-drawn picture
//                    (img.ds-first-paint, src/site/firstpaint.c) is decoded,
//                    or after the first live chart (below), whichever comes
//                    first. B has no pictures (no stored results).
//       first chart  ms from navigation start (performance.now() in the
//                    page) to the first [data-ds-chart] element whose
//                    data-ds-state becomes "ok". A MutationObserver
//                    installed by addInitScript before any page script
//                    records it; its callback runs as a microtask right
//                    after the runtime sets the attribute, which it does
//                    just after ECharts' setOption has drawn the canvas.
//                    "frame" is the next requestAnimationFrame after that
//                    (the start of the frame that puts it on screen).
//       runtime up   ms until the runtime has marked its first component
//                    "loading" (HTML, CSS, ECharts and ducksite.js loaded).
//       all ok       ms until every component (window.ducksite.components())
//                    is "ok"; idle: the document root last became "idle".
//       bytes        response body bytes the page received (Playwright's
//                    request.sizes().responseBodySize: encoded, as sent),
//                    requests (finished + failed), engine bytes (requests
//                    to /assets/duckdb/ or a duckdb-*.js chunk), Parquet
//                    bytes (/data/); the server's access log (body bytes
//                    it sent) is printed next to it as a cross-check.
//  2. On /inputs.html after each cold load (page idle): the region dropdown
//     set with window.ducksite.setInput() to each of its real option values
//     (read from the <select>), then back to the "all" choice; ms from the
//     call to chart 'filtered' being "ok" again with one more render and
//     different data. First pass (A fetches each stored result) and second
//     pass (the page already holds them). On A the engine must not start.
//  3. Live path, same page right after: setInput('min_revenue', '100000'),
//     a state the build never stores; ms to chart 'filtered' ok. On A this
//     downloads and starts the engine; on B the engine is already warm from
//     the page load, so B's cold-engine cost is its first chart from
//     navigation, printed next to it.
//  4. Whole-file against ranged reads on B's /index.html: RUNS cold loads
//     with the default (files up to 8 MiB fetched whole) and with
//     window.ducksiteWholeFileMax = 0 (HTTP range reads only).
//
// Prints every measurement, the medians, the ratios and the targets. A
// report: exits 0 whatever the timings, 1 when the engine started during
// A's stored dropdown switches or a load failed, 2 when it cannot measure.
//
// Usage: node bench/stored_results.mjs [RUNS]      (default 5)
//   DUCKSITE_BIN, DS_SQL_BIN, CHROMIUM_BIN as for tests/e2e; KEEP=1 keeps
//   the temp projects; LOAD_TIMEOUT=S (default 120) per page load.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { DUCKSITE, launchBrowser, missingPrerequisite, startServer, tempDir } from '../tests/e2e/lib.mjs';

const RUNS = Number(process.argv[2] || process.env.RUNS || 5);
const LOAD_TIMEOUT = Number(process.env.LOAD_TIMEOUT || 120) * 1000;
const PAGES = ['/index.html', '/charts.html', '/inputs.html', '/templates.html', '/plugin.html'];
const CHART = 'filtered'; // the chart of /inputs.html that depends on both inputs
const TEXT_VALUE = '100000';

if (process.env.KEEP) process.env.E2E_KEEP = '1';
const why = missingPrerequisite();
if (why) {
  console.error(`stored_results: cannot measure: ${why}`);
  process.exit(2);
}
let failures = 0;

// ---------------------------------------------------------------- the sites
const dir = tempDir('ducksite-bench-stored-');
const roots = { A: path.join(dir, 'A'), B: path.join(dir, 'B') };
const loadavg = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(`${os.cpus().length} CPUs, load average ${loadavg()} at start`);
console.log(`demo project in ${dir} (A: stored results, B: --no-prerender) ...`);
execFileSync(DUCKSITE, ['demo', '--root', roots.A], { stdio: ['ignore', 'ignore', 'inherit'] });
// The same generated files for both: a copy, not a second demo.
fs.cpSync(roots.A, roots.B, { recursive: true, preserveTimestamps: true });
for (const [name, args] of [['A', []], ['B', ['--no-prerender']]]) {
  const t0 = Date.now();
  const b = spawnSync(DUCKSITE, ['build', '--root', roots[name], ...args], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`ducksite build ${args.join(' ')} failed: ${b.stderr}`);
  const line = (/stored results: .*/.exec(b.stderr) || ['stored results: none'])[0];
  const rdir = path.join(roots[name], 'static', '_results');
  const files = fs.existsSync(rdir) ? fs.readdirSync(rdir).filter((f) => /^[0-9a-f]{16}\.json$/.test(f)) : [];
  const bytes = files.reduce((s, f) => s + fs.statSync(path.join(rdir, f)).size, 0);
  console.log(`build ${name}: ${Date.now() - t0} ms, ${line}; static/_results: ${files.length} results, ${bytes} bytes`);
  if (name === 'B' && files.length) console.log('WARNING: the --no-prerender build has stored results');
}

// ------------------------------------------------------------------ servers
const isEngine = (p) => p.startsWith('/assets/duckdb/') || /\/duckdb-[^/]*\.js$/.test(p);
const isData = (p) => p.startsWith('/data/');

async function server(root) {
  const s = await startServer(root, { args: ['--no-build', '--no-watch', '--access-log'] });
  let mark = s.stdout().length;
  return {
    url: s.url,
    pid: s.pid,
    stop: s.stop,
    /** What the access log shows since the last take(): {requests, bytes, engineBytes}. */
    async take() {
      await new Promise((r) => setTimeout(r, 150)); // let the last log lines arrive
      const text = s.stdout();
      const lines = text.slice(mark).split('\n');
      mark = text.length;
      const c = { requests: 0, bytes: 0, engineBytes: 0 };
      for (const l of lines) {
        const m = /^\S+Z \S+ "(\S+) (\S+)" (\d{3}) (\d+)$/.exec(l);
        if (!m) continue;
        c.requests++;
        c.bytes += Number(m[4]);
        if (isEngine(m[2].split('?')[0])) c.engineBytes += Number(m[4]);
      }
      return c;
    },
  };
}

// ------------------------------------------------------------ in the page
/** Installed before any page script: ms since navigation start of first chart ok, all ok, idle. */
function timingProbe() {
  const b = { boot: null, firstChart: null, firstChartFrame: null, firstShown: null, allOk: null, idle: null };
  window.__bench = b;
  // First chart shown: the first frame after a chart's build-drawn picture
  // is decoded, or after the first live chart is drawn, whichever is first.
  const shown = () => requestAnimationFrame(() => { if (b.firstShown === null) b.firstShown = performance.now(); });
  let picture = false;
  const check = () => {
    if (!picture) {
      const img = document.querySelector('[data-ds-chart] img.ds-first-paint');
      if (img) {
        picture = true;
        img.decode().then(shown, () => {});
      }
    }
    if (b.firstChart === null && document.querySelector('[data-ds-chart][data-ds-state="ok"]')) shown();
    if (b.boot === null && document.querySelector('[data-ds-chart][data-ds-state], [data-ds-table][data-ds-state]')) b.boot = performance.now();
    if (b.firstChart === null && document.querySelector('[data-ds-chart][data-ds-state="ok"]')) {
      b.firstChart = performance.now();
      requestAnimationFrame(() => { b.firstChartFrame = performance.now(); });
    }
    if (b.allOk === null && window.ducksite) {
      const cs = window.ducksite.components();
      if (cs.length && cs.every((c) => c.state === 'ok')) b.allOk = performance.now();
    }
    if (document.documentElement && document.documentElement.dataset.dsState === 'idle') b.idle = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ds-state'] });
}

/**
 * In the page: setInput(NAME, VALUE), then ms until chart ID is "ok" with one
 * more render than before (observed on its data-ds-state attribute), and
 * whether its drawn data changed.
 */
function timeSetInput({ name, value, id, timeout }) {
  const api = window.ducksite;
  const key = `chart:${id}`;
  const el = document.querySelector(`[data-ds-chart="${id}"]`);
  const dataOf = () => JSON.stringify((api.chartOption(id)?.series || []).map((s) => s.data));
  const before = dataOf();
  const renders0 = api.stats.renders[key] || 0;
  const engine0 = api.engineStarted();
  return new Promise((resolve) => {
    let t0 = 0;
    let timer = null;
    const finish = (state) => {
      const t = performance.now() - t0;
      obs.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => {
        const c = api.components().find((x) => x.key === key);
        resolve({ ms: t, frame: performance.now() - t0, state, source: c?.source ?? null,
          changed: dataOf() !== before, engineBefore: engine0, engine: api.engineStarted() });
      });
    };
    const obs = new MutationObserver(() => {
      const s = el.dataset.dsState;
      if ((api.stats.renders[key] || 0) > renders0 && s === 'ok') finish('ok');
      else if (s === 'error') finish('error');
    });
    obs.observe(el, { attributes: true, attributeFilter: ['data-ds-state'] });
    timer = setTimeout(() => finish('timeout'), timeout);
    t0 = performance.now();
    api.setInput(name, value);
  });
}

// ------------------------------------------------------------- one load
async function load(site, srv, route, { wholeFileMax = null, interact = false } = {}) {
  const browser = await launchBrowser(); // fresh profile
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (wholeFileMax !== null) await page.addInitScript((n) => { window.ducksiteWholeFileMax = n; }, wholeFileMax);
    await page.addInitScript(timingProbe);
    // Every request the page or its worker made: [path, body bytes] (null while in flight).
    let reqs = [];
    const sizes = [];
    page.on('requestfinished', (req) => {
      const entry = [new URL(req.url()).pathname, null];
      reqs.push(entry);
      sizes.push(req.sizes().then((s) => { entry[1] = s.responseBodySize; }, () => { entry[1] = 0; }));
    });
    page.on('requestfailed', (req) => { reqs.push([new URL(req.url()).pathname, 0]); });
    const count = async () => {
      await Promise.all(sizes.splice(0));
      const c = { requests: reqs.length, bytes: 0, engineBytes: 0, dataBytes: 0, engineRequests: 0 };
      for (const [p, n] of reqs) {
        c.bytes += n;
        if (isEngine(p)) { c.engineBytes += n; c.engineRequests++; }
        if (isData(p)) c.dataBytes += n;
      }
      reqs = [];
      return c;
    };
    await srv.take(); // reset the server's counters
    const r = { site, route, wholeFileMax };
    await page.goto(`${srv.url}${route}`);
    try {
      await page.waitForFunction(() => document.documentElement.dataset.dsState === 'idle' && window.ducksite, null, { timeout: LOAD_TIMEOUT });
      await page.evaluate(() => window.ducksite.whenIdle());
      await page.waitForFunction(() => !document.querySelector('[data-ds-chart]') || window.__bench.firstChartFrame !== null, null, { timeout: 10000 });
    } catch (e) {
      if (e.name !== 'TimeoutError') throw e;
      failures++;
      return { ...r, failed: `not idle after ${LOAD_TIMEOUT / 1000} s` };
    }
    Object.assign(r, await page.evaluate(() => ({
      ...window.__bench,
      dcl: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventStart ?? null,
    })));
    const info = await page.evaluate(() => ({
      bad: window.ducksite.components().filter((c) => c.state !== 'ok').map((c) => c.key),
      sources: window.ducksite.components().map((c) => c.source),
      engine: window.ducksite.engineStarted(),
    }));
    Object.assign(r, await count());
    r.server = await srv.take();
    r.engine = info.engine;
    r.stored = info.sources.filter((s) => s === 'stored').length;
    r.live = info.sources.filter((s) => s === 'live').length;
    if (info.bad.length || errors.length) {
      failures++;
      r.failed = [...info.bad.map((k) => `${k} not ok`), ...errors].join('; ');
    }
    if (interact && !r.failed) {
      const opts = await page.evaluate(() => {
        const sel = document.querySelector('[data-ds-input="region"] select');
        return { all: sel.value, values: [...sel.options].map((o) => o.value) };
      });
      const regions = opts.values.filter((v) => v !== opts.all);
      r.switches = [];
      for (const pass of [1, 2]) {
        for (const value of [...regions, opts.all]) {
          const s = await page.evaluate(timeSetInput, { name: 'region', value, id: CHART, timeout: LOAD_TIMEOUT });
          r.switches.push({ pass, value: value === opts.all ? `all (${value || "''"})` : value, isAll: value === opts.all, ...s });
        }
      }
      r.switchTraffic = await count();
      await srv.take();
      r.text = await page.evaluate(timeSetInput, { name: 'min_revenue', value: TEXT_VALUE, id: CHART, timeout: LOAD_TIMEOUT });
      await page.evaluate(() => window.ducksite.whenIdle());
      r.textTraffic = await count();
      await srv.take();
    }
    return r;
  } finally {
    await browser.close();
  }
}

// --------------------------------------------------------------- printing
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => (x === null || x === undefined ? '-' : `${Math.round(x)} ms`);
const kb = (b) => (b === null || b === undefined ? '-' : b >= 1e6 ? `${(b / 1e6).toFixed(2)} MB` : `${(b / 1e3).toFixed(1)} kB`);
const ratio = (a, b) => (a && b ? `${(b / a).toFixed(1)}x` : '-');
const pad = (s, n) => String(s).padStart(n);

function loadLine(r, label) {
  if (r.failed && r.firstChart === undefined) return `${label}  FAILED: ${r.failed}`;
  return `${label}  runtime up ${pad(ms(r.boot), 7)}  first chart shown ${pad(ms(r.firstShown), 8)}  live ${pad(ms(r.firstChart), 8)} (frame ${pad(ms(r.firstChartFrame), 8)})  all ok ${pad(ms(r.allOk), 8)}`
    + `  idle ${pad(ms(r.idle), 8)}  ${pad(r.requests, 3)} req ${pad(kb(r.bytes), 9)} (server ${pad(kb(r.server.bytes), 9)}, ${pad(r.server.requests, 3)} req)`
    + `  engine ${pad(kb(r.engineBytes), 8)}  parquet ${pad(kb(r.dataBytes), 8)}  stored/live ${r.stored}/${r.live}`
    + `${r.engine ? '  engine started' : ''}${r.failed ? `  FAILED: ${r.failed}` : ''}`;
}

// --------------------------------------------------------------------- main
const servers = { A: await server(roots.A), B: await server(roots.B) };
console.log(`serving A on ${servers.A.url} (pid ${servers.A.pid}), B on ${servers.B.url} (pid ${servers.B.pid})`);
const loads = [];
const wholeVsRanged = [];
try {
  for (const site of ['A', 'B']) await load(site, servers[site], '/index.html'); // warm-up, not counted
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 ? ['A', 'B'] : ['B', 'A'];
    for (const site of order) {
      for (const route of PAGES) {
        const r = await load(site, servers[site], route, { interact: route === '/inputs.html' });
        r.run = run;
        loads.push(r);
        console.log(loadLine(r, `run ${run} ${site} ${route.padEnd(15)}`));
        for (const s of r.switches || []) {
          console.log(`        ${site} region=${s.value.padEnd(14)} pass ${s.pass}  ${pad(ms(s.ms), 7)} (frame ${pad(ms(s.frame), 7)})  ${s.state} ${s.source}`
            + `${s.changed ? '' : '  DATA UNCHANGED'}${s.engine ? '  engine started' : ''}`);
        }
        if (r.switchTraffic) {
          console.log(`        ${site} switches: ${r.switchTraffic.requests} req ${kb(r.switchTraffic.bytes)}, engine ${kb(r.switchTraffic.engineBytes)}`);
          const t = r.text;
          console.log(`        ${site} min_revenue=${TEXT_VALUE}: ${ms(t.ms)} (frame ${ms(t.frame)}) ${t.state} ${t.source}${t.changed ? ', data changed' : ', same data'}`
            + `, engine ${t.engineBefore ? 'already started' : (t.engine ? 'started by it' : 'not started')};`
            + ` ${r.textTraffic.requests} req ${kb(r.textTraffic.bytes)} (engine ${kb(r.textTraffic.engineBytes)}, parquet ${kb(r.textTraffic.dataBytes)})`);
        }
      }
    }
  }
  // Whole-file vs ranged reads, B's home page (every query live).
  for (let run = 1; run <= RUNS; run++) {
    const order = run % 2 ? [null, 0] : [0, null];
    for (const max of order) {
      const r = await load('B', servers.B, '/index.html', { wholeFileMax: max });
      r.run = run;
      wholeVsRanged.push(r);
      console.log(loadLine(r, `run ${run} B /index.html ${max === 0 ? 'ranged' : 'whole '}`));
    }
  }
} finally {
  await servers.A.stop();
  await servers.B.stop();
}

// ----------------------------------------------------------------- summary
console.log(`\nload average ${loadavg()} at the end`);
const ok = (rs) => rs.filter((r) => !r.failed);
const pick = (site, route) => ok(loads.filter((r) => r.site === site && r.route === route));
const med = {};
console.log(`\n== medians of ${RUNS} cold loads (fresh browser profile each), Chromium headless on loopback`);
console.log('page            build  runtime up  chart shown  first chart      all ok        idle  requests       bytes   engine bytes  parquet bytes');
for (const route of PAGES) {
  for (const site of ['A', 'B']) {
    const rs = pick(site, route);
    const m = {
      n: rs.length, boot: median(rs.map((r) => r.boot)),
      firstShown: median(rs.map((r) => r.firstShown)), firstChart: median(rs.map((r) => r.firstChart)), allOk: median(rs.map((r) => r.allOk)), idle: median(rs.map((r) => r.idle)),
      requests: median(rs.map((r) => r.requests)), bytes: median(rs.map((r) => r.bytes)),
      engineBytes: median(rs.map((r) => r.engineBytes)), maxEngineBytes: Math.max(0, ...rs.map((r) => r.engineBytes)),
      dataBytes: median(rs.map((r) => r.dataBytes)),
    };
    (med[route] ||= {})[site] = m;
    console.log(`${route.padEnd(15)} ${site.padEnd(5)} ${pad(ms(m.boot), 10)} ${pad(ms(m.firstShown), 12)} ${pad(ms(m.firstChart), 12)} ${pad(ms(m.allOk), 11)} ${pad(ms(m.idle), 11)}`
      + ` ${pad(m.requests ?? '-', 9)} ${pad(kb(m.bytes), 11)} ${pad(kb(m.engineBytes), 14)} ${pad(kb(m.dataBytes), 14)}`
      + `${m.n < RUNS ? `   (${m.n}/${RUNS} loads ok)` : ''}`);
  }
}
console.log('\n== ratios B / A (medians)');
for (const route of PAGES) {
  const a = med[route].A;
  const b = med[route].B;
  console.log(`${route.padEnd(15)} chart shown ${pad(ratio(a.firstShown, b.firstShown), 6)}  first chart ${pad(ratio(a.firstChart, b.firstChart), 6)}  all ok ${pad(ratio(a.allOk, b.allOk), 6)}`
    + `  bytes ${pad(ratio(a.bytes, b.bytes), 7)}  requests ${pad(ratio(a.requests, b.requests), 6)}`);
}
const sum = (site, k) => PAGES.reduce((s, p) => s + (med[p][site][k] || 0), 0);
console.log(`all 5 pages    bytes A ${kb(sum('A', 'bytes'))}, B ${kb(sum('B', 'bytes'))} (${ratio(sum('A', 'bytes'), sum('B', 'bytes'))});`
  + ` all ok A ${ms(sum('A', 'allOk'))}, B ${ms(sum('B', 'allOk'))} (sums of medians)`);

// Dropdown switches on /inputs.html.
const switches = (site, pass) => ok(loads.filter((r) => r.site === site && r.switches)).flatMap((r) => r.switches.filter((s) => s.pass === pass));
const values = [...new Set(switches('A', 1).map((s) => s.value))];
console.log(`\n== /inputs.html region dropdown, setInput -> chart '${CHART}' ok with new data (median of ${RUNS} page loads per value)`);
console.log('value            A 1st pass   A 2nd pass   B 1st pass   B 2nd pass');
for (const v of values) {
  const cell = (site, pass) => pad(ms(median(switches(site, pass).filter((s) => s.value === v).map((s) => s.ms))), 12);
  console.log(`${v.padEnd(15)} ${cell('A', 1)} ${cell('A', 2)} ${cell('B', 1)} ${cell('B', 2)}`);
}
const regionOnly = (site, pass) => switches(site, pass).filter((s) => !s.isAll);
const dropA = median(regionOnly('A', 1).map((s) => s.ms));
const dropA2 = median(regionOnly('A', 2).map((s) => s.ms));
const dropB = median(regionOnly('B', 1).map((s) => s.ms));
const slowestRegionA = Math.max(...values.filter((v) => !v.startsWith('all')).map((v) => median(switches('A', 1).filter((s) => s.value === v).map((s) => s.ms)) ?? Infinity));
const aSwitchSources = [...new Set(switches('A', 1).concat(switches('A', 2)).map((s) => s.source))];
const aSwitchEngine = ok(loads.filter((r) => r.site === 'A' && r.switches)).some((r) => r.switches.some((s) => s.engine) || r.switchTraffic.engineBytes > 0);
const unchanged = [...switches('A', 1), ...switches('A', 2), ...switches('B', 1), ...switches('B', 2)].filter((s) => !s.changed || s.state !== 'ok').length;
console.log(`all regions    A ${ms(dropA)} first pass (stored result fetched), ${ms(dropA2)} second pass; B ${ms(dropB)} (warm engine) -> B/A ${ratio(dropA, dropB)}`);
console.log(`               A sources: ${aSwitchSources.join('/')}; engine started during A's switches: ${aSwitchEngine ? 'YES' : 'no'}`
  + `${unchanged ? `; ${unchanged} switches not ok or with unchanged data` : ''}`);
if (aSwitchEngine) {
  console.log('ASSERTION FAILED: the engine started during stored dropdown switches on A');
  failures++;
}

// Live path.
const texts = (site) => ok(loads.filter((r) => r.site === site && r.text)).map((r) => r.text);
const textA = median(texts('A').map((t) => t.ms));
const textB = median(texts('B').map((t) => t.ms));
const textAEngine = median(ok(loads.filter((r) => r.site === 'A' && r.textTraffic)).map((r) => r.textTraffic.engineBytes));
const textABytes = median(ok(loads.filter((r) => r.site === 'A' && r.textTraffic)).map((r) => r.textTraffic.bytes));
const coldB = med['/inputs.html'].B.firstChart;
const coldBAll = med['/inputs.html'].B.allOk;
console.log(`\n== live path: setInput('min_revenue', '${TEXT_VALUE}') on /inputs.html -> chart '${CHART}' ok (medians of ${RUNS})`);
console.log(`A (stored page, engine not loaded; downloads ${kb(textAEngine)} of engine, ${kb(textABytes)} in all): ${ms(textA)}  [${texts('A').map((t) => `${Math.round(t.ms)} ${t.source}`).join(', ')}]`);
console.log(`B (engine warm from its page load):                   ${ms(textB)}  [${texts('B').map((t) => `${Math.round(t.ms)} ${t.source}`).join(', ')}]`);
console.log(`B cold: navigation -> first live chart ${ms(coldB)}, -> all components ok ${ms(coldBAll)}`);
console.log(`A first live result after the action vs B first live result from navigation: ${ms(textA)} vs ${ms(coldB)} (B/A ${ratio(textA, coldB)})`);

// Whole-file vs ranged.
const wr = (max) => ok(wholeVsRanged.filter((r) => r.wholeFileMax === max));
const wm = (max, k) => median(wr(max).map((r) => r[k]));
console.log(`\n== B /index.html (every query live): whole-file reads (default, files <= 8 MiB) vs ranged only (ducksiteWholeFileMax = 0), medians of ${RUNS}`);
for (const [label, max] of [['whole-file', null], ['ranged', 0]]) {
  console.log(`${label.padEnd(11)} first chart ${pad(ms(wm(max, 'firstChart')), 8)}  all ok ${pad(ms(wm(max, 'allOk')), 8)}  ${pad(wm(max, 'requests'), 4)} req`
    + `  ${pad(kb(wm(max, 'bytes')), 9)}  parquet ${pad(kb(wm(max, 'dataBytes')), 9)}`);
}
console.log(`ranged / whole-file: first chart ${ratio(wm(null, 'firstChart'), wm(0, 'firstChart'))}, all ok ${ratio(wm(null, 'allOk'), wm(0, 'allOk'))},`
  + ` requests ${ratio(wm(null, 'requests'), wm(0, 'requests'))}, parquet bytes ${ratio(wm(null, 'dataBytes'), wm(0, 'dataBytes'))}`);

// Targets.
const verdict = (okay) => (okay ? 'met' : 'NOT met');
const aHome = med['/index.html'].A;
const aEngineAny = PAGES.some((p) => med[p].A.maxEngineBytes > 0);
const pageRatios = PAGES.map((p) => (med[p].A.bytes ? med[p].B.bytes / med[p].A.bytes : 0));
const minRatio = Math.min(...pageRatios);
console.log('\n== targets');
console.log(`A first chart shown <= 300 ms on /index.html: ${ms(aHome.firstShown)} -> ${verdict(aHome.firstShown !== null && aHome.firstShown <= 300)}`
  + ` (slowest page ${ms(Math.max(...PAGES.map((p) => med[p].A.firstShown || 0)))}; first live ECharts chart ${ms(aHome.firstChart)})`);
console.log(`no engine bytes on any A load: ${aEngineAny ? 'engine bytes seen' : '0 bytes'} -> ${verdict(!aEngineAny)}`);
console.log(`dropdown switch <= 100 ms on A: median ${ms(dropA)}, slowest region median ${ms(slowestRegionA)} -> ${verdict(slowestRegionA <= 100 && !aSwitchEngine)}`);
console.log(`bytes per demo page >= 10x fewer on A: ${PAGES.map((p, i) => `${p.replace('.html', '')} ${pageRatios[i].toFixed(1)}x`).join(', ')} -> ${verdict(minRatio >= 10)}`);
console.log(`live path on A no slower than on B: A ${ms(textA)} after the action vs B ${ms(coldB)} from navigation (cold engine both) -> ${verdict(textA !== null && coldB !== null && textA <= coldB)};`
  + ` vs B with a warm engine ${ms(textB)} -> ${verdict(textA !== null && textB !== null && textA <= textB)}`);
if (failures) console.log(`\n${failures} failed loads or assertions`);
process.exit(failures ? 1 : 0);
