// tests/e2e/input_clicks.test.mjs - dates set by a click, and the searchable
// dropdown with multiple choices, in Chromium, against the build-time engine.
//   clicks       a TIMESTAMP cell clicked into a `date` input sets its day
//                (DATE literal in the SQL), into a `date_range` that one day.
//   multiple     a long `multiple: true` dropdown is a search box with chips:
//                Enter toggles, Backspace removes the last, the URL and the
//                SQL list follow (as the plain multiple dropdown), a reload
//                keeps them.
//   screenshots  1280 and 390 px, light and dark, in build/e2e-artifacts/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  ARTIFACTS, DUCKSITE, dsSql, importRuntime, mappedSql, missingPrerequisite, openIdle, servedProject, tableCells,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const sqlText = await importRuntime('sql.js');
const inputs = await import('../../web/src/inputs.js');

const PAGE = `# Orders by time

\`\`\`input day
label: Day
visual_mode: date
\`\`\`

\`\`\`input period
label: Period
visual_mode: date_range
\`\`\`

\`\`\`input regions
label: Regions
visual_mode: dropdown
multiple: true
options_query: region_list
expression_template: region IN ?
\`\`\`

\`\`\`sql region_list
SELECT DISTINCT region FROM orders ORDER BY region
\`\`\`

\`\`\`sql moments
SELECT ts, count(*) AS orders FROM orders GROUP BY ts ORDER BY ts LIMIT 6
\`\`\`

\`\`\`table moments
title: Click a time for the day
click_input: day
click_value: ts
\`\`\`

\`\`\`table moments_range
title: Click a time for the period
query: moments
click_input: period
click_value: ts
\`\`\`

\`\`\`sql picked
SELECT count(*) AS orders, sum(amount) AS total FROM orders
WHERE (\${inputs.day} IS NULL OR CAST(ts AS DATE) = \${inputs.day})
  AND CAST(ts AS DATE) BETWEEN \${inputs.period_start} AND \${inputs.period_end}
  AND \${params.regions}
\`\`\`

\`\`\`table picked
\`\`\`
`;

