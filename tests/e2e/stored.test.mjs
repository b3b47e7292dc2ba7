// Stored results: `ducksite build` runs each page component's query with the
// build-time DuckDB and the page paints from static/_results/<hash>.json
// without downloading the browser engine.
//
//   demo project   every page paints from stored results only (no engine,
//                  no Parquet, no duckdb-* request); each component equals
//                  what the browser engine computes with ?ds_live=1; the
//                  region dropdown's choices are stored, a text input runs
//                  live and is still right.
//   types project  one table of DATE, TIMESTAMP, TIMESTAMPTZ, DECIMAL,
//                  HUGEINT, BIGINT beyond 2^53, NaN, BLOB, LIST, STRUCT,
//                  ENUM, TIME and NULLs: stored CSV equals live CSV.
//   stale project  under `ducksite serve`, a Parquet file rewritten after
//                  the build never shows its old numbers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, demoProject, dsSql, engineRequests, launchBrowser, mappedSql, missingPrerequisite, offsiteRequests, openIdle, openPage,
  screenshot, startServer, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };
const DEMO_ROUTES = ['/index.html', '/charts.html', '/inputs.html', '/plugin.html', '/templates.html'];

/** Parses RFC 4180 CSV (as the runtime's toCsv writes it) into rows of strings. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

const isNum = (v) => (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))));

/** Deep equality, numbers (or numeric strings) within 1e-9 relative. */
function same(a, b, where, problems) {
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    if (!(x === y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)))) problems.push(`${where}: ${a} != ${b}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) { problems.push(`${where}: length ${a.length} != ${b.length}`); return; }
    a.forEach((v, i) => same(v, b[i], `${where}[${i}]`, problems));
    return;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) same(a[k], b[k], `${where}.${k}`, problems);
    return;
  }
  if (!Object.is(a, b)) problems.push(`${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
}

/** What a page shows: per component its state, source, and data (chart series / table CSV). */
async function snapshot(page) {
  return page.evaluate(() => {
    const ds = window.ducksite;
    const val = (d) => (d && typeof d === 'object' && !Array.isArray(d) && 'value' in d ? d.value : d);
    const plain = (v) => JSON.parse(JSON.stringify(v ?? null, (k, x) => (typeof x === 'function' ? undefined : typeof x === 'bigint' ? String(x) : x)));
    const out = {};
    for (const c of ds.components()) {
      const [kind, id] = c.key.split(/:(.*)/s);
      const entry = { state: c.state, source: c.source, sql: c.sql };
      if (kind === 'chart') {
        const o = ds.chartOption(id);
        entry.data = o && plain({
          x: (o.xAxis || []).map((a) => a.data ?? null),
          y: (o.yAxis || []).map((a) => a.data ?? null),
          series: (o.series || []).map((s) => ({ name: s.name ?? null, type: s.type, data: (s.data || []).map(val) })),
        });
      } else if (kind === 'table') {
        entry.csv = ds.tableCsv(id);
      } else if (kind === 'input') {
        const sel = document.querySelector(`[data-ds-input="${id}"] select`);
        entry.options = sel ? [...sel.options].map((o) => o.value) : null;
      }
      out[c.key] = entry;
    }
    return out;
  });
}

/** Compares stored and live snapshots of one page; rows of a query without ORDER BY may come in any order. */
function compareSnapshots(route, stored, live) {
  const problems = [];
  assert.deepEqual(Object.keys(stored).sort(), Object.keys(live).sort(), `${route}: components`);
  for (const [key, s] of Object.entries(stored)) {
    const l = live[key];
    assert.equal(s.state, 'ok', `${route} ${key} stored state`);
    assert.equal(l.state, 'ok', `${route} ${key} live state`);
    const ordered = /\border\s+by\b/i.test(s.sql || '');
    if (s.csv !== undefined) {
      const a = parseCsv(s.csv);
      const b = parseCsv(l.csv);
      assert.ok(a.length > 1, `${route} ${key}: rows shown`);
      if (!ordered) { a.splice(1, a.length, ...a.slice(1).sort()); b.splice(1, b.length, ...b.slice(1).sort()); }
      same(a, b, `${route} ${key}`, problems);
    }
    if (s.data !== undefined) {
      assert.ok(s.data && s.data.series.length > 0, `${route} ${key}: series drawn`);
      same(s.data, l.data, `${route} ${key}`, problems);
    }
    if (s.options !== undefined) same(s.options, l.options, `${route} ${key} options`, problems);
  }
  assert.deepEqual(problems, [], `${route}: stored differs from live`);
}

describe('stored results: demo project', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = demoProject('ducksite-e2e-stored-');
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const open = (route, context = browser) => openIdle(context, `${server.url}${route}`);

  async function clean(rec, context = browser) {
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(context, rec), [], 'requests off loopback');
    await rec.page.close();
  }

  const want = (sqlPath, env) => dsSql(root, mappedSql(root, sqlPath, env));

  test('every demo page paints from stored results on a cold browser, without the engine', T, async () => {
    for (const route of DEMO_ROUTES) {
      const cold = await launchBrowser();
      try {
        const rec = await open(route, cold);
        const { page } = rec;
        const comps = await page.evaluate(() => window.ducksite.components().map((c) => ({ key: c.key, state: c.state, source: c.source })));
        assert.ok(comps.length > 0, `${route}: components`);
        assert.deepEqual(comps.filter((c) => c.state !== 'ok' || c.source !== 'stored'), [], `${route}: components not ok or not stored`);
        assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false, `${route}: engine started`);
        assert.deepEqual(engineRequests(rec), [], `${route}: engine or data requested`);
        assert.ok(rec.requests.some((r) => /\/_results\/[0-9a-f]{16}\.json$/.test(new URL(r.url).pathname)), `${route}: stored results fetched`);
        assert.equal(await page.locator('.ds-error').count(), 0, `${route}: .ds-error`);
        await screenshot(page, `stored-${route.slice(1).replace(/\.html$/, '')}`);
        await clean(rec, cold);
      } finally {
        await cold.close();
      }
    }
  });

  test('every demo component shows the same data stored and live (?ds_live=1)', T, async () => {
    for (const route of DEMO_ROUTES) {
      const recS = await open(route);
      const stored = await snapshot(recS.page);
      await clean(recS);
      const recL = await open(`${route}${route.includes('?') ? '&' : '?'}ds_live=1`);
      const live = await snapshot(recL.page);
      assert.equal(await recL.page.evaluate(() => window.ducksite.engineStarted()), true, `${route}?ds_live=1: engine started`);
      await clean(recL);
      for (const [key, c] of Object.entries(stored)) assert.equal(c.source, 'stored', `${route} ${key}`);
      for (const [key, c] of Object.entries(live)) assert.equal(c.source, 'live', `${route}?ds_live=1 ${key}`);
      compareSnapshots(route, stored, live);
    }
  });

  test('/inputs.html: every region choice comes stored; a text input runs live and is right', T, async () => {
    const sql = '/sql/pages/inputs/filtered_months.sql';
    const monthsFor = (region, minRevenue = null) => want(sql, {
      inputs: { region: region || null, min_revenue: minRevenue },
      params: { region: region ? `region = '${region}'` : 'TRUE' },
    });
    const near = (a, b) => Math.abs(Number(a) - Number(b)) <= 1e-9 * Math.max(1, Math.abs(Number(b)));
    const chartOf = (page) => page.evaluate(() => {
      const o = window.ducksite.chartOption('filtered');
      const val = (d) => (d && typeof d === 'object' && !Array.isArray(d) && 'value' in d ? d.value : d);
      return { x: o.xAxis[0].data, y: o.series[0].data.map(val) };
    });
    const sourceOf = (page) => page.evaluate(() => window.ducksite.components().find((c) => c.key === 'chart:filtered'));
    const assertChart = (got, w, what) => {
      assert.ok(w.length > 0, `${what}: ds-sql rows`);
      assert.deepEqual(got.x, w.map((r) => r[0]), `${what}: months`);
      got.y.forEach((v, i) => assert.ok(near(v, w[i][1]), `${what} ${w[i][0]}: chart ${v}, ds-sql ${w[i][1]}`));
    };

    const cold = await launchBrowser();
    try {
      const rec = await open('/inputs.html', cold);
      const { page } = rec;
      const values = await page.locator('[data-ds-input="region"] select option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(values, ['', ...want('/sql/_global/region_options.sql').map((r) => r[0])]);
      // Each non-default choice first, then back to "all".
      let previous = await chartOf(page);
      for (const v of [...values.slice(1), '']) {
        await page.evaluate((v) => window.ducksite.setInput('region', v), v);
        await waitIdle(page);
        const c = await sourceOf(page);
        assert.equal(c.state, 'ok', `region=${v}`);
        assert.equal(c.source, 'stored', `region=${v}: chart source`);
        assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false, `region=${v}: engine started`);
        const got = await chartOf(page);
        assertChart(got, monthsFor(v), `region=${v || 'all'}`);
        assert.notDeepEqual(got.y, previous.y, `region=${v || 'all'}: the chart changed`);
        previous = got;
      }
      assert.deepEqual(engineRequests(rec), [], 'engine or data requested while choosing regions');

      // A text input: not stored, so the engine starts; the chart is still right.
      await page.evaluate(() => window.ducksite.setInput('region', 'north'));
      await waitIdle(page);
      await page.evaluate(() => window.ducksite.setInput('min_revenue', '100000'));
      await waitIdle(page);
      const c = await sourceOf(page);
      assert.equal(c.state, 'ok');
      assert.equal(c.source, 'live', 'min_revenue=100000: chart source');
      assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), true, 'engine started');
      assert.ok(engineRequests(rec).length > 0, 'engine downloaded');
      const w = monthsFor('north', '100000');
      assertChart(await chartOf(page), w, 'north, min_revenue=100000');
      assert.match(c.sql, /100000/, 'the chart SQL holds the text input');
      await clean(rec, cold);
    } finally {
      await cold.close();
    }
  });
});

