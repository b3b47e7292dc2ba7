// The network view (Alt+Shift+N, the nav's Net button) against what the
// server really served, counted by `ducksite serve --access-log`:
//
//   stored     a page painted from stored results: every component says
//              "build time" with its one /_results/ request, of the bytes
//              the server sent; the engine never starts.
//   inputs     a text input's value the build did not store: that one
//              component turns "browser engine" (its two files read whole,
//              as the access log shows), the others stay "build time".
//   whole      the same page with ?ds_live=1: "browser engine"; each small
//              data file read whole once (one GET of the whole file), by
//              the first result that needed it, "in memory" for the others;
//              the page's data requests are exactly the server's.
//   ranges     with window.ducksiteWholeFileMax = 0: every file "by ranges"
//              (HEAD answered 206, ranged GETs); each component's engine
//              requests, put together, are the server's data requests.
//   fallback   behind a proxy that ignores Range: the engine reads whole
//              files and the view says the ranges were not honoured.
//   toggling   the button's aria-pressed, the key, hidden in print, kept
//              across a reload; screenshots in both themes.
// Also the text side of netlog.js under node.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  buildProject, dsSql, importRuntime, missingPrerequisite, openIdle, openPage, screenshot, servedProject,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const netlog = await importRuntime('netlog.js');

const PAGE = `# Orders

\`\`\`input region
label: Region
visual_mode: dropdown
options_query: regions
expression_template: region = ?
\`\`\`

\`\`\`sql regions
SELECT DISTINCT region FROM orders ORDER BY region
\`\`\`

\`\`\`sql by_region
SELECT region, sum(amount) AS total FROM orders WHERE \${params.region} GROUP BY ALL ORDER BY region
\`\`\`

\`\`\`sql totals
SELECT sum(amount) AS total, count(*) AS n FROM orders
\`\`\`

\`\`\`input q
label: Note like
visual_mode: text
\`\`\`

\`\`\`sql matching
SELECT count(*) AS n FROM orders WHERE \${inputs.q} IS NULL OR note LIKE \${inputs.q}
\`\`\`

\`\`\`table matching
title: Orders whose note matches
\`\`\`

\`\`\`sql by_channel
SELECT channel, count(*) AS n FROM returns GROUP BY ALL ORDER BY channel
\`\`\`

\`\`\`echart by_region
type: bar
x: region
y: total
title: Amount by region
\`\`\`

\`\`\`kpi total
query: totals
value: total
title: All orders
\`\`\`

\`\`\`table by_channel
title: Returns by channel
\`\`\`

All orders come to \${totals.total}.
`;

function makeRoot() {
  const root = tempDir('ducksite-e2e-netview-');
  for (const d of ['lake/orders', 'lake/returns', 'content']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), [
    '[[file_sources]]', 'name = "orders"', 'upstream_glob = "lake/orders/*.parquet"', '',
    '[[file_sources]]', 'name = "returns"', 'upstream_glob = "lake/returns/*.parquet"', ''].join('\n'));
  fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
  for (const f of ['a', 'b']) {
    dsSql(root, `COPY (SELECT ['north', 'south', 'east'][i % 3 + 1] AS region, (i * 7) % 50 + 0.25 AS amount,
      'x' || (i * 13 % 997) AS note FROM range(${f === 'a' ? 20000 : 5000}) t(i))
      TO 'lake/orders/${f}.parquet' (FORMAT parquet, ROW_GROUP_SIZE 4096)`);
  }
  dsSql(root, `COPY (SELECT ['web', 'store'][i % 2 + 1] AS channel FROM range(300) t(i)) TO 'lake/returns/r.parquet' (FORMAT parquet)`);
  buildProject(root);
  return root;
}

/** The access log's lines since line FROM: [{method, path, status, bytes}]. */
function served(server, from = 0) {
  return server.stdout().split('\n').slice(from).map((l) => /"(\w+) ([^"]*)" (\d+) (\d+)/.exec(l)).filter(Boolean)
    .map((m) => ({ method: m[1], path: m[2], status: Number(m[3]), bytes: Number(m[4]) }));
}
const logLines = (server) => server.stdout().split('\n').length - 1;

