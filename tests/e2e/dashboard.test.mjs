// The fixture's dashboard page (tests/e2e/fixture/static/index.html) in
// Chromium, served by `ducksite serve`: loading, numbers, inputs and URL
// state, ranged Parquet reads, errors, sorting, paging, CSV.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import {
  chartData, closeTo, dsSql, expected, launchBrowser, missingPrerequisite, offsiteRequests, openPage,
  physicalSql, prepareSite, renders, screenshot, startServer, tableCells, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };

describe('dashboard page', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = prepareSite();
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens PATH (default the dashboard) and waits until every query is done. */
  async function open(path = '/index.html', context = browser) {
    const rec = await openPage(context);
    await rec.page.goto(`${server.url}${path}`);
    await waitIdle(rec.page);
    return rec;
  }

  /** No console error and no request off the loopback interface. */
  async function clean(rec, context = browser) {
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(context, rec), [], 'requests off loopback');
    await rec.page.close();
  }

  const monthlyWant = (region, channels) => expected(root, '/sql/pages/index/monthly.sql', {
    params: { region: region ? `region = '${region}'` : 'TRUE', channels: channels ? `channel IN (${channels.map((c) => `'${c}'`).join(', ')})` : 'TRUE' },
  });

  function assertMonthly(data, want) {
    assert.deepEqual(data.x, want.map((r) => r[0]));
    assert.equal(data.series.length, 1);
    data.series[0].data.forEach((v, i) => assert.ok(Math.abs(v - Number(want[i][1])) < 1e-6, `month ${want[i][0]}: ${v} vs ${want[i][1]}`));
  }

  test('loads with every component drawn, no console error, nothing off loopback', T, async () => {
    const rec = await open();
    const { page } = rec;
    const states = Object.fromEntries((await page.evaluate(() => window.ducksite.components())).map((c) => [c.key, c.state]));
    assert.deepEqual(states, {
      'input:region': 'ok', 'input:channels': 'ok', 'chart:monthly': 'ok', 'chart:by_channel': 'ok',
      'chart:kpi': 'ok', 'chart:broken': 'error', 'table:region_totals': 'ok', 'table:product_summary': 'ok',
      'table:orders_table': 'ok', 'table:bigints': 'ok',
    });
    assert.equal(await page.locator('.ds-loading').count(), 0);
    assert.ok(['eh', 'mvp'].includes(await page.evaluate(() => window.ducksite.engine())));
    // Every request went to our server; the engine came from /assets/duckdb/.
    const urls = rec.requests.map((r) => r.url);
    assert.ok(urls.some((u) => u.endsWith('/assets/duckdb/duckdb-eh.wasm') || u.endsWith('/assets/duckdb/duckdb-mvp.wasm')));
    assert.ok(urls.every((u) => u.startsWith(server.url) || u.startsWith('data:') || u.startsWith('blob:')), urls.join('\n'));
    // The 18 MB engine travels gzipped (its .gz sidecar from bundle-web).
    const wasm = rec.responses.find((r) => r.url.endsWith('/assets/duckdb/duckdb-eh.wasm'));
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers['content-encoding'], 'gzip');
    assert.match(wasm.headers['content-type'], /^application\/wasm/);
    // The options queries filled the dropdowns.
    assert.deepEqual(await page.locator('[data-ds-input="region"] select option').allTextContents(),
      ['All regions', 'APAC', 'EMEA', 'LATAM', 'NA']);
    await screenshot(page, 'index');
    await page.setViewportSize({ width: 820, height: 900 });
    await page.waitForTimeout(300);
    // Below 900px the grid columns stack: both cells of a row start at the same x.
    const xs = await page.evaluate(() => [...document.querySelectorAll('.layout-row')][0].children.length
      && [...[...document.querySelectorAll('.layout-row')][0].children].map((c) => c.getBoundingClientRect().x));
    assert.equal(new Set(xs).size, 1, `stacked columns: ${xs}`);
    await screenshot(page, 'index-narrow');
    await clean(rec);
  });

  test('a component shows ds-loading while its query runs', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    let release;
    const held = new Promise((r) => { release = r; });
    await page.route('**/sql/pages/index/monthly.sql', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}/index.html`);
    await page.waitForFunction(() => window.ducksite?.stats.renders['table:region_totals'] === 1);
    assert.equal(await page.locator('[data-ds-chart="monthly"].ds-loading').count(), 1);
    assert.equal(await page.getAttribute('[data-ds-chart="monthly"]', 'aria-busy'), 'true');
    assert.equal(await page.locator('[data-ds-table="region_totals"].ds-loading').count(), 0);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.dsState), 'busy');
    release();
    await waitIdle(page);
    assert.equal(await page.locator('.ds-loading').count(), 0);
    assert.ok((await chartData(page, 'monthly')).series[0].data.length === 12);
    await clean(rec);
  });

  test('the mvp engine (no WebAssembly exceptions) works too', T, async () => {
    const rec = await openPage(browser);
    await rec.page.addInitScript(() => { window.ducksiteEngine = 'mvp'; });
    await rec.page.goto(`${server.url}/index.html`);
    await waitIdle(rec.page);
    assert.equal(await rec.page.evaluate(() => window.ducksite.engine()), 'mvp');
    assert.ok(rec.requests.some((r) => r.url.endsWith('/assets/duckdb/duckdb-mvp.wasm')));
    assert.ok(!rec.requests.some((r) => r.url.endsWith('/assets/duckdb/duckdb-eh.wasm')));
    assertMonthly(await chartData(rec.page, 'monthly'), monthlyWant(null));
    await clean(rec);
  });

  test('table numbers equal what ds-sql computes for the same SQL', T, async () => {
    const rec = await open();
    const shown = await tableCells(rec.page, 'product_summary');
    const want = expected(root, '/sql/pages/index/product_summary.sql', { params: { search: 'TRUE' } });
    assert.deepEqual(shown.head, ['product', 'orders', 'units', 'revenue', 'avg_amount', 'price_total', 'coupons']);
    assert.equal(shown.rows.length, want.length);
    shown.rows.forEach((row, r) => {
      assert.equal(row[0], want[r][0]);
      for (let c = 1; c < row.length; c++) {
        assert.ok(closeTo(row[c], want[r][c]), `${want[r][0]}.${shown.head[c]}: shown ${row[c]}, ds-sql ${want[r][c]}`);
        assert.match(row[c], /^-?\d{1,3}(,\d{3})*(\.\d+)?$/, 'thousands separators');
      }
    });
    // Integers beyond 2^53 are exact (BigInt), nulls empty.
    const big = await tableCells(rec.page, 'bigints');
    assert.deepEqual(big.rows.map((r) => r[0]), ['9,007,199,254,740,993', '-9,007,199,254,740,993', '1,234,567', '']);
    assert.deepEqual(big.rows.map((r) => r[2]), ['1.50', '-2.25', '0.000123', '']);
    assert.deepEqual(big.rows.map((r) => r.slice(3)), [
      ['2024-03-01 12:34:56', '2024-03-01', 'true'],
      ['1999-12-31 23:59:59.5', '1999-12-31', 'false'],
      ['2024-01-01 00:00:00', '2024-01-01', ''],
      ['', '', ''],
    ]);
    // Format: background / foreground colours and highlights from the SQL wrapping.
    const styled = await rec.page.evaluate(() => {
      const rows = [...document.querySelectorAll('[data-ds-table="orders_table"] tbody tr')];
      const col = (name) => [...document.querySelectorAll('[data-ds-table="orders_table"] thead th')].findIndex((th) => th.dataset.col === name);
      const a = col('amount');
      const u = col('units');
      return rows.map((tr) => ({
        amount: Number(tr.cells[a].textContent.replace(/,/g, '')),
        bg: tr.cells[a].style.backgroundColor,
        fg: tr.cells[a].style.color,
        units: Number(tr.cells[u].textContent),
        hl: tr.cells[u].classList.contains('ducksite-cell-highlight'),
      }));
    });
    assert.ok(styled.length === 50);
    for (const s of styled) {
      assert.equal(s.bg !== '', s.amount >= 90, `bg for ${s.amount}`);
      assert.equal(s.fg !== '', s.amount < 10, `fg for ${s.amount}`);
      assert.equal(s.hl, s.units === 9);
    }
    assert.ok(styled.some((s) => s.hl) && styled.some((s) => s.bg) && styled.some((s) => s.fg));
    await clean(rec);
  });

  test('a dropdown changes chart data and the URL; opening that URL restores it', T, async () => {
    const rec = await open();
    const { page } = rec;
    assertMonthly(await chartData(page, 'monthly'), monthlyWant(null));
    const before1 = await renders(page);
    await page.selectOption('[data-ds-input="region"] select', 'EMEA');
    await waitIdle(page);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('region'), 'EMEA');
    assertMonthly(await chartData(page, 'monthly'), monthlyWant('EMEA'));
    const kpi = await chartData(page, 'kpi');
    assert.equal(kpi.series[0].raw[0].name, 'EMEA');
    // Only what depends on the region re-ran.
    const after1 = await renders(page);
    for (const k of ['chart:monthly', 'chart:by_channel', 'chart:kpi', 'table:orders_table']) assert.equal(after1[k], before1[k] + 1, k);
    for (const k of ['table:region_totals', 'table:product_summary', 'table:bigints', 'input:region', 'input:channels']) assert.equal(after1[k], before1[k], k);
    const orders = await tableCells(page, 'orders_table');
    assert.ok(orders.rows.every((r) => r[2] === 'EMEA'));
    assert.equal(orders.footer, 'rows 1–50 of 500');

    // Back to "All regions": the same SQL as at load, answered from the cache.
    const queries = await page.evaluate(() => window.ducksite.stats.queries);
    await page.selectOption('[data-ds-input="region"] select', '');
    await waitIdle(page);
    assert.equal(new URL(page.url()).searchParams.has('region'), false);
    assert.equal(await page.evaluate(() => window.ducksite.stats.queries), queries, 'no new query for SQL already run');
    assertMonthly(await chartData(page, 'monthly'), monthlyWant(null));

    // A shared link restores the state.
    const rec2 = await open(`/index.html${url.search}`);
    assert.equal(await rec2.page.inputValue('[data-ds-input="region"] select'), 'EMEA');
    assertMonthly(await chartData(rec2.page, 'monthly'), monthlyWant('EMEA'));
    assert.equal((await tableCells(rec2.page, 'orders_table')).footer, 'rows 1–50 of 500');
    await clean(rec2);
    await clean(rec);
  });

  test('multiple dropdown builds an IN list; text input filters; both in the URL', T, async () => {
    const rec = await open();
    const { page } = rec;
    await page.click('[data-ds-input="channels"] summary');
    await page.check('[data-ds-input="channels"] input[value="web"]');
    await waitIdle(page);
    await page.check('[data-ds-input="channels"] input[value="store"]');
    await waitIdle(page);
    // Values keep the options' order, whatever the click order.
    assert.deepEqual(new URL(page.url()).searchParams.getAll('channel'), ['store', 'web']);
    const sql = (await page.evaluate(() => window.ducksite.components())).find((c) => c.key === 'chart:monthly').sql;
    assert.ok(sql.includes("channel IN ('store', 'web')"), sql);
    assertMonthly(await chartData(page, 'monthly'), monthlyWant(null, ['store', 'web']));
    assert.equal(await page.locator('[data-ds-input="channels"] summary').textContent(), 'Store, Web');

    await page.fill('[data-ds-input="search"] input', 'gad');
    await page.press('[data-ds-input="search"] input', 'Enter');
    await waitIdle(page);
    assert.equal(new URL(page.url()).searchParams.get('search'), 'gad');
    const products = await tableCells(page, 'product_summary');
    assert.deepEqual(products.rows.map((r) => r[0]), ['Gadget']);

    const rec2 = await open(`/index.html${new URL(page.url()).search}`);
    assert.equal(await rec2.page.inputValue('[data-ds-input="search"] input'), 'gad');
    assert.deepEqual((await tableCells(rec2.page, 'product_summary')).rows.map((r) => r[0]), ['Gadget']);
    assertMonthly(await chartData(rec2.page, 'monthly'), monthlyWant(null, ['store', 'web']));
    // "All channels" clears the list.
    await rec2.page.click('[data-ds-input="channels"] summary');
    await rec2.page.check('[data-ds-input="channels"] input[data-all]');
    await waitIdle(rec2.page);
    assert.deepEqual(new URL(rec2.page.url()).searchParams.getAll('channel'), []);
    assertMonthly(await chartData(rec2.page, 'monthly'), monthlyWant(null));
    await clean(rec2);
    await clean(rec);
  });

  test('click_input: clicking a table cell sets the input', T, async () => {
    const rec = await open();
    const { page } = rec;
    await page.locator('[data-ds-table="region_totals"] td', { hasText: 'LATAM' }).first().click();
    await waitIdle(page);
    assert.equal(await page.inputValue('[data-ds-input="region"] select'), 'LATAM');
    assert.equal(new URL(page.url()).searchParams.get('region'), 'LATAM');
    assertMonthly(await chartData(page, 'monthly'), monthlyWant('LATAM'));
    // A click on another column of a row still uses click_value (region).
    await page.locator('[data-ds-table="region_totals"] tbody tr', { hasText: 'APAC' }).locator('td').nth(2).click();
    await waitIdle(page);
    assert.equal(new URL(page.url()).searchParams.get('region'), 'APAC');
    await clean(rec);
  });

  test('Parquet is read with ranged requests (206), never whole', T, async () => {
    const fresh = await launchBrowser(); // empty HTTP cache
    try {
      const rec = await open('/index.html', fresh);
      const parquet = rec.responses.filter((r) => /\/data\/orders\/part-\d\.parquet$/.test(r.url));
      const gets = parquet.filter((r) => r.method === 'GET');
      assert.ok(gets.length >= 2, `ranged GETs: ${gets.length}`);
      for (const r of gets) {
        assert.match(r.requestHeaders.range || '', /^bytes=\d+-\d*$/, `Range header on ${r.url}`);
        assert.equal(r.status, 206, `${r.url} ${r.requestHeaders.range}`);
        assert.match(r.headers['content-range'] || '', /^bytes \d+-\d+\/\d+$/);
        assert.ok(!r.headers['content-encoding'], 'identity encoding for ranges');
      }
      const size = fs.statSync(`${root}/static/data/orders/part-0.parquet`).size;
      const part0 = gets.filter((r) => r.url.endsWith('part-0.parquet'));
      assert.ok(part0.some((r) => { const [a, b] = r.requestHeaders.range.slice(6).split('-').map(Number); return b - a + 1 < size; }),
        'at least one read of part of the file');
      // The CSV data file was rewritten to an absolute URL too (charts page reads it).
      await clean(rec, fresh);
    } finally {
      await fresh.close();
    }
  });

  test('a broken query shows its error in its own component only', T, async () => {
    const rec = await open();
    const { page } = rec;
    const broken = page.locator('[data-ds-chart="broken"] .ds-error');
    assert.equal(await broken.count(), 1);
    const text = await broken.textContent();
    assert.match(text, /Query broken failed/);
    assert.match(text, /no_such_column/);
    assert.match(text, /Binder Error/);
    assert.equal(await page.locator('.ds-error').count(), 1, 'no other component shows an error');
    assert.equal(await page.locator('[data-ds-chart="monthly"] canvas').count() > 0, true);
    assert.equal((await tableCells(page, 'product_summary')).rows.length, 5);
    // The page keeps working after the failure.
    await page.selectOption('[data-ds-input="region"] select', 'NA');
    await waitIdle(page);
    assertMonthly(await chartData(page, 'monthly'), monthlyWant('NA'));
    assert.equal(await page.locator('[data-ds-chart="broken"] .ds-error').count(), 1);
    await clean(rec);
  });

  test('table sorting and paging', T, async () => {
    const rec = await open();
    const { page } = rec;
    const T1 = '[data-ds-table="orders_table"]';
    let t = await tableCells(page, 'orders_table');
    assert.equal(t.footer, 'rows 1–50 of 2,000');
    assert.deepEqual(t.rows.map((r) => r[0]), Array.from({ length: 50 }, (_, i) => String(i + 1)));
    await page.click(`${T1} .ds-next`);
    t = await tableCells(page, 'orders_table');
    assert.equal(t.footer, 'rows 51–100 of 2,000');
    assert.equal(t.rows[0][0], '51');
    assert.equal(await page.locator(`${T1} .ds-pageno`).textContent(), 'page 2 of 40');
    for (let i = 0; i < 38; i++) await page.click(`${T1} .ds-next`);
    t = await tableCells(page, 'orders_table');
    assert.equal(t.footer, 'rows 1,951–2,000 of 2,000');
    assert.equal(await page.locator(`${T1} .ds-next`).isDisabled(), true);
    await page.click(`${T1} .ds-prev`);
    assert.equal((await tableCells(page, 'orders_table')).footer, 'rows 1,901–1,950 of 2,000');

    const base = physicalSql(root, '/sql/pages/index/orders_table.sql', { params: { region: 'TRUE', channels: 'TRUE' } });
    const ids = (order) => dsSql(root, `SELECT order_id FROM (${base}) ORDER BY ${order} LIMIT 50`).map((r) => r[0]);
    await page.click(`${T1} th[data-col="amount"] button`);
    t = await tableCells(page, 'orders_table');
    assert.equal(t.footer, 'rows 1–50 of 2,000', 'sorting goes back to page 1');
    assert.deepEqual(t.rows.map((r) => r[0].replace(/,/g, '')), ids('amount ASC, order_id ASC'));
    assert.equal(await page.getAttribute(`${T1} th[data-col="amount"]`, 'aria-sort'), 'ascending');
    await page.click(`${T1} th[data-col="amount"] button`);
    t = await tableCells(page, 'orders_table');
    assert.deepEqual(t.rows.map((r) => r[0].replace(/,/g, '')), ids('amount DESC, order_id ASC'));
    assert.equal(await page.getAttribute(`${T1} th[data-col="amount"]`, 'aria-sort'), 'descending');
    // Text columns sort too; nulls (no coupon) go last.
    await page.click(`${T1} th[data-col="product"] button`);
    t = await tableCells(page, 'orders_table');
    assert.deepEqual(t.rows.map((r) => r[0].replace(/,/g, '')), ids('product ASC, order_id ASC'));
    await page.click(`${T1} th[data-col="coupon"] button`);
    await page.click(`${T1} th[data-col="coupon"] button`);
    t = await tableCells(page, 'orders_table');
    assert.ok(t.rows.every((r) => r[8] === 'SAVE10'), 'descending coupon: values first, nulls last');
    await clean(rec);
  });

  test('CSV download holds every row with raw values', T, async () => {
    const rec = await open();
    const { page } = rec;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-ds-table="product_summary"] .ds-download'),
    ]);
    assert.equal(download.suggestedFilename(), 'product_summary.csv');
    const text = fs.readFileSync(await download.path(), 'utf8');
    assert.ok(text.endsWith('\r\n'));
    const lines = text.split('\r\n').slice(0, -1);
    assert.equal(lines[0], 'product,orders,units,revenue,avg_amount,price_total,coupons');
    const want = expected(root, '/sql/pages/index/product_summary.sql', { params: { search: 'TRUE' } });
    assert.equal(lines.length - 1, want.length);
    lines.slice(1).forEach((line, r) => {
      const cells = line.split(',');
      assert.equal(cells[0], want[r][0]);
      for (let c = 1; c < cells.length; c++) {
        const a = Number(cells[c]);
        const b = Number(want[r][c]);
        assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${cells[0]} col ${c}: ${a} vs ${b}`);
      }
    });
    // The orders table's CSV has all 2,000 rows, not just the page shown, and no __fmt_ columns.
    const [d2] = await Promise.all([page.waitForEvent('download'), page.click('[data-ds-table="orders_table"] .ds-download')]);
    const all = fs.readFileSync(await d2.path(), 'utf8').split('\r\n').slice(0, -1);
    assert.equal(all.length, 2001);
    assert.equal(all[0], 'order_id,day,region,product,channel,units,amount,price,coupon');
    assert.equal(all[1], dsSql(root, `SELECT * FROM (${physicalSql(root, '/sql/pages/index/orders_table.sql', { params: { region: 'TRUE', channels: 'TRUE' } })}) LIMIT 1`)[0]
      .map((v) => v ?? '').join(','));
    await clean(rec);
  });
});
