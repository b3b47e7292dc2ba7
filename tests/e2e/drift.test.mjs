// Files of one source whose schemas differ, and hive partition columns, in
// Chromium (DuckDB-Wasm 1.28 = DuckDB 0.9.1) against the build-time engine
// (libduckdb 1.5, through ds-sql over the physical files).
//
// The project is made here:
//   lake/s/a.parquet  id INTEGER, x DOUBLE, price DECIMAL(5,2), label, region VARCHAR
//   lake/s/b.parquet  id BIGINT (beyond 2^32), x INTEGER, price DECIMAL(12,3),
//                     no label, region written from an ENUM
//   lake/s/c.parquet  a's schema with the columns in another order
//   lake/h/year=YYYY/month=MM/part.parquet  hive folders, month with a leading 0
// One page holds a table per drift kind; each query also returns typeof()
// of its columns, so types are compared as well as values.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, importRuntime, launchBrowser, mappedSql, missingPrerequisite, offsiteRequests,
  openPage, startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };

const SETUP = `
COPY (SELECT * FROM (VALUES (1::INTEGER, 1.5::DOUBLE, 1.25::DECIMAL(5,2), 'a', 'north'),
  (2::INTEGER, 2.25::DOUBLE, 10.5::DECIMAL(5,2), 'b', 'south')) t(id, x, price, label, region))
  TO 'lake/s/a.parquet' (FORMAT parquet);
COPY (SELECT * FROM (VALUES (5000000000::BIGINT, 2::INTEGER, 123456.789::DECIMAL(12,3), 'south'::ENUM('north', 'south')),
  (-7::BIGINT, -3::INTEGER, -0.001::DECIMAL(12,3), 'north'::ENUM('north', 'south'))) t(id, x, price, region))
  TO 'lake/s/b.parquet' (FORMAT parquet);
COPY (SELECT 'north' AS region, 'c' AS label, 3::INTEGER AS id, 0.5::DOUBLE AS x, 99.99::DECIMAL(5,2) AS price)
  TO 'lake/s/c.parquet' (FORMAT parquet);
COPY (SELECT 1 AS v) TO 'lake/h/year=2024/month=01/part.parquet' (FORMAT parquet);
COPY (SELECT 2 AS v) TO 'lake/h/year=2024/month=12/part.parquet' (FORMAT parquet);
COPY (SELECT 3::BIGINT AS v) TO 'lake/h/year=2025/month=02/part.parquet' (FORMAT parquet);
`;

// The page's queries, written over a FROM clause: the view on the page, the
// physical files (union_by_name, the build-time engine's own unification)
// for the reference.
const S_FILES = "read_parquet('lake/s/*.parquet', union_by_name = true)";
const H_FILES = "read_parquet('lake/h/**/*.parquet')";
const QUERIES = {
  // INTEGER and BIGINT
  ints: (s) => `SELECT CAST(id AS VARCHAR) AS id_text, typeof(id) AS t, CAST(sum(id) OVER () AS VARCHAR) AS total FROM ${s} ORDER BY id`,
  // INTEGER and DOUBLE
  doubles: (s) => `SELECT CAST(x AS VARCHAR) AS x_text, typeof(x) AS t, CAST(min(x) OVER () AS VARCHAR) AS lo, CAST(max(x) OVER () AS VARCHAR) AS hi FROM ${s} ORDER BY x`,
  // DECIMAL(5,2) and DECIMAL(12,3)
  decimals: (s) => `SELECT CAST(price AS VARCHAR) AS price_text, typeof(price) AS t, CAST(sum(price) OVER () AS VARCHAR) AS total FROM ${s} ORDER BY price`,
  // label is missing from b.parquet
  missing: (s) => `SELECT CAST(id AS VARCHAR) AS id_text, coalesce(label, '(null)') AS label_text, typeof(label) AS t FROM ${s} ORDER BY id`,
  // VARCHAR and ENUM
  enums: (s) => `SELECT region, typeof(region) AS t, count(*) AS n FROM ${s} GROUP BY ALL ORDER BY ALL`,
  // hive columns: month=01 stays the string '01', year is BIGINT
  hive: (h) => `SELECT year, month, typeof(year) AS t_year, typeof(month) AS t_month, sum(v) AS v FROM ${h} GROUP BY ALL ORDER BY ALL`,
};

const PAGE = [
  '# Schema drift',
  '',
  ...Object.entries(QUERIES).flatMap(([id, q]) => [
    `\`\`\`sql ${id}`, q(id === 'hive' ? 'h' : 's'), '```', '',
    `\`\`\`table ${id}`, `query: ${id}`, '```', '',
  ]),
].join('\n');

// SQL of the user's own that scans files of different schemas in one
// read_parquet: it runs in the browser (DuckDB 0.9.1 would fail on it with
// enable_object_cache on, which the runtime therefore leaves off), and the
// engine goes on answering the page's other queries.
const RAW_FILES = "read_parquet(['data/s/a.parquet', 'data/s/b.parquet'], union_by_name = true)";
const RAW_QUERY = (f) => `SELECT CAST(sum(id) AS VARCHAR) AS total, CAST(sum(price) AS VARCHAR) AS price, count(label) AS labels FROM ${f}`;
const RAW_PAGE = [
  '---', 'prerender: false', '---', '# One scan over drifting files', '',
  '```sql raw', RAW_QUERY(RAW_FILES), '```', '', '```table raw', 'query: raw', '```', '',
  '```sql after', 'SELECT count(*) AS n FROM s', '```', '', '```table after', 'query: after', '```', '',
].join('\n');