/** Requests as comparable text, sorted: "GET /data/x 206 1234". */
const asText = (list) => list.map((r) => `${r.method} ${r.path} ${r.status} ${r.bytes}`).sort();

/** Every request the view knows, each once, with its path: [{what, method, path, status, bytes}]. */
function viewRequests(rep, origin) {
  // Components that share a result list its requests once each: taken once
  // per ledger (two requests of one file, such as HEADs that took the same
  // time, look alike and are both counted).
  const seen = new Set();
  const out = [];
  for (const c of rep.components) {
    if (c.ledger !== null && seen.has(c.ledger)) continue;
    seen.add(c.ledger);
    for (const r of c.list) out.push({ ...r, path: new URL(r.url, origin).pathname });
  }
  return out;
}

/** Opens URL, switches the view on with its key, waits for it; returns the page record and the view's report. */
async function openWithView(browser, url, init = null) {
  const rec = await openPage(browser);
  if (init) await rec.page.addInitScript(init);
  await rec.page.goto(url);
  await waitIdle(rec.page);
  await rec.page.keyboard.press('Alt+Shift+N');
  await rec.page.waitForSelector('.ds-net-page');
  await rec.page.waitForFunction(() => document.querySelectorAll('.ds-net-component').length >= 6);
  const rep = await rec.page.evaluate(() => window.ducksite.net());
  return { ...rec, rep };
}

const overlayText = (page, key) => page.evaluate((k) => [...document.querySelectorAll('.ds-net-component')]
  .find((e) => e.dataset.for === k)?.textContent.replace(/\u00a0/g, ' ') ?? null, key);

const KEYS = ['chart:by_region', 'input:region', 'kpi:total', 'table:by_channel', 'table:matching', 'value:inline-1'];

describe('network view: text', () => {
  test('fileModes tells whole, in memory, ranges, fallback and failures apart', () => {
    const o = 'http://h:1';
    const reqs = [
      { what: 'whole', method: 'GET', url: `${o}/data/a.parquet`, status: 200, bytes: 10 },
      { what: 'engine', method: 'HEAD', url: `${o}/data/b.parquet`, status: 206, bytes: 0 },
      { what: 'engine', method: 'GET', url: `${o}/data/b.parquet?ds_v=2`, status: 206, bytes: 7 },
      { what: 'engine', method: 'HEAD', url: `${o}/data/c%20d.parquet`, status: 200, bytes: 0 },
      { what: 'engine', method: 'GET', url: `${o}/data/c%20d.parquet`, status: 200, bytes: 99 },
      { what: 'engine', method: 'HEAD', url: `${o}/data/e.parquet`, status: 404, bytes: 0 },
      { what: 'engine', method: 'HEAD', url: `${o}/data/f.parquet`, status: 200, bytes: 0 },
    ];
    const modes = netlog.fileModes(reqs, ['./data/a.parquet', 'data/b.parquet', '/data/c d.parquet', 'data/e.parquet',
      'data/f.parquet', 'data/m.parquet', 'data/n.parquet'], o, new Set(['data/m.parquet']));
    assert.deepEqual(modes.map((m) => [m.path, m.mode, m.requests, m.bytes]), [
      ['data/a.parquet', 'whole', 1, 10], ['data/b.parquet', 'ranges', 2, 7], ['data/c d.parquet', 'fallback', 2, 99],
      ['data/e.parquet', 'failed', 1, 0], ['data/f.parquet', 'cached', 1, 0], ['data/m.parquet', 'memory', 0, 0],
      ['data/n.parquet', 'none', 0, 0]]);
    assert.equal(netlog.pathOfUrl('http://other:2/data/a.parquet', o), null);
  });

  test('bytes and times as text', () => {
    // A no-break space between number and unit: a line never ends between them.
    const plain = (t) => t.replace(/\u00a0/g, ' ');
    assert.deepEqual([0, 999, 1000, 12345, 123456, 4203718, 2e12].map((n) => plain(netlog.bytesText(n))),
      ['0 B', '999 B', '1.0 kB', '12.3 kB', '123 kB', '4.2 MB', '2000 GB']);
    assert.deepEqual([0.4, 85.2, 999.4, 1240, null].map((n) => plain(netlog.msText(n))), ['0 ms', '85 ms', '999 ms', '1.24 s', '–']);
    assert.match(netlog.bytesText(5), /^5\u00a0B$/);
  });
});