function makeProject() {
  const root = tempDir('ducksite-e2e-clicks-');
  fs.mkdirSync(path.join(root, 'lake', 'orders'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/*.parquet"\n');
  // Orders every 7 hours (so a day has several times), 25 regions.
  dsSql(root, `COPY (SELECT TIMESTAMP '2024-01-01 05:30:00' + INTERVAL (i * 7) HOUR AS ts, (i * 37) % 100 AS amount,
    'r' || lpad(CAST(i % 25 AS VARCHAR), 2, '0') AS region
    FROM range(2000) t(i)) TO 'lake/orders/a.parquet' (FORMAT parquet)`);
  fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
  const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

/** The picked query's rows for the page's current inputs, by the build-time engine. */
async function expectedPicked(root, page) {
  const { config, values } = await page.evaluate(() => ({ config: window.ducksite.config, values: window.ducksite.getInputs() }));
  const specs = Object.entries(config.inputs).map(([n, s]) => sqlText.normalizeInput(n, s));
  const env = sqlText.buildEnv(specs, values, sqlText.localToday());
  return dsSql(root, mappedSql(root, '/sql/pages/index/picked.sql', env));
}

async function state(page) {
  return page.evaluate(() => ({
    values: window.ducksite.getInputs(),
    search: decodeURIComponent(location.search),
    sql: window.ducksite.components().find((c) => c.key === 'table:picked').sql,
    chips: [...document.querySelectorAll('[data-ds-input="regions"] .ds-chip')].map((c) => c.dataset.value),
  }));
}

/** The picked table shows the engine's count and total. */
async function agrees(root, page) {
  const want = await expectedPicked(root, page);
  const { rows } = await tableCells(page, 'picked');
  assert.equal(rows.length, 1);
  assert.equal(Number(rows[0][0].replace(/,/g, '')), Number(want[0][0]), 'orders');
  assert.equal(Number((rows[0][1] || '0').replace(/,/g, '')), Number(want[0][1] ?? 0), 'total');
  return Number(want[0][0]);
}

describe('date clicks and the searchable multiple dropdown', { skip: skip ?? false }, () => {
  const site = servedProject(makeProject);

  test('a clicked day: from a date, a timestamp, a time axis value; nothing else', () => {
    assert.equal(inputs.clickedDay('2024-03-05'), '2024-03-05');
    assert.equal(inputs.clickedDay('2024-03-05 23:59:59.5'), '2024-03-05');
    assert.equal(inputs.clickedDay('2024-03-05T01:02:03+02:00'), '2024-03-05');
    assert.equal(inputs.clickedDay(Date.UTC(2024, 2, 5, 12)), '2024-03-05');
    assert.equal(inputs.clickedDay(new Date(Date.UTC(2024, 2, 5))), '2024-03-05');
    assert.equal(inputs.clickedDay('2024-02-30 10:00:00'), null);
    assert.equal(inputs.clickedDay("2024-03-05' OR 1=1"), null);
    assert.equal(inputs.clickedDay('north'), null);
    const date = sqlText.normalizeInput('d', { visual_mode: 'date' });
    const range = sqlText.normalizeInput('p', { visual_mode: 'date_range' });
    assert.equal(inputs.clickedValue(date, null, '2024-03-05 10:00:00'), '2024-03-05');
    assert.equal(inputs.clickedValue(date, null, null), '');
    assert.equal(inputs.clickedValue(range, 'all', '2024-03-05 10:00:00'), '2024-03-05..2024-03-05');
    assert.equal(inputs.clickedValue(range, 'all', 'x'), 'all');
  });

  test('a timestamp clicked into a date input sets its day; into a date range, that day', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    const all = await agrees(site.root, page);
    const times = (await tableCells(page, 'moments')).rows.map((r) => r[0]);
    assert.match(times[3], /^2024-01-02 02:30/, `timestamps shown as such: ${times}`);
    // The 4th time: 2024-01-01 05:30 + 21 h = 2024-01-02 02:30.
    await page.click('[data-ds-table="moments"] tbody tr:nth-child(4) td:first-child');
    await waitIdle(page);
    let s = await state(page);
    assert.equal(s.values.day, '2024-01-02');
    assert.equal(await page.inputValue('#ds-input-day'), '2024-01-02');
    assert.ok(s.search.includes('day=2024-01-02'), s.search);
    assert.ok(s.sql.includes("CAST(ts AS DATE) = DATE '2024-01-02'"), s.sql);
    const oneDay = await agrees(site.root, page);
    assert.ok(oneDay > 0 && oneDay < all, `${oneDay} of ${all}`);

    // Into the date range: that day, both bounds.
    await page.click('[data-ds-table="moments_range"] tbody tr:nth-child(1) td:first-child');
    await waitIdle(page);
    s = await state(page);
    assert.equal(s.values.period, '2024-01-01..2024-01-01');
    assert.equal(await page.inputValue('[data-ds-input="period"] input[aria-label="Period: from"]'), '2024-01-01');
    assert.equal(await page.inputValue('[data-ds-input="period"] input[aria-label="Period: to"]'), '2024-01-01');
    assert.ok(s.sql.includes("BETWEEN DATE '2024-01-01' AND DATE '2024-01-01'"), s.sql);
    assert.equal(await agrees(site.root, page), 0, 'day 2 and period day 1 share no order');

    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a long multiple dropdown is a search box with chips; keys, URL, SQL list, reload', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    const box = '#ds-input-regions';
    assert.equal(await page.getAttribute(box, 'role'), 'combobox', '25 regions: searchable');
    assert.equal(await page.getAttribute(`${box}-list`, 'aria-multiselectable'), 'true');
    const options = async () => page.$$eval('[data-ds-input="regions"] .ds-combo-option', (li) => li.map((x) => ({
      text: x.textContent, selected: x.getAttribute('aria-selected'), active: x.classList.contains('ds-active'),
    })));
    const check = async (want) => {
      await waitIdle(page);
      const s = await state(page);
      assert.deepEqual(s.chips, want);
      assert.deepEqual(s.values.regions, want);
      // The URL and the SQL exactly as the plain multiple dropdown gives them.
      const spec = sqlText.normalizeInput('regions', { visual_mode: 'dropdown', multiple: 'true', expression_template: 'region IN ?' });
      const params = sqlText.buildEnv([spec], { regions: want }).params;
      assert.ok(s.sql.includes(params.regions), `${s.sql} lacks ${params.regions}`);
      assert.equal(s.search, want.length ? `?${want.map((v) => `regions=${v}`).join('&')}` : '');
      const n = await agrees(site.root, page);
      assert.ok(n > 0);
      return s;
    };
    await page.click(box);
    assert.equal((await options())[0].text, '✓All', 'nothing chosen: All checked');
    await page.keyboard.type('r07');
    assert.deepEqual((await options()).map((o) => o.text), ['r07']);
    await page.keyboard.press('Enter');
    await check(['r07']);
    assert.equal(await page.inputValue(box), '', 'the filter is cleared after a choice');
    assert.equal(await page.isVisible(`${box}-list`), true, 'the list stays open');
    // r1 -> r10..r19; ArrowDown then Enter toggles r11.
    await page.keyboard.type('r1');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await check(['r07', 'r11']);
    const opts = await options();
    assert.deepEqual(opts.filter((o) => o.selected === 'true').map((o) => o.text), ['✓r07', '✓r11']);
    assert.equal(opts.find((o) => o.active).text, '✓r11', 'the toggled entry stays active');
    // Enter again toggles it off; Backspace in the empty box removes the last chip.
    await page.keyboard.press('Enter');
    await check(['r07']);
    await page.keyboard.type('r2');
    await page.keyboard.press('Enter');
    await check(['r07', 'r20']);
    await page.keyboard.press('Backspace'); // the filter is empty: the last chip goes
    await check(['r07']);
    await page.keyboard.press('Backspace');
    await check([]);
    // A click on an option adds it, the chip's × removes it.
    await page.click('[data-ds-input="regions"] .ds-combo-option[data-value="r03"]');
    await page.click('[data-ds-input="regions"] .ds-combo-option[data-value="r24"]');
    await check(['r03', 'r24']);
    await page.click('[data-ds-input="regions"] .ds-chip[data-value="r03"] .ds-chip-x');
    await check(['r24']);
    await page.keyboard.type('r05');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    const before = await check(['r24', 'r05']);
    assert.equal(await page.isVisible(`${box}-list`), false);
    await page.reload();
    await waitIdle(page);
    const after = await state(page);
    assert.deepEqual(after.chips, ['r24', 'r05']);
    assert.equal(after.sql, before.sql);
    await agrees(site.root, page);
    // The "All" entry clears the choice.
    await page.click(box);
    await page.click('[data-ds-input="regions"] .ds-combo-option[data-value=""]');
    await check([]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('inputs side by side: their labels line up (a date field is no taller than a select)', T, async () => {
    const { page } = await openIdle(site.browser, `${site.server.url}/index.html`);
    await page.setViewportSize({ width: 1280, height: 800 });
    const boxes = await page.$$eval('.ds-input-bar .ds-input', (els) => els.map((e) => ({
      name: e.querySelector('.ds-input-label')?.textContent,
      label: e.querySelector('.ds-input-label').getBoundingClientRect().top,
      bottom: e.getBoundingClientRect().bottom,
    })));
    // Inputs in one row end at the same height (the bar aligns their bottoms).
    const rows = new Map();
    for (const b of boxes) {
      const key = Math.round(b.bottom);
      rows.set(key, [...(rows.get(key) || []), b]);
    }
    const row = [...rows.values()].sort((a, b) => b.length - a.length)[0];
    assert.ok(row.length >= 3 && row.some((b) => b.name === 'Day') && row.some((b) => b.name === 'Period'),
      `date, date range and dropdown share a row: ${JSON.stringify(boxes)}`);
    for (const b of row) assert.ok(Math.abs(b.label - row[0].label) < 0.5, `labels line up: ${JSON.stringify(row)}`);
    await page.close();
  });

  test('screenshots: 1280 and 390 px, light and dark, the list open', T, async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    for (const [width, scheme] of [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark']]) {
      const { page } = await openIdle(site.browser, `${site.server.url}/index.html?regions=r01&regions=r02&regions=r13&day=2024-01-02`);
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize({ width, height: 800 });
      await page.click('#ds-input-regions');
      await page.keyboard.type('r1');
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(ARTIFACTS, `input-combo-multi-${width}-${scheme}.png`), fullPage: true });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${width}: horizontal overflow`);
      await page.close();
    }
  });
});
