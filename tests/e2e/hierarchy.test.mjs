// A file source with a hierarchy (hierarchy_before, hierarchy,
// hierarchy_after) and a templated view over its levels, in Chromium
// (DuckDB-Wasm 1.28 = DuckDB 0.9.1) against the build-time engine
// (libduckdb 1.5, through ds-sql over the physical files): the browser runs
// the SQL the build accepted (one SELECT per level, UNION ALL) and shows
// the same rows.  A second page is prerendered: its stored result covers
// the hierarchical view like any other.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, mappedSql, missingPrerequisite, offsiteRequests, openPage,
  screenshot, startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };

const SETUP = `
COPY (SELECT * FROM (VALUES ('north', 10, DATE '2023-03-01'), ('west', 5, DATE '2023-04-01'), ('south', -1, DATE '2023-05-01')) t(region, amount, day)) TO 'lake/o/2023/a.parquet' (FORMAT parquet);
COPY (SELECT * FROM (VALUES ('north', 20, DATE '2024-02-01'), ('west', 7, DATE '2024-03-01')) t(region, amount, day)) TO 'lake/o/2024/b.parquet' (FORMAT parquet);
COPY (SELECT * FROM (VALUES ('north', 30, DATE '2024-07-01'), ('south', 40, DATE '2024-05-01')) t(region, amount, day)) TO 'lake/o/live/c.parquet' (FORMAT parquet);
`;

const TOML = `
[[file_sources]]
name = "o"
upstream_glob = "lake/o/**/*.parquet"
row_filter = "amount > 0"
template_name = "o_[region]"
template_values = ["east"]
hierarchy_before = [{ pattern = "data/o/live/*.parquet", row_filter = "day >= DATE '2024-06-01'" }]
hierarchy = [{ pattern = "data/o/2024/*.parquet" }, { pattern = "data/o/2023/*.parquet" }]
hierarchy_after = [{ pattern = "data/o/20*/*.parquet", row_filter = "region = 'west'" }]
`;

const QUERIES = {
  levels: 'SELECT region, CAST(amount AS VARCHAR) AS amount, CAST(day AS VARCHAR) AS day FROM o ORDER BY ALL',
  west: 'SELECT region, CAST(amount AS VARCHAR) AS amount, CAST(day AS VARCHAR) AS day FROM o_west ORDER BY ALL',
  east: 'SELECT count(*) AS n FROM o_east',
};
const blocks = Object.entries(QUERIES).flatMap(([id, q]) => [
  `\`\`\`sql ${id}`, q, '```', '', `\`\`\`table ${id}`, `query: ${id}`, '```', '',
]);
// No stored results: the browser's engine runs the views.
const PAGE = ['---', 'prerender: false', '---', '# Hierarchy', '', ...blocks].join('\n');
const STORED = ['# Hierarchy, stored', '', ...blocks].join('\n');

// The rows the build-time engine gives (before, 2024, 2023, after 'west'),
// written out so a wrong reference cannot hide a wrong page.
const LEVEL_ROWS = [
  ['north', '10', '2023-03-01'], ['north', '20', '2024-02-01'], ['north', '30', '2024-07-01'],
  ['west', '5', '2023-04-01'], ['west', '5', '2023-04-01'], ['west', '7', '2024-03-01'], ['west', '7', '2024-03-01'],
];

describe('hierarchies of file sources', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = tempDir('ducksite-e2e-hierarchy-');
    for (const d of ['lake/o/2023', 'lake/o/2024', 'lake/o/live', 'content']) fs.mkdirSync(path.join(root, d), { recursive: true });
    dsSql(root, SETUP);
    fs.writeFileSync(path.join(root, 'ducksite.toml'), TOML);
    fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
    fs.writeFileSync(path.join(root, 'content', 'stored.md'), STORED);
    execFileSync(DUCKSITE, ['build', '--root', root], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [name, file, stored] of [['the browser engine runs', 'index', false], ['stored results give', 'stored', true]]) {
    test(`${name} the levels' rows`, T, async () => {
      const rec = await openPage(browser);
      const { page } = rec;
      await page.goto(`${server.url}/${file}.html`);
      await waitIdle(page);
      const comps = await page.evaluate(() => window.ducksite.components());
      assert.deepEqual(Object.fromEntries(comps.map((c) => [c.key, c.state])), Object.fromEntries(Object.keys(QUERIES).map((id) => [`table:${id}`, 'ok'])));
      for (const id of Object.keys(QUERIES)) {
        const dir = file === 'index' ? 'pages/index' : 'pages/stored';
        const want = dsSql(root, mappedSql(root, `/sql/${dir}/${id}.sql`));
        assert.deepEqual((await tableCells(page, id)).rows, want, `${id}: browser rows equal the build-time engine's`);
      }
      assert.deepEqual((await tableCells(page, 'levels')).rows, LEVEL_ROWS);
      assert.deepEqual((await tableCells(page, 'west')).rows, LEVEL_ROWS.filter((r) => r[0] === 'west'));
      assert.deepEqual((await tableCells(page, 'east')).rows, [['0']]);
      const sources = await page.evaluate(() => window.ducksite.stats.sources);
      const want = stored ? 'stored' : 'live';
      assert.deepEqual(sources, Object.fromEntries(Object.keys(QUERIES).map((id) => [`table:${id}`, want])), 'where the rows came from');
      if (!stored) await screenshot(page, 'hierarchy');
      assert.deepEqual(rec.errors, [], 'console errors');
      assert.deepEqual(offsiteRequests(browser, rec), [], 'requests off loopback');
      await page.close();
    });
  }

  test('the stored page has stored results over the hierarchical views', () => {
    const index = JSON.parse(fs.readFileSync(path.join(root, 'static', '_results', '_index.json'), 'utf8')).results;
    const files = new Set(Object.values(index).flatMap((e) => e.files.map((f) => path.relative(root, f.path))));
    assert.deepEqual([...files].sort(), ['lake/o/2023/a.parquet', 'lake/o/2024/b.parquet', 'lake/o/live/c.parquet']);
  });
});
