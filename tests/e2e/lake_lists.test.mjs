// A one-partition dashboard over a lake of 1,000,000 Parquet keys: the
// browser requests the files of that partition and no other (docs/building.md,
// "Large lakes"; docs/runtime.md, "The query pipeline").
//
// The lake is cheap to make: an executable plugin maps 1,000,000 keys
//   data/lake/year=2000..2009/day=0..999/part-00..99.parquet
// onto 40,000 physical files phys/year=Y/day=D/fK.parquet (hard links to
// four small files, K = part mod 4), so the hive folders are in both the
// keys and the physical paths.  The build runs with --no-prerender, so every
// query runs in the browser, and the server logs every request.
//
// Checked:
//   - the published SQL names the view's list by a placeholder, not 1,000,000
//     paths, and carries the query's partition predicates;
//   - a page filtered on year and day (literals) requests the list once and
//     exactly the 100 keys of that partition, each with one whole GET;
//   - a page whose day comes from an input does the same for the input's
//     value, and again for a new value after the input changes;
//   - a templated view (lake_2007, 100,000 keys) publishes its list the same
//     way, and a page on it filtered on day reads that day's 100 keys only;
//   - the results are the build-time engine's over the same files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, linkedLake, missingPrerequisite, offsiteRequests, openPage, screenshot,
  shownNumber, startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

const YEARS = 10; // 2000..2009
const DAYS = 1000;
const PARTS = 100;
const AMOUNT = (k) => 10 * (k + 1); // the one row of physical file fK

// The plugin: 1,000,000 keys, printed in large writes.
const PLUGIN = `#!/usr/bin/env python3
import sys
sys.stdin.read()
out = sys.stdout
out.write('{"files": [')
sep = ''
for y in range(2000, ${2000 + YEARS}):
    for d in range(${DAYS}):
        chunk = []
        for k in range(${PARTS}):
            chunk.append(sep + '{"http_path":"year=%d/day=%d/part-%02d.parquet","physical_path":"phys/year=%d/day=%d/f%d.parquet"}' % (y, d, k, y, d, k % 4))
            sep = ','
        out.write(''.join(chunk))
out.write(']}\\n')
`;

const page = (title, sql, extra = '') => [
  '# ' + title, '', extra, '```sql q', sql, '```', '', '```table q', 'query: q', '```', '',
].join('\n');

const PAGES = {
  one: page('One partition', 'SELECT count(*) AS n, sum(amount) AS total FROM lake WHERE year = 2003 AND day = 17'),
  tpl: page('One day of a templated view', 'SELECT count(*) AS n, sum(amount) AS total FROM lake_2007 WHERE day = 42'),
  input: page('Day from an input',
    'SELECT count(*) AS n, sum(amount) AS total FROM lake WHERE year = 2005 AND day = ${inputs.day}',
    '```input day\nvisual_mode: dropdown\noptions: 17,18\ndefault: 17\nall_option: false\n```\n'),
};

/** The keys of one partition. */
const partition = (y, d) => Array.from({ length: PARTS }, (_, k) => `data/lake/year=${y}/day=${d}/part-${String(k).padStart(2, '0')}.parquet`);

