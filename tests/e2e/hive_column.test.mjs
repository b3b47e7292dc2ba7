// Parquet files that hold a column named like one of their hive folders
// (docs/building.md, "Hive partition columns"): what the browser's engine
// (DuckDB-Wasm, DuckDB 0.9.1) shows against the build's stored results
// (libduckdb 1.5), for the same page.
//
//   lake:   lake/year=2024/a.parquet holds year = 1999, lake/year=2025/b.parquet
//           year = 2025.  Both engines give the folder's value: 2024, 2025.
//   orders: env=prod/orders/a.parquet holds env = 'test'; the glob's base
//           sits in env=prod, which the key data/orders/a.parquet lacks.  The
//           build writes hive_partitioning = false, so both engines give the
//           file's 'test' (before, the build gave 'prod', the browser 'test').
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, openPage, screenshot, startServer, tableCells,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 90000 };

const PAGE = ['# Hive columns', '',
  '```sql years', 'SELECT id, year FROM lake ORDER BY id', '```', '', '```table years', 'query: years', '```', '',
  '```sql envs', 'SELECT id, env FROM orders ORDER BY id', '```', '', '```table envs', 'query: envs', '```', ''].join('\n');

describe('a file column named like its hive folder', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let stderr;

  before(async () => {
    root = tempDir('ducksite-e2e-hive-column-');
    for (const d of ['content', 'lake/year=2024', 'lake/year=2025', 'env=prod/orders']) fs.mkdirSync(path.join(root, d), { recursive: true });
    dsSql(root, [
      "COPY (SELECT 1 AS id, 1999 AS year) TO 'lake/year=2024/a.parquet' (FORMAT parquet);",
      "COPY (SELECT 2 AS id, 2025 AS year) TO 'lake/year=2025/b.parquet' (FORMAT parquet);",
      "COPY (SELECT 1 AS id, 'test' AS env) TO 'env=prod/orders/a.parquet' (FORMAT parquet);",
    ].join('\n'));
    fs.writeFileSync(path.join(root, 'ducksite.toml'), [
      '[[file_sources]]', 'name = "lake"', 'upstream_glob = "lake/**/*.parquet"', '',
      '[[file_sources]]', 'name = "orders"', 'upstream_glob = "env=prod/orders/*.parquet"', ''].join('\n'));
    fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
    const built = spawnSync(DUCKSITE, ['build', '--root', root], { cwd: root, encoding: 'utf8', timeout: 60000 });
    assert.equal(built.status, 0, built.stderr);
    stderr = built.stderr;
    server = await startServer(root, { args: ['--no-build', '--no-watch'] });
    browser = await launchBrowser();
  }, { timeout: 90000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the build says what each engine reads', () => {
    assert.match(stderr, /file source 'lake': \S+\/lake\/year=2024\/a\.parquet holds a column 'year' and sits in a folder year=\.\.\.: both engines read the folder's value/);
    assert.match(stderr, /warning: file source 'orders': .* its views read no folder as a column \(hive_partitioning = false\), in both engines/);
  });

  for (const live of [false, true]) {
    test(live ? 'the browser engine (0.9.1): the same values' : 'stored results (1.5): the folder\'s year, the file\'s env', T, async () => {
      const rec = await openPage(browser);
      await rec.page.goto(`${server.url}/index.html${live ? '?ds_live=1' : ''}`);
      await waitIdle(rec.page);
      const stats = await rec.page.evaluate(() => ({ stored: window.ducksite.stats.stored, live: window.ducksite.stats.live }));
      assert.deepEqual(stats, live ? { stored: 0, live: 2 } : { stored: 2, live: 0 });
      assert.deepEqual((await tableCells(rec.page, 'years')).rows, [['1', '2024'], ['2', '2025']]);
      assert.deepEqual((await tableCells(rec.page, 'envs')).rows, [['1', 'test']]);
      assert.deepEqual(rec.errors, []);
      if (live) await screenshot(rec.page, 'hive-column-engine');
      await rec.page.close();
    });
  }
});
