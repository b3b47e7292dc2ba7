// Look and feel, on the project `ducksite demo` creates (plus two pages, see
// EXTRA_PAGES), in Chromium:
//   themes  the system's scheme by default, the switch in the navigation
//           remembered in localStorage and in place before the first paint
//           (theme-init.js), charts redrawn in the other theme, the build's
//           first-paint pictures in both themes, text contrast >= 4.5:1;
//   print   print emulation (no navigation, light, charts as SVG, tables
//           with all their rows) and Chromium's PDF export read back with
//           pdftotext (poppler-utils);
//   search  the index (static/_search.json) fetched on first focus, `/`
//           focuses the box, arrows move, Enter opens, Escape closes.
// Screenshots (build/e2e-artifacts/look-*.png) are for looking at.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  ARTIFACTS, DUCKSITE, importRuntime, launchBrowser, missingPrerequisite, offsiteRequests, openPage, screenshot,
  startServer, tempDir, waitIdle,
} from './lib.mjs';

const PDFTOTEXT = '/usr/bin/pdftotext';
let skip = missingPrerequisite();
if (!skip && !fs.existsSync(PDFTOTEXT)) {
  skip = `${PDFTOTEXT} missing: apt-get install poppler-utils`;
  if (process.env.E2E_REQUIRE === '1') throw new Error(`e2e prerequisites: ${skip}`);
}
const T = { timeout: 180000 };

const EXTRA_PAGES = {
  // A table longer than a screen page (50 rows) and a chart over it.
  'print_check.md': [
    '# Print check',
    '',
    'A table of 120 rows (`many`): on paper, every one of them.',
    '',
    '```sql many',
    "SELECT 'row_' || lpad(CAST(i AS VARCHAR), 3, '0') AS label, i AS n, i * i AS square FROM range(1, 121) t(i)",
    '```',
    '',
    '```echart squares',
    'data_query: many',
    'type: line',
    'x: n',
    'y: square',
    'title: Squares',
    '```',
    '',
    '```table many',
    'query: many',
    '```',
    '',
  ],
  // Words no other page has: in the navigation of every page (so never
  // in a printed page) and for the search.
  'quokka.md': [
    '---',
    'title: Quokka notes',
    '---',
    '# Quokka notes',
    '',
    'The quokka lives on Rottnest Island and on the mainland nearby.',
    '',
    '## Marsupial facts',
    '',
    'Small, nocturnal, and fond of shade.',
    '',
  ],
  'hidden_quokka.md': ['---', 'hidden: true', '---', '# Secret quokka den', '', 'Nobody finds this.', ''],
};

// Text colour against the background it is drawn on (semi-transparent
// layers composited), WCAG contrast ratio, for the first visible match of
// each selector.
function contrasts(selectors) {
  const rgba = (s) => {
    const m = /rgba?\(([^)]+)\)/.exec(s);
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) {
        layers.push(c);
        if (c.a >= 1) break;
      }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const lum = ({ r, g, b }) => {
    const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const out = {};
  for (const sel of selectors) {
    const el = [...document.querySelectorAll(sel)].find((e) => e.getClientRects().length > 0
      && (e.textContent.trim() !== '' || e.tagName === 'INPUT' || e.tagName === 'SELECT'));
    if (!el) { out[sel] = null; continue; }
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    out[sel] = Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100;
  }
  return out;
}

const TEXT = [
  '.ducksite-nav a', '.ducksite-nav-folder-name', '.ducksite-md h1', '.ducksite-md p', '.ducksite-md code',
  '.ducksite-table td', '.ds-sort', '.ds-rowcount', '.ds-pageno', '.ds-title', '.ds-input-label', 'select.ds-select',
  '.ds-search-input', '.ds-btn', '.ds-nav-more-button',
];