describe('a one-partition dashboard over 1,000,000 keys', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let setupMs;

  before(async () => {
    const t0 = Date.now();
    root = tempDir('ducksite-e2e-lake-lists-');
    for (const d of ['content', 'plugins']) fs.mkdirSync(path.join(root, d));
    linkedLake(root, { first: 2000, years: YEARS, days: DAYS, columns: (k) => `${k}::INTEGER AS id, ${AMOUNT(k)}::INTEGER AS amount` });
    fs.writeFileSync(path.join(root, 'plugins', 'lake'), PLUGIN, { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "lake"\nplugin = "plugins/lake"\ntemplate_name = "lake_[year]"\n');
    for (const [name, text] of Object.entries(PAGES)) fs.writeFileSync(path.join(root, 'content', `${name}.md`), text);
    execFileSync(DUCKSITE, ['build', '--root', root, '--no-prerender'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 110000 });
    server = await startServer(root, { args: ['--no-build', '--no-watch', '--access-log'], ready: '/one.html' });
    browser = await launchBrowser();
    setupMs = Date.now() - t0;
    console.log(`set-up (1,000,000 keys, build, server): ${(setupMs / 1000).toFixed(1)} s`);
  }, { timeout: 180000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The build-time engine's count and sum over the physical files of a partition's keys. */
  function reference(y, d) {
    const files = Array.from({ length: PARTS }, (_, k) => `'phys/year=${y}/day=${d}/f${k % 4}.parquet'`);
    const [n, total] = dsSql(root, `SELECT count(*), sum(amount) FROM read_parquet([${files.join(', ')}])`)[0].map(Number);
    assert.deepEqual([n, total], [PARTS, (PARTS / 4) * [0, 1, 2, 3].reduce((s, k) => s + AMOUNT(k), 0)], 'the reference');
    return [n, total];
  }

  /** Opens NAME.html; returns the page record, the time to idle and a function giving the requests since a mark. */
  async function open(name) {
    const rec = await openPage(browser);
    const started = Date.now();
    await rec.page.goto(`${server.url}/${name}.html`);
    await waitIdle(rec.page, 100000);
    const ms = Date.now() - started;
    return { rec, ms };
  }

  const key = (u) => decodeURIComponent(new URL(u, server.url).pathname).slice(1);
  const parquet = (rec, from = 0) => rec.responses.slice(from).filter((r) => /^\/data\/.*\.parquet$/.test(new URL(r.url).pathname))
    .map((r) => ({ method: r.method, key: key(r.url), range: r.requestHeaders.range ?? null, status: r.status }));
  const lists = (rec, from = 0) => rec.responses.slice(from).filter((r) => new URL(r.url).pathname.startsWith('/sql/_files/'));

  async function check(rec, name, want) {
    const shown = await tableCells(rec.page, 'q');
    const state = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.state));
    assert.deepEqual(state, ['ok'], `${name}: component state`);
    assert.equal(shownNumber(shown.rows[0][0]), want[0], `${name}: count`);
    assert.equal(shownNumber(shown.rows[0][1]), want[1], `${name}: total`);
  }

  test('the published SQL names the list once and carries the partition predicates', () => {
    const view = fs.readFileSync(path.join(root, 'static', 'sql', '_global', 'lake.sql'), 'utf8');
    assert.match(view, /read_parquet\('ducksite:files\/lake\/0', hive_types = \{'year': 'BIGINT', 'day': 'BIGINT'\}\)/);
    const q = fs.readFileSync(path.join(root, 'static', 'sql', 'pages', 'one', 'q.sql'), 'utf8');
    assert.ok(q.length < 1000, `page query SQL is ${q.length} bytes`);
    assert.match(q, /^-- PRUNE: \{"lake":\[\{"col":"year","op":"=","values":\["2003"\]\},\{"col":"day","op":"=","values":\["17"\]\}\]\}$/m);
    const doc = JSON.parse(fs.readFileSync(path.join(root, 'static', 'sql', '_files', 'lake.json'), 'utf8'));
    assert.deepEqual(doc.hive, { year: 'BIGINT', day: 'BIGINT' });
    assert.equal(doc.lists.length, 1);
    assert.equal(doc.lists[0].reduce((n, run) => n + run[1].length, 0), YEARS * DAYS * PARTS);
    assert.ok(fs.statSync(path.join(root, 'static', 'sql', '_files', 'lake.json.gz')).size < 1024 * 1024);
  });

  test('year = 2003 AND day = 17: the list once, then the 100 files of that partition only', T, async () => {
    const { rec, ms } = await open('one');
    const reqs = parquet(rec);
    console.log(`one partition: page idle after ${ms} ms; ${reqs.length} Parquet requests, ${lists(rec).length} list request`);
    await check(rec, 'one', reference(2003, 17));
    assert.equal(lists(rec).length, 1, 'the file list is fetched once');
    assert.deepEqual([...new Set(reqs.map((r) => r.key))].sort(), partition(2003, 17).sort(), 'the files requested');
    assert.equal(reqs.length, PARTS, 'one request per file');
    assert.ok(reqs.every((r) => r.method === 'GET' && r.range === null && r.status === 200), 'each read whole');
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(offsiteRequests(browser, rec), []);
    await rec.page.close();
  });

  test('a templated view: its list once, then the 100 files of the day asked for', T, async () => {
    const view = fs.readFileSync(path.join(root, 'static', 'sql', '_global', 'lake_2007.sql'), 'utf8');
    assert.ok(view.length < 1000, `templated view SQL is ${view.length} bytes`);
    assert.match(view, /read_parquet\('ducksite:files\/lake_2007\/0', hive_types = \{'year': 'BIGINT', 'day': 'BIGINT'\}\)/);
    const q = fs.readFileSync(path.join(root, 'static', 'sql', 'pages', 'tpl', 'q.sql'), 'utf8');
    assert.match(q, /^-- PRUNE: \{"lake_2007":\[\{"col":"day","op":"=","values":\["42"\]\}\]\}$/m);
    const { rec, ms } = await open('tpl');
    const reqs = parquet(rec);
    console.log(`templated view, one day: page idle after ${ms} ms; ${reqs.length} Parquet requests`);
    await check(rec, 'tpl', reference(2007, 42));
    assert.deepEqual(lists(rec).map((r) => new URL(r.url).pathname), ['/sql/_files/lake_2007.json']);
    assert.deepEqual([...new Set(reqs.map((r) => r.key))].sort(), partition(2007, 42).sort(), 'the files requested');
    assert.equal(reqs.length, PARTS, 'one request per file');
    assert.deepEqual(rec.errors, []);
    await rec.page.close();
  });

  test('day from an input: the files of the chosen day, again after a change', T, async () => {
    const { rec, ms } = await open('input');
    let reqs = parquet(rec);
    console.log(`input (day 17): page idle after ${ms} ms; ${reqs.length} Parquet requests`);
    await check(rec, 'input 17', reference(2005, 17));
    assert.deepEqual([...new Set(reqs.map((r) => r.key))].sort(), partition(2005, 17).sort());
    const mark = rec.responses.length;
    const t = Date.now();
    await rec.page.evaluate(() => window.ducksite.setInput('day', '18'));
    await waitIdle(rec.page, 100000);
    reqs = parquet(rec, mark);
    console.log(`input (day 18): idle after ${Date.now() - t} ms; ${reqs.length} Parquet requests`);
    await check(rec, 'input 18', reference(2005, 18));
    await screenshot(rec.page, 'lake-lists-input-18');
    assert.deepEqual([...new Set(reqs.map((r) => r.key))].sort(), partition(2005, 18).sort());
    assert.equal(lists(rec, mark).length, 0, 'the list is not fetched again');
    assert.deepEqual(rec.errors, []);
    await rec.page.close();
  });
});

// The same with stored results: a view of 120 files (more than 100, so its
// list is published apart), built with stored results.  The page's stored
// result is found by the hash of the published text (placeholder included)
// and needs neither the list nor any data file; ?ds_live=1 runs the query
// in the browser, which then reads the list and one year's files.
describe('stored results over a published file list', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  const years = [2000, 2001, 2002, 2003];

  before(async () => {
    root = tempDir('ducksite-e2e-lake-lists-stored-');
    fs.mkdirSync(path.join(root, 'content'));
    for (const y of years) fs.mkdirSync(path.join(root, 'lake', `year=${y}`), { recursive: true });
    dsSql(root, years.flatMap((y) => Array.from({ length: 30 }, (_, k) => `COPY (SELECT ${k}::INTEGER AS id, ${k * 10 + y}::INTEGER AS amount) TO 'lake/year=${y}/part-${String(k).padStart(4, '0')}.parquet' (FORMAT parquet);`)).join('\n'));
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "lake"\nupstream_glob = "lake/**/*.parquet"\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), page('Stored', 'SELECT count(*) AS n, sum(amount) AS total FROM lake WHERE year IN (2001, 2002)'));
    execFileSync(DUCKSITE, ['build', '--root', root], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    server = await startServer(root, { args: ['--no-build', '--no-watch'] });
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const live of [false, true]) {
    test(live ? 'run live: the list once, then the files of 2001 and 2002' : 'the stored result: no list, no data file', T, async () => {
      const rec = await openPage(browser);
      await rec.page.goto(`${server.url}/index.html${live ? '?ds_live=1' : ''}`);
      await waitIdle(rec.page);
      const want = dsSql(root, "SELECT count(*), sum(amount) FROM read_parquet('lake/**/*.parquet', hive_partitioning = true) WHERE year IN (2001, 2002)")[0].map(Number);
      assert.deepEqual(want, [60, 2 * 4350 + 30 * (2001 + 2002)]);
      const shown = await tableCells(rec.page, 'q');
      assert.equal(shownNumber(shown.rows[0][0]), want[0]);
      assert.equal(shownNumber(shown.rows[0][1]), want[1]);
      const stats = await rec.page.evaluate(() => ({ stored: window.ducksite.stats.stored, live: window.ducksite.stats.live }));
      assert.deepEqual(stats, live ? { stored: 0, live: 1 } : { stored: 1, live: 0 });
      assert.equal(await rec.page.evaluate(() => window.ducksite.engineStarted()), live, 'engine started');
      const paths = rec.responses.map((r) => decodeURIComponent(new URL(r.url).pathname));
      const data = paths.filter((p) => p.startsWith('/data/'));
      assert.equal(paths.filter((p) => p.startsWith('/sql/_files/')).length, live ? 1 : 0);
      if (live) {
        assert.deepEqual([...new Set(data)].sort(), [2001, 2002].flatMap((y) => Array.from({ length: 30 }, (_, k) => `/data/lake/year=${y}/part-${String(k).padStart(4, '0')}.parquet`)).sort());
      } else {
        assert.deepEqual(data, []);
      }
      assert.deepEqual(rec.errors, []);
      await rec.page.close();
    });
  }
});
