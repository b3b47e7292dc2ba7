// Which Parquet files the browser's engine (DuckDB-Wasm 1.28 = DuckDB 0.9.1)
// requests for a query filtered on a hive partition column (docs/building.md,
// "Views over file sources" and "Large lakes").
//
// The project is made here, built with --no-prerender (so every query runs
// in the browser) and served with --access-log:
//   lake/l/year=2000..2003/part-000K.parquet   3 to 5 files a year, one schema;
//       source `lake`, template_name = "lake_[year]"
//   lake/d/year=2000..2003/part-000K.parquet   the same rows, but the files of
//       2000 have an extra column and those of 2003 a BIGINT amount; source `drift`
// Each page asks for count(*) and sum(amount) of year 2001: through the
// view `lake`, through `drift`, through the templated view lake_2001, and
// through union_by_name over the files of `lake` written in the page.
// Every request for a data file is recorded twice: by the browser (method,
// URL, Range) and by the server's access log (method, path, status, bytes).
// Each page is opened with files read by ranges (window.ducksiteWholeFileMax
// = 0: the engine decides what to read) and with the runtime's default,
// which fetches every small file the query's SQL names in one GET before
// the engine runs.
//
// What was measured (and is asserted for `lake` and lake_2001):
//   - by ranges, `lake` WHERE year = 2001: one HEAD (no Range, no body) for
//     every file of every year, the footer of the list's first file (a
//     file of 2000), then only the files of 2001.  No other year's data is
//     read, but every file is requested;
//   - read whole, `lake`: every file of every year in one GET each;
//   - lake_2001, either way: the files of 2001 only, nothing else;
//   - `drift` by ranges: a HEAD for every file, the footer of each
//     SELECT's first file, then the files of 2001; read whole: every file;
//   - union_by_name by ranges: a HEAD and the footer of every file, then
//     the files of 2001; read whole: every file.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, offsiteRequests, openPage, shownNumber,
  startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 60000 };

const YEARS = [2000, 2001, 2002, 2003];
const FILES_IN = (year) => 3 + (year % 3); // 5, 3, 4, 5 files
const YEAR = 2001;

// File K of a year holds ROWS(K) rows (tens of KB, so that a footer read is
// a range of its own, not the whole file); amount = id * 7 + K * 100 + year.
const ROWS = (k) => 4000 + 500 * k;

/** ds-sql writing the files of YEAR under lake/DIR with AMOUNT_TYPE amounts (EXTRA: more columns). */
function writeYear(dir, year, amountType, extra = '') {
  const out = [];
  for (let k = 0; k < FILES_IN(year); k++) {
    const file = `lake/${dir}/year=${year}/part-${String(k).padStart(4, '0')}.parquet`;
    out.push(`COPY (SELECT i::INTEGER AS id, (i * 7 + ${k * 100 + year})::${amountType} AS amount${extra}
      FROM range(${ROWS(k)}) t(i)) TO '${file}' (FORMAT parquet);`);
  }
  return out.join('\n');
}

/** [count, sum(amount)] of YEAR, by arithmetic (a check on the reference). */
function arithmetic(year) {
  let n = 0;
  let total = 0;
  for (let k = 0; k < FILES_IN(year); k++) {
    const r = ROWS(k);
    n += r;
    total += (7 * r * (r - 1)) / 2 + r * (k * 100 + year);
  }
  return [n, total];
}

const QUERY = (from) => `SELECT count(*) AS n, sum(amount) AS total FROM ${from}`;
const page = (title, sql) => [
  '# ' + title, '', '```sql q', sql, '```', '', '```table q', 'query: q', '```', '',
].join('\n');

// The pages: the source's view, the view of files that differ, the
// templated view, and for comparison union_by_name over the same files as
// `lake` in SQL of the page's own.
const PAGES = {
  lake: QUERY(`lake WHERE year = ${YEAR}`),
  drift: QUERY(`drift WHERE year = ${YEAR}`),
  template: QUERY(`lake_${YEAR}`),
};

