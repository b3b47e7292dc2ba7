// Data values in chart tooltips are text, never markup.  A project whose
// query returns '<img src=x onerror=window.__pwned=1>' as a category and as
// a series name is built and served; every chart type's tooltip is shown
// for that data point.  The markup must not run (window.__pwned stays
// unset, no <img> appears in a tooltip) and the tooltip must show it
// literally.  A screenshot of one tooltip is kept in build/e2e-artifacts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, offsiteRequests, openPage, screenshot,
  startServer, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const EVIL = '<img src=x onerror=window.__pwned=1>';

// One block per chart type whose tooltip names a category or series.
const CHARTS = {
  bar: 'type: bar\ndata_query: points\nx: category\ny: y\nseries: grp',
  scatter: 'type: scatter\ndata_query: points\nx: x\ny: y\nseries: grp',
  pie: 'type: pie\ndata_query: points\nname: category\nvalue: y',
  heatmap: 'type: heatmap\ndata_query: points\nx: category\ny: grp\nvalue: y',
  funnel: 'type: funnel\ndata_query: points\nname: category\nvalue: y',
  gauge: 'type: gauge\ndata_query: points\nname: category\nvalue: y',
};

describe('chart tooltips escape data values', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = tempDir('ducksite-e2e-escaping-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "t"\nupstream_glob = "lake/t/*.parquet"\n');
    const evil = EVIL.replace(/'/g, "''");
    dsSql(root, `COPY (SELECT * FROM (VALUES ('${evil}', '${evil}', 1.0, 60.0), ('plain', 'other', 2.0, 30.0)) v(category, grp, x, y)) TO 'lake/t/a.parquet' (FORMAT parquet)`);
    const blocks = Object.entries(CHARTS).map(([id, body]) => `\`\`\`echart ${id}\n${body}\n\`\`\`\n`);
    fs.writeFileSync(path.join(root, 'content', 'index.md'), [
      '# Escaping', '', '```sql points', 'SELECT category, grp, x, y FROM t ORDER BY x', '```', '',
      ...blocks,
    ].join('\n'));
    const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ducksite build failed:\n${r.stderr}`);
    server = await startServer(root, { args: ['--no-build'] });
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the tooltip of every chart type shows the markup as text and runs none of it', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/index.html`);
    await waitIdle(page);
    const states = await page.evaluate(() => window.ducksite.components().map((c) => `${c.key}=${c.state}`));
    assert.deepEqual(states.filter((s) => !s.endsWith('=ok')), []);

    for (const id of Object.keys(CHARTS)) {
      const shown = await page.evaluate(async (id) => {
        const el = document.querySelector(`[data-ds-chart="${id}"] .ds-chart-root`);
        el.scrollIntoView();
        const chart = window.echarts.getInstanceByDom(el);
        const opt = chart.getOption();
        // The data point whose category or series is the markup.
        const evil = (s) => typeof s === 'string' && s.startsWith('<img');
        let seriesIndex = 0;
        let dataIndex = 0;
        opt.series.forEach((s, si) => {
          if (evil(s.name)) seriesIndex = si;
          (s.data || []).forEach((d, di) => {
            if (d && evil(d.name)) [seriesIndex, dataIndex] = [si, di];
          });
        });
        const cats = opt.xAxis?.[0]?.data;
        if (cats && opt.series[seriesIndex].type !== 'heatmap' && opt.series[seriesIndex].type !== 'scatter') {
          dataIndex = Math.max(0, cats.findIndex(evil));
        }
        // ECharts' HTML tooltip: the visible div it adds inside the chart's box.
        const visibleTip = async () => {
          await new Promise((r) => setTimeout(r, 200));
          const tips = [...el.querySelectorAll('div')].filter((d) => d.style.position === 'absolute' && d.style.display !== 'none' && d.textContent.trim() !== '');
          return tips[tips.length - 1];
        };
        chart.dispatchAction({ type: 'showTip', seriesIndex, dataIndex });
        let tip = await visibleTip();
        if (!tip && opt.series[0].type === 'gauge') {
          // A gauge's tooltip comes from pointing at its progress arc (60 of
          // 100 from 210 degrees clockwise): try points along it.
          const [w, ht] = [chart.getWidth(), chart.getHeight()];
          const [cx, cy, radius] = [w / 2, ht * 0.55, (0.85 * Math.min(w, ht)) / 2 - 7];
          for (let a = 200; a > 100 && !tip; a -= 15) {
            const rad = (a * Math.PI) / 180;
            chart.dispatchAction({ type: 'showTip', x: cx + radius * Math.cos(rad), y: cy - radius * Math.sin(rad) });
            tip = await visibleTip();
          }
        }
        return tip ? { text: tip.textContent, html: tip.innerHTML, imgs: tip.querySelectorAll('img').length } : null;
      }, id);
      assert.ok(shown, `${id}: no tooltip shown`);
      assert.ok(shown.text.includes(EVIL), `${id}: tooltip text ${JSON.stringify(shown.text)} does not show the value literally`);
      assert.equal(shown.imgs, 0, `${id}: the value became markup: ${shown.html}`);
      if (id === 'pie') await screenshot(page, 'escaping-tooltip');
    }
    await page.waitForTimeout(500); // an <img src=x> would have failed to load by now
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the value ran as script');
    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'an <img> appeared in the page');
    assert.deepEqual(rec.errors, [], 'console errors');
    assert.deepEqual(offsiteRequests(browser, rec), [], 'requests off loopback');
    await page.close();
  });
});
