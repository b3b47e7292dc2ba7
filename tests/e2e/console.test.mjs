// The SQL console (docs/console.md) on the project `ducksite demo` creates,
// built and served by `ducksite serve`, in Chromium: the editor's bundle is
// fetched only when the console opens; the views of sql/_manifest.json are
// listed; Ctrl+Enter runs a query whose rows equal the build-time engine's;
// DuckDB's message for bad SQL; history kept across a reload; a chart's
// "SQL" button pre-fills its query with the inputs put in; a long query is
// cancelled; focus goes into the editor and comes back.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  ARTIFACTS, chartData, demoProject, dsSql, mappedSql, missingPrerequisite, offsiteRequests, openIdle,
  servedProject, shownNumber, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 240000 };
const CONSOLE_CHUNK = /\/assets\/console-[0-9a-f]{16}\.js$/;

/** The viewport (the dialog is modal: what is under it does not matter) to build/e2e-artifacts/NAME.png. */
async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

describe('SQL console', { skip: skip ?? false }, () => {
  const site = servedProject(() => demoProject('ducksite-e2e-console-'));
  const open = (route) => openIdle(site.browser, `${site.server.url}${route}`);

  /** ROUTE opened, and the console on it. */
  async function openWithConsole(route) {
    const rec = await open(route);
    await openConsole(rec.page);
    return rec;
  }

  const consoleRequests = (rec) => rec.requests.filter((r) => CONSOLE_CHUNK.test(new URL(r.url).pathname));
  // The editor's text: its lines, without the placeholder shown when empty.
  const editorText = (page) => page.evaluate(() => [...document.querySelectorAll('.ds-console .cm-line')].map((line) => {
    const copy = line.cloneNode(true);
    for (const p of copy.querySelectorAll('.cm-placeholder')) p.remove();
    return copy.textContent;
  }).join('\n').replace(/\n$/, ''));

  async function openConsole(page) {
    await page.keyboard.press('Control+Backquote');
    await page.waitForSelector('dialog.ds-console[open] .cm-content');
    await page.waitForSelector('.ds-console-view');
  }

  /** Replaces the editor's text (as typed) and runs it with Ctrl+Enter; resolves with the status line. */
  async function runQuery(page, sql) {
    await page.click('.ds-console .cm-content');
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(sql);
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => !document.querySelector('.ds-console').classList.contains('ds-console-busy')
      && /rows?|Failed|Done|Cancelled/.test(document.querySelector('.ds-console-status').textContent), null, { timeout: 120000 });
    return page.textContent('.ds-console-status');
  }

  async function resultCells(page) {
    return page.evaluate(() => {
      const el = document.querySelector('.ds-console-results');
      return {
        head: [...el.querySelectorAll('thead th')].map((th) => th.dataset.col),
        rows: [...el.querySelectorAll('tbody tr:not(.ds-empty-row)')].map((tr) => [...tr.cells].map((td) => td.textContent)),
      };
    });
  }

  test('a page loads no console code until the console opens; it lists the views', T, async () => {
    const rec = await open('/index.html');
    const { page } = rec;
    assert.equal(consoleRequests(rec).length, 0, 'the editor chunk was fetched before the console was opened');
    assert.equal(await page.locator('style#ds-console-style').count(), 0);
    assert.equal(await page.locator('nav.ducksite-nav .ds-console-open').count(), 1);
    assert.equal(await page.locator('[data-ds-chart] .ds-open-sql').count(), await page.locator('[data-ds-chart]').count());

    await page.click('nav .ds-console-open');
    await page.waitForSelector('dialog.ds-console[open] .ds-console-view');
    assert.equal(consoleRequests(rec).length, 1, 'the editor chunk is fetched once, when the console opens');
    // Focus goes into the editor.
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('cm-content')));

    // Every global view of the manifest, with its kind and dependencies, and
    // this page's queries by their ids.
    const manifest = JSON.parse(fs.readFileSync(path.join(site.root, 'static', 'sql', '_manifest.json'), 'utf8')).views;
    const config = await page.evaluate(() => window.ducksite.config);
    const shown = await page.$$eval('.ds-console-view', (els) => els.map((el) => ({
      name: el.dataset.view, kind: el.dataset.kind, deps: el.querySelector('.ds-console-deps')?.textContent ?? '',
    })));
    const want = Object.entries(manifest).filter(([, v]) => v.kind !== 'page_query').map(([name, v]) => ({ name, kind: v.kind, deps: v.deps }));
    for (const [id, q] of Object.entries(config.queries)) {
      const m = Object.values(manifest).find((v) => v.sql_path === q.sql_path);
      want.push({ name: id, kind: 'page_query', deps: m.deps });
    }
    assert.deepEqual(shown.map((v) => v.name).sort(), want.map((v) => v.name).sort());
    for (const w of want) {
      const s = shown.find((v) => v.name === w.name);
      assert.equal(s.kind, w.kind, w.name);
      assert.equal(s.deps, w.deps.length ? `reads ${w.deps.join(', ')}` : '', w.name);
    }
    assert.ok(shown.some((v) => v.kind === 'file_source') && shown.some((v) => v.kind === 'file_source_template')
      && shown.some((v) => v.kind === 'model') && shown.some((v) => v.kind === 'page_query'));

    // A view's name goes into the query at the cursor.
    await page.click('.ds-console-view[data-view="orders_daily"] .ds-console-view-name');
    assert.equal(await editorText(page), 'orders_daily');
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('cm-content')));

    // Esc closes it and the focus is back on the nav button.
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog.ds-console:not([open])', { state: 'attached' });
    assert.ok(await page.evaluate(() => document.activeElement?.classList.contains('ds-console-open')));
    // Ctrl+` opens it and, pressed again, closes it.
    await page.keyboard.press('Control+Backquote');
    await page.waitForSelector('dialog.ds-console[open]');
    await page.keyboard.press('Control+Backquote');
    await page.waitForSelector('dialog.ds-console:not([open])', { state: 'attached' });
    assert.equal(consoleRequests(rec).length, 1);
    assert.deepEqual(rec.errors, []);
    await page.close();
  });

  test('Ctrl+Enter runs a query over the views; rows equal the build-time engine\'s; errors are DuckDB\'s', T, async () => {
    const rec = await openWithConsole('/index.html');
    const { page } = rec;
    const sql = 'SELECT region, count(*) AS months, round(sum(revenue), 2) AS revenue FROM orders_monthly GROUP BY region ORDER BY region';
    const status = await runQuery(page, sql);
    assert.match(status, /^\d+ rows? in \d+ ms\.$/);
    const want = dsSql(site.root, `SELECT region, count(*), round(sum(revenue), 2) FROM (${mappedSql(site.root, 'sql/_global/orders_monthly.sql')}) GROUP BY region ORDER BY region`);
    const got = await resultCells(page);
    assert.deepEqual(got.head, ['region', 'months', 'revenue']);
    assert.equal(got.rows.length, want.length);
    assert.ok(want.length >= 2);
    got.rows.forEach((r, i) => {
      assert.equal(r[0], want[i][0]);
      assert.equal(shownNumber(r[1]), Number(want[i][1]));
      assert.ok(Math.abs(shownNumber(r[2]) - Number(want[i][2])) < 0.01, `${r[2]} vs ${want[i][2]}`);
    });
    // The page's own table component: sortable, with a CSV download.
    await page.click('.ds-console-results th[data-col="revenue"] .ds-sort');
    await page.click('.ds-console-results th[data-col="revenue"] .ds-sort');
    const sorted = (await resultCells(page)).rows.map((r) => shownNumber(r[2]));
    assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
    assert.equal(await page.locator('.ds-console-results .ds-download').count(), 1);
    await screenshot(page, 'console-wide-result');

    // Several statements: the last one's rows.
    assert.match(await runQuery(page, 'CREATE TEMP TABLE t AS SELECT 41 AS x; SELECT x + 1 AS answer FROM t'), /^1 row in/);
    assert.deepEqual((await resultCells(page)).rows, [['42']]);

    // Bad SQL: DuckDB's message, the page unharmed.
    assert.equal(await runQuery(page, 'SELECT no_such_column FROM orders_monthly'), 'Failed.');
    const message = await page.textContent('.ds-console-error .ds-error-message');
    assert.match(message, /Binder Error: Referenced column "no_such_column" not found/);
    assert.doesNotMatch(message, /http:\/\//); // URLs turned back into data paths
    await screenshot(page, 'console-wide-error');
    await page.setViewportSize({ width: 390, height: 820 });
    await screenshot(page, 'console-narrow-error');
    await runQuery(page, sql);
    await screenshot(page, 'console-narrow-result');
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(offsiteRequests(site.browser, rec), []);
    await page.close();
  });

  test('history is kept across a reload; up walks it', T, async () => {
    const rec = await openWithConsole('/charts.html');
    const { page } = rec;
    await runQuery(page, 'SELECT 1 AS first_query');
    await runQuery(page, 'SELECT 2 AS second_query');
    await page.reload();
    await waitIdle(page);
    await openConsole(page);
    // The last query is back in the box, the others in the list and under Up.
    assert.equal(await editorText(page), 'SELECT 2 AS second_query');
    const options = await page.$$eval('.ds-console-history option', (os) => os.map((o) => o.textContent));
    assert.ok(options.includes('SELECT 1 AS first_query') && options.includes('SELECT 2 AS second_query'), options.join(' | '));
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await page.keyboard.press('ArrowUp');
    assert.equal(await editorText(page), 'SELECT 2 AS second_query');
    await page.keyboard.press('ArrowUp');
    assert.equal(await editorText(page), 'SELECT 1 AS first_query');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await editorText(page), '');
    // The list puts a query back too.
    await page.selectOption('.ds-console-history', { label: 'SELECT 1 AS first_query' });
    assert.equal(await editorText(page), 'SELECT 1 AS first_query');
    // View names complete: the list offers the view and Enter takes it.
    await page.keyboard.press('Control+a');
    await page.keyboard.type('SELECT * FROM orders_mon');
    // The list fills after the popup opens: wait until the view is the
    // chosen option before accepting it.
    // On a loaded machine the list can be re-queried just after it
    // appears (then Enter would type a newline): wait until it has stayed.
    const chosen = '.cm-tooltip-autocomplete li[aria-selected="true"]:has-text("orders_monthly")';
    await page.waitForSelector(chosen);
    await page.waitForTimeout(300);
    await page.waitForSelector(chosen);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.ds-console .cm-content')?.textContent === 'SELECT * FROM orders_monthly',
      null, { timeout: 5000 }).catch(() => {});
    assert.equal(await editorText(page), 'SELECT * FROM orders_monthly');
    assert.deepEqual(rec.errors, []);
    await page.close();
  });

  test('a chart\'s SQL button opens its query with the inputs put in, which gives the chart\'s data', T, async () => {
    const rec = await open('/inputs.html?region=east&min_revenue=1000');
    const { page } = rec;
    assert.equal(consoleRequests(rec).length, 0);
    await page.hover('[data-ds-chart="filtered"]');
    await page.click('[data-ds-chart="filtered"] .ds-open-sql');
    await page.waitForFunction(() => /data behind/.test(document.querySelector('.ds-console .cm-content')?.innerText || ''));
    const text = await editorText(page);
    assert.match(text, /^-- The data behind chart filtered \(Revenue by month\): query filtered_months, with region = east; min_revenue = 1000\n/);
    assert.match(text, /WHERE region = 'east'/);
    assert.match(text, /TRY_CAST\('1000' AS DOUBLE\)/);
    assert.match(text, /FROM orders_monthly/); // the views by name, not inlined
    assert.doesNotMatch(text, /\$\{|read_parquet|http:/);
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(() => /rows? in/.test(document.querySelector('.ds-console-status').textContent), null, { timeout: 120000 });
    const got = await resultCells(page);
    const chart = await chartData(page, 'filtered');
    assert.deepEqual(got.rows.map((r) => r[0]), chart.x);
    got.rows.forEach((r, i) => assert.ok(Math.abs(shownNumber(r[1]) - chart.series[0].data[i]) < 0.01));

    // A table's button too, after the inputs changed; a value with a line
    // break stays inside the comment and the literal.
    await page.keyboard.press('Escape');
    await page.evaluate(() => {
      window.ducksite.setInput('region', 'west');
      window.ducksite.setInput('min_revenue', "1\nSELECT 'x'");
    });
    await waitIdle(page);
    await page.click('[data-ds-table="filtered_table"] .ds-open-sql');
    await page.waitForFunction(() => /table filtered_table/.test(document.querySelector('.ds-console .cm-content')?.innerText || ''));
    const lines = (await editorText(page)).split('\n');
    assert.match(lines[0], /^-- The data behind table filtered_table: query filtered_months, with region = west; min_revenue = 1 SELECT 'x'$/);
    assert.match(lines[1], /^SELECT strftime/);
    assert.match(lines.join('\n'), /WHERE region = 'west'/);
    assert.match(lines.join('\n'), /TRY_CAST\('1\nSELECT ''x''' AS DOUBLE\)/);
    assert.equal(consoleRequests(rec).length, 1);
    assert.deepEqual(rec.errors, []);
    await page.close();
  });

  test('a long query can be cancelled; the console and the page go on working', T, async () => {
    const rec = await openWithConsole('/index.html');
    const { page } = rec;
    // At most 10,000 rows are fetched, and the status line says there are more.
    assert.match(await runQuery(page, 'SELECT range AS i FROM range(25000)'), /^First 10,000 rows shown \(there are more; add a LIMIT or aggregate\) in \d+ ms\.$/);
    assert.equal(await page.textContent('.ds-console-results .ds-rowcount'), 'rows 1–50 of 10,000');
    assert.match(await runQuery(page, 'SELECT range AS i FROM range(10000)'), /^10,000 rows in/);
    await page.click('.ds-console .cm-content');
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('SELECT count(*) FROM range(50000000000) t(i) WHERE i % 7 = 3');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('.ds-console-cancel:not([disabled])');
    await page.waitForTimeout(1000);
    // The page still answers while the engine works.
    assert.equal(await page.evaluate(() => 1 + 1), 2);
    await page.click('.ds-console-cancel');
    await page.waitForFunction(() => document.querySelector('.ds-console-status').textContent === 'Cancelled.', null, { timeout: 10000 });
    // The engine stopped: the next query answers at once.
    const started = Date.now();
    assert.match(await runQuery(page, 'SELECT 42 AS answer'), /^1 row in/);
    assert.ok(Date.now() - started < 20000);
    assert.deepEqual((await resultCells(page)).rows, [['42']]);
    assert.deepEqual(rec.errors, []);
    await page.close();
  });
});
