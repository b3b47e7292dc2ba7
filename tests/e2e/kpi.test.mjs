// Values, KPI cards and the typed inputs in Chromium, on a page built by
// `ducksite build`:
//
//   stored        the default state paints from the build's stored results
//                 (no engine): values and KPI cards match the build-time
//                 engine's answer; the delta is coloured by its direction
//                 and down_is_good.
//   inputs        each control (date range, date, slider, buttons, checkbox,
//                 toggle, searchable dropdown) changes the SQL (typed
//                 literals), the URL and the KPI (live, DuckDB-Wasm), and the
//                 state survives a reload.
//   no rows       a value with no row shows "–".
//   screenshots   wide and narrow, in build/e2e-artifacts/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  ARTIFACTS, DUCKSITE, dsSql, importRuntime, mappedSql, missingPrerequisite, openIdle, servedProject,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const sqlText = await importRuntime('sql.js');

const PAGE = `# Sales KPIs

\`\`\`input period
label: Period
visual_mode: date_range
default: 2024-01-01..2024-06-30
\`\`\`

\`\`\`input skip_day
label: Skip one day
visual_mode: date
\`\`\`

\`\`\`input min_amount
label: Minimum amount
visual_mode: slider
min: 0
max: 90
step: 10
default: 0
\`\`\`

\`\`\`input channel
label: Channel
visual_mode: buttons
options: web, store, phone
expression_template: channel = ?
\`\`\`

\`\`\`input weekdays
label: Weekdays only
visual_mode: checkbox
\`\`\`

\`\`\`input big
label: Big orders only
visual_mode: toggle
\`\`\`

\`\`\`input region
label: Region
visual_mode: dropdown
options_query: regions
expression_template: region = ?
\`\`\`

\`\`\`input cap
label: Cap (bounds from the data)
visual_mode: slider
options_query: amount_range
default: 50
\`\`\`

\`\`\`sql amount_range
SELECT min(amount) AS min, max(amount) AS max, 5 AS step FROM orders
\`\`\`

\`\`\`sql regions
SELECT DISTINCT region FROM orders ORDER BY region
\`\`\`

\`\`\`sql monthly
SELECT month, total, lag(total) OVER (ORDER BY month) AS prev FROM (
  SELECT CAST(date_trunc('month', day) AS DATE) AS month, sum(amount) AS total
  FROM orders
  WHERE day BETWEEN \${inputs.period_start} AND \${inputs.period_end}
    AND (\${inputs.skip_day} IS NULL OR day <> \${inputs.skip_day})
    AND amount >= \${inputs.min_amount}
    AND \${params.channel}
    AND (NOT \${inputs.weekdays} OR dayofweek(day) BETWEEN 1 AND 5)
    AND (NOT \${inputs.big} OR amount >= 50)
    AND \${params.region}
  GROUP BY 1) t
ORDER BY month DESC
\`\`\`

\`\`\`kpi revenue
query: monthly
value: total
comparison: prev
sparkline: month
title: Revenue, latest month (\${inputs.channel})
fmt: currency
decimals: 0
\`\`\`

\`\`\`kpi cost
query: monthly
value: total
comparison: prev
down_is_good: true
delta: absolute
title: Cost since \${inputs.period_start} (down is good)
comparison_title: vs the month before, \${inputs.channel}
\`\`\`

\`\`\`grid cols=2
| revenue | cost |
\`\`\`

The latest month brought \${monthly.total | currency:0} in \${monthly.month | date}.
`;

