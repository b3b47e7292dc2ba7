// The demo's page of newer components (content/more.md, src/scaffold/demo.c)
// in Chromium: every new chart type drawn from what the build-time DuckDB
// computes, the US maps drawn from geometry served by ducksite itself (no
// request leaves 127.0.0.1, and pages without a map never fetch it), and the
// table's search, totals, data bars and links. Screenshots of each chart and
// the table, wide and narrow, go to build/e2e-artifacts/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import {
  ARTIFACTS, demoProject, dsSql, mappedSql, missingPrerequisite, offsiteRequests, openPage, servedProject,
  settled, shownNumber, tableCells, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 300000 };

describe('more charts, maps and tables (demo)', { skip: skip ?? false }, () => {
  const site = servedProject(() => demoProject('ducksite-e2e-more-'), T);

  const want = (name) => dsSql(site.root, mappedSql(site.root, `/sql/pages/more/${name}.sql`));

  async function open(route, width = 1440) {
    const rec = await openPage(site.browser);
    const warnings = [];
    rec.page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await rec.page.setViewportSize({ width, height: 900 });
    await rec.page.goto(`${site.server.url}${route}`);
    await waitIdle(rec.page);
    return { ...rec, warnings };
  }

  async function clean(rec) {
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(site.browser, rec), [], 'requests off loopback');
    await rec.page.close();
  }

  const option = (page, id) => page.evaluate((id) => {
    const o = window.ducksite.chartOption(id);
    return o && JSON.parse(JSON.stringify(o, (k, v) => (typeof v === 'function' ? undefined : v)));
  }, id);

  test('every new chart type draws the data ds-sql computes', T, async () => {
    const rec = await open('/more.html');
    const { page } = rec;
    const states = await page.evaluate(() => window.ducksite.components().map((c) => `${c.key}=${c.state}`));
    assert.deepEqual(states.filter((s) => !s.endsWith('=ok')), []);

    // histogram: every sampled order in exactly one bin of a round width
    const sample = want('order_sample');
    let o = await option(page, 'amounts');
    assert.equal(o.series[0].type, 'bar');
    const bins = o.series[0].data;
    assert.equal(bins.reduce((a, d) => a + d.value, 0), sample.length);
    const amounts = sample.map((r) => Number(r[1]));
    for (const b of bins) assert.equal(b.value, amounts.filter((v) => v >= b.lo && (v < b.hi || (b === bins.at(-1) && v <= b.hi))).length, `bin ${b.lo}`);

    // box plot: the median of each region as quantile_cont
    o = await option(page, 'amount_box');
    assert.equal(o.series[0].type, 'boxplot');
    const medians = Object.fromEntries(dsSql(site.root, `SELECT region, quantile_cont(amount, 0.5) FROM (${mappedSql(site.root, '/sql/pages/more/order_sample.sql')}) GROUP BY 1`));
    o.xAxis[0].data.forEach((region, k) => assert.ok(Math.abs(o.series[0].data[k].value[2] - Number(medians[region])) < 1e-6, region));

    // sankey: one link per (region, size band)
    o = await option(page, 'order_flows');
    const flows = want('flows');
    assert.equal(o.series[0].type, 'sankey');
    assert.deepEqual(o.series[0].links.map((l) => [l.source, l.target, l.value]).sort(),
      flows.map((r) => [r[0], r[1], Number(r[2])]).sort());

    // treemap: one box per region holding its products, values summed
    o = await option(page, 'products');
    const tree = want('product_tree');
    assert.equal(o.series[0].type, 'treemap');
    const east = o.series[0].data.find((n) => n.name === 'east');
    const eastRows = tree.filter((r) => r[0] === 'east');
    assert.equal(east.children.length, eastRows.length);
    assert.ok(Math.abs(east.value - eastRows.reduce((a, r) => a + Number(r[2]), 0)) < 1e-3);

    // calendar: one calendar per year, one cell per day with data
    o = await option(page, 'days');
    const daily = want('daily');
    assert.deepEqual(o.calendar.map((c) => c.range), ['2023', '2024']);
    assert.equal(o.series.reduce((a, s) => a + s.data.length, 0), daily.length);

    // 100% stacked area: the regions add up to 100 each month
    o = await option(page, 'mix');
    assert.equal(o.series.length, 4);
    const months = o.xAxis[0].data.length;
    for (let k = 0; k < months; k++) {
      const sum = o.series.reduce((a, s) => a + (s.data[k]?.value ?? 0), 0);
      assert.ok(Math.abs(sum - 100) < 1e-9, `month ${k}: ${sum}`);
    }

    // dual axis: revenue bars on the left, average order line on the right
    o = await option(page, 'revenue_avg');
    assert.equal(o.yAxis.length, 2);
    assert.deepEqual(o.series.map((s) => [s.type, s.yAxisIndex ?? 0]), [['bar', 0], ['line', 1]]);

    // small multiples: a grid per region on one scale, over a time axis
    o = await option(page, 'per_region');
    assert.equal(o.grid.length, 4);
    assert.equal(new Set(o.yAxis.map((a) => a.max)).size, 1);
    assert.ok(o.xAxis.every((a) => a.type === 'time'));

    // maps: every state of the query placed; points at their cities
    o = await option(page, 'state_map');
    assert.equal(o.series[0].type, 'map');
    const states2 = want('state_revenue');
    // (ECharts lists every region of the map; those without data have no value.)
    const placed = o.series[0].data.filter((d) => typeof d.value === 'number');
    assert.equal(placed.length, states2.length);
    const ca = Number(states2.find((r) => r[0] === 'CA')[1]);
    assert.ok(Math.abs(placed.find((d) => d.name === 'California').value - ca) < 1e-6);
    o = await option(page, 'store_map');
    assert.equal(o.series[0].data.length, want('stores').length);
    assert.deepEqual(rec.warnings.filter((w) => /match no region/.test(w)), []);

    // the geometry came from this server, once
    const geo = rec.requests.map((r) => r.url).filter((u) => u.includes('/geo/'));
    assert.deepEqual(geo.map((u) => new URL(u).pathname), ['/assets/geo/us_states.json']);
    await clean(rec);
  });

  test('pages without a map never fetch map geometry', T, async () => {
    const rec = await open('/charts.html');
    assert.deepEqual(rec.requests.map((r) => r.url).filter((u) => u.includes('/geo/')), []);
    await clean(rec);
  });

  test('the table: search filters rows, totals add up, data bars, links to the page with the input set', T, async () => {
    const rec = await open('/more.html');
    const { page } = rec;
    const rows = want('region_products');
    let t = await tableCells(page, 'region_products');
    assert.deepEqual(t.head, ['region', 'product', 'orders', 'revenue', 'share']);
    assert.equal(t.footer, `rows 1–10 of ${rows.length}`);
    // totals over every row; share has total: none
    const totals = await page.evaluate(() => [...document.querySelectorAll('[data-ds-table="region_products"] tfoot td')].map((td) => td.textContent));
    assert.equal(totals[0], 'Total');
    assert.equal(shownNumber(totals[2]), rows.reduce((a, r) => a + Number(r[2]), 0));
    assert.ok(Math.abs(shownNumber(totals[3].replace('$', '')) - rows.reduce((a, r) => a + Number(r[3]), 0)) < 0.01 * rows.length);
    assert.equal(totals[4], '');
    // formats: currency, percent
    assert.match(t.rows[0][3], /^\$[\d,]+\.\d\d$/);
    assert.match(t.rows[0][4], /^\d+\.\d%$/);
    // data bars on revenue, a colour scale on orders
    const styles = await page.evaluate(() => [...document.querySelectorAll('[data-ds-table="region_products"] tbody tr')].map((tr) => [tr.cells[3].style.backgroundImage, tr.cells[2].style.backgroundColor]));
    // The scale's colours are light-dark() pairs: one per theme.
    assert.ok(styles.every(([bar, bg]) => bar.startsWith('linear-gradient') && /^light-dark\(rgb\(.*\), rgb\(/.test(bg)), JSON.stringify(styles[0]));
    // search: only west rows, totals follow
    await page.fill('[data-ds-table="region_products"] .ds-table-search', 'west');
    t = await tableCells(page, 'region_products');
    const west = rows.filter((r) => r[0] === 'west');
    assert.equal(t.footer, `rows 1–10 of ${west.length} matching (of ${rows.length})`);
    assert.ok(t.rows.every((r) => r[0] === 'west'));
    const westTotal = await page.evaluate(() => document.querySelectorAll('[data-ds-table="region_products"] tfoot td')[2].textContent);
    assert.equal(shownNumber(westTotal), west.reduce((a, r) => a + Number(r[2]), 0));
    await page.fill('[data-ds-table="region_products"] .ds-table-search', 'no such thing');
    t = await tableCells(page, 'region_products');
    assert.equal(t.rows.length, 0);
    await page.fill('[data-ds-table="region_products"] .ds-table-search', 'west');
    // the link opens the inputs page with region=west
    const href = await page.getAttribute('[data-ds-table="region_products"] tbody a.ds-table-link', 'href');
    assert.equal(href, '/inputs.html?region=west');
    await Promise.all([page.waitForURL(/inputs\.html\?region=west$/), page.click('[data-ds-table="region_products"] tbody a.ds-table-link')]);
    await waitIdle(page);
    const region = await page.evaluate(() => window.ducksite.components().find((c) => c.key === 'chart:filtered').sql);
    assert.match(region, /region = 'west'/);
    await clean(rec);
  });

  test('the CSV button shows only with data; printing shows every row', T, async () => {
    const rec = await open('/more.html');
    const { page } = rec;
    assert.equal(await page.isVisible('[data-ds-table="region_products"] .ds-download'), true);
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    const n = await page.evaluate(() => document.querySelectorAll('[data-ds-table="region_products"] tbody tr').length);
    assert.equal(n, want('region_products').length);
    // Print mode lasts while the print media query matches (theme.js).
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
    assert.equal(await page.evaluate(() => document.querySelectorAll('[data-ds-table="region_products"] tbody tr').length), 10);
    await clean(rec);
  });

  test('screenshots of every new chart, the maps and the table, wide and narrow', T, async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const [width, name] of [[1440, 'wide'], [420, 'narrow']]) {
      const rec = await open('/more.html', width);
      const ids = await rec.page.evaluate(() => [...document.querySelectorAll('[data-ds-chart], [data-ds-table]')]
        .map((e) => (e.dataset.dsChart ? `[data-ds-chart="${e.dataset.dsChart}"]` : `[data-ds-table="${e.dataset.dsTable}"]`)));
      await settled(rec.page);
      for (const sel of ids) {
        const id = /"(.*)"/.exec(sel)[1];
        await rec.page.locator(sel).screenshot({ path: `${ARTIFACTS}/more-${name}-${id}.png` });
      }
      await clean(rec);
    }
  });

  test('every new chart follows the theme and prints light; screenshots of both themes', T, async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const rec = await open('/more.html');
    const { page } = rec;
    const drawnIn = () => page.evaluate(() => [...document.querySelectorAll('[data-ds-chart] .ds-chart-root')]
      .map((r) => `${r.closest('[data-ds-chart]').dataset.dsChart}:${r.dataset.theme}`));
    const charts = (await drawnIn()).length;
    assert.ok(charts >= 8, `charts on the page: ${charts}`);
    for (const scheme of ['dark', 'light']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForFunction((t) => [...document.querySelectorAll('[data-ds-chart] .ds-chart-root')]
        .every((r) => r.dataset.theme === t), scheme);
      assert.deepEqual((await drawnIn()).filter((x) => !x.endsWith(`:${scheme}`)), []);
      // A data bar's and a colour scale's colours differ by theme.
      const cell = await page.evaluate(() => {
        const tr = document.querySelector('[data-ds-table="region_products"] tbody tr');
        const cs = (td) => getComputedStyle(td);
        return { bg: cs(tr.cells[2]).backgroundColor, fg: cs(tr.cells[2]).color };
      });
      const dark = scheme === 'dark';
      const lum = (c) => { const [r, g, b] = c.match(/[\d.]+/g).map(Number); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      assert.ok(dark ? lum(cell.bg) < lum(cell.fg) : lum(cell.bg) > lum(cell.fg), `${scheme}: ${JSON.stringify(cell)}`);
      await settled(page);
      await page.screenshot({ path: `${ARTIFACTS}/more-theme-${scheme}.png`, fullPage: true });
    }
    // Print: every chart drawn again as SVG in the light theme.
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    await page.waitForFunction(() => [...document.querySelectorAll('[data-ds-chart] .ds-chart-root')]
      .every((r) => r.dataset.theme === 'light' && r.querySelector('svg')));
    await page.screenshot({ path: `${ARTIFACTS}/more-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    await clean(rec);
  });
});
