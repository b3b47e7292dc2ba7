// bench/stored_results.mjs - what stored results buy, in Chromium on
// loopback, in one run: the demo built twice,
//   (s) `ducksite build`                  pages paint from static/_results/
//   (l) `ducksite build --no-prerender`   every query runs in DuckDB-Wasm
// each served by its own `ducksite serve --access-log --no-build`.
//
// Per build, RUNS cold loads (a fresh browser context each: empty HTTP
// cache) of every demo page measure
//   first chart   ms from navigation start to the first chart drawn (a
//                 [data-ds-chart][data-ds-state=ok] holding a canvas, plus
//                 two animation frames)
//   idle          ms until the runtime has nothing in flight
//   bytes         response bytes the server sent for the load (access log)
//   engine bytes  of those, /assets/duckdb/* and duckdb-*.js chunks
// and on /inputs.html, after the page is idle:
//   dropdown      ms from choosing another region to the chart redrawn
//                 (stored: no engine; no-prerender: engine already warm)
//   text input    ms from typing a minimum revenue (a state the build never
//                 stores) to the chart redrawn by the engine: on (s) this
//                 includes downloading and starting the engine; on (l) the
//                 engine is warm, so (l)'s cold-engine cost is its first
//                 chart on navigation, printed next to it.
// Prints every load, the medians, the ratios and the targets. A report, not
// a test: exits 0 whatever the numbers; 2 when it cannot measure.
//
// Usage: node bench/stored_results.mjs [RUNS]      (default 5)
//   DUCKSITE_BIN, DS_SQL_BIN, CHROMIUM_BIN as for tests/e2e; KEEP=1 keeps
//   the temp projects; LOAD_TIMEOUT=S (default 120) per page load.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { CHROMIUM, DUCKSITE, isLocal, missingPrerequisite, startServer, tempDir } from '../tests/e2e/lib.mjs';

const RUNS = Number(process.argv[2] || process.env.RUNS || 5);
const LOAD_TIMEOUT = Number(process.env.LOAD_TIMEOUT || 120) * 1000;
const PAGES = ['/index.html', '/charts.html', '/inputs.html', '/templates.html', '/plugin.html'];
const SELECT = '[data-ds-input="region"] select';
const TEXT = '[data-ds-input="min_revenue"] input';

if (process.env.KEEP) process.env.E2E_KEEP = '1';
const why = missingPrerequisite();
if (why) {
  console.error(`stored_results: cannot measure: ${why}`);
  process.exit(2);
}

// ---------------------------------------------------------------- the sites
const dir = tempDir('ducksite-bench-stored-');
const roots = { stored: path.join(dir, 'stored'), live: path.join(dir, 'live') };
console.log(`demo projects in ${dir} ...`);
execFileSync(DUCKSITE, ['demo', '--root', roots.stored], { stdio: ['ignore', 'ignore', 'inherit'] });
// The same files for both: a copy, not a second (random) demo.
fs.cpSync(roots.stored, roots.live, { recursive: true, preserveTimestamps: true });
const buildLog = {};
for (const [name, args] of [['stored', []], ['live', ['--no-prerender']]]) {
  const t0 = Date.now();
  const b = spawnSync(DUCKSITE, ['build', '--root', roots[name], ...args], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`ducksite build ${args.join(' ')} failed: ${b.stderr}`);
  const err = b.stderr;
  buildLog[name] = { ms: Date.now() - t0, line: (/stored results: .*/.exec(err) || ['stored results: (none)'])[0] };
}
const resultsDir = path.join(roots.stored, 'static', '_results');
const storedFiles = fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).filter((f) => /^[0-9a-f]{16}\.json$/.test(f)) : [];
const storedBytes = storedFiles.reduce((s, f) => s + fs.statSync(path.join(resultsDir, f)).size, 0);
console.log(`build: ${buildLog.stored.ms} ms with stored results (${buildLog.stored.line}; ${storedFiles.length} files, ${storedBytes} bytes),`
  + ` ${buildLog.live.ms} ms with --no-prerender`);
if (fs.existsSync(path.join(roots.live, 'static', '_results'))
  && fs.readdirSync(path.join(roots.live, 'static', '_results')).some((f) => f.endsWith('.json') && f !== '_index.json')) {
  console.log('WARNING: the --no-prerender build has stored results');
}