function makeProject() {
  const root = tempDir('ducksite-e2e-kpi-');
  fs.mkdirSync(path.join(root, 'lake', 'orders'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/*.parquet"\n');
  // 30 orders a day, so every combination of the inputs below has rows.
  dsSql(root, `COPY (SELECT DATE '2024-01-01' + CAST(i // 30 AS INTEGER) AS day, (i * 37) % 100 AS amount,
    ['web', 'store', 'phone'][i % 3 + 1] AS channel, 'r' || lpad(CAST(i % 25 AS VARCHAR), 2, '0') AS region
    FROM range(366 * 30) t(i)) TO 'lake/orders/a.parquet' (FORMAT parquet)`);
  fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
  const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

/** The monthly query's rows for the page's current inputs, by the build-time engine. */
async function expectedRows(root, page) {
  const { config, values } = await page.evaluate(() => ({ config: window.ducksite.config, values: window.ducksite.getInputs() }));
  const specs = Object.entries(config.inputs).map(([n, s]) => sqlText.normalizeInput(n, s));
  const env = sqlText.buildEnv(specs, values, sqlText.localToday());
  return dsSql(root, mappedSql(root, '/sql/pages/index/monthly.sql', env));
}

async function shown(page) {
  return page.evaluate(() => {
    const card = (id) => {
      const el = document.querySelector(`[data-ds-kpi="${id}"]`);
      return {
        value: el.querySelector('.ds-kpi-value').textContent,
        delta: el.dataset.dsDelta ?? null,
        change: el.querySelector('.ds-kpi-change')?.textContent ?? '',
        changeColor: getComputedStyle(el.querySelector('.ds-kpi-change') || el).color,
        spark: el.querySelectorAll('.ds-spark path').length,
      };
    };
    // The theme's good and bad colours, as a card resolves them.
    const probe = (cls) => {
      const el = document.createElement('span');
      el.className = cls;
      document.querySelector('[data-ds-kpi="revenue"]').append(el);
      const c = getComputedStyle(el).color;
      el.remove();
      return c;
    };
    return {
      good: probe('ds-kpi-good'),
      bad: probe('ds-kpi-bad'),
      muted: probe('ds-kpi-neutral'),
      revenue: card('revenue'),
      cost: card('cost'),
      inline: [...document.querySelectorAll('.ds-value-inline')].map((s) => s.textContent),
      sources: { ...window.ducksite.stats.sources },
      sql: window.ducksite.components().find((c) => c.key === 'kpi:revenue').sql,
      search: location.search,
    };
  });
}

const money = (n) => `$${Math.round(Number(n)).toLocaleString('en-US')}`;

/** The KPI cards agree with ROWS (the first row is the latest month). */
function agrees(s, rows, empty = false) {
  assert.equal(rows.length === 0, empty, `rows: ${JSON.stringify(rows)}`);
  if (!rows.length) {
    assert.equal(s.revenue.value, '–');
    assert.equal(s.inline[0], '–');
    return;
  }
  const [, total, prev] = rows[0];
  assert.equal(s.revenue.value, money(total));
  assert.equal(s.inline[0], money(total));
  assert.equal(Number(s.cost.value.replace(/,/g, '')), Number(total));
  if (prev === null) {
    assert.equal(s.revenue.delta, null);
    return;
  }
  if (Number(total) === Number(prev)) {
    assert.equal(s.revenue.delta, 'flat neutral');
    assert.equal(s.cost.delta, 'flat neutral');
    return;
  }
  const up = Number(total) > Number(prev);
  assert.equal(s.revenue.delta, up ? 'up good' : 'down bad');
  assert.equal(s.cost.delta, up ? 'up bad' : 'down good');
  assert.equal(s.cost.change, `${up ? '▲' : '▼'} ${up ? '+' : '−'}${Math.abs(Number(total) - Number(prev)).toLocaleString('en-US')}`);
}

describe('values, KPI cards and typed inputs', { skip: skip ?? false }, () => {
  const site = servedProject(makeProject);

  test('the default state paints from stored results, KPIs agree with the engine', T, async () => {
    const { page } = await openIdle(site.browser, `${site.server.url}/index.html`);
    const s = await shown(page);
    for (const [k, src] of Object.entries(s.sources)) assert.equal(src, 'stored', k);
    assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false);
    assert.deepEqual(s.inline.length, 2);
    assert.equal(s.inline[1], 'Jun 1, 2024');
    agrees(s, await expectedRows(site.root, page));
    assert.equal(s.revenue.spark, 1, 'a sparkline');
    // A slider's bounds from its options_query's first row.
    const [range] = dsSql(site.root, mappedSql(site.root, '/sql/pages/index/amount_range.sql'));
    assert.deepEqual(await page.$eval('#ds-input-cap', (el) => [el.min, el.max, el.step, el.value]), [...range.map(String), '50']);
    // Good is green, bad is red, whatever the direction.
    const green = s.revenue.delta.endsWith('good') ? s.revenue.changeColor : s.cost.changeColor;
    const red = s.revenue.delta.endsWith('bad') ? s.revenue.changeColor : s.cost.changeColor;
    assert.equal(green, s.good);
    assert.equal(red, s.bad);
    assert.notEqual(s.good, s.bad);
    assert.notEqual(s.good, s.muted);
    // Green and red in either theme: the good colour's green channel leads, the bad one's red.
    const rgb = (c) => c.match(/\d+/g).map(Number);
    assert.ok(rgb(s.good)[1] > rgb(s.good)[0], s.good);
    assert.ok(rgb(s.bad)[0] > rgb(s.bad)[1], s.bad);
    await page.close();
  });

  test('each choice of a button group written in its block is stored too', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    await page.click('[data-ds-input="channel"] button[data-value="phone"]');
    await waitIdle(page);
    const s = await shown(page);
    assert.ok(s.sql.includes("channel = 'phone'"), s.sql);
    // Titles show the input's value.
    assert.equal(await page.textContent('[data-ds-kpi="revenue"] .ds-kpi-title'), 'Revenue, latest month (phone)');
    assert.deepEqual(await page.$$eval('[data-ds-kpi="cost"] .ds-kpi-vs', (els) => els.map((e) => e.textContent)),
      ['vs the month before, phone']);
    for (const [k, src] of Object.entries(s.sources)) assert.equal(src, 'stored', k);
    assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false);
    agrees(s, await expectedRows(site.root, page));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('the build writes the default values into the HTML; the runtime shows the same', T, async () => {
    const html = await (await fetch(`${site.server.url}/index.html`)).text();
    const all = (re) => [...html.matchAll(re)].map((m) => m[1]);
    const cards = all(/data-ds-kpi="(?:revenue|cost)" data-ds-painted=""><div class="ds-kpi-title">[^<]*<\/div><div class="ds-kpi-value">([^<]*)<\/div>/g);
    const inline = all(/data-ds-value="inline-\d+" data-ds-painted=""><span class="ds-value-text">([^<]*)<\/span>/g);
    assert.equal(cards.length, 2, 'both cards written by the build');
    // A title's ${inputs.x} is the input's default ("All" for a button group without one).
    assert.match(html, /<div class="ds-kpi-title">Revenue, latest month \(All\)<\/div>/);
    assert.match(html, /<div class="ds-kpi-title">Cost since 2024-01-01 \(down is good\)<\/div>/);
    assert.equal(inline.length, 2, 'both values in prose written by the build');
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    const s = await shown(page);
    assert.deepEqual(cards, [s.revenue.value, s.cost.value]);
    assert.equal(await page.textContent('[data-ds-kpi="revenue"] .ds-kpi-title'), 'Revenue, latest month (All)');
    assert.deepEqual(inline, s.inline);
    assert.match(cards[0], /^\$\d/);
    assert.equal(inline[1], 'Jun 1, 2024');
    agrees(s, await expectedRows(site.root, page));
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('each input changes the SQL, the URL and the KPIs, and survives a reload', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    const step = async (what, act, sqlHas, urlHas, empty = false) => {
      await act();
      await waitIdle(page);
      const s = await shown(page);
      assert.ok(s.sql.includes(sqlHas), `${what}: SQL lacks ${sqlHas}:\n${s.sql}`);
      assert.ok(decodeURIComponent(s.search).includes(urlHas), `${what}: URL ${s.search} lacks ${urlHas}`);
      agrees(s, await expectedRows(site.root, page), empty);
      return s;
    };
    // Date range: a preset far from the data has no rows ("–"), then custom dates.
    await step('preset', () => page.selectOption('#ds-input-period', 'last_7_days'),
      "BETWEEN DATE '", 'period=last_7_days', true);
    await step('custom range', async () => {
      await page.fill('[data-ds-input="period"] input[aria-label="Period: from"]', '2024-02-01');
      await waitIdle(page);
      await page.fill('[data-ds-input="period"] input[aria-label="Period: to"]', '2024-05-31');
    }, "day BETWEEN DATE '2024-02-01' AND DATE '2024-05-31'", 'period=2024-02-01..2024-05-31');
    assert.equal(await page.textContent('[data-ds-kpi="cost"] .ds-kpi-title'), 'Cost since 2024-02-01 (down is good)');
    await step('date', () => page.fill('#ds-input-skip_day', '2024-05-03'),
      "day <> DATE '2024-05-03'", 'skip_day=2024-05-03');
    await step('slider', () => page.evaluate(() => {
      const el = document.querySelector('#ds-input-min_amount');
      el.value = '30';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }), 'amount >= 30', 'min_amount=30');
    await step('buttons', () => page.click('[data-ds-input="channel"] button[data-value="web"]'),
      "channel = 'web'", 'channel=web');
    assert.equal(await page.getAttribute('[data-ds-input="channel"] button[data-value="web"]', 'aria-pressed'), 'true');
    await step('checkbox', () => page.click('#ds-input-weekdays'), 'NOT TRUE OR dayofweek', 'weekdays=true');
    await step('toggle', () => page.click('#ds-input-big'), 'NOT TRUE OR amount >= 50', 'big=true');
    // 25 regions: the dropdown is a search box; type to filter, Enter picks.
    assert.equal(await page.getAttribute('#ds-input-region', 'role'), 'combobox');
    await step('search', async () => {
      await page.click('#ds-input-region');
      await page.keyboard.type('r07');
      assert.deepEqual(await page.$$eval('.ds-combo-option', (li) => li.map((x) => x.textContent)), ['r07']);
      await page.keyboard.press('Enter');
    }, "region = 'r07'", 'region=r07');
    assert.equal(await page.inputValue('#ds-input-region'), 'r07', 'the box shows the choice');
    const before = await shown(page);
    assert.ok(Object.values(before.sources).includes('live'), 'live results after a change');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kpi-inputs-wide.png'), fullPage: true });

    await page.reload();
    await waitIdle(page);
    const after = await shown(page);
    assert.equal(after.search, before.search);
    assert.equal(after.sql, before.sql);
    assert.equal(after.revenue.value, before.revenue.value);
    assert.equal(await page.inputValue('[data-ds-input="period"] input[aria-label="Period: from"]'), '2024-02-01');
    assert.equal(await page.inputValue('#ds-input-skip_day'), '2024-05-03');
    assert.equal(await page.inputValue('#ds-input-min_amount'), '30');
    assert.equal(await page.isChecked('#ds-input-weekdays'), true);
    assert.equal(await page.isChecked('#ds-input-big'), true);
    assert.equal(await page.inputValue('#ds-input-region'), 'r07');
    assert.match(after.revenue.value, /^\$\d/);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('screenshots, wide and narrow', T, async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const [name, width, scheme] of [['wide', 1360, 'dark'], ['narrow', 420, 'dark'], ['wide-light', 1360, 'light'], ['narrow-light', 420, 'light']]) {
      const { page } = await openIdle(site.browser, `${site.server.url}/index.html`);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(ARTIFACTS, `kpi-${name}.png`), fullPage: true });
      // Nothing sticks out of the page sideways.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name}: horizontal overflow`);
      await page.close();
    }
  });
});