describe('hive partition pruning in the browser', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let want;
  const files = {}; // source -> year -> ['data/...']

  before(async () => {
    root = tempDir('ducksite-e2e-pruning-');
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    for (const dir of ['l', 'd']) {
      for (const y of YEARS) fs.mkdirSync(path.join(root, 'lake', dir, `year=${y}`), { recursive: true });
    }
    dsSql(root, YEARS.map((y) => writeYear('l', y, 'INTEGER')).join('\n'));
    dsSql(root, YEARS.map((y) => {
      if (y === 2000) return writeYear('d', y, 'INTEGER', ", 'x' AS note");
      return writeYear('d', y, y === 2003 ? 'BIGINT' : 'INTEGER');
    }).join('\n'));
    for (const [src, dir] of [['lake', 'l'], ['drift', 'd']]) {
      files[src] = Object.fromEntries(YEARS.map((y) => [y, fs.readdirSync(path.join(root, 'lake', dir, `year=${y}`))
        .sort().map((f) => `data/${src}/year=${y}/${f}`)]));
    }
    fs.writeFileSync(path.join(root, 'ducksite.toml'), [
      '[[file_sources]]', 'name = "lake"', 'upstream_glob = "lake/l/**/*.parquet"', 'template_name = "lake_[year]"', '',
      '[[file_sources]]', 'name = "drift"', 'upstream_glob = "lake/d/**/*.parquet"', '',
    ].join('\n'));
    // union_by_name over the files of `lake`, as a page author may write it.
    const all = YEARS.flatMap((y) => files.lake[y]).map((f) => `'${f}'`).join(', ');
    PAGES.union = QUERY(`read_parquet([${all}], hive_partitioning = true, union_by_name = true) WHERE year = ${YEAR}`);
    for (const [name, sql] of Object.entries(PAGES)) fs.writeFileSync(path.join(root, 'content', `${name}.md`), page(name, sql));
    execFileSync(DUCKSITE, ['build', '--root', root, '--no-prerender'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // The answer, from the build-time engine over the physical files.
    want = dsSql(root, QUERY(`read_parquet('lake/l/**/*.parquet', hive_partitioning = true) WHERE year = ${YEAR}`))[0];
    server = await startServer(root, { args: ['--no-build', '--no-watch', '--access-log'] });
    browser = await launchBrowser();
  }, { timeout: 60000 });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /**
   * Opens NAME.html (by ranges or with the runtime's whole-file reads) and
   * returns the table's row and every data-file request: {browser: [{method,
   * key, range, status}], server: [{method, key, status, bytes}]}.
   */
  async function visit(name, ranges) {
    const mark = server.stdout().length;
    const rec = await openPage(browser);
    if (ranges) await rec.page.addInitScript(() => { window.ducksiteWholeFileMax = 0; });
    await rec.page.goto(`${server.url}/${name}.html`);
    await waitIdle(rec.page);
    const state = await rec.page.evaluate(() => window.ducksite.components().map((c) => c.state));
    const shown = await tableCells(rec.page, 'q');
    const key = (u) => decodeURIComponent(new URL(u, server.url).pathname).slice(1);
    const seen = rec.responses.filter((r) => /\/data\/.*\.parquet$/.test(new URL(r.url).pathname))
      .map((r) => ({ method: r.method, key: key(r.url), range: r.requestHeaders.range ?? null, status: r.status }));
    const logged = server.stdout().slice(mark).split('\n')
      .map((l) => /^\S+Z \S+ "(GET|HEAD) (\/data\/\S*\.parquet)" (\d{3}) (\d+)$/.exec(l)).filter(Boolean)
      .map((m) => ({ method: m[1], key: decodeURIComponent(m[2]).slice(1), status: Number(m[3]), bytes: Number(m[4]) }));
    assert.deepEqual(rec.errors, [], `${name}: console errors`);
    assert.deepEqual(offsiteRequests(browser, rec), [], `${name}: requests off loopback`);
    await rec.page.close();
    assert.deepEqual(state, ['ok'], `${name}: component state`);
    return { row: shown.rows[0], browser: seen, server: logged };
  }

  /** The 'data/...' paths of view NAME, in the order its SQL lists them. */
  const viewFiles = (name) => [...fs.readFileSync(path.join(root, 'static', 'sql', '_global', `${name}.sql`), 'utf8')
    .matchAll(/'(data\/[^']*)'/g)].map((m) => m[1]);

  /** Requests of REQS, as 'METHOD key' ('HEAD+range' for a HEAD that carries a Range), in order. */
  const kinds = (reqs) => reqs.browser.map((r) => `${r.method === 'HEAD' && r.range ? 'HEAD+range' : r.method} ${r.key}`);

  /** Files of each year a visit touched: any request at all, seen by the browser or the server. */
  function touched(source, reqs) {
    const keys = new Set([...reqs.browser, ...reqs.server].map((r) => r.key));
    return Object.fromEntries(YEARS.map((y) => [y, files[source][y].filter((f) => keys.has(f))]));
  }

  /** Files of each year whose bytes were read (a GET), by the server's log. */
  function bodies(source, reqs) {
    const keys = new Set(reqs.server.filter((r) => r.method === 'GET').map((r) => r.key));
    return Object.fromEntries(YEARS.map((y) => [y, files[source][y].filter((f) => keys.has(f))]));
  }

  const count = (perYear) => JSON.stringify(Object.fromEntries(YEARS.map((y) => [y, perYear[y].length])));

  function report(name, how, reqs, source) {
    const lines = reqs.browser.map((r) => `  ${r.method} ${r.key} ${r.range ?? '-'} ${r.status}`);
    console.log(`${name}, ${how}: ${reqs.browser.length} requests (${reqs.server.length} in the access log); `
      + `files touched per year ${count(touched(source, reqs))}, read per year ${count(bodies(source, reqs))}\n${lines.join('\n')}`);
  }

  /** Both records agree: the browser saw every request the server answered, and no other. */
  function sameRecords(reqs) {
    const pairs = (l) => l.map((r) => `${r.method} ${r.key} ${r.status}`).sort();
    assert.deepEqual(pairs(reqs.browser), pairs(reqs.server), 'browser and access log list the same requests');
  }

  function assertRow(name, row) {
    assert.equal(shownNumber(row[0]), Number(want[0]), `${name}: count`);
    assert.equal(shownNumber(row[1]), Number(want[1]), `${name}: total`);
  }

  test('the views: one read_parquet without union_by_name for one schema, per-schema SELECTs otherwise', () => {
    const sql = (name) => fs.readFileSync(path.join(root, 'static', 'sql', '_global', `${name}.sql`), 'utf8');
    assert.doesNotMatch(sql('lake'), /union_by_name/);
    assert.match(sql('lake'), /hive_types = \{'year': 'BIGINT'\}/);
    assert.deepEqual(viewFiles('lake'), YEARS.flatMap((y) => files.lake[y]));
    assert.equal(sql('drift').split('UNION ALL').length, 3, 'three schemas, three SELECTs');
    assert.deepEqual(viewFiles(`lake_${YEAR}`), files.lake[YEAR]);
    assert.deepEqual(want.map(Number), arithmetic(YEAR), 'the reference');
  });

  // By ranges the engine decides what to read.  Measured with DuckDB-Wasm
  // 1.28 (DuckDB 0.9.1), the view without union_by_name:
  //  - binding it lists every path of its read_parquet list, and for an
  //    http URL that listing (the worker's glob) is one HEAD per path,
  //    without Range and without a body: every file of every year;
  //  - binding reads the schema of one file only: the list's first, here
  //    a file of year 2000 (HEAD with Range bytes=0-, then its footer);
  //  - the hive filter then leaves out the other years' files: only the
  //    files of year 2001 are opened and read.
  // So no byte of another year's data is read except the one footer, but
  // the claim "only that partition's files are requested" does not hold:
  // every file costs one HEAD.
  test(`one schema, by ranges: WHERE year = ${YEAR} reads one footer of another year and HEADs every file`, T, async () => {
    const reqs = await visit('lake', true);
    report('lake', 'by ranges', reqs, 'lake');
    assertRow('lake', reqs.row);
    sameRecords(reqs);
    const list = viewFiles('lake');
    const first = list[0];
    const k = kinds(reqs);
    // One HEAD without Range per path, in the list's order, before anything else.
    assert.deepEqual(k.slice(0, list.length), list.map((f) => `HEAD ${f}`), 'the listing: one HEAD per path');
    assert.equal(k.filter((x) => x.startsWith('HEAD ')).length, list.length, 'no other HEAD without Range');
    // Bodies: the first file's footer (for the bind), then the year's files.
    const read = bodies('lake', reqs);
    assert.deepEqual(read[YEAR], files.lake[YEAR], `every file of ${YEAR} is read`);
    for (const y of YEARS.filter((x) => x !== YEAR)) {
      assert.deepEqual(read[y], files.lake[y].filter((f) => f === first), `files of ${y} read`);
    }
    const opened = new Set(k.filter((x) => x.startsWith('HEAD+range ')).map((x) => x.split(' ')[1]));
    assert.deepEqual([...opened].sort(), [first, ...files.lake[YEAR]].sort(), 'files opened');
    // Of the first file only its end (the footer) is read.
    const size = fs.statSync(path.join(root, 'lake', 'l', first.replace(/^data\/lake\//, ''))).size;
    const firstGets = reqs.browser.filter((r) => r.method === 'GET' && r.key === first);
    assert.ok(firstGets.length >= 1);
    for (const r of firstGets) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(r.range);
      assert.ok(m && Number(m[1]) > 0 && Number(m[2]) === size - 1, `footer read of ${first}: ${r.range} of ${size} bytes`);
    }
  });

  // The runtime's default fetches each small file its SQL names in one GET
  // and registers it in the engine before the query runs (page/queries.js,
  // WHOLE_FILE_MAX): it does not know the filter, so every file of the
  // view is fetched whole, every year.
  test(`one schema, read whole: the runtime fetches every file the view names, every year`, T, async () => {
    const reqs = await visit('lake', false);
    report('lake', 'read whole', reqs, 'lake');
    assertRow('lake', reqs.row);
    sameRecords(reqs);
    assert.deepEqual(kinds(reqs).sort(), viewFiles('lake').map((f) => `GET ${f}`).sort(), 'one whole GET per file');
    assert.ok(reqs.browser.every((r) => r.range === null && r.status === 200));
  });

  for (const [how, ranges] of [['by ranges', true], ['read whole', false]]) {
    test(`templated view lake_${YEAR}, ${how}: only that year's files are requested`, T, async () => {
      const reqs = await visit('template', ranges);
      report('template', how, reqs, 'lake');
      assertRow('template', reqs.row);
      sameRecords(reqs);
      const t = touched('lake', reqs);
      assert.deepEqual(t[YEAR], files.lake[YEAR]);
      for (const y of YEARS.filter((x) => x !== YEAR)) assert.deepEqual(t[y], [], `files of ${y} requested`);
    });

    // Measured, not asserted: per-schema SELECTs (by ranges: a HEAD for
    // every file and the footer of each SELECT's first file), and
    // union_by_name written in a page (by ranges: every file's footer).
    for (const [name, source] of [['drift', 'drift'], ['union', 'lake']]) {
      test(`${name === 'drift' ? 'schemas that differ' : "union_by_name in the page's SQL"}, ${how}: the right result`, T, async () => {
        const reqs = await visit(name, ranges);
        report(name, how, reqs, source);
        assertRow(name, reqs.row);
        sameRecords(reqs);
      });
    }
  }
});
