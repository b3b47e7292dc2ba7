// Live queries over a lake too big for the browser engine (docs/server.md
// "Live queries"): a page with `prerender: false` whose queries read every
// one of 1,200 files (more than the 1,000 the runtime lets DuckDB-Wasm
// fetch, and more than the 100 that move a view's file list out of its SQL,
// sql/filelist.h) is answered by `ducksite serve` with live_queries on.
//
// Checked:
//   - every component (an options query, a table) comes from the server,
//     right, and the engine is never started;
//   - over one year (400 files, pruned by the browser), the server's rows
//     are the engine's (?ds_live=1), byte for byte in the table's CSV, with
//     a multiple dropdown and a text input holding %, ' and ü;
//   - when the server refuses (504, past live_timeout_ms), the engine
//     cannot run the query either: each component says the server's reason
//     first, then the browser's, and the input's message is one box (not
//     an inline box broken across lines).
// Screenshots: build/e2e-artifacts/live-lake-server.png, live-lake-refused.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  engineRequests, launchBrowser, linkedLake, missingPrerequisite, openIdle, screenshot, servedProject, tableCells,
  tempDir,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const ENDPOINT = '/api/live/query';
const YEARS = 3;
const DAYS = 100; // 3 * 100 folders of 4 files: 1,200 files

const PAGE = `---
prerender: false
---
# Lake

\`\`\`sql ids
SELECT DISTINCT id FROM lake ORDER BY 1
\`\`\`

\`\`\`input id
label: A long label for the identifier of each part of the lake
visual_mode: dropdown
options_query: ids
\`\`\`

\`\`\`sql total
SELECT count(*) AS n, count(DISTINCT year) AS years FROM lake
WHERE (\${inputs.id} IS NULL OR id = \${inputs.id})
\`\`\`

\`\`\`table total
\`\`\`
`;

const YEAR_PAGE = `---
prerender: false
---
# One year

\`\`\`input y
label: Year
visual_mode: dropdown
options: 2000, 2001, 2002
default: "2001"
\`\`\`

\`\`\`input ids
label: Parts
visual_mode: dropdown
multiple: true
options: 0, 1, 2, 3
expression_template: id IN ?
\`\`\`

\`\`\`input q
label: Label contains
visual_mode: text
\`\`\`

\`\`\`sql per_day
SELECT day, count(*) AS n, sum(id) AS s, min(year) AS y FROM lake
WHERE year = \${inputs.y} AND day < 20 AND \${params.ids}
  AND (\${inputs.q} IS NULL OR ('50% Zürich''s ' || id) LIKE '%' || \${inputs.q} || '%')
GROUP BY 1 ORDER BY 1
\`\`\`

\`\`\`table per_day
\`\`\`
`;

const components = (page) => page.evaluate(() => Object.fromEntries(window.ducksite.components()
  .map((c) => [c.key, { state: c.state, source: c.source, error: window.ducksite.stats.errors[c.key] ?? '' }])));