/** A one-page project: ducksite.toml over lake/t/*.parquet, content/index.md. */
function smallProject(prefix, pageLines, setupSql) {
  const root = tempDir(prefix);
  fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
  fs.writeFileSync(path.join(root, 'content', 'index.md'), pageLines.join('\n'));
  dsSql(root, setupSql);
  execFileSync(DUCKSITE, ['build', '--root', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return root;
}

describe('stored results: every value type', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = smallProject('ducksite-e2e-types-', [
      '# Types',
      '',
      '```sql typed',
      'SELECT id, d, ts, tstz, dec, big, dbl, bl, li, st, tm,',
      "  CAST(CASE WHEN id = 1 THEN 12345678901234567890 WHEN id = 2 THEN -5 END AS HUGEINT) AS huge,",
      "  CAST(CASE WHEN id = 1 THEN 'beta' WHEN id = 2 THEN 'alpha' END AS ENUM('alpha', 'beta')) AS en",
      'FROM t ORDER BY id',
      '```',
      '',
      '```table typed',
      'query: typed',
      '```',
      '',
    ], `COPY (SELECT * FROM (VALUES
        (1, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05.123456', TIMESTAMPTZ '2024-01-02 03:04:05.5+00',
         CAST(1234.567 AS DECIMAL(18,3)), CAST(9007199254740993 AS BIGINT), CAST('NaN' AS DOUBLE),
         CAST('a\\x00b' AS BLOB), [1, 2, NULL], {'a': 1, 'b': 'x'}, TIME '12:34:56.5'),
        (2, DATE '1969-12-31', TIMESTAMP '1999-12-31 23:59:59', TIMESTAMPTZ '2030-06-30 12:00:00+00',
         CAST(-0.001 AS DECIMAL(18,3)), CAST(-9007199254740993 AS BIGINT), 1.5e300,
         CAST('' AS BLOB), [], {'a': NULL, 'b': 'y,"z"'}, TIME '00:00:00'),
        (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
      ) v(id, d, ts, tstz, dec, big, dbl, bl, li, st, tm)) TO 'lake/t/a.parquet' (FORMAT parquet)`);
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('table CSV of a stored result equals ?ds_live=1', T, async () => {
    const csvs = {};
    for (const mode of ['stored', 'live']) {
      const rec = await openPage(browser);
      await rec.page.goto(`${server.url}/index.html${mode === 'live' ? '?ds_live=1' : ''}`);
      await waitIdle(rec.page);
      const comps = await rec.page.evaluate(() => window.ducksite.components().map((c) => [c.key, c.state, c.source]));
      assert.deepEqual(comps, [['table:typed', 'ok', mode]], `${mode}: ${JSON.stringify(comps)}`);
      csvs[mode] = await rec.page.evaluate(() => window.ducksite.tableCsv('typed'));
      if (mode === 'stored') await screenshot(rec.page, 'stored-types');
      assert.deepEqual(rec.errors, [], 'console errors');
      await rec.page.close();
    }
    const s = parseCsv(csvs.stored);
    const l = parseCsv(csvs.live);
    assert.equal(s.length, 4, csvs.stored);
    assert.deepEqual(s[0], ['id', 'd', 'ts', 'tstz', 'dec', 'big', 'dbl', 'bl', 'li', 'st', 'tm', 'huge', 'en']);
    if (process.env.E2E_VERBOSE) console.log(`stored:\n${csvs.stored}\nlive:\n${csvs.live}`);
    // Exact text, but floats within 1e-9 relative.
    const problems = [];
    same(s, l, 'typed', problems);
    assert.deepEqual(problems, [], `stored:\n${csvs.stored}\nlive:\n${csvs.live}`);
    // BIGINT beyond 2^53 is exact in both.
    assert.equal(s[1][s[0].indexOf('big')], '9007199254740993');
    assert.equal(l[1][l[0].indexOf('big')], '9007199254740993');
  });
});

describe('stored results: a Parquet file rewritten under `ducksite serve`', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  const write = (base) => dsSql(root, `COPY (SELECT ${base} + i AS v FROM range(10) r(i)) TO 'lake/t/a.parquet' (FORMAT parquet)`);

  before(async () => {
    root = tempDir('ducksite-e2e-stale-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), [
      '# Totals', '', '```sql totals', 'SELECT sum(v) AS total, count(*) AS n FROM t', '```', '',
      '```table totals', 'query: totals', '```', '',
    ].join('\n'));
    write(1000); // total 10045
    execFileSync(DUCKSITE, ['build', '--root', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('after the rewrite the page shows the new numbers, never the old ones', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    const read = async () => {
      await waitIdle(page);
      return page.evaluate(() => ({
        comps: window.ducksite.components().map((c) => [c.key, c.state, c.source]),
        csv: window.ducksite.tableCsv('totals'),
      }));
    };
    await page.goto(`${server.url}/index.html`);
    const first = await read();
    assert.deepEqual(first.comps, [['table:totals', 'ok', 'stored']]);
    assert.deepEqual(parseCsv(first.csv), [['total', 'n'], ['10045', '10']]);

    write(5000); // total 50045
    const seen = [];
    const deadline = Date.now() + 15000;
    let last;
    do {
      await page.reload();
      last = await read();
      seen.push(`${JSON.stringify(last.comps)} ${JSON.stringify(last.csv)}`);
      if (last.comps[0][1] === 'ok') {
        // Whatever the source: never the numbers of the old file.
        assert.notDeepEqual(parseCsv(last.csv), [['total', 'n'], ['10045', '10']], `stale numbers shown:\n${seen.join('\n')}`);
        if (parseCsv(last.csv)[1]?.[0] === '50045') break;
      }
      await page.waitForTimeout(300);
    } while (Date.now() < deadline);
    assert.deepEqual(parseCsv(last.csv), [['total', 'n'], ['50045', '10']], `after the rewrite:\n${seen.join('\n')}`);
    assert.deepEqual(rec.errors.filter((e) => !/404|Not Found/i.test(e)), [], 'console errors');
    assert.deepEqual(offsiteRequests(browser, rec), []);
    await rec.page.close();
  });
});
