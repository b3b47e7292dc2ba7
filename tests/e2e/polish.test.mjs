// Component polish, on the project `ducksite demo` creates plus one page
// (POLISH, content/polish.md), in Chromium at 1280 and 390 px, light and
// dark:
//   selection  the bar, slice or table row whose value an input holds is
//              shown as selected: from the URL on load, after a click, and
//              when the input changes elsewhere (its dropdown)
//   titles     a long chart title wraps beside the CSV/SQL buttons
//   funnel     every stage's label shown, none overlapping or cut off
//   treemap    no label cut off mid-word (a box too small shows none)
//   pie        labels whole and inside the chart on a phone too
//   facets     small multiples lay out again when the width changes
//   chunks     the rarer chart families are fetched only by pages that draw them
//   loading    before its data arrives a component shows its title in a
//              box of the size it will have; the CSV button only with data
// Screenshots (build/e2e-artifacts/polish-*.png) are for looking at.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  ARTIFACTS, buildProject, demoProject, dsSql, mappedSql, missingPrerequisite, openPage, servedProject, settled, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 300000 };

const POLISH = [
  "# Polish",
  "",
  "```input pick",
  "label: Region",
  "visual_mode: dropdown",
  "options_query: global:region_options",
  "value_column: region",
  "all_label: All regions",
  "```",
  "",
  "```sql by_region",
  "SELECT region, sum(revenue) AS revenue FROM orders_monthly GROUP BY 1 ORDER BY 1",
  "```",
  "",
  "```sql stages",
  "SELECT * FROM (VALUES (1, 'visited the shop', 100000), (2, 'looked at a product page', 52000),",
  "  (3, 'added something to the basket', 21000), (4, 'started the checkout', 9000),",
  "  (5, 'entered a delivery address', 4000), (6, 'chose a payment method', 2500),",
  "  (7, 'paid', 1000), (8, 'came back within a month', 120)) t(k, stage, value) ORDER BY k",
  "```",
  "",
  "```sql tree",
  "SELECT 'group_' || (i % 3) AS parent, 'product_' || lpad(CAST(i AS VARCHAR), 2, '0') AS name,",
  "       CASE WHEN i < 4 THEN 5000 ELSE 40 + i END AS value",
  "FROM range(0, 36) t(i)",
  "```",
  "",
  "```sql monthly_regions",
  "SELECT month, region, revenue FROM orders_monthly ORDER BY 1, 2",
  "```",
  "",
  "```sql daily",
  "SELECT order_date, sum(revenue) AS revenue FROM orders_daily GROUP BY 1 ORDER BY 1",
  "```",
  "",
  "```sql totals",
  "SELECT sum(revenue) AS revenue, sum(revenue) * 0.9 AS before, 12 AS n FROM orders_monthly",
  "```",
  "",
  "```sql few",
  "SELECT region, sum(orders) AS orders FROM orders_monthly GROUP BY 1 ORDER BY 1",
  "```",
  "",
  "```echart pick_bar",
  "type: bar",
  "title: Revenue by region",
  "data_query: by_region",
  "x: region",
  "y: revenue",
  "click_input: pick",
  "```",
  "",
  "```table pick_table",
  "query: by_region",
  "title: Revenue by region",
  "click_input: pick",
  "click_value: region",
  "```",
  "",
  "```echart pick_pie",
  "type: pie",
  "title: Share by region",
  "data_query: by_region",
  "click_input: pick",
  "```",
  "",
  "```echart long_title",
  "type: bar",
  "title: Revenue by region over the whole period, every order counted once, returns and refunds included, in US dollars, pre-tax.",
  "data_query: by_region",
  "x: region",
  "y: revenue",
  "```",
  "",
  "```echart funnel",
  "type: funnel",
  "title: From visit to return",
  "data_query: stages",
  "name: stage",
  "value: value",
  "sort: none",
  "```",
  "",
  "```echart tree",
  "type: treemap",
  "title: Products",
  "data_query: tree",
  "parent: parent",
  "name: name",
  "value: value",
  "height: 300",
  "```",
  "",
  "```echart facets",
  "type: line",
  "title: Revenue per region",
  "data_query: monthly_regions",
  "x: month",
  "y: revenue",
  "facet: region",
  "```",
  "",
  "```echart short",
  "type: bar",
  "title: Short",
  "data_query: few",
  "x: region",
  "y: orders",
  "height: 240",
  "```",
  "",
  "```echart days",
  "type: calendar",
  "title: Revenue per day",
  "data_query: daily",
  "date: order_date",
  "value: revenue",
  "```",
  "",
  "```table tall_table",
  "query: monthly_regions",
  "title: Months",
  "height: 300",
  "```",
  "",
  "```table short_table",
  "query: few",
  "title: Orders",
  "```",
  "",
  "```table long_table",
  "query: monthly_regions",
  "title: All months",
  "```",
  "",
  "```value total_value",
  "title: Revenue",
  "query: totals",
  "column: revenue",
  "fmt: currency",
  "```",
  "",
  "```kpi total_kpi",
  "title: Revenue",
  "query: totals",
  "value: revenue",
  "comparison: before",
  "fmt: currency",
  "```",
  "",
  "```grid cols=2",
  "| funnel | tree |",
  "```"
];

