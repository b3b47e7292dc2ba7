// A page query over more listed files than a browser can fetch: the
// component says so and what to do, instead of DuckDB-Wasm requesting every
// file (docs/building.md, "File lists published once"; docs/runtime.md,
// "The query pipeline").
//
// The lake is cheap to make: an executable plugin maps 20,000 keys
//   data/lake/year=2000..2019/day=0..9/part-00..99.parquet
// onto 800 physical files phys/year=Y/day=D/fK.parquet (hard links to four
// small files, K = part mod 4).  Built with --no-prerender, so every query
// runs in the browser.
//
// Checked:
//   - the build warns about the page that reads the whole lake, naming the
//     page, the line and the number of files, and about the page whose
//     predicates keep 2,000 files, with the number the runtime gives, and
//     not about the one partition;
//   - that page's component shows the error, and no data file is requested;
//   - a query whose predicates still leave 2,000 files (year IN (2003,
//     2004)) is refused the same way;
//   - a query over one partition (100 files) runs as before;
//   - a templated view per day (lake_day_4: 2,000 files, one day of every
//     year) is refused the same way, the advice naming the column that
//     tells its files apart (year), not its own (day).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, launchBrowser, linkedLake, missingPrerequisite, openPage, screenshot, shownNumber, startServer,
  tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

const YEARS = 20; // 2000..2019
const DAYS = 10;
const PARTS = 100;

const PLUGIN = `#!/usr/bin/env python3
import sys
sys.stdin.read()
keys = []
for y in range(2000, ${2000 + YEARS}):
    for d in range(${DAYS}):
        for k in range(${PARTS}):
            keys.append('{"http_path":"year=%d/day=%d/part-%02d.parquet","physical_path":"phys/year=%d/day=%d/f%d.parquet"}' % (y, d, k, y, d, k % 4))
sys.stdout.write('{"files": [' + ','.join(keys) + ']}\\n')
`;

const page = (title, sql) => ['# ' + title, '', '```sql q', sql, '```', '', '```table q', 'query: q', '```', ''].join('\n');

const PAGES = {
  all: page('Every file', 'SELECT count(*) AS n FROM lake'),
  two: page('Two years', 'SELECT count(*) AS n FROM lake WHERE year IN (2003, 2004)'),
  one: page('One partition', 'SELECT count(*) AS n FROM lake WHERE year = 2003 AND day = 4'),
  tday: page('One day of every year', 'SELECT count(*) AS n FROM lake_day_4'),
};

describe('a page query over more listed files than a browser can fetch', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let stderr;

  before(async () => {
    root = tempDir('ducksite-e2e-lake-limit-');
    for (const d of ['content', 'plugins']) fs.mkdirSync(path.join(root, d));
    linkedLake(root, { first: 2000, years: YEARS, days: DAYS, columns: (k) => `${k}::INTEGER AS id` });
    fs.writeFileSync(path.join(root, 'plugins', 'lake'), PLUGIN, { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "lake"\nplugin = "plugins/lake"\ntemplate_name = "lake_day_[day]"\n');
    for (const [name, text] of Object.entries(PAGES)) fs.writeFileSync(path.join(root, 'content', `${name}.md`), text);
    const built = spawnSync(DUCKSITE, ['build', '--root', root, '--no-prerender'], { cwd: root, encoding: 'utf8', timeout: 110000 });
    assert.equal(built.status, 0, built.stderr);
    stderr = built.stderr;
    server = await startServer(root, { args: ['--no-build', '--no-watch'], ready: '/one.html' });
    browser = await launchBrowser();
  }, { timeout: 180000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const parquet = (rec) => rec.responses.filter((r) => /^\/data\/.*\.parquet$/.test(new URL(r.url).pathname));

  test('the build warns about the pages that read more than 1,000 files, counted as the runtime prunes', () => {
    assert.match(stderr, /warning: content\/all\.md:7: table 'q': query 'q' has no stored result \(--no-prerender, or prerender: false on the page\) and reads all 20000 files of view 'lake'/);
    assert.match(stderr, /filter the query on a hive column of 'lake' \(year, day\)/);
    // The same 2,000 files the component below says it would read.
    assert.match(stderr, /warning: content\/two\.md:7: table 'q': query 'q' has no stored result \(--no-prerender, or prerender: false on the page\) and its WHERE year IN \(2003, 2004\) keeps 2000 of the 20000 files of view 'lake'/);
    assert.doesNotMatch(stderr, /content\/one\.md/, 'one partition keeps 100 files');
    const tday = stderr.split('\n').find((l) => l.includes('content/tday.md:7'));
    assert.match(tday, /reads all 2000 files of view 'lake_day_4'.*filter the query on a hive column of 'lake_day_4' \(year\), e\.g\. WHERE year = \.\.\./);
    assert.doesNotMatch(tday, /query a templated view/, 'it is one');
  });

  for (const [name, files, view, cols] of [['all', 20000, 'lake', 'year, day'], ['two', 2000, 'lake', 'year, day'], ['tday', 2000, 'lake_day_4', 'year']]) {
    test(`${name}: the component says it would read ${files} files, and nothing is requested`, T, async () => {
      const rec = await openPage(browser);
      const started = Date.now();
      await rec.page.goto(`${server.url}/${name}.html`);
      await waitIdle(rec.page, 60000);
      console.log(`${name}: page idle after ${Date.now() - started} ms`);
      const state = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.state));
      assert.deepEqual(state, ['error']);
      const text = await rec.page.$eval('[data-ds-table="q"]', (el) => el.innerText);
      assert.match(text, new RegExp(`this query would read ${files.toLocaleString('en-US')} files of ${view} in the browser, more than the 1,000 a page can fetch in a few seconds: filter it on a partition column of ${view} \\(${cols}\\), e\\.g\\. WHERE year = …, or let the build store its result`));
      assert.deepEqual(parquet(rec), [], 'no data file requested');
      await screenshot(rec.page, `lake-limit-${name}`);
      await rec.page.close();
    });
  }

  test('one partition: 100 files, read as before', T, async () => {
    const rec = await openPage(browser);
    await rec.page.goto(`${server.url}/one.html`);
    await waitIdle(rec.page, 100000);
    const shown = await tableCells(rec.page, 'q');
    assert.equal(shownNumber(shown.rows[0][0]), PARTS);
    assert.equal(new Set(parquet(rec).map((r) => r.url)).size, PARTS);
    assert.deepEqual(rec.errors, []);
    await rec.page.close();
  });
});
