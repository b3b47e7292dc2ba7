// Stored results, beyond tests/e2e/stored.test.mjs:
//
//   rebuilds       `ducksite build` twice with nothing changed runs no stored
//                  result again; a Parquet file given a new mtime (same
//                  bytes) reruns exactly the results whose recorded files
//                  include it (static/_results/_index.json), and the index
//                  then records the new mtime for those only.  No browser.
//   edge values    values the value-types table of stored.test.mjs leaves
//                  out: nested values holding BIGINT beyond 2^53, DATE,
//                  DOUBLE and DECIMAL; TIMESTAMP_S/_MS/_NS; a timestamp
//                  before 1970 with a fraction; infinities and -0.0; FLOAT;
//                  BOOLEAN; UUID; MAP; DECIMAL(38,10); UBIGINT beyond 2^63;
//                  text with quotes, newline and non-ASCII; BLOB high bytes.
//                  Each column's CSV must be the same from the stored result
//                  and with ?ds_live=1; the failure lists every differing
//                  cell with both values.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, openPage, startServer, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

/** `ducksite build` in ROOT: {status, stderr}. */
function build(root, ...args) {
  const r = spawnSync(DUCKSITE, ['build', '--root', root, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `ducksite build failed:\n${r.stderr}`);
  return r.stderr;
}

/** [stored, run, unchanged] from the build's info line. */
function storedLine(stderr) {
  const m = /stored results: (\d+) \((\d+) run, (\d+) unchanged\)/.exec(stderr);
  assert.ok(m, `no stored-results line in:\n${stderr}`);
  return m.slice(1, 4).map(Number);
}

const readIndex = (root) => JSON.parse(fs.readFileSync(path.join(root, 'static', '_results', '_index.json'), 'utf8')).results;

describe('stored results: rebuilds rerun only what changed', { skip: skip ?? false }, () => {
  let root;

  before(() => {
    const dir = tempDir('ducksite-e2e-rebuild-');
    root = path.join(dir, 'demo');
    execFileSync(DUCKSITE, ['demo', '--root', root], { stdio: ['ignore', 'ignore', 'pipe'] });
  });

  test('unchanged: nothing runs; a touched Parquet file reruns exactly its readers', T, () => {
    const [n, ran] = storedLine(build(root));
    assert.ok(n > 0, 'the demo stores results');
    assert.equal(ran, n, 'a first build runs every result');
    // --force: a whole build (one with nothing changed stops as up to date).
    assert.deepEqual(storedLine(build(root, '--force')), [n, 0, n], 'second build, nothing changed');

    const index = readIndex(root);
    assert.equal(Object.keys(index).length, n, '_index.json lists every stored result');
    // The physical file read by the fewest results (but by some), so the
    // check tells "its readers" from "everything".
    const readers = new Map();
    for (const [hash, entry] of Object.entries(index)) {
      for (const f of entry.files) (readers.get(f.path) || readers.set(f.path, new Set()).get(f.path)).add(hash);
    }
    const [file, want] = [...readers.entries()].sort((a, b) => a[1].size - b[1].size || a[0].localeCompare(b[0]))[0];
    assert.ok(want.size < n, `some result does not read ${file}`);

    const bytes = fs.readFileSync(file);
    const later = new Date(fs.statSync(file).mtimeMs + 5000);
    fs.utimesSync(file, later, later);
    assert.deepEqual(fs.readFileSync(file), bytes);
    assert.deepEqual(storedLine(build(root)), [n, want.size, n - want.size], `after touching ${path.relative(root, file)}`);

    // The index now records the new mtime exactly for the readers.
    // (JSON.parse keeps mtime_ns only to about 0.3 µs: compare milliseconds.)
    const mtimeMs = Number(fs.statSync(file, { bigint: true }).mtimeNs / 1000000n);
    const after = readIndex(root);
    assert.deepEqual(Object.keys(after).sort(), Object.keys(index).sort(), 'same stored results');
    for (const [hash, entry] of Object.entries(after)) {
      const rec = entry.files.find((f) => f.path === file);
      if (!want.has(hash)) {
        assert.deepEqual(entry, index[hash], `${hash} (does not read the file) unchanged in the index`);
      } else {
        // Milliseconds are enough to tell the new mtime from the old one.
        assert.ok(Math.abs(rec.mtime_ns / 1e6 - mtimeMs) < 1, `${hash}: new mtime recorded (${rec.mtime_ns} vs ${mtimeMs} ms)`);
      }
    }
    assert.deepEqual(storedLine(build(root, '--force')), [n, 0, n], 'and a whole build after that runs nothing');
  });
});

// One row of edge values, one NULL row. Each column is compared on its own.
const EDGE_COLUMNS = [
  ['list_big', '[9007199254740993, 1]::BIGINT[]'],
  ['list_dbl', '[1.5, 0.1]::DOUBLE[]'],
  ['list_dec', '[1.25]::DECIMAL(9,2)[]'],
  ['list_str', `['a"b', 'c,d']`],
  ['struct_date', `{'d': DATE '2024-01-02', 'n': 1}`],
  ['struct_ts', `{'t': TIMESTAMP '2024-01-02 03:04:05'}`],
  ['map_col', `MAP {'k': 1}`],
  ['ts_s', `CAST(TIMESTAMP '2024-01-02 03:04:05' AS TIMESTAMP_S)`],
  ['ts_ms', `CAST(TIMESTAMP '2024-01-02 03:04:05.123' AS TIMESTAMP_MS)`],
  ['ts_ns', `CAST(TIMESTAMP '2024-01-02 03:04:05.123456' AS TIMESTAMP_NS)`],
  ['ts_pre1970', `TIMESTAMP '1969-12-31 23:59:59.25'`],
  ['time_us', `TIME '23:59:59.999999'`],
  ['pos_inf', `CAST('Infinity' AS DOUBLE)`],
  ['neg_inf', `CAST('-Infinity' AS DOUBLE)`],
  ['neg_zero', '-0.0::DOUBLE'],
  ['flt', '0.1::FLOAT'],
  ['bool_col', 'true'],
  ['dec38', '12345678.0123456789::DECIMAL(38,10)'],
  ['ubig', '18446744073709551615::UBIGINT'],
  ['text_col', `'é "q", x' || chr(10) || 'y'`],
  ['blob_hi', `'\\xFF\\x80a'::BLOB`],
  // Last: a UUID column followed by a HUGEINT or wide DECIMAL column
  // crashes the build (see the next test).
  ['uuid_col', `'00000000-0000-0000-0000-000000000001'::UUID`],
];

describe('stored results: a UUID column before a HUGEINT column', { skip: skip ?? false }, () => {
  test('the build stores the result (and does not crash)', T, () => {
    const root = tempDir('ducksite-e2e-uuid-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
    dsSql(root, "COPY (SELECT 1 AS id) TO 'lake/t/a.parquet' (FORMAT parquet)");
    fs.writeFileSync(path.join(root, 'content', 'index.md'), [
      '# U', '', '```sql u', "SELECT '00000000-0000-0000-0000-000000000001'::UUID AS u, CAST(id AS HUGEINT) AS h FROM t", '```', '',
      '```table u', 'query: u', '```', '',
    ].join('\n'));
    const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
    assert.equal(r.signal, null, `ducksite build killed by ${r.signal}`);
    assert.equal(r.status, 0, r.stderr);
    const index = readIndex(root);
    assert.equal(Object.keys(index).length, 1, 'one stored result');
    const doc = JSON.parse(fs.readFileSync(path.join(root, 'static', '_results', `${Object.keys(index)[0]}.json`), 'utf8'));
    assert.deepEqual(doc.rows, [['00000000-0000-0000-0000-000000000001', 1]]);
  });
});

describe('stored results: edge values', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = tempDir('ducksite-e2e-edges-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
    dsSql(root, "COPY (SELECT * FROM (VALUES (1), (2)) v(id)) TO 'lake/t/a.parquet' (FORMAT parquet)");
    const cols = EDGE_COLUMNS.map(([name, expr]) => `  CASE WHEN id = 1 THEN ${expr} END AS ${name}`).join(',\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), [
      '# Edges', '', '```sql edges', `SELECT id,\n${cols}\nFROM t ORDER BY id`, '```', '',
      '```table edges', 'query: edges', '```', '',
    ].join('\n'));
    build(root);
    server = await startServer(root, { args: ['--no-build'] });
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('every edge value shows the same stored and live (?ds_live=1)', T, async () => {
    const got = {};
    for (const mode of ['stored', 'live']) {
      const rec = await openPage(browser);
      await rec.page.goto(`${server.url}/index.html${mode === 'live' ? '?ds_live=1' : ''}`);
      await waitIdle(rec.page);
      const comps = await rec.page.evaluate(() => window.ducksite.components().map((c) => [c.key, c.state, c.source]));
      assert.deepEqual(comps, [['table:edges', 'ok', mode]], `${mode}: ${JSON.stringify(comps)}`);
      got[mode] = await rec.page.evaluate(() => window.ducksite.tableCsv('edges'));
      assert.deepEqual(rec.errors, [], `${mode}: console errors`);
      await rec.page.close();
    }
    const parse = (csv) => {
      // RFC 4180 as the runtime writes it.
      const rows = [];
      let row = [];
      let f = '';
      let q = false;
      for (let i = 0; i < csv.length; i++) {
        const ch = csv[i];
        if (q) {
          if (ch === '"' && csv[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') q = false; else f += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') { row.push(f); f = ''; } else if (ch === '\r' && csv[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else f += ch;
      }
      return rows;
    };
    const s = parse(got.stored);
    const l = parse(got.live);
    const names = ['id', ...EDGE_COLUMNS.map(([n]) => n)];
    assert.deepEqual(s[0], names, 'stored columns');
    assert.deepEqual(l[0], names, 'live columns');
    assert.equal(s.length, 3, got.stored);
    assert.equal(l.length, 3, got.live);
    const close = (a, b) => {
      if (a === b) return true;
      const x = Number(a);
      const y = Number(b);
      return a !== '' && b !== '' && Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    };
    const diffs = [];
    for (let r = 1; r < 3; r++) {
      names.forEach((name, c) => {
        if (!close(s[r][c], l[r][c])) diffs.push(`row ${r} ${name}: stored ${JSON.stringify(s[r][c])}, live ${JSON.stringify(l[r][c])}`);
      });
    }
    assert.deepEqual(diffs, [], `stored and live differ:\n${diffs.join('\n')}`);
  });
});