const WIDTHS = [1280, 390];
const THEMES = ['light', 'dark'];

// The chart instance of chart ID, in the page (ECharts keeps one per element).
function chartOf(id) {
  return window.echarts.getInstanceByDom(document.querySelector(`[data-ds-chart="${id}"] .ds-chart-root`));
}

describe('component polish', { skip: skip ?? false }, () => {
  const site = servedProject(() => {
    const root = demoProject('ducksite-e2e-polish-', { build: false });
    fs.writeFileSync(path.join(root, 'content', 'polish.md'), `${POLISH.join('\n')}\n`);
    buildProject(root);
    return root;
  }, T);

  async function open(route, { width = 1280, theme = 'light' } = {}) {
    const rec = await openPage(site.browser);
    await rec.page.emulateMedia({ colorScheme: theme });
    await rec.page.setViewportSize({ width, height: 900 });
    await rec.page.addInitScript(`window.chartOf = ${chartOf.toString()};`);
    await rec.page.goto(`${site.server.url}${route}`);
    await waitIdle(rec.page);
    return rec;
  }

  async function shot(page, id, name) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await settled(page);
    await page.locator(`[data-ds-chart="${id}"], [data-ds-table="${id}"]`).first()
      .screenshot({ path: path.join(ARTIFACTS, `polish-${name}.png`) });
  }

  const want = (name) => dsSql(site.root, mappedSql(site.root, `/sql/pages/polish/${name}.sql`));

  // Per series, the names of the items in ECharts' select state.
  const selected = (page, id) => page.evaluate((id) => {
    const chart = window.chartOf(id);
    const o = chart.getOption();
    const cats = o.xAxis?.[0]?.data;
    return o.series.map((s, si) => {
      const m = chart.getModel().getSeriesByIndex(si);
      return (s.data || []).map((d, i) => i).filter((i) => m.isSelected(i))
        .map((i) => (s.data[i] && typeof s.data[i] === 'object' && s.data[i].name !== undefined ? s.data[i].name : cats[i]));
    });
  }, id);
  // The table's selected rows: first cell's text, and whether that cell is marked too.
  const selectedRows = (page, id) => page.evaluate((id) => [...document.querySelectorAll(`[data-ds-table="${id}"] tbody tr.ds-selected`)]
    .map((tr) => [tr.cells[0].textContent, tr.cells[0].classList.contains('ds-selected')]), id);

  test('the bar, slice and row holding the input value are shown as selected', T, async () => {
    const regions = want('by_region').map((r) => r[0]);
    assert.ok(regions.includes('south') && regions.includes('north'), `regions: ${regions}`);
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const { page, errors } = await open('/polish.html?pick=south', { width, theme });
        // From the URL on load.
        assert.deepEqual(await selected(page, 'pick_bar'), [['south']]);
        assert.deepEqual(await selected(page, 'pick_pie'), [['south']]);
        assert.deepEqual(await selectedRows(page, 'pick_table'), [['south', true]]);
        await shot(page, 'pick_bar', `select-bar-${width}-${theme}`);
        await shot(page, 'pick_table', `select-table-${width}-${theme}`);
        await shot(page, 'pick_pie', `select-pie-${width}-${theme}`);
        // Changed elsewhere: the dropdown.
        await page.selectOption('[data-ds-input="pick"] select', 'east');
        await waitIdle(page);
        assert.deepEqual(await selected(page, 'pick_bar'), [['east']]);
        assert.deepEqual(await selected(page, 'pick_pie'), [['east']]);
        assert.deepEqual(await selectedRows(page, 'pick_table'), [['east', true]]);
        // All regions: nothing selected.
        await page.selectOption('[data-ds-input="pick"] select', { label: 'All regions' });
        await waitIdle(page);
        assert.deepEqual(await selected(page, 'pick_bar'), [[]]);
        assert.deepEqual(await selected(page, 'pick_pie'), [[]]);
        assert.deepEqual(await selectedRows(page, 'pick_table'), []);
        // A click on the north bar: it alone is selected, and the others show it.
        await page.locator('[data-ds-chart="pick_bar"]').scrollIntoViewIfNeeded();
        const at = await page.evaluate(([id, k]) => {
          const chart = window.chartOf(id);
          const v = chart.getOption().series[0].data[k];
          const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [k, (typeof v === 'object' ? v.value : v) / 2]);
          const r = chart.getDom().getBoundingClientRect();
          return { x: r.left + x, y: r.top + y };
        }, ['pick_bar', regions.indexOf('north')]);
        await page.mouse.click(at.x, at.y);
        await waitIdle(page);
        assert.equal(new URL(page.url()).searchParams.get('pick'), 'north');
        assert.deepEqual(await selected(page, 'pick_bar'), [['north']]);
        assert.deepEqual(await selected(page, 'pick_pie'), [['north']]);
        assert.deepEqual(await selectedRows(page, 'pick_table'), [['north', true]]);
        // A click on a cell of another row of the table.
        await page.locator('[data-ds-table="pick_table"] tbody tr', { hasText: 'south' }).locator('td').first().click();
        await waitIdle(page);
        assert.deepEqual(await selected(page, 'pick_bar'), [['south']]);
        assert.deepEqual(await selectedRows(page, 'pick_table'), [['south', true]]);
        assert.deepEqual(errors, []);
        await page.close();
      }
    }
  });

  test('a long chart title wraps beside the CSV and SQL buttons, never under them', T, async () => {
    for (const width of WIDTHS) {
      const { page, errors } = await open('/polish.html', { width });
      const boxes = await page.evaluate(() => {
        const el = document.querySelector('[data-ds-chart="long_title"]');
        const t = el.querySelector('.ds-title');
        const r = (e) => { const b = e.getBoundingClientRect(); return { left: b.left, right: b.right, top: b.top, bottom: b.bottom }; };
        return {
          title: r(t), text: t.textContent, clipped: t.scrollWidth > t.clientWidth + 1, frame: r(el),
          buttons: [...el.querySelectorAll('.ds-actions button')].filter((b) => !b.hidden).map(r),
        };
      });
      assert.equal(boxes.text.length, 120);
      assert.equal(boxes.clipped, false);
      assert.equal(boxes.buttons.length, 2, 'CSV and SQL');
      for (const b of boxes.buttons) {
        const apart = b.right <= boxes.title.left || b.left >= boxes.title.right || b.bottom <= boxes.title.top || b.top >= boxes.title.bottom;
        assert.ok(apart, `title ${JSON.stringify(boxes.title)} and button ${JSON.stringify(b)} intersect at ${width} px`);
      }
      assert.ok(boxes.title.right <= boxes.frame.right && boxes.title.left >= boxes.frame.left);
      await shot(page, 'long_title', `title-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  // The labels of chart ID's first series: text, box in the chart's pixels
  // (hidden ones left out).
  const labels = (page, id) => page.evaluate((id) => {
    const chart = window.chartOf(id);
    const data = chart.getModel().getSeriesByIndex(0).getData();
    const out = [];
    for (let i = 0; i < data.count(); i++) {
      const t = data.getItemGraphicEl(i)?.getTextContent?.();
      if (!t || t.ignore || t.invisible || !t.style?.text) continue;
      const b = t.getBoundingRect().clone();
      b.applyTransform(t.getComputedTransform());
      out.push({ text: t.style.text, x: b.x, y: b.y, w: b.width, h: b.height });
    }
    return { labels: out, width: chart.getWidth(), height: chart.getHeight() };
  }, id);
  // Every line of text ECharts drew for chart ID (after its own wrapping and truncation).
  const drawnText = (page, id) => page.evaluate((id) => window.chartOf(id).getZr().storage.getDisplayList(true)
    .filter((e) => e.type === 'tspan').map((e) => String(e.style?.text ?? '')), id);

  const overlap = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

  test('funnel labels: every stage named, none overlapping or cut off, a 0.1% stage too', T, async () => {
    const stages = want('stages').map((r) => r[1]);
    assert.equal(stages.length, 8);
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const { page, errors } = await open('/polish.html', { width, theme });
        const { labels: ls, width: w, height: h } = await labels(page, 'funnel');
        for (const s of stages) {
          assert.equal(ls.filter((l) => l.text.replace(/\n/g, ' ').startsWith(s)).length, 1, `label of '${s}' at ${width} px: ${ls.map((l) => l.text)}`);
        }
        for (const l of ls) assert.ok(l.x >= 0 && l.y >= 0 && l.x + l.w <= w + 0.5 && l.y + l.h <= h + 0.5, `'${l.text}' inside ${w}x${h}: ${JSON.stringify(l)}`);
        for (let i = 0; i < ls.length; i++) {
          for (let j = i + 1; j < ls.length; j++) assert.ok(!overlap(ls[i], ls[j]), `'${ls[i].text}' and '${ls[j].text}' overlap at ${width} px`);
        }
        // A number is never broken over two lines.
        for (const l of ls) assert.doesNotMatch(l.text, /\d[,.]?\n\d/);
        await shot(page, 'funnel', `funnel-${width}-${theme}`);
        assert.deepEqual(errors, []);
        await page.close();
      }
    }
  });

  test('pie labels fit beside the pie: whole, inside the chart, a selected slice pulled out too', T, async () => {
    for (const width of WIDTHS) {
      const { page, errors } = await open('/polish.html?pick=south', { width });
      const { labels: ls, width: w, height: h } = await labels(page, 'pick_pie');
      assert.equal(ls.length, 4, `every slice labelled at ${width} px`);
      for (const l of ls) assert.ok(l.x >= 0 && l.y >= 0 && l.x + l.w <= w + 0.5 && l.y + l.h <= h + 0.5, `'${l.text}' inside ${w}x${h} at ${width} px`);
      assert.deepEqual((await drawnText(page, 'pick_pie')).filter((t) => t.includes('…')), []);
      await shot(page, 'pick_pie', `pie-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  test('treemap labels are whole names or none, never cut mid-word', T, async () => {
    const names = new Set(want('tree').flatMap((r) => [r[0], r[1]]));
    for (const width of WIDTHS) {
      const { page, errors } = await open('/polish.html', { width });
      const lines = await drawnText(page, 'tree');
      assert.ok(lines.filter((l) => names.has(l)).length >= 3, `some names shown at ${width} px: ${lines}`);
      // A line is a whole name, a number, or a parent's "name  total"; no ellipsis.
      for (const l of lines) {
        assert.ok(names.has(l) || /^[\d,.]+[kMB]?$/.test(l) || names.has(l.replace(/ {2}[\d,.]+[kMB]?$/, '')), `'${l}' at ${width} px`);
      }
      await shot(page, 'tree', `treemap-${width}`);
      assert.deepEqual(errors, []);
      await page.close();
    }
  });

  // Components whose loading box is checked, with their titles.
  const LOADING = {
    pick_bar: 'Revenue by region', pick_pie: 'Share by region', facets: 'Revenue per region', short: 'Short',
    days: 'Revenue per day', funnel: 'From visit to return', tree: 'Products', total_value: 'Revenue', total_kpi: 'Revenue',
    pick_table: 'Revenue by region', tall_table: 'Months', short_table: 'Orders', long_table: 'All months',
  };

  test('while loading, a component shows its title in a box of its final size; CSV only with data', T, async () => {
    for (const theme of THEMES) {
      for (const width of WIDTHS) {
        const rec = await openPage(site.browser);
        const { page, errors } = rec;
        await page.emulateMedia({ colorScheme: theme });
        await page.setViewportSize({ width, height: 900 });
        // The stored results are held back: every component waits for its data.
        let release;
        const gate = new Promise((r) => { release = r; });
        await page.route('**/_results/**', async (route) => { await gate; await route.continue(); });
        await page.goto(`${site.server.url}/polish.html`);
        await page.waitForFunction(() => window.ducksite && document.querySelectorAll('.ds-loading').length > 0);
        await page.waitForTimeout(500);
        const look = () => page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
          const el = document.querySelector(`[data-ds-chart="${id}"], [data-ds-table="${id}"], [data-ds-kpi="${id}"], [data-ds-value="${id}"]`);
          const b = el.getBoundingClientRect();
          const title = el.querySelector('.ds-title, .ds-kpi-title, .ds-value-title');
          const csv = el.querySelector('.ds-download');
          return [id, {
            w: b.width, h: b.height, state: el.dataset.dsState, title: title?.textContent ?? null,
            titleShown: !!title && title.getClientRects().length > 0, csv: csv ? csv.checkVisibility({ visibilityProperty: true }) : null,
          }];
        })), Object.keys(LOADING));
        const before = await look();
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, `polish-loading-${width}-${theme}.png`), fullPage: true });
        release();
        await waitIdle(page);
        const after = await look();
        for (const [id, title] of Object.entries(LOADING)) {
          const b = before[id];
          const a = after[id];
          assert.equal(b.state, 'loading', `${id} still loading when measured`);
          assert.equal(b.title, title, `${id}'s title while loading`);
          assert.ok(b.titleShown, `${id}'s title shown while loading`);
          assert.ok(Math.abs(a.w - b.w) < 4 && Math.abs(a.h - b.h) < 4, `${id} at ${width} px ${theme}: ${b.w}x${b.h} loading, ${a.w}x${a.h} drawn`);
          if (b.csv !== null) {
            assert.equal(b.csv, false, `${id}: no CSV button before the data`);
            assert.equal(a.csv, true, `${id}: a CSV button with the data`);
          }
        }
        assert.deepEqual(errors, []);
        await page.close();
      }
    }
  });

  test('the rarer chart families are one file, fetched only by pages that draw them', T, async () => {
    const CHUNK = /\/assets\/charts-[0-9a-f]{16}\.js$/;
    const fetched = (rec) => rec.requests.filter((r) => CHUNK.test(new URL(r.url).pathname)).length;
    // The gallery's bar, line, area, pie, scatter, heatmap, funnel and gauge.
    let rec = await open('/charts.html');
    assert.equal(fetched(rec), 0);
    assert.deepEqual(await rec.page.evaluate(() => window.ducksite.components().filter((c) => c.state !== 'ok').map((c) => c.key)), []);
    await rec.page.close();
    // Histogram, box plot, sankey, treemap, calendar, maps, small multiples.
    rec = await open('/more.html');
    assert.equal(fetched(rec), 1);
    assert.deepEqual(await rec.page.evaluate(() => window.ducksite.components().filter((c) => c.state !== 'ok').map((c) => c.key)), []);
    for (const [id, type] of [['amounts', 'bar'], ['amount_box', 'boxplot'], ['order_flows', 'sankey'], ['products', 'treemap'], ['days', 'heatmap'], ['state_map', 'map']]) {
      assert.equal(await rec.page.evaluate((id) => window.ducksite.chartOption(id)?.series[0].type, id), type, id);
    }
    assert.deepEqual(rec.errors, []);
    await rec.page.close();
  });

  test('small multiples lay out again when the width changes', T, async () => {
    const { page, errors } = await open('/polish.html', { width: 1280 });
    const layout = () => page.evaluate(() => {
      const chart = window.chartOf('facets');
      const o = chart.getOption();
      return {
        facets: o.grid.length, rows: new Set(o.grid.map((g) => g.top)).size,
        chartWidth: chart.getWidth(), chartHeight: chart.getHeight(),
        box: chart.getDom().clientWidth, boxHeight: chart.getDom().clientHeight,
      };
    });
    const rowsAre = (n) => page.waitForFunction((n) => new Set(window.chartOf('facets').getOption().grid.map((g) => g.top)).size === n, n);
    const wide = await layout();
    assert.equal(wide.facets, 4);
    assert.equal(wide.rows, 2, 'three to a row at 1280 px');
    await shot(page, 'facets', 'facets-1280');
    await page.setViewportSize({ width: 390, height: 900 });
    await rowsAre(4);
    await page.waitForTimeout(300);
    const narrow = await layout();
    assert.equal(narrow.chartWidth, narrow.box);
    assert.equal(narrow.chartHeight, narrow.boxHeight);
    assert.ok(narrow.boxHeight > wide.boxHeight, 'taller with more rows');
    await shot(page, 'facets', 'facets-390');
    await page.setViewportSize({ width: 1280, height: 900 });
    await rowsAre(2);
    await page.waitForTimeout(300);
    assert.equal((await layout()).chartWidth, wide.chartWidth);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
