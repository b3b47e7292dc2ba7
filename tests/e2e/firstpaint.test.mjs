// Charts drawn at build time (src/site/firstpaint.c, web/src/firstpaint.js):
//
//   pictures       a chart whose default result is stored gets its picture
//                  in the page as <img class="ds-first-paint"> (a data: URL
//                  of SVG); with scripts off the chart is on screen, and a
//                  data value written as HTML (<img onerror=...>, quotes)
//                  runs nothing and shows as text in the picture.
//   live           with scripts on, the live ECharts chart replaces the
//                  picture once drawn: no picture left, a canvas, the same
//                  category labels.
//   cache          a second build draws nothing again; new data draws the
//                  changed chart only.
//   no node        DUCKSITE_NODE naming no program: the build still
//                  succeeds, says why, and the page has no pictures; a page
//                  with `prerender: false` never has one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  DIST, DUCKSITE, ROOT, dsSql, launchBrowser, missingPrerequisite, openPage, screenshot, startServer, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };
const EVIL = '<img src=x onerror=window.__pwned=1>';

function build(root, env = {}, ...args) {
  const r = spawnSync(DUCKSITE, ['build', '--root', root, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `ducksite build failed:\n${r.stderr}`);
  return r.stderr;
}

/** [pictures, drawn, unchanged] from the build's first-paint line, or null. */
function paintLine(stderr) {
  const m = /first paint: (\d+) chart pictures \((\d+) drawn, (\d+) unchanged\)/.exec(stderr);
  return m ? m.slice(1, 4).map(Number) : null;
}

// Each chart has two pictures, light then dark (the page shows its theme's).
const allPictures = (root, page) => [...fs.readFileSync(path.join(root, 'static', `${page}.html`), 'utf8')
  .matchAll(/<img class="ds-first-paint ds-first-paint-(light|dark)" alt="" height="(\d+)" src="([^"]*)">/g)]
  .map((m) => ({ theme: m[1], height: Number(m[2]), src: m[3] }));
const pictures = (root, page, theme = 'light') => [...fs.readFileSync(path.join(root, 'static', `${page}.html`), 'utf8')
  .matchAll(/<div class="ds-chart" data-ds-chart="([^"]+)"><img class="ds-first-paint ds-first-paint-light" alt="" height="(\d+)" src="([^"]*)"><img class="ds-first-paint ds-first-paint-dark" alt="" height="(\d+)" src="([^"]*)">/g)]
  .map((m) => (theme === 'light' ? { id: m[1], height: Number(m[2]), src: m[3] } : { id: m[1], height: Number(m[4]), src: m[5] }));

const PAGE = [
  '# Pictures', '',
  '```sql by_cat', 'SELECT cat, sum(v) AS total FROM t GROUP BY cat ORDER BY cat', '```', '',
  '```sql by_day', 'SELECT d, sum(v) AS total FROM t GROUP BY d ORDER BY d', '```', '',
  '```grid cols=2', '| by_cat_chart | by_day_chart |', '```', '',
  '```echart by_cat_chart', 'data_query: by_cat', 'type: bar', 'x: cat', 'y: total', 'title: By category', '```', '',
  '```echart by_day_chart', 'data_query: by_day', 'type: line', 'x: d', 'y: total', 'title: By day', 'height: 240', '```', '',
].join('\n');

const LIVE_ONLY = ['---', 'prerender: false', '---', '# Live only', '',
  '```sql q', 'SELECT cat, sum(v) AS total FROM t GROUP BY cat', '```', '',
  '```echart c', 'data_query: q', 'type: bar', 'x: cat', 'y: total', '```', ''].join('\n');

function writeData(root, scale) {
  dsSql(root, `COPY (SELECT * FROM (VALUES ('${EVIL}', DATE '2024-01-01', ${scale}), ('say "hi" & <b>', DATE '2024-01-02', ${2 * scale}),
    ('plain', DATE '2024-01-03', 3)) t(cat, d, v)) TO 'lake/t/part.parquet' (FORMAT parquet)`);
}

describe('charts drawn at build time', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;
  let first;

  before(async () => {
    root = tempDir('ducksite-e2e-firstpaint-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
    fs.writeFileSync(path.join(root, 'content', 'live.md'), LIVE_ONLY);
    writeData(root, 1);
    first = build(root);
    server = await startServer(root, { args: ['--no-build', '--no-watch'] });
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('each chart with a stored default result has its picture; never for prerender: false', () => {
    assert.deepEqual(paintLine(first), [4, 4, 0], first);
    const pics = pictures(root, 'index');
    assert.deepEqual(pics.map((p) => [p.id, p.height]), [['by_cat_chart', 360], ['by_day_chart', 240]]);
    const dark = pictures(root, 'index', 'dark');
    assert.deepEqual(dark.map((p) => [p.id, p.height]), [['by_cat_chart', 360], ['by_day_chart', 240]]);
    assert.equal(allPictures(root, 'index').length, 4);
    // The themes differ in their text colour (charts/theme.js).
    const text = (p) => decodeURIComponent(p.src.slice(p.src.indexOf(',') + 1));
    assert.match(text(pics[0]), /fill="#475569"/);
    assert.match(text(dark[0]), /fill="#94a3b8"/);
    assert.doesNotMatch(text(pics[0]), /fill="#94a3b8"/);
    for (const p of [...pics, ...dark]) {
      assert.match(p.src, /^data:image\/svg\+xml;charset=utf-8,%3Csvg /);
      // Nothing in the attribute can end it or start markup.
      assert.doesNotMatch(p.src, /[<>"&#\n]/);
      const svg = decodeURIComponent(p.src.slice(p.src.indexOf(',') + 1));
      assert.match(svg, /viewBox="0 0 \d+ \d+"/);
      assert.doesNotMatch(svg, /<script|<style|<img|<foreignObject/i);
    }
    const svg = decodeURIComponent(pics[0].src.slice(pics[0].src.indexOf(',') + 1));
    assert.ok(svg.includes('&lt;img src=x onerror=window.__pwned=1&gt;'), 'the HTML-like value is text in the picture');
    assert.deepEqual(pictures(root, 'live'), [], 'prerender: false: no stored result, no picture');
    // The build's own node scripts (drawing, the engine's check) are never published.
    assert.ok(!fs.existsSync(path.join(root, 'static', 'assets', 'firstpaint.node.mjs')));
    assert.ok(fs.existsSync(path.join(DIST, 'enginecheck.node.cjs')), 'the runtime folder has it');
    assert.ok(!fs.existsSync(path.join(root, 'static', 'assets', 'enginecheck.node.cjs')));
  });

  test('with scripts off, the charts are on screen and nothing runs', T, async () => {
    browser = await launchBrowser({ javaScriptEnabled: false });
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/index.html`);
    assert.equal(await page.locator('[data-ds-chart] img.ds-first-paint').count(), 4, 'light and dark');
    const imgs = page.locator('[data-ds-chart] img.ds-first-paint:visible');
    assert.equal(await imgs.count(), 2);
    for (let i = 0; i < 2; i++) {
      const ok = await imgs.nth(i).evaluate(async (img) => { await img.decode(); return img.naturalWidth > 0 && img.getBoundingClientRect().width > 300; });
      assert.ok(ok, `picture ${i} decoded and laid out`);
    }
    const box = await page.locator('[data-ds-chart="by_day_chart"] img:visible').boundingBox();
    assert.equal(Math.round(box.height), 240, 'the chart height key sizes the picture');
    await screenshot(page, 'firstpaint-noscript');
    await browser.close();
    browser = null;
  });

  test('with scripts on, the live chart replaces the picture', T, async () => {
    browser = await launchBrowser();
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/index.html`);
    await waitIdle(page);
    assert.equal(await page.locator('img.ds-first-paint').count(), 0, 'pictures removed after the live draw');
    assert.equal(await page.locator('[data-ds-chart="by_cat_chart"] canvas').count(), 1);
    const option = await page.evaluate(() => window.ducksite.chartOption('by_cat_chart'));
    assert.deepEqual(option.xAxis[0].data.map((d) => (typeof d === 'object' ? d.value : d)), [EVIL, 'plain', 'say "hi" & <b>']);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    const sources = await page.evaluate(() => window.ducksite.components().map((c) => c.source));
    assert.deepEqual(sources, ['stored', 'stored']);
    await screenshot(page, 'firstpaint-live');
    assert.deepEqual(rec.errors, []);
    await browser.close();
    browser = null;
  });

  test('axis labels have no trailing zeros; a line leaves room for its last label', async () => {
    // chart.js imports its neighbours: loaded from its file (no DOM needed).
    const { buildOption } = await import(pathToFileURL(path.join(ROOT, 'web', 'src', 'chart.js')).href);
    const result = { columns: [{ name: 'd', kind: 'text' }, { name: 'v', kind: 'float' }], rows: [['2024-01-01', 0.5], ['2024-01-03', 2.5]] };
    const option = buildOption({ type: 'line', x: 'd', y: 'v' }, result);
    assert.deepEqual([0.5, 1, 1.5, 2.5, 2.345].map(option.yAxis.axisLabel.formatter), ['0.5', '1', '1.5', '2.5', '2.35']);
    // One style per axis: an axis whose data reach 12,300 writes every tick in k.
    const big = buildOption({ type: 'line', x: 'd', y: 'v' }, { ...result, rows: [['2024-01-01', 12300], ['2024-01-03', 8000]] });
    assert.deepEqual([8000, 12300].map(big.yAxis.axisLabel.formatter), ['8k', '12.3k']);
    assert.equal(option.xAxis.axisLabel.alignMaxLabel, 'right', `the last label '2024-01-03' ends at the plot's edge`);
    assert.equal(buildOption({ type: 'bar', x: 'd', y: 'v' }, result).grid.right, 24, 'bars are centred in their band');
  });

  test('rebuilds draw only what changed', () => {
    // --force: a whole build (one with nothing changed stops as up to date).
    assert.deepEqual(paintLine(build(root, {}, '--force')), [4, 0, 4], 'nothing changed');
    const before = pictures(root, 'index');
    writeData(root, 5); // new totals for two categories and two days
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(root, 'lake', 't', 'part.parquet'), later, later);
    assert.deepEqual(paintLine(build(root)), [4, 4, 0], 'both charts read the changed file');
    const after = pictures(root, 'index');
    assert.notEqual(after[0].src, before[0].src);
    // A page edit that leaves the charts alone draws nothing.
    fs.writeFileSync(path.join(root, 'content', 'index.md'), `${PAGE}\nMore prose.\n`);
    assert.deepEqual(paintLine(build(root)), [4, 0, 4], 'prose edit');
  });

  test('without node the build succeeds and says why; pages have no pictures', () => {
    const copy = tempDir('ducksite-e2e-firstpaint-nonode-');
    fs.cpSync(root, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'static'), { recursive: true });
    const err = build(copy, { DUCKSITE_NODE: '/nonexistent/node' });
    assert.match(err, /first paint: charts are drawn when ECharts loads \(cannot run \/nonexistent\/node: No such file or directory\)/);
    assert.deepEqual(pictures(copy, 'index'), []);
    assert.match(fs.readFileSync(path.join(copy, 'static', 'index.html'), 'utf8'), /<div class="ds-chart" data-ds-chart="by_cat_chart"><\/div>/);
  });
});