describe('schema drift and hive columns', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let buildLog;

  before(async () => {
    root = tempDir('ducksite-e2e-drift-');
    for (const d of ['lake/s', 'lake/h/year=2024/month=01', 'lake/h/year=2024/month=12', 'lake/h/year=2025/month=02', 'content']) {
      fs.mkdirSync(path.join(root, d), { recursive: true });
    }
    dsSql(root, SETUP);
    fs.writeFileSync(path.join(root, 'ducksite.toml'), [
      '[[file_sources]]', 'name = "s"', 'upstream_glob = "lake/s/*.parquet"', '',
      '[[file_sources]]', 'name = "h"', 'upstream_glob = "lake/h/**/*.parquet"', '',
    ].join('\n'));
    fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
    fs.writeFileSync(path.join(root, 'content', 'raw.md'), RAW_PAGE);
    buildLog = execFileSync(DUCKSITE, ['build', '--root', root], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    server = await startServer(root);
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the views list the unified columns and pin the hive types', () => {
    const sql = (name) => fs.readFileSync(path.join(root, 'static', 'sql', '_global', `${name}.sql`), 'utf8');
    assert.match(buildLog, /built /);
    // Two schemas (a and c share one), each read with the unified columns.
    assert.match(sql('s'), /CAST\("id" AS BIGINT\) AS "id", CAST\("x" AS DOUBLE\) AS "x", CAST\("price" AS DECIMAL\(12,3\)\) AS "price"/);
    assert.match(sql('s'), /CAST\(NULL AS VARCHAR\) AS "label".* FROM read_parquet\(\['data\/s\/b\.parquet'\]\)/);
    assert.match(sql('s'), /read_parquet\(\['data\/s\/a\.parquet', 'data\/s\/c\.parquet'\]\)/);
    assert.match(sql('h'), /hive_types = \{'year': 'BIGINT', 'month': 'VARCHAR'\}/);
  });

  test('each drift kind: the page shows what the build-time engine reads from the files', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/index.html`);
    await waitIdle(page);
    const states = Object.fromEntries((await page.evaluate(() => window.ducksite.components())).map((c) => [c.key, c.state]));
    assert.deepEqual(states, Object.fromEntries(Object.keys(QUERIES).map((id) => [`table:${id}`, 'ok'])));

    for (const [id, q] of Object.entries(QUERIES)) {
      const shown = await tableCells(page, id);
      // The build-time engine over the physical files, without our view...
      const files = dsSql(root, q(id === 'hive' ? H_FILES : S_FILES));
      // ...and our compiled query with its keys made physical.
      const compiled = dsSql(root, mappedSql(root, `/sql/pages/index/${id}.sql`));
      assert.deepEqual(compiled, files, `${id}: the view equals union_by_name over the files`);
      const asShown = files.map((r) => r.map((v) => (v === null ? '' : v)));
      assert.deepEqual(shown.rows, asShown, `${id}: browser rows`);
    }

    // Spot checks, so a wrong reference cannot hide a wrong page.
    const cells = async (id) => (await tableCells(page, id)).rows;
    assert.deepEqual((await cells('ints')).map((r) => r.slice(0, 2)), [['-7', 'BIGINT'], ['1', 'BIGINT'], ['2', 'BIGINT'], ['3', 'BIGINT'], ['5000000000', 'BIGINT']]);
    assert.deepEqual((await cells('doubles'))[0], ['-3.0', 'DOUBLE', '-3.0', '2.25']);
    assert.deepEqual((await cells('decimals')).at(-1), ['123456.789', 'DECIMAL(12,3)', '123568.528']);
    assert.deepEqual((await cells('missing')).map((r) => r[1]), ['(null)', 'a', 'b', 'c', '(null)']);
    assert.deepEqual((await cells('enums')).map((r) => r.slice(0, 2)), [['north', 'VARCHAR'], ['south', 'VARCHAR']]);
    // Hive columns: BIGINT year without thousands separators, month '01'.
    assert.deepEqual(await cells('hive'), [
      ['2024', '01', 'BIGINT', 'VARCHAR', '1'],
      ['2024', '12', 'BIGINT', 'VARCHAR', '2'],
      ['2025', '02', 'BIGINT', 'VARCHAR', '3'],
    ]);

    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(browser, rec), [], 'requests off loopback');
    await page.close();
  });

  test('one scan over drifting files in SQL of the user\'s own', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/raw.html`);
    await waitIdle(page);
    const states = Object.fromEntries((await page.evaluate(() => window.ducksite.components())).map((c) => [c.key, c.state]));
    assert.deepEqual(states, { 'table:raw': 'ok', 'table:after': 'ok' });
    const want = dsSql(root, RAW_QUERY("read_parquet(['lake/s/a.parquet', 'lake/s/b.parquet'], union_by_name = true)"));
    assert.deepEqual((await tableCells(page, 'raw')).rows, want);
    assert.deepEqual((await tableCells(page, 'after')).rows, [['5']]);
    assert.deepEqual(rec.errors, [], 'console errors');
    await page.close();
  });

  test('integer year columns are formatted without thousands separators', async () => {
    const { columnFormatter } = await importRuntime('format.js');
    assert.equal(columnFormatter('int', [2024n], 'year')(2024n), '2024');
    assert.equal(columnFormatter('int', [2024], 'order_year')(2024), '2024');
    assert.equal(columnFormatter('int', [2024], 'years')(2024), '2,024');
    assert.equal(columnFormatter('int', [2024])(2024), '2,024');
    assert.equal(columnFormatter('float', [2024.5], 'year')(2024.5), '2,024.5');
  });
});
