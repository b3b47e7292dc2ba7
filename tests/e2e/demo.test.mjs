// The project `ducksite demo` creates, built and served by `ducksite serve`,
// in Chromium: every page draws without errors, the numbers equal the
// build-time engine's, inputs and URL state, ranged Parquet reads, templated
// views reading only their own files, a broken query kept in its component.
//
// Added to the demo before building (all in the temp copy):
//   lake/orders/yr=2025/mo=1/data_0.parquet  a month holding only region
//       'east', so orders_north/orders_south must leave that file out (in
//       the demo as created every month holds every region, which would
//       make the "only its own files" check vacuous);
//   content/north_only.md  one sql block over orders_north and one table;
//   content/broken.md      one good table, one query that DuckDB 1.5 accepts
//                          at build time and DuckDB-Wasm 0.9 refuses.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, closeTo, dataKeys, dsSql, launchBrowser, mappedSql, missingPrerequisite, offsiteRequests,
  openPage, screenshot, shownNumber, startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const DEMO_ROUTES = ['/index.html', '/charts.html', '/inputs.html', '/templates.html', '/plugin.html', '/feedback.html',
  '/regions/index.html', '/regions/north.html', '/regions/south.html', '/regions/east.html', '/regions/west.html'];
const EAST_ONLY = 'data/orders/yr=2025/mo=1/data_0.parquet';

const EXTRA_PAGES = {
  'north_only.md': [
    '# North only',
    '',
    '```sql north_products',
    'SELECT product, count(*) AS orders, round(sum(amount), 2) AS revenue',
    'FROM orders_north GROUP BY 1 ORDER BY 1',
    '```',
    '',
    '```table north_products',
    'query: north_products',
    '```',
    '',
  ],
  'broken.md': [
    '# Broken',
    '',
    '```sql store_units',
    'SELECT store, sum(quantity) AS units FROM sales GROUP BY 1 ORDER BY 1',
    '```',
    '',
    // ARRAY types (array_value) came with DuckDB 0.10: valid for the
    // build's libduckdb 1.5, unknown to the browser's 0.9.1.
    '```sql new_syntax',
    'SELECT store, array_value(1, 2) AS pair FROM sales',
    '```',
    '',
    '```table store_units',
    'query: store_units',
    '```',
    '',
    '```table new_syntax',
    'query: new_syntax',
    '```',
    '',
  ],
};

const near = (a, b, eps = 1e-9) => Math.abs(Number(a) - Number(b)) <= eps * Math.max(1, Math.abs(Number(b)));

/** A chart's ECharts option, read from the instance on its DOM node. */
async function echartsOption(page, id) {
  return page.evaluate((id) => {
    const holder = document.querySelector(`[data-ds-chart="${id}"]`);
    const el = [holder, ...holder.querySelectorAll('*')].find((n) => window.echarts.getInstanceByDom(n));
    if (!el) return null;
    const o = window.echarts.getInstanceByDom(el).getOption();
    const val = (d) => (d && typeof d === 'object' && !Array.isArray(d) && 'value' in d ? d.value : d);
    return {
      x: o.xAxis?.[0]?.data ?? null,
      series: o.series.map((s) => ({ name: s.name, type: s.type, data: (s.data || []).map(val) })),
    };
  }, id);
}

/** 'data/...' keys of the Parquet files a page requested (any method). */
function parquetKeys(rec, origin) {
  return [...new Set(rec.requests.map((r) => r.url).filter((u) => u.startsWith(origin) && /\.parquet$/.test(new URL(u).pathname))
    .map((u) => decodeURIComponent(new URL(u).pathname).slice(1)))].sort();
}