describe('look and feel: themes, print, search', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    const dir = tempDir('ducksite-e2e-look-');
    root = path.join(dir, 'demo');
    const run = (...args) => execFileSync(DUCKSITE, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    run('demo', '--root', root);
    for (const [name, lines] of Object.entries(EXTRA_PAGES)) fs.writeFileSync(path.join(root, 'content', name), lines.join('\n'));
    run('build', '--root', root);
    server = await startServer(root);
    browser = await launchBrowser({ colorScheme: 'dark' });
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('chart text is readable in both themes (4.5:1 on the chart and in tooltips)', async () => {
    const { THEME_NAMES, echartsTheme, themeColors } = await importRuntime('charts/theme.js');
    const hex = (s) => { const m = /^#([0-9a-f]{6})$/i.exec(s); return m && [0, 2, 4].map((i) => Number.parseInt(m[1].slice(i, i + 2), 16)); };
    const rgb = (s) => hex(s) || /rgba?\(([^)]+)\)/.exec(s)[1].split(',').slice(0, 3).map(Number);
    const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
    const lin = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    // The chart's background: its frame (ducksite.css --ds-surface, and the
    // dark theme's gradient from --ds-frame-top).
    const BACKGROUNDS = { light: ['#ffffff', '#f8fafc'], dark: ['#0b1220', '#111a2e'] };
    assert.deepEqual(THEME_NAMES, ['light', 'dark']);
    for (const name of THEME_NAMES) {
      const c = themeColors(name);
      const t = echartsTheme(name);
      const texts = {
        text: t.textStyle.color, axis: t.categoryAxis.axisLabel.color, legend: t.legend.textStyle.color,
        title: t.title.textStyle.color, pieLabel: t.pie.label.color, gaugeTitle: t.gauge.title.color,
      };
      for (const bg of BACKGROUNDS[name]) {
        for (const [what, colour] of Object.entries(texts)) {
          assert.ok(ratio(colour, bg) >= 4.5, `${name}: ${what} ${colour} on ${bg}: ${ratio(colour, bg).toFixed(2)}`);
        }
      }
      assert.ok(ratio(t.tooltip.textStyle.color, c.tooltip) >= 4.5, `${name}: tooltip text`);
    }
    assert.notEqual(themeColors('light').muted, themeColors('dark').muted);
  });

  test('the build indexes the listed pages for search', () => {
    const index = JSON.parse(fs.readFileSync(path.join(root, 'static', '_search.json'), 'utf8'));
    const quokka = index.pages.find((p) => p.url === '/quokka.html');
    assert.equal(quokka.title, 'Quokka notes');
    assert.deepEqual(quokka.headings, ['Marsupial facts']);
    assert.match(quokka.text, /^The quokka lives on Rottnest Island/);
    assert.equal(index.pages.some((p) => p.url === '/hidden_quokka.html'), false, 'hidden pages are not indexed');
    assert.ok(index.pages.some((p) => p.url === '/charts.html'));
  });

  test('before any script runs, the system theme picks the first-paint picture', T, async () => {
    for (const scheme of ['light', 'dark']) {
      const context = await launchBrowser({ javaScriptEnabled: false, colorScheme: scheme });
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/charts.html`);
        const shown = await page.evaluate(() => [...document.querySelectorAll('img.ds-first-paint')]
          .filter((i) => getComputedStyle(i).display !== 'none').map((i) => i.className));
        assert.ok(shown.length > 0, 'pictures drawn at build time');
        assert.ok(shown.every((c) => c.includes(`ds-first-paint-${scheme}`)), `${scheme}: ${shown}`);
        const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(bg, scheme === 'dark' ? 'rgb(2, 6, 23)' : 'rgb(248, 250, 252)');
      } finally {
        await context.close();
      }
    }
  });

  test('theme switch: remembered, applied before the first paint, charts redrawn', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    // What <html data-theme> says when <body> first exists, i.e. before
    // anything of the page could be painted.
    await page.addInitScript(() => {
      new MutationObserver((_, obs) => {
        if (!document.body) return;
        window.themeAtBody = document.documentElement.dataset.theme ?? 'system';
        obs.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${server.url}/index.html`);
    await waitIdle(page);
    const colours = () => page.evaluate(() => {
      const o = window.ducksite.chartOption('monthly');
      return {
        axis: o.xAxis[0].axisLabel.color,
        legend: o.legend?.[0]?.textStyle?.color ?? null,
        theme: document.querySelector('[data-ds-chart="monthly"] .ds-chart-root').dataset.theme,
        bg: getComputedStyle(document.body).backgroundColor,
      };
    });
    // The system (dark here) by default.
    assert.equal(await page.evaluate(() => window.themeAtBody), 'system');
    const dark = await colours();
    assert.equal(dark.theme, 'dark');
    assert.equal(dark.axis, '#94a3b8');
    assert.equal(dark.bg, 'rgb(2, 6, 23)');
    const button = page.locator('.ds-theme-toggle');
    assert.match(await button.getAttribute('aria-label'), /follows the system \(dark\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'look-dark-viewport.png') });
    await screenshot(page, 'look-dark-wide');

    // system -> light: the page and its charts change, the choice is kept.
    await button.click();
    await page.waitForFunction(() => document.querySelector('[data-ds-chart="monthly"] .ds-chart-root').dataset.theme === 'light');
    const light = await colours();
    assert.equal(light.axis, '#475569');
    assert.equal(light.bg, 'rgb(248, 250, 252)');
    assert.equal(await page.evaluate(() => localStorage.getItem('ducksite-theme')), 'light');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.match(await button.getAttribute('aria-label'), /Theme: light/);
    await screenshot(page, 'look-light-wide');

    // Another page opens in the chosen theme from its first paint on.
    await page.goto(`${server.url}/charts.html`);
    assert.equal(await page.evaluate(() => window.themeAtBody), 'light');
    await waitIdle(page);
    assert.equal(await page.evaluate(() => document.querySelector('.ds-chart-root').dataset.theme), 'light');

    // light -> dark -> system (dark again, no stored choice).
    await button.click();
    assert.equal(await page.evaluate(() => localStorage.getItem('ducksite-theme')), 'dark');
    await button.click();
    assert.equal(await page.evaluate(() => localStorage.getItem('ducksite-theme')), null);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), undefined);
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(offsiteRequests(browser, rec), []);
    await page.close();
  });

  test('reduced motion: charts drawn without animation, no transitions; animated otherwise', T, async () => {
    const seen = {};
    for (const motion of ['no-preference', 'reduce']) {
      const rec = await openPage(browser);
      const { page } = rec;
      await page.emulateMedia({ reducedMotion: motion });
      await page.goto(`${server.url}/index.html`);
      await waitIdle(page);
      seen[motion] = await page.evaluate(() => ({
        animation: window.ducksite.chartOption('monthly').animation,
        button: getComputedStyle(document.querySelector('.ds-btn')).transitionDuration,
      }));
      assert.deepEqual(rec.errors, [], motion);
      await page.close();
    }
    assert.notEqual(seen['no-preference'].animation, false, 'animated without a preference');
    assert.notEqual(seen['no-preference'].button, '0s', 'buttons fade without a preference');
    assert.deepEqual(seen.reduce, { animation: false, button: '0s' });
  });

  test('text meets 4.5:1 in both themes, wide and narrow', T, async () => {
    const must = ['.ducksite-nav a', '.ducksite-md h1', '.ducksite-md p', '.ducksite-md code', '.ducksite-table td',
      '.ds-sort', '.ds-rowcount', '.ds-pageno', '.ds-input-label', 'select.ds-select', '.ds-search-input', '.ds-btn'];
    for (const theme of ['light', 'dark']) {
      for (const [label, width] of [['wide', 1360], ['narrow', 390]]) {
        const rec = await openPage(browser);
        const { page } = rec;
        await page.setViewportSize({ width, height: 900 });
        await page.addInitScript((t) => localStorage.setItem('ducksite-theme', t), theme);
        const measured = new Set();
        for (const route of ['/index.html', '/inputs.html', '/print_check.html']) {
          await page.goto(`${server.url}${route}`);
          await waitIdle(page);
          if (route === '/index.html' && label === 'narrow') await screenshot(page, `look-${theme}-narrow`);
          const ratios = await page.evaluate(contrasts, TEXT);
          for (const [sel, ratio] of Object.entries(ratios)) {
            if (ratio === null) continue;
            measured.add(sel);
            assert.ok(ratio >= 4.5, `${theme} ${label} ${route}: ${sel} has contrast ${ratio}`);
          }
        }
        // Narrow, the navigation's links may all be in its "More" menu: its button is the nav's text then.
        if (measured.has('.ds-nav-more-button')) measured.add('.ducksite-nav a');
        assert.deepEqual(must.filter((s) => !measured.has(s)), [], 'every kind of text measured');
        if (label === 'wide') {
          // The SQL console (its own stylesheet) follows the theme too.
          await page.click('.ds-console-open');
          await page.waitForSelector('.ds-console[open] .cm-content');
          // The list of views fills in once the console's manifest has loaded.
          await page.waitForSelector('.ds-console-views .ds-console-kind-model');
          await page.keyboard.type("SELECT 'x' AS a -- note");
          const sels = ['.ds-console-title', '.cm-line', '.ds-console-views summary', '.ds-console-kind-model', '.ds-console-deps',
            '.ds-console-hint'];
          const ratios = await page.evaluate(contrasts, sels);
          for (const sel of sels) {
            assert.ok(ratios[sel] !== null, `${theme}: ${sel} shown`);
            assert.ok(ratios[sel] >= 4.5, `${theme} console: ${sel} has contrast ${ratios[sel]}`);
          }
          await screenshot(page, `look-${theme}-console`);
        }
        assert.deepEqual(rec.errors, []);
        await page.close();
      }
    }
  });

  test('print: a clean light document; the PDF has every table row and no navigation', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.addInitScript(() => localStorage.setItem('ducksite-theme', 'dark'));
    await page.goto(`${server.url}/print_check.html`);
    await waitIdle(page);
    // On screen: one page of 50 rows, a canvas chart.
    assert.equal(await page.locator('[data-ds-table="many"] tbody tr').count(), 50);
    assert.equal(await page.locator('[data-ds-chart="squares"] canvas').count(), 1);

    await page.emulateMedia({ media: 'print' });
    await page.waitForFunction(() => document.querySelector('[data-ds-chart="squares"] .ds-chart-root svg'));
    assert.equal(await page.locator('[data-ds-table="many"] tbody tr').count(), 120);
    const look = await page.evaluate(() => ({
      nav: getComputedStyle(document.querySelector('.ducksite-nav')).display,
      actions: getComputedStyle(document.querySelector('.ds-actions')).display,
      bg: getComputedStyle(document.body).backgroundColor,
      fg: getComputedStyle(document.querySelector('.ducksite-md h1')).color,
      chartTheme: document.querySelector('[data-ds-chart="squares"] .ds-chart-root').dataset.theme,
      breakInside: getComputedStyle(document.querySelector('.ds-chart')).breakInside,
      scroll: getComputedStyle(document.querySelector('.ds-table-scroll')).maxHeight,
    }));
    assert.deepEqual(look, {
      nav: 'none', actions: 'none', bg: 'rgb(255, 255, 255)', fg: 'rgb(15, 23, 42)', chartTheme: 'light',
      breakInside: 'avoid', scroll: 'none',
    });
    const axis = await page.evaluate(() => window.ducksite.chartOption('squares').xAxis[0].axisLabel.color);
    assert.equal(axis, '#475569', 'charts in the light theme on paper');
    await screenshot(page, 'look-print-preview');

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const pdf = path.join(ARTIFACTS, 'look-print.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true });
    const text = execFileSync(PDFTOTEXT, ['-layout', pdf, '-'], { encoding: 'utf8' });
    // The first sheet as a picture, to look at (pdftoppm: poppler-utils too).
    execFileSync(PDFTOTEXT.replace('pdftotext', 'pdftoppm'), ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(ARTIFACTS, 'look-print-page1')]);
    assert.match(text, /Print check/);
    assert.match(text, /row_001/);
    assert.match(text, /row_120/, 'the last row of the table is printed');
    for (let i = 1; i <= 120; i++) assert.ok(text.includes(`row_${String(i).padStart(3, '0')}`), `row ${i} printed`);
    // The header is repeated on every sheet the table runs over, in words
    // (Chromium once painted its repeats blank).
    const sheets = text.split('\f').filter((sheet) => /row_\d{3}/.test(sheet));
    assert.ok(sheets.length >= 2, `the table runs over ${sheets.length} sheet(s)`);
    sheets.forEach((sheet, i) => assert.match(sheet, /label\s+n\s+square/, `the table header on sheet ${i + 1} of the table`));
    assert.doesNotMatch(text, /Quokka/, 'no navigation in print');
    assert.doesNotMatch(text, /CSV|Prev|Next/, 'no buttons in print');

    // Back on screen: the paged table and the canvas chart again.
    await page.emulateMedia({ media: 'screen' });
    await page.waitForFunction(() => document.querySelector('[data-ds-chart="squares"] canvas'));
    assert.equal(await page.locator('[data-ds-table="many"] tbody tr').count(), 50);
    assert.equal(await page.evaluate(() => document.querySelector('.ds-chart-root').dataset.theme), 'dark');
    assert.deepEqual(rec.errors, []);
    await page.close();
  });

  test('search: loaded on first focus, / focuses, arrows move, Enter opens, Escape closes', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/inputs.html`);
    await waitIdle(page);
    const indexRequests = () => rec.requests.filter((r) => r.url.endsWith('/_search.json')).length;
    assert.equal(indexRequests(), 0, 'no index before the search is used');

    // `/` typed into an input stays there.
    const text = page.locator('input.ds-text, input[type="text"]').first();
    if (await text.count()) {
      await text.focus();
      await page.keyboard.type('/');
      assert.notEqual(await page.evaluate(() => document.activeElement.className), 'ds-search-input');
      await text.fill('');
    }
    await page.locator('main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'ds-search-input');
    await page.keyboard.type('quokka');
    const results = page.locator('.ds-search-results .ds-search-result');
    await results.first().waitFor();
    assert.equal(indexRequests(), 1);
    const titles = await results.locator('.ds-search-title').allTextContents();
    assert.equal(titles[0], 'Quokka notes');
    assert.ok(!titles.some((t) => /Secret/.test(t)), 'hidden page not found');
    assert.equal(await results.first().locator('.ds-search-title mark').textContent(), 'Quokka');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('a marsupial');
    await results.first().waitFor();
    assert.match(await results.first().locator('.ds-search-where').textContent(), /Marsupial facts/);
    assert.equal(await results.first().locator('.ds-search-where mark').textContent(), 'Marsupial');
    await screenshot(page, 'look-search-open');

    // Prose matches show a snippet; arrows move the selection.
    await page.locator('.ds-search-input').fill('');
    await page.keyboard.type('a');
    await results.nth(1).waitFor();
    assert.equal(await results.nth(0).getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowDown');
    assert.equal(await results.nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await results.nth(0).getAttribute('aria-selected'), 'false');
    await page.keyboard.press('ArrowUp');
    assert.equal(await results.nth(0).getAttribute('aria-selected'), 'true');

    // Escape closes the list, a second one leaves the box.
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.ds-search-results').isHidden(), true);
    await page.keyboard.press('Escape');
    assert.notEqual(await page.evaluate(() => document.activeElement.className), 'ds-search-input');

    // Enter opens the selected page.
    await page.keyboard.press('/');
    await page.keyboard.type('rottnest');
    await results.first().waitFor();
    assert.match(await results.first().locator('.ds-search-where').textContent(), /Rottnest Island/);
    await Promise.all([page.waitForURL(/\/quokka\.html/), page.keyboard.press('Enter')]);
    assert.equal(await page.title(), 'Quokka notes');
    assert.deepEqual(rec.errors, []);
    assert.deepEqual(offsiteRequests(browser, rec), []);
    await page.close();
  });
});
