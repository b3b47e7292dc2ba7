// The fixture's chart gallery (tests/e2e/fixture/static/charts.html): every
// chart type, format colours, option_column, global queries, read_csv and
// single-file read_parquet, an input in a query id, clicks, resizing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  chartData, dsSql, expected, launchBrowser, missingPrerequisite, offsiteRequests, openPage,
  prepareSite, renders, screenshot, startServer, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const near = (a, b, eps = 1e-6) => Math.abs(Number(a) - Number(b)) <= eps * Math.max(1, Math.abs(Number(b)));

describe('chart gallery page', { skip: skip ?? false }, () => {
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

  async function open(search = '') {
    const rec = await openPage(browser);
    await rec.page.goto(`${server.url}/charts.html${search}`);
    await waitIdle(rec.page);
    return rec;
  }

  async function clean(rec) {
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(browser, rec), [], 'requests off loopback');
    await rec.page.close();
  }

  test('every chart type draws the data ds-sql computes', T, async () => {
    const rec = await open();
    const { page } = rec;
    const states = await page.evaluate(() => window.ducksite.components().map((c) => `${c.key}=${c.state}`));
    assert.deepEqual(states.filter((s) => !s.endsWith('=ok')), []);
    assert.equal(states.length, 12);
    // Identical SQL texts run once: 'totals' and 'units_line' share one query.
    const comps = await page.evaluate(() => window.ducksite.components());
    const sqlOf = (key) => comps.find((c) => c.key === key).sql;
    assert.equal(sqlOf('chart:totals'), sqlOf('chart:units_line'));
    const stats = await page.evaluate(() => window.ducksite.stats);
    assert.equal(stats.queries, new Set(comps.map((c) => c.sql)).size);
    assert.equal(stats.queries, 11);
    assert.equal(stats.cacheHits, 1);
    const q = (name, env) => expected(root, `/sql/pages/charts/${name}.sql`, env);

    // bar, with an input in its query id (default grain: month)
    let d = await chartData(page, 'revenue');
    let want = q('revenue_by_month');
    assert.equal(d.series[0].type, 'bar');
    assert.deepEqual(d.x, want.map((r) => r[0]));
    d.series[0].data.forEach((v, i) => assert.ok(near(v, want[i][1])));

    // format: colour from color_expr, highlight from highlight_expr
    d = await chartData(page, 'product_bar');
    want = q('product_bar');
    assert.deepEqual(d.x, want.map((r) => r[0]));
    d.series[0].raw.forEach((it, i) => {
      assert.equal(it.itemStyle.color, Number(want[i][1]) > 19400 ? '#34d399' : '#64748b', want[i][0]);
      assert.equal(it.itemStyle.borderColor === '#facc15', want[i][0] === 'Gizmo', `highlight ${want[i][0]}`);
    });

    // area: one stacked line series per channel, with areaStyle
    d = await chartData(page, 'area_units');
    assert.deepEqual(d.series.map((s) => [s.name, s.type, s.areaStyle]), [['partner', 'line', true], ['store', 'line', true], ['web', 'line', true]]);
    want = q('area_units');
    const web = want.filter((r) => r[1] === 'web');
    assert.deepEqual(d.series[2].data.map(Number), web.map((r) => Number(r[2])));

    // scatter + linear trend line = DuckDB's regr_slope / regr_intercept
    d = await chartData(page, 'scatter');
    assert.equal(d.series[0].type, 'scatter');
    assert.equal(d.series[0].data.length, 400);
    const trend = d.series.find((s) => s.name === 'trend');
    assert.equal(trend.type, 'line');
    const [[x0, y0], [x1, y1]] = trend.data;
    const fit = dsSql(root,
      "SELECT regr_slope(amount * units / 5.0, units), regr_intercept(amount * units / 5.0, units), min(units), max(units) FROM read_parquet('static/data/orders/part-0.parquet') WHERE order_id <= 400")[0];
    assert.ok(near((y1 - y0) / (x1 - x0), fit[0], 1e-9), `slope ${(y1 - y0) / (x1 - x0)} vs ${fit[0]}`);
    assert.ok(near(y0 - ((y1 - y0) / (x1 - x0)) * x0, fit[1], 1e-9));
    assert.deepEqual([x0, x1], [Number(fit[2]), Number(fit[3])]);

    // heatmap: one cell per (weekday, region), visualMap over the value range
    d = await chartData(page, 'heat');
    want = q('heat');
    assert.equal(d.series[0].type, 'heatmap');
    assert.equal(d.series[0].data.length, want.length);
    const vm = await page.evaluate(() => window.ducksite.chartOption('heat').visualMap[0]);
    assert.equal(vm.min, Math.min(...want.map((r) => Number(r[3]))));
    assert.equal(vm.max, Math.max(...want.map((r) => Number(r[3]))));

    // funnel, pie (global: query), radar (option_column), multi-series bar, CSV + single-file Parquet
    d = await chartData(page, 'funnel');
    assert.equal(d.series[0].type, 'funnel');
    assert.deepEqual(d.series[0].raw.map((it) => [it.name, it.value]), q('funnel_stages').map((r) => [r[0], Number(r[1])]));
    d = await chartData(page, 'share');
    assert.equal(d.series[0].type, 'pie');
    want = expected(root, '/sql/_global/product_totals.sql');
    assert.deepEqual(d.series[0].raw.map((it) => [it.name, it.value]), want.map((r) => [r[0], Number(r[1])]));
    d = await chartData(page, 'radar');
    assert.equal(d.series[0].type, 'radar');
    const radar = JSON.parse(q('radar_option')[0][0]);
    assert.deepEqual(d.series[0].data[0], radar.series[0].data[0].value);
    d = await chartData(page, 'totals');
    assert.deepEqual(d.series.map((s) => s.name), ['units', 'revenue']);
    d = await chartData(page, 'targets');
    want = q('targets');
    assert.deepEqual(d.x, want.map((r) => r[0]));
    assert.deepEqual(d.series.map((s) => s.data.map(Number)), [want.map((r) => Number(r[1])), want.map((r) => Number(r[2]))]);
    const urls = rec.requests.map((r) => r.url);
    assert.ok(urls.includes(`${server.url}/sql/_global/product_totals.sql`));
    assert.ok(urls.includes(`${server.url}/data/targets.csv`));
    assert.ok(urls.includes(`${server.url}/data/orders/part-0.parquet`));

    await screenshot(page, 'charts');
    await clean(rec);
  });

  test('an input inside a query id switches the query; only that chart re-runs', T, async () => {
    const rec = await open();
    const { page } = rec;
    const deps = (await page.evaluate(() => window.ducksite.components())).find((c) => c.key === 'chart:revenue').deps;
    assert.deepEqual(deps, ['inputs.grain']);
    assert.equal(new URL(page.url()).search, '', 'the default is not written to the URL');
    const before1 = await renders(page);
    await page.selectOption('[data-ds-input="grain"] select', 'region');
    await waitIdle(page);
    assert.equal(new URL(page.url()).searchParams.get('grain'), 'region');
    let d = await chartData(page, 'revenue');
    assert.deepEqual(d.x, ['APAC', 'EMEA', 'LATAM', 'NA']);
    const after1 = await renders(page);
    for (const [k, n] of Object.entries(before1)) assert.equal(after1[k], k === 'chart:revenue' ? n + 1 : n, k);

    const rec2 = await open('?grain=weekday');
    d = await chartData(rec2.page, 'revenue');
    const want = expected(root, '/sql/pages/charts/revenue_by_weekday.sql');
    assert.deepEqual(d.x, want.map((r) => r[1]));
    assert.equal(await rec2.page.inputValue('[data-ds-input="grain"] select'), 'weekday');
    await clean(rec2);
    await clean(rec);
  });

  test('clicking a bar sets click_input; charts follow the window size', T, async () => {
    const rec = await open();
    const { page } = rec;
    const before1 = await renders(page);
    const pos = await page.evaluate(() => {
      const root = document.querySelector('[data-ds-chart="product_bar"] .ds-chart-root');
      const chart = window.echarts.getInstanceByDom(root);
      const opt = chart.getOption();
      const i = opt.xAxis[0].data.indexOf('Gizmo');
      const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [i, opt.series[0].data[i].value / 2]);
      const r = root.getBoundingClientRect();
      return { x: r.x + x, y: r.y + y };
    });
    await page.mouse.click(pos.x, pos.y);
    await waitIdle(page);
    assert.equal(new URL(page.url()).searchParams.get('product'), 'Gizmo');
    assert.equal(await page.inputValue('[data-ds-input="product"] input'), 'Gizmo');
    // The pie highlights the picked product (its format uses ${inputs.product}); nothing else re-ran.
    const share = await chartData(page, 'share');
    assert.deepEqual(share.series[0].raw.filter((it) => it.itemStyle?.borderColor).map((it) => it.name), ['Gizmo']);
    const after1 = await renders(page);
    for (const [k, n] of Object.entries(before1)) assert.equal(after1[k], k === 'chart:share' ? n + 1 : n, k);

    // The canvas follows its box: narrower window, narrower chart; below
    // 900px the grid stacks and the chart takes the full width.
    const size = () => page.evaluate(() => {
      const root = document.querySelector('[data-ds-chart="revenue"] .ds-chart-root');
      return { chart: window.echarts.getInstanceByDom(root).getWidth(), box: root.clientWidth };
    });
    const sizes = [];
    for (const w of [1360, 1000, 700]) {
      await page.setViewportSize({ width: w, height: 900 });
      await page.waitForFunction(() => {
        const root = document.querySelector('[data-ds-chart="revenue"] .ds-chart-root');
        return window.echarts.getInstanceByDom(root).getWidth() === root.clientWidth;
      });
      sizes.push(await size());
    }
    assert.ok(sizes[1].chart < sizes[0].chart, JSON.stringify(sizes));
    assert.ok(sizes[2].chart > sizes[1].chart, `stacked below 900px: ${JSON.stringify(sizes)}`);
    await screenshot(page, 'charts-narrow');
    await clean(rec);
  });
});