describe('demo project', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    const dir = tempDir('ducksite-e2e-demo-');
    root = path.join(dir, 'demo');
    const run = (...args) => execFileSync(DUCKSITE, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run('demo', '--root', root);
    fs.mkdirSync(path.join(root, 'lake/orders/yr=2025/mo=1'), { recursive: true });
    dsSql(root, `COPY (SELECT 2000000 + i AS order_id, DATE '2025-01-01' + CAST(i % 31 AS INTEGER) AS order_date,
      'east' AS region, 'product_' || lpad(CAST(i % 20 AS VARCHAR), 2, '0') AS product, 10.0 + i % 50 AS amount
      FROM range(500) t(i)) TO 'lake/orders/yr=2025/mo=1/data_0.parquet' (FORMAT parquet)`);
    for (const [name, lines] of Object.entries(EXTRA_PAGES)) fs.writeFileSync(path.join(root, 'content', name), lines.join('\n'));
    run('build', '--root', root);
    server = await startServer(root, { args: ['--access-log'] });
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(route, context = browser, init = null) {
    const rec = await openPage(context);
    if (init) await rec.page.addInitScript(init);
    await rec.page.goto(`${server.url}${route}`);
    await waitIdle(rec.page);
    return rec;
  }

  async function clean(rec, context = browser) {
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(context, rec), [], 'requests off loopback');
    await rec.page.close();
  }

  const want = (sqlPath, env) => dsSql(root, mappedSql(root, sqlPath, env));

  test('every page draws every component, no console error, nothing off loopback', T, async () => {
    const { routes } = JSON.parse(fs.readFileSync(path.join(root, 'static', 'sitemap.json'), 'utf8'));
    for (const r of DEMO_ROUTES) assert.ok(routes.includes(r), `${r} in sitemap.json`);
    for (const route of routes.filter((r) => r !== '/broken.html')) {
      const rec = await open(route);
      const { page } = rec;
      const comps = await page.evaluate(() => window.ducksite.components().map((c) => [c.key, c.state]));
      assert.ok(comps.length > 0, `${route}: components`);
      assert.deepEqual(comps.filter(([, s]) => s !== 'ok'), [], `${route}: components not ok`);
      assert.equal(await page.locator('.ds-loading').count(), 0, `${route}: .ds-loading left`);
      assert.equal(await page.locator('.ds-error').count(), 0, `${route}: .ds-error`);
      // Drawn: a canvas in every chart, rows in every table.
      const empty = await page.evaluate(() => [
        ...[...document.querySelectorAll('[data-ds-chart]')].filter((el) => !el.querySelector('canvas')).map((el) => `chart ${el.dataset.dsChart}`),
        ...[...document.querySelectorAll('[data-ds-table]')].filter((el) => !el.querySelector('tbody tr:not(.ds-empty-row)')).map((el) => `table ${el.dataset.dsTable}`),
      ]);
      assert.deepEqual(empty, [], `${route}: empty components`);
      await screenshot(page, `demo-${route.slice(1).replace(/\.html$/, '').replace(/\//g, '_')}`);
      await clean(rec);
    }
  });

  test('a page per region: linked from the index, listed by regions/index, its numbers the engine\'s', T, async () => {
    const index = fs.readFileSync(path.join(root, 'static', 'index.html'), 'utf8');
    assert.match(index, /href="regions\/index\.html"/);
    const list = fs.readFileSync(path.join(root, 'static', 'regions', 'index.html'), 'utf8');
    for (const r of ['north', 'south', 'east', 'west']) assert.match(list, new RegExp(`href="${r}\\.html"`), r);
    const rec = await open('/regions/north.html');
    const { page } = rec;
    assert.equal(await page.title(), 'Region north');
    const shown = await tableCells(page, 'monthly');
    const rows = want('/sql/pages/regions/north/monthly.sql');
    assert.equal(shown.rows.length, Math.min(rows.length, 50));
    assert.ok(rows.length > 12);
    for (const [i, r] of shown.rows.entries()) {
      assert.equal(String(shownNumber(r[1])), String(Number(rows[i][1])), `orders, row ${i}`);
    }
    // The navigation marks the folder's index while on a region's page.
    assert.equal(await page.evaluate(() => document.querySelector('.ducksite-nav a[aria-current="page"]')?.getAttribute('href')), '/regions/index.html');
    await clean(rec);
  });

  test('tables and charts show what the build-time DuckDB computes', T, async () => {
    const rec = await open('/index.html');
    const { page } = rec;
    // Product table: global:product_totals has no ORDER BY, so match by product.
    const products = await tableCells(page, 'products');
    assert.deepEqual(products.head, ['product', 'orders', 'revenue']);
    const rows = want('/sql/_global/product_totals.sql');
    assert.equal(products.rows.length, rows.length);
    const byProduct = new Map(rows.map((r) => [r[0], r]));
    for (const row of products.rows) {
      const w = byProduct.get(row[0]);
      assert.ok(w, `product ${row[0]} computed by ds-sql`);
      assert.equal(shownNumber(row[1]), Number(w[1]), `${row[0]} orders`);
      assert.ok(closeTo(row[2], w[2]), `${row[0]} revenue: shown ${row[2]}, ds-sql ${w[2]}`);
    }
    // Revenue by region (ORDER BY revenue DESC) and by month.
    for (const [id, sql] of [['regions', '/sql/pages/index/revenue_by_region.sql'], ['monthly', '/sql/pages/index/revenue_by_month.sql']]) {
      const o = await echartsOption(page, id);
      const w = want(sql);
      assert.deepEqual(o.x, w.map((r) => r[0]), `${id} categories`);
      assert.equal(o.series.length, 1);
      o.series[0].data.forEach((v, i) => assert.ok(near(v, w[i][1]), `${id} ${w[i][0]}: chart ${v}, ds-sql ${w[i][1]}`));
    }
    await clean(rec);

    // Plugin data: per-file row filters from the plugin are in the SQL.
    const rec2 = await open('/plugin.html');
    const stores = await tableCells(rec2.page, 'store_table');
    const ws = want('/sql/pages/plugin/store_totals.sql');
    assert.deepEqual(stores.head, ['store', 'units', 'revenue']);
    assert.deepEqual(stores.rows.map((r) => r[0]), ws.map((r) => r[0]));
    stores.rows.forEach((row, i) => {
      assert.equal(shownNumber(row[1]), Number(ws[i][1]), `${row[0]} units`);
      assert.ok(closeTo(row[2], ws[i][2]), `${row[0]} revenue: shown ${row[2]}, ds-sql ${ws[i][2]}`);
    });
    const chart = await echartsOption(rec2.page, 'stores');
    assert.deepEqual(chart.x, ws.map((r) => r[0]));
    chart.series[0].data.forEach((v, i) => assert.ok(near(v, ws[i][2])));
    await clean(rec2);
  });

  test('the region dropdown changes the chart and the URL; the URL restores both', T, async () => {
    const sql = '/sql/pages/inputs/filtered_months.sql';
    const monthsFor = (region) => want(sql, { params: { region: region ? `region = '${region}'` : 'TRUE' } });
    const assertChart = (o, w, what) => {
      assert.deepEqual(o.x, w.map((r) => r[0]), `${what}: months`);
      o.series[0].data.forEach((v, i) => assert.ok(near(v, w[i][1]), `${what} ${w[i][0]}: chart ${v}, ds-sql ${w[i][1]}`));
    };
    const rec = await open('/inputs.html');
    const { page } = rec;
    const select = '[data-ds-input="region"] select';
    assert.deepEqual(await page.locator(`${select} option`).evaluateAll((os) => os.map((o) => o.value)),
      ['', ...want('/sql/_global/region_options.sql').map((r) => r[0])]);
    const all = await echartsOption(page, 'filtered');
    assertChart(all, monthsFor(null), 'all regions');

    await page.selectOption(select, 'south');
    await waitIdle(page);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('region'), 'south');
    const south = await echartsOption(page, 'filtered');
    assertChart(south, monthsFor('south'), 'south');
    assert.notDeepEqual(south.series[0].data, all.series[0].data, 'the data changed');
    const table = await tableCells(page, 'filtered_table');
    assert.deepEqual(table.rows.map((r) => r[0]), monthsFor('south').map((r) => r[0]));

    const rec2 = await open(`/inputs.html${url.search}`);
    assert.equal(await rec2.page.inputValue(select), 'south');
    assert.deepEqual(await echartsOption(rec2.page, 'filtered'), south);
    await clean(rec2);
    await clean(rec);
  });

  test('Parquet is read in ranges (206); templated views read only their own files', T, async () => {
    const mark = server.stdout().length;
    const views = {
      north: dataKeys(root, '/sql/_global/orders_north.sql'),
      south: dataKeys(root, '/sql/_global/orders_south.sql'),
      east: dataKeys(root, '/sql/_global/orders_east.sql'),
      all: dataKeys(root, '/sql/_global/orders.sql'),
    };
    // The east-only month is in the source and in orders_east, not in the other two.
    assert.ok(views.all.includes(EAST_ONLY) && views.east.includes(EAST_ONLY));
    assert.ok(!views.north.includes(EAST_ONLY) && !views.south.includes(EAST_ONLY));
    assert.equal(views.north.length, views.all.length - 1);

    // ?ds_live=1: stored results ignored, so the engine reads the files;
    // ducksiteWholeFileMax = 0: no file is small enough to be read whole.
    const cases = [
      ['/north_only.html?ds_live=1', views.north],
      ['/templates.html?ds_live=1', [...new Set([...views.north, ...views.south])].sort()],
    ];
    for (const [route, files] of cases) {
      const fresh = await launchBrowser(); // cold HTTP cache: every read reaches the server
      try {
        const rec = await open(route, fresh, () => { window.ducksiteWholeFileMax = 0; });
        assert.deepEqual(parquetKeys(rec, server.url), files, `${route}: Parquet files requested`);
        const parquet = rec.responses.filter((r) => /\/data\/.*\.parquet$/.test(r.url));
        const gets = parquet.filter((r) => r.method === 'GET');
        assert.ok(gets.length >= files.length, `${route}: ranged GETs ${gets.length}`);
        // Every read that carries a body, and every request with a Range, is answered 206.
        for (const r of parquet.filter((x) => x.method === 'GET' || x.requestHeaders.range)) {
          assert.match(r.requestHeaders.range || '', /^bytes=\d+-\d*$/, `Range header on ${r.url}`);
          assert.equal(r.status, 206, `${r.method} ${r.url} ${r.requestHeaders.range}`);
          assert.match(r.headers['content-range'] || '', /^bytes \d+-\d+\/\d+$/);
        }
        // (DuckDB-Wasm first sends one HEAD without Range per file: 200, no body.)
        for (const r of parquet.filter((x) => !(x.method === 'GET' || x.requestHeaders.range))) {
          assert.equal(r.method, 'HEAD');
          assert.equal(r.status, 200);
        }
        // Reads are partial: less than the whole file comes back for some GET.
        const partial = gets.some((r) => {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.headers['content-range']);
          return m && Number(m[2]) - Number(m[1]) + 1 < Number(m[3]);
        });
        assert.ok(partial, `${route}: some ranged read is partial`);
        // The page's components share the engine's reads: each file's footer
        // (the read that ends at its last byte, made first) is fetched once
        // per page, not once per component or query.
        const reads = {};
        for (const r of gets) {
          const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(r.headers['content-range']);
          (reads[r.url] ??= []).push({ from: Number(m[1]), to: Number(m[2]), size: Number(m[3]) });
        }
        for (const [url, rs] of Object.entries(reads)) {
          const footer = rs[0];
          assert.equal(footer.to, footer.size - 1, `${route}: ${url} is read footer first`);
          const again = rs.slice(1).filter((r) => r.from >= footer.from);
          assert.deepEqual(again, [], `${route}: ${url} footer read again`);
        }
        const components = await rec.page.evaluate(() => window.ducksite.components().length);
        if (route.startsWith('/templates')) assert.ok(components >= 2, `${route}: several components share the files (${components})`);
        await clean(rec, fresh);
      } finally {
        await fresh.close();
      }
    }
    // The server's own view: 206 lines for the Parquet GETs, nothing else.
    const lines = server.stdout().slice(mark).split('\n')
      .map((l) => /^\S+Z \S+ "(GET|HEAD) (\/data\/\S*\.parquet)" (\d{3}) (\d+)$/.exec(l)).filter(Boolean);
    const getLines = lines.filter((m) => m[1] === 'GET');
    assert.ok(getLines.length > 0, 'access log has Parquet GET lines');
    assert.deepEqual([...new Set(getLines.map((m) => m[3]))], ['206'], 'status of Parquet GETs in the access log');
    assert.ok(getLines.every((m) => Number(m[4]) > 0));
    assert.ok(!lines.some((m) => decodeURIComponent(m[2]) === `/${EAST_ONLY}`), 'east-only file never requested');
  });

  test('small files are read whole, once each, by their own views only', T, async () => {
    const north = dataKeys(root, '/sql/_global/orders_north.sql');
    const fresh = await launchBrowser();
    try {
      const rec = await open('/north_only.html?ds_live=1', fresh);
      assert.deepEqual(parquetKeys(rec, server.url), north, 'Parquet files requested');
      const parquet = rec.responses.filter((r) => /\/data\/.*\.parquet$/.test(r.url));
      // One GET per file, no Range, no HEAD: the whole file in one request.
      assert.equal(parquet.length, north.length, 'one request per file');
      for (const r of parquet) {
        assert.equal(r.method, 'GET', r.url);
        assert.equal(r.requestHeaders.range, undefined, `no Range on ${r.url}`);
        assert.equal(r.status, 200, r.url);
      }
      const states = await rec.page.evaluate(() => window.ducksite.components().map((c) => [c.key, c.state, c.source]));
      assert.ok(states.length > 0 && states.every(([, st, src]) => st === 'ok' && src === 'live'), JSON.stringify(states));
      await clean(rec, fresh);
    } finally {
      await fresh.close();
    }
  });

  test('the engine travels gzipped: every asset sidecar is usable', T, async () => {
    const assets = path.join(root, 'static', 'assets');
    const older = [];
    for (const f of fs.readdirSync(assets, { recursive: true })) {
      if (!f.endsWith('.gz')) continue;
      const orig = path.join(assets, f.slice(0, -3));
      if (fs.statSync(path.join(assets, f)).mtimeMs < fs.statSync(orig).mtimeMs) older.push(f);
    }
    assert.deepEqual(older, [], 'sidecars older than their file');
    const res = await fetch(`${server.url}/assets/duckdb/duckdb-eh.wasm`, { method: 'HEAD', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
  });

  test('a query only the browser engine refuses shows its error in its component only', T, async () => {
    // Stored results come from the build-time engine, which runs this query
    // fine: the browser engine's refusal shows when the page runs live.
    const rec = await open('/broken.html?ds_live=1');
    const { page } = rec;
    const states = Object.fromEntries(await page.evaluate(() => window.ducksite.components().map((c) => [c.key, c.state])));
    assert.deepEqual(states, { 'table:store_units': 'ok', 'table:new_syntax': 'error' });
    const box = page.locator('[data-ds-table="new_syntax"] .ds-error');
    assert.equal(await box.count(), 1);
    const text = await box.textContent();
    assert.match(text, /Query new_syntax failed/);
    assert.match(text, /array_value/);
    assert.match(text, /Catalog Error|Binder Error/);
    assert.equal(await page.locator('.ds-error').count(), 1, 'no other component shows an error');
    const good = await tableCells(page, 'store_units');
    assert.deepEqual(good.rows.map((r) => [r[0], String(shownNumber(r[1]))]), want('/sql/pages/broken/store_units.sql'));
    await screenshot(page, 'demo-broken');
    await clean(rec);
  });
});
