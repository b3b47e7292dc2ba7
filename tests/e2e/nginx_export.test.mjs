// A site exported with `ducksite export --nginx` and served by Debian's
// nginx (docs/deploying.md), opened in Chromium: a hive lake of more files
// than a page fetches (1,080 in year=/month=/part= folders) behind a
// dropdown on the partition column.  Its "All years" default reads every
// file, which only a stored result can answer: before the export served
// the fresh stored results, the page showed "Query totals failed" under
// nginx.  Then a year is chosen (a stored result too), and a page with no
// stored results runs live, with ranged reads through nginx's aliases.
//
// nginx runs as the current user with its own pid, logs and temporary
// folders under the test's folder, on 127.0.0.1 and a free port, and is
// stopped by its PID.  Without nginx the test fails (E2E_REQUIRE=1).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, openPage, screenshot, tableCells, tempDir,
  waitIdle,
} from './lib.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
const skip = missingPrerequisite() ?? (NGINX ? null : 'nginx missing: run scripts/setup');
if (skip && !NGINX && process.env.E2E_REQUIRE === '1') throw new Error(`e2e prerequisites: ${skip}`);
const T = { timeout: 120000 };

const INDEX = ['# Orders', '',
  '```sql years', 'SELECT DISTINCT year FROM orders ORDER BY 1', '```', '',
  '```input year', 'label: Year', 'visual_mode: dropdown', 'options_query: years', 'value_column: year',
  'expression_template: year = ?', 'all_label: All years', 'all_expression: TRUE', '```', '',
  '```sql totals', 'SELECT region, count(*) AS n FROM orders WHERE ${params.year} GROUP BY 1 ORDER BY 1', '```', '',
  '```table totals', 'query: totals', '```', ''].join('\n');
const LIVE = ['---', 'prerender: false', '---', '# Live', '',
  '```sql t', "SELECT count(*) AS n FROM orders_2024 WHERE month = '01'", '```', '',
  '```table t', '```', ''].join('\n');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitPort(port, proc, ms = 20000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) return false;
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// The http block around the exported file, everything under PREFIX.
function nginxConf(prefix, site) {
  const user = process.getuid() === 0 ? `user ${os.userInfo().username};\n` : '';
  const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `    ${k}_temp_path ${path.join(prefix, 'tmp', k)};\n`).join('');
  return `${user}worker_processes 1;\npid ${path.join(prefix, 'nginx.pid')};\n`
    + `error_log ${path.join(prefix, 'error.log')} warn;\nevents {\n    worker_connections 64;\n}\n`
    + `http {\n    access_log ${path.join(prefix, 'access.log')};\n${temps}    include ${site};\n}\n`;
}

describe('a site exported for nginx', { skip: skip ?? false }, () => {
  let root;
  let nginx;
  let browser;
  let base;
  const errors = [];

  before(async () => {
    root = tempDir('ducksite-e2e-nginx-');
    fs.mkdirSync(path.join(root, 'content'));
    fs.mkdirSync(path.join(root, 'lake'));
    dsSql(root, "COPY (SELECT (i % 3) + 2022 AS year, lpad(((i // 3) % 12 + 1)::VARCHAR, 2, '0') AS month, "
      + "((i // 36) % 30) AS part, ['north', 'south', 'east', 'west'][i % 4 + 1] AS region FROM range(108000) t(i)) "
      + "TO 'lake/orders' (FORMAT parquet, PARTITION_BY (year, month, part));");
    fs.writeFileSync(path.join(root, 'ducksite.toml'),
      '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/**/*.parquet"\ntemplate_name = "orders_[year]"\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), INDEX);
    fs.writeFileSync(path.join(root, 'content', 'live.md'), LIVE);
    execFileSync(DUCKSITE, ['build', '--root', root], { stdio: ['ignore', 'pipe', 'pipe'] });

    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const prefix = path.join(root, 'nginx');
    for (const k of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) fs.mkdirSync(path.join(prefix, 'tmp', k), { recursive: true });
    const site = path.join(prefix, 'site.conf');
    const out = execFileSync(DUCKSITE, ['export', '--root', root, '--nginx', site, '--listen', `127.0.0.1:${port}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.match(out, /1080 data files/);
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), nginxConf(prefix, site));
    nginx = spawn(NGINX, ['-c', path.join(prefix, 'nginx.conf'), '-p', `${prefix}/`, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx.stderr.on('data', (d) => errors.push(String(d)));
    assert.ok(await waitPort(port, nginx), `nginx did not start: ${errors.join('')}`);
    browser = await launchBrowser();
  }, { timeout: 180000 });

  after(async () => {
    await browser?.close();
    if (nginx && nginx.exitCode === null) {
      // -g 'daemon off;' keeps the master in the foreground: its PID is ours.
      const done = new Promise((r) => nginx.on('exit', r));
      process.kill(nginx.pid, 'SIGQUIT');
      await done;
    }
  });

  test('the dropdown page over 1,080 files shows its stored results, default and chosen', T, async () => {
    const rec = await openPage(browser);
    await rec.page.goto(`${base}/`);
    await waitIdle(rec.page);
    const all = await tableCells(rec.page, 'totals');
    assert.deepEqual(all.rows, [['east', '27,000'], ['north', '27,000'], ['south', '27,000'], ['west', '27,000']]);
    await screenshot(rec.page, 'nginx-export-all-years');
    await rec.page.selectOption('select', { label: '2023' });
    await waitIdle(rec.page);
    const y2023 = await tableCells(rec.page, 'totals');
    assert.deepEqual(y2023.rows, [['east', '9,000'], ['north', '9,000'], ['south', '9,000'], ['west', '9,000']]);
    await screenshot(rec.page, 'nginx-export-2023');
    const results = rec.responses.filter((r) => new URL(r.url).pathname.startsWith('/_results/'));
    assert.ok(results.length >= 2, `stored results fetched: ${results.length}`);
    for (const r of results) {
      assert.equal(r.status, 200, r.url);
      assert.equal(r.headers['content-encoding'], 'gzip', r.url);
    }
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(rec.responses.filter((r) => r.status >= 400).map((r) => r.url), []);
  });

  test('a page without stored results reads the lake live through nginx', T, async () => {
    const rec = await openPage(browser);
    await rec.page.goto(`${base}/live.html`);
    await waitIdle(rec.page);
    const t = await tableCells(rec.page, 't');
    assert.deepEqual(t.rows, [['3,000']]);
    const data = rec.responses.filter((r) => new URL(r.url).pathname.startsWith('/data/orders/year=2024/'));
    assert.ok(data.length > 0, 'Parquet read through nginx');
    assert.ok(data.every((r) => r.status === 200 || r.status === 206), JSON.stringify(data.map((r) => r.status)));
    assert.deepEqual(rec.errors, []);
  });
});