// ------------------------------------------------------------------ servers
async function server(root) {
  // --no-build: serve would otherwise build again, with stored results.
  const s = await startServer(root, { args: ['--access-log', '--no-build'] });
  let mark = s.stdout().length;
  return {
    url: s.url,
    stop: s.stop,
    /** Requests logged since the last take(): {requests, bytes, engineBytes, dataBytes}. */
    async take() {
      await new Promise((r) => setTimeout(r, 200)); // let the last log lines arrive
      const text = s.stdout();
      const lines = text.slice(mark).split('\n');
      mark = text.length;
      const c = { requests: 0, bytes: 0, engineBytes: 0, dataBytes: 0, stored: 0 };
      for (const l of lines) {
        const m = /^\S+Z \S+ "(\S+) (\S+)" (\d{3}) (\d+)$/.exec(l);
        if (!m) continue;
        const p = m[2].split('?')[0];
        const n = Number(m[4]);
        c.requests++;
        c.bytes += n;
        if (p.startsWith('/assets/duckdb/') || /\/duckdb-[^/]*\.js$/.test(p)) c.engineBytes += n;
        if (/\.parquet$/.test(p)) c.dataBytes += n;
        if (p.startsWith('/_results/')) c.stored++;
      }
      return c;
    },
  };
}

// ------------------------------------------------------------------ browser
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});

/** ms since navigation start when the first chart is drawn, and when the page was last idle. */
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

/** Changes the control SEL to VALUE in the page; ms until the chart 'filtered' is redrawn and the page idle. */
async function timeChange(page, sel, value) {
  return page.evaluate(async ({ sel, value }) => {
    const before = window.ducksite.stats.renders['chart:filtered'] || 0;
    const el = document.querySelector(sel);
    const t0 = performance.now();
    el.value = value;
    el.dispatchEvent(new Event('change', { bubbles: true }));
    await window.ducksite.whenIdle();
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const t = performance.now() - t0;
    const after = window.ducksite.stats.renders['chart:filtered'] || 0;
    const c = window.ducksite.components().find((x) => x.key === 'chart:filtered');
    return { ms: t, redrawn: after > before, source: c.source, state: c.state };
  }, { sel, value });
}

async function load(srv, route, { interact = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  let offsite = 0;
  await context.route('**/*', (r) => (isLocal(r.request().url()) ? r.continue() : (offsite++, r.abort())));
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(timingProbe);
    await srv.take(); // reset the counters
    await page.goto(`${srv.url}${route}`);
    try {
      await page.waitForFunction(() => document.documentElement.dataset.dsState === 'idle' && window.ducksite, null, { timeout: LOAD_TIMEOUT });
      await page.evaluate(() => window.ducksite.whenIdle());
      if (await page.evaluate(() => document.querySelector('[data-ds-chart]') !== null)) {
        await page.waitForFunction(() => window.__bench.firstChart > 0, null, { timeout: 10000 });
      }
    } catch (e) {
      if (e.name !== 'TimeoutError') throw e;
      return { route, failed: 'timeout', ...(await srv.take()) };
    }
    const t = await page.evaluate(() => ({ ...window.__bench }));
    const info = await page.evaluate(() => ({
      bad: window.ducksite.components().filter((c) => c.state !== 'ok').length,
      sources: window.ducksite.components().map((c) => c.source),
      engine: window.ducksite.engineStarted(),
    }));
    const c = await srv.take();
    const r = { route, firstChart: t.firstChart, idle: t.idle, ...c, engine: info.engine,
      stored: info.sources.filter((s) => s === 'stored').length, live: info.sources.filter((s) => s === 'live').length,
      failed: info.bad + errors.length + offsite };
    if (interact) {
      // A region the build stored (for (s)), then a minimum revenue it never stores.
      r.dropdown = await timeChange(page, SELECT, 'south');
      r.text = await timeChange(page, TEXT, '100000');
      r.textEngineBytes = (await srv.take()).engineBytes;
    }
    return r;
  } finally {
    await context.close();
  }
}

// --------------------------------------------------------------------- main
const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && x > 0).sort((a, b) => a - b);
  if (!s.length) return null;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (b) => (b === null ? '-' : `${(b / 1e3).toFixed(1)} kB`);
const ms = (x) => (x === null || x === undefined ? '-' : `${Math.round(x)} ms`);

const servers = { stored: await server(roots.stored), live: await server(roots.live) };
const results = { stored: [], live: [] };
try {
  for (const name of Object.keys(servers)) await load(servers[name], '/index.html'); // warm-up, not counted
  for (let run = 1; run <= RUNS; run++) {
    const names = Object.keys(servers);
    if (run % 2 === 0) names.reverse();
    for (const name of names) {
      for (const route of PAGES) {
        const r = await load(servers[name], route, { interact: route === '/inputs.html' });
        results[name].push(r);
        let line = `run ${run} ${name.padEnd(6)} ${route.padEnd(16)} first chart ${ms(r.firstChart).padStart(8)}  idle ${ms(r.idle).padStart(8)}`
          + `  ${String(r.requests).padStart(3)} req ${kb(r.bytes).padStart(10)}  engine ${kb(r.engineBytes).padStart(10)}`
          + `  stored/live ${r.stored}/${r.live}${r.engine ? ' engine started' : ''}`;
        if (r.dropdown) line += `  dropdown ${ms(r.dropdown.ms)} (${r.dropdown.source})  text ${ms(r.text.ms)} (${r.text.source}, engine ${kb(r.textEngineBytes)})`;
        if (r.failed) line += `  FAILED: ${r.failed}`;
        console.log(line);
      }
    }
  }
} finally {
  await browser.close();
  await servers.stored.stop();
  await servers.live.stop();
}