describe('live queries over a lake of 1,200 files', { skip: skip ?? false }, () => {
  const site = servedProject(() => {
    const root = tempDir('ducksite-e2e-live-lake-');
    fs.mkdirSync(path.join(root, 'content'));
    linkedLake(root, { first: 2000, years: YEARS, days: DAYS, columns: (k) => `${k}::INTEGER AS id` });
    fs.writeFileSync(path.join(root, 'ducksite.toml'),
      '[[file_sources]]\nname = "lake"\nupstream_glob = "phys/**/*.parquet"\n\n[serve]\nlive_queries = true\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
    fs.writeFileSync(path.join(root, 'content', 'year.md'), YEAR_PAGE);
    return root;
  }, { serveArgs: ['--no-watch'] });

  test('the server answers what the browser could not read', T, async () => {
    const rec = await openIdle(site.browser, `${site.server.url}/index.html?id=2`);
    const got = await components(rec.page);
    for (const [key, c] of Object.entries(got)) {
      assert.equal(c.state, 'ok', `${key}: ${c.error}`);
      assert.equal(c.source, 'server', `${key}: from the server`);
    }
    assert.deepEqual((await tableCells(rec.page, 'total')).rows, [['300', '3']]);
    assert.equal(await rec.page.evaluate(() => window.ducksite.engineStarted()), false, 'engine started');
    assert.deepEqual(engineRequests(rec), [], 'engine or data requested');
    await screenshot(rec.page, 'live-lake-server');
    await rec.page.close();
  });

  test('over the partitions the browser can read, the server\'s rows are the engine\'s', T, async () => {
    for (const state of ['?y=2002', `?y=2001&ids=1&ids=3&q=${encodeURIComponent("% Zürich's 1")}`, `?y=2000&q=${encodeURIComponent("'; --")}`]) {
      await sameRows(state);
    }
  });

  async function sameRows(state) {
    const rec = await openIdle(site.browser, `${site.server.url}/year.html${state}`);
    const fromServer = await rec.page.evaluate(() => ({
      source: window.ducksite.components().find((c) => c.key === 'table:per_day').source,
      csv: window.ducksite.tableCsv('per_day'),
    }));
    await rec.page.close();
    const recE = await openIdle(site.browser, `${site.server.url}/year.html${state}&ds_live=1`);
    const fromEngine = await recE.page.evaluate(() => ({
      source: window.ducksite.components().find((c) => c.key === 'table:per_day').source,
      csv: window.ducksite.tableCsv('per_day'),
    }));
    await recE.page.close();
    assert.equal(fromServer.source, 'server', state);
    assert.equal(fromEngine.source, 'live', state);
    const first = { '?y=2002': /^day,n,s,y\r?\n0,4,6,2002\r?\n/, '?y=2000': /^day,n,s,y\r?\n$/ }[state.split('&')[0]]
      ?? /^day,n,s,y\r?\n0,1,1,2001\r?\n/;
    assert.match(fromServer.csv, first, state);
    assert.equal(fromServer.csv, fromEngine.csv, state);
  }

  test('a refusal the engine cannot take over says the server\'s reason', T, async () => {
    const context = await launchBrowser();
    try {
      await context.route(`**${ENDPOINT}`, (route) => route.fulfill({
        status: 504,
        headers: { 'Content-Type': 'application/json' },
        body: '{"ok":false,"error":"the query ran longer than 10000 ms (live_timeout_ms)","limit":"time"}',
      }));
      const rec = await openIdle(context, `${site.server.url}/index.html?id=3`);
      const got = await components(rec.page);
      for (const [key, c] of Object.entries(got)) {
        assert.equal(c.state, 'error', `${key}: state`);
        assert.match(c.error, /the server refused it: the query ran longer than 10000 ms \(live_timeout_ms\); the browser cannot run it either: this query would read 1,200 files/, key);
      }
      // The input's message is one box, however long.
      const boxes = await rec.page.evaluate(() => [...document.querySelectorAll('.ds-input .ds-error')]
        .map((e) => e.getClientRects().length));
      assert.deepEqual(boxes, [1], 'the input\'s message is one box');
      // ... under the control, as wide as it: the input does not stretch across the row.
      const widths = await rec.page.evaluate(() => {
        const input = document.querySelector('.ds-input.ds-has-error') ?? document.querySelector('.ds-input');
        const control = input.querySelector('select, input, button, .ds-multi, .ds-search');
        return { input: input.getBoundingClientRect().width, control: control.getBoundingClientRect().width,
          bar: input.parentElement.getBoundingClientRect().width };
      });
      assert.ok(widths.input <= Math.max(widths.control, 180) + 1 && widths.input < widths.bar / 2,
        `the input keeps its control's width: ${JSON.stringify(widths)}`);
      await screenshot(rec.page, 'live-lake-refused');
      await rec.page.close();
    } finally {
      await context.close();
    }
  });
});