describe('network view in the page', { skip: skip ?? false }, () => {
  const site = servedProject(makeRoot, { serveArgs: ['--access-log'] });

  test('stored results: "build time", one /_results/ request each, the bytes the server sent', T, async () => {
    const from = logLines(site.server);
    const { page, errors, rep } = await openWithView(site.browser, `${site.server.url}/index.html`);
    assert.deepEqual(errors, []);
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-pressed'), 'true');
    assert.deepEqual(rep.components.map((c) => c.key).sort(), KEYS);
    const log = served(site.server, from);
    for (const c of rep.components) {
      assert.equal(c.origin, 'build', c.key);
      // The KPI and the inline value share the totals query's one result.
      const shared = c.key === 'value:inline-1' || c.key === 'kpi:total';
      assert.equal(c.requests, 1, c.key);
      assert.match(c.list[0].url, /\/_results\/[0-9a-f]{16}\.json$/, c.key);
      const path = new URL(c.list[0].url).pathname;
      const hits = log.filter((l) => l.path === path);
      assert.equal(hits.length, 1, `${path} served once`);
      assert.equal(c.bytes, hits[0].bytes, `${c.key}: bytes as served`);
      const text = await overlayText(page, c.key);
      assert.match(text, /build time/, c.key);
      assert.match(text, c.reused ? /reused: no new request \(obtained with 1 request/ : /^build time1 request/, c.key);
      if (!shared) assert.equal(c.reused, false, c.key);
    }
    assert.equal(rep.components.filter((c) => c.reused).length, 1, 'one of the KPI and the value reuses the other\'s result');
    assert.equal(log.filter((l) => l.path.startsWith('/data/')).length, 0, 'no data file read');
    assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false);
    assert.equal(rep.page.engine, null);
    const pageText = async () => (await page.textContent('.ds-net-page')).replace(/\u00a0/g, ' ');
    assert.match(await pageText(), /engine not started/);
    assert.equal(rep.page.stored.requests, 5);
    assert.equal(rep.page.data.requests, 0);
    // The page's totals: its compiled SQL and stored results, as served.
    const runtime = log.filter((l) => /^\/(sql|_results)\//.test(l.path));
    assert.equal(rep.page.requests, runtime.length);
    assert.equal(rep.page.bytes, runtime.reduce((n, l) => n + l.bytes, 0));
    assert.match(await pageText(), new RegExp(`^Network${rep.page.requests} requests`));
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await screenshot(page, `netview-stored-${scheme}`);
    }
    await page.close();
  });

  test('a value the build did not store: that component turns "browser engine", the rest stay "build time"', T, async () => {
    const { page, errors } = await openWithView(site.browser, `${site.server.url}/index.html`);
    const from = logLines(site.server);
    await page.evaluate(() => window.ducksite.setInput('q', 'x1%'));
    await waitIdle(page);
    await page.waitForFunction(() => /browser engine/.test(document.querySelector('.ds-net-component[data-for="table:matching"]')?.textContent));
    assert.deepEqual(errors, []);
    const rep = await page.evaluate(() => window.ducksite.net());
    for (const c of rep.components) assert.equal(c.origin, c.key === 'table:matching' ? 'engine' : 'build', c.key);
    const m = rep.components.find((c) => c.key === 'table:matching');
    assert.deepEqual(m.files.map((f) => [f.path, f.mode]), [['data/orders/a.parquet', 'whole'], ['data/orders/b.parquet', 'whole']]);
    const log = served(site.server, from).filter((l) => l.path.startsWith('/data/'));
    assert.deepEqual(asText(m.list.map((r) => ({ ...r, path: new URL(r.url).pathname }))), asText(log));
    assert.ok(rep.page.engine && rep.page.engine.ms > 0, 'the engine started for it');
    assert.match(await overlayText(page, 'table:matching'), /browser engine2 requests/);
    await page.close();
  });

  test('?ds_live=1: "browser engine", small files read whole once; the view\'s data requests are the server\'s', T, async () => {
    const from = logLines(site.server);
    const { page, errors, rep } = await openWithView(site.browser, `${site.server.url}/index.html?ds_live=1`);
    assert.deepEqual(errors, []);
    const log = served(site.server, from).filter((l) => l.path.startsWith('/data/'));
    const mine = viewRequests(rep, site.server.url).filter((r) => r.path.startsWith('/data/'));
    assert.deepEqual(asText(mine), asText(log), 'data requests: the view against the access log');
    const files = fs.readdirSync(path.join(site.root, 'lake', 'orders')).map((f) => `data/orders/${f}`);
    assert.equal(log.length, 3, 'three data files, one GET each');
    for (const l of log) assert.equal(l.status, 200);
    const byFile = new Map();
    for (const c of rep.components) {
      assert.equal(c.origin, 'engine', c.key);
      for (const f of c.files) {
        assert.ok(['whole', 'memory'].includes(f.mode), `${c.key} ${f.path}: ${f.mode}`);
        if (f.mode === 'whole') {
          assert.ok(!byFile.has(f.path), `${f.path} read whole twice`);
          byFile.set(f.path, c.key);
          const want = fs.statSync(path.join(site.root, 'lake', f.path.replace(/^data\//, ''))).size;
          assert.equal(f.bytes, want, `${f.path}: the whole file`);
        }
      }
    }
    for (const f of files) assert.ok(byFile.has(f), `${f} read whole by some component`);
    const text = await overlayText(page, 'chart:by_region');
    assert.match(text, /browser engine/);
    assert.match(text, /data\/orders\/a\.parquet (read whole|in memory)/);
    assert.ok(rep.page.engine && rep.page.engine.ms > 0, 'engine start time');
    assert.ok(rep.page.engine.requests >= 1 && rep.page.engine.bytes > 1e6, 'the engine module counted');
    assert.match((await page.textContent('.ds-net-page')).replace(/\u00a0/g, ' '), /engine \((eh|mvp)\) started in/);
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.click('.ds-net-component[data-for="chart:by_region"] summary');
      await screenshot(page, `netview-live-${scheme}`);
      await page.click('.ds-net-component[data-for="chart:by_region"] summary');
    }
    await page.close();
  });

  test('ranges: every file read by ranges, each component\'s requests put together are the server\'s', T, async () => {
    const from = logLines(site.server);
    const { page, errors, rep } = await openWithView(site.browser, `${site.server.url}/index.html?ds_live=1`,
      () => { window.ducksiteWholeFileMax = 0; });
    assert.deepEqual(errors, []);
    const log = served(site.server, from).filter((l) => l.path.startsWith('/data/'));
    const mine = viewRequests(rep, site.server.url).filter((r) => r.path.startsWith('/data/'));
    assert.deepEqual(asText(mine), asText(log), 'data requests: the view against the access log');
    assert.ok(log.some((l) => l.method === 'HEAD') && log.some((l) => l.method === 'GET' && l.status === 206));
    // The first result that reads a file reads it by ranges; later ones may
    // find its bytes in the engine's own cache (only a HEAD then).
    const modes = new Map();
    for (const c of rep.components) {
      assert.ok(c.files.length > 0, c.key);
      assert.equal(c.bytes, c.list.reduce((n, r) => n + r.bytes, 0));
      for (const f of c.files) {
        assert.ok(['ranges', 'cached'].includes(f.mode), `${c.key} ${f.path}: ${f.mode}`);
        if (f.mode === 'ranges') {
          assert.ok(c.list.some((r) => r.method === 'GET' && r.status === 206 && r.range && r.url.endsWith(f.path)), `${c.key}: a ranged GET of ${f.path}`);
        }
        modes.set(f.path, [...(modes.get(f.path) || []), f.mode]);
      }
    }
    for (const [f, m] of modes) assert.ok(m.includes('ranges'), `${f} read by ranges by some result: ${m}`);
    assert.match(await overlayText(page, 'table:by_channel'), /data\/returns\/r\.parquet by ranges/);
    await page.close();
  });

  describe('behind a server that ignores Range', () => {
    let proxy;
    let proxyUrl;
    before(async () => {
      // Forwards to ducksite serve without the Range header: every answer is whole (200).
      const target = new URL(site.server.url);
      proxy = http.createServer((req, res) => {
        const headers = { ...req.headers };
        delete headers.range;
        const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        req.pipe(up);
      });
      await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
      proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
    });
    after(() => new Promise((r) => proxy.close(r)));

    test('the engine reads whole files and the view says ranges were not honoured', T, async () => {
      const { page, errors, rep } = await openWithView(site.browser, `${proxyUrl}/index.html?ds_live=1`,
        () => { window.ducksiteWholeFileMax = 0; });
      assert.deepEqual(errors, []);
      const modes = new Map();
      for (const c of rep.components) {
        for (const f of c.files) {
          assert.ok(['fallback', 'cached'].includes(f.mode), `${c.key} ${f.path}: ${f.mode}`);
          modes.set(f.path, [...(modes.get(f.path) || []), f.mode]);
        }
      }
      assert.equal(modes.size, 3);
      for (const [f, m] of modes) assert.ok(m.includes('fallback'), `${f} read whole by some result: ${m}`);
      const text = await overlayText(page, 'table:by_channel');
      assert.match(text, /1 file read whole: ranges not honoured/);
      await page.close();
    });
  });

  test('the key and the button toggle it; not printed; kept across a reload', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/index.html`);
    assert.deepEqual(errors, []);
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-pressed'), 'false');
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-keyshortcuts'), 'Alt+Shift+N');
    assert.equal(await page.locator('.ds-net').count(), 0);
    await page.click('.ds-net-open');
    await page.waitForSelector('.ds-net-component');
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-pressed'), 'true');
    // Never over the component's own buttons: below its head.
    const boxes = await page.evaluate(() => [...document.querySelectorAll('.ds-chart, .ds-table')].map((el) => {
      const net = el.querySelector('.ds-net').getBoundingClientRect();
      return [...el.querySelectorAll('.ds-actions button')].map((b) => b.getBoundingClientRect().bottom <= net.top + 0.5);
    }).flat());
    assert.ok(boxes.length > 0 && boxes.every(Boolean), 'buttons above the view');
    // A narrow screen: the nav's two buttons beside each other, the bands wrap.
    await page.setViewportSize({ width: 600, height: 900 });
    const [net, sql] = await page.evaluate(() => ['.ds-net-open', '.ds-console-open']
      .map((q) => document.querySelector(q).getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
    assert.ok(net.right <= sql.left, `Net ${JSON.stringify(net)} before SQL ${JSON.stringify(sql)}`);
    await screenshot(page, 'netview-narrow');
    await page.setViewportSize({ width: 1360, height: 900 });
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.evaluate(() => [...document.querySelectorAll('.ds-net')].every((e) => getComputedStyle(e).display === 'none')), true);
    await page.emulateMedia({ media: 'screen' });
    await page.reload();
    await waitIdle(page);
    await page.waitForSelector('.ds-net-component');
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-pressed'), 'true');
    await page.keyboard.press('Alt+Shift+N');
    assert.equal(await page.getAttribute('.ds-net-open', 'aria-pressed'), 'false');
    await page.waitForFunction(() => document.querySelectorAll('.ds-net').length === 0);
    await page.close();
  });
});