console.log(`\nmedians over ${RUNS} cold loads (fresh browser context each), Chromium on loopback`);
console.log('page             build          first chart       idle   requests        bytes   engine bytes');
const med = {};
for (const route of PAGES) {
  for (const name of Object.keys(results)) {
    const rs = results[name].filter((r) => r.route === route && !r.failed);
    const m = {
      n: rs.length,
      firstChart: median(rs.map((r) => r.firstChart)), idle: median(rs.map((r) => r.idle)),
      requests: median(rs.map((r) => r.requests)), bytes: median(rs.map((r) => r.bytes)),
      engineBytes: Math.max(0, ...rs.map((r) => r.engineBytes)),
    };
    (med[route] ||= {})[name] = m;
    console.log(`${route.padEnd(16)} ${(name === 'stored' ? 'stored' : 'no-prerender').padEnd(12)} ${ms(m.firstChart).padStart(12)} ${ms(m.idle).padStart(10)}`
      + ` ${String(m.requests).padStart(10)} ${kb(m.bytes).padStart(12)} ${kb(m.engineBytes).padStart(14)}`
      + `${m.n < RUNS ? `   (${m.n}/${RUNS} loads ok)` : ''}`);
  }
}
const inter = (name, k) => results[name].filter((r) => r[k]);
const drop = { stored: median(inter('stored', 'dropdown').map((r) => r.dropdown.ms)), live: median(inter('live', 'dropdown').map((r) => r.dropdown.ms)) };
const text = { stored: median(inter('stored', 'text').map((r) => r.text.ms)), live: median(inter('live', 'text').map((r) => r.text.ms)) };
const dropSources = [...new Set(inter('stored', 'dropdown').map((r) => r.dropdown.source))].join('/');
const textSources = [...new Set(inter('stored', 'text').map((r) => r.text.source))].join('/');
const liveColdInputs = med['/inputs.html'].live.firstChart;
const ratio = (a, b) => (a && b ? (b / a).toFixed(1) : '-');

const sum = (name, k) => PAGES.reduce((s, p) => s + (med[p][name][k] || 0), 0);
const worstFirst = Math.max(...PAGES.map((p) => med[p].stored.firstChart || 0));
const engineAny = PAGES.some((p) => med[p].stored.engineBytes > 0);
const bytesRatio = sum('stored', 'bytes') ? sum('live', 'bytes') / sum('stored', 'bytes') : null;
const minPageRatio = Math.min(...PAGES.map((p) => (med[p].stored.bytes ? med[p].live.bytes / med[p].stored.bytes : 0)));
console.log(`\n/inputs.html, after the page is idle:`);
console.log(`  dropdown switch (region=south): ${ms(drop.stored)} stored (${dropSources}), ${ms(drop.live)} no-prerender (warm engine)`);
console.log(`  text input (min_revenue=100000, first live result): ${ms(text.stored)} on the stored build (${textSources}, engine loaded on demand),`
  + ` ${ms(text.live)} on no-prerender (warm engine); no-prerender's cold first chart on navigation: ${ms(liveColdInputs)}`);
console.log('\nratios no-prerender / stored (medians):');
for (const p of PAGES) {
  const s = med[p].stored;
  const l = med[p].live;
  console.log(`  ${p.padEnd(16)} first chart ${ratio(s.firstChart, l.firstChart)}x  idle ${ratio(s.idle, l.idle)}x  bytes ${ratio(s.bytes, l.bytes)}x`);
}
console.log(`  all pages: bytes ${kb(sum('stored', 'bytes'))} vs ${kb(sum('live', 'bytes'))} (${bytesRatio ? bytesRatio.toFixed(1) : '-'}x), idle ${ms(sum('stored', 'idle'))} vs ${ms(sum('live', 'idle'))}`);

const verdict = (ok) => (ok ? 'met' : 'NOT met');
console.log('\ntargets:');
console.log(`  first chart <= 300 ms with stored results (slowest page median ${ms(worstFirst)}): ${verdict(worstFirst > 0 && worstFirst <= 300)}`);
console.log(`  no engine bytes on a stored load: ${verdict(!engineAny)}`);
console.log(`  dropdown switch <= 100 ms (${ms(drop.stored)}, from ${dropSources}): ${verdict(drop.stored !== null && drop.stored <= 100 && dropSources === 'stored')}`);
console.log(`  bytes >= 10x fewer (every page: smallest ratio ${minPageRatio.toFixed(1)}x): ${verdict(minPageRatio >= 10)}`);
console.log(`  live path no slower (text input on the stored build ${ms(text.stored)} vs no-prerender cold first chart ${ms(liveColdInputs)}): `
  + `${verdict(text.stored !== null && liveColdInputs !== null && text.stored <= liveColdInputs * 1.1)} (10% allowance)`);
