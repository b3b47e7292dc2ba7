// Live reload under `ducksite serve`, in Chromium: a page reloads when its
// markdown is saved, with its input value and its scroll position kept; a
// broken save shows the build's error (file, line, message) over the page,
// and the overlay goes when the fix is saved.  Only one tab holds the event
// stream (the others hear it through that tab) and another takes it over
// when that one closes.  A page served without
// rebuilds (--no-watch) opens no event stream.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, launchBrowser, missingPrerequisite, openPage, screenshot, startServer, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };

const filler = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} of words that make the page long.`).join('\n\n');
const page = (word) => `# Live

\`\`\`input who
label: Who
visual_mode: text
default: "nobody"
\`\`\`

${word} words at the top.

${filler}
`;
const BROKEN = `# Live

\`\`\`sql broken
SELEC nonsense
\`\`\`
`;

describe('live reload', { skip: skip ?? false }, () => {
  let root;
  let server;
  let context;

  before(async () => {
    root = tempDir('ducksite-e2e-live-');
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), '');
    fs.writeFileSync(path.join(root, 'content', 'index.md'), page('First'));
    fs.writeFileSync(path.join(root, 'content', 'other.md'), '# Other\n');
    const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    server = await startServer(root);
    context = await launchBrowser();
  }, T);

  after(async () => {
    await context?.close();
    await server?.stop();
  });

  test('a saved page reloads with its input value and scroll; an error shows and goes', T, async () => {
    // The first tab of the site holds the stream; the others hear its events.
    const first = await openPage(context);
    await first.page.goto(`${server.url}/other.html`);
    await waitIdle(first.page);
    const subscribed = (r) => r.requests.some((q) => q.url.endsWith('/_ducksite/events'));
    for (let i = 0; i < 50 && !subscribed(first); i++) await first.page.waitForTimeout(100);
    assert.ok(subscribed(first), 'the page subscribes to the event stream');
    const rec = await openPage(context);
    const p = rec.page;
    await p.goto(`${server.url}/index.html`);
    await waitIdle(p);
    await p.waitForTimeout(300);
    assert.ok(!subscribed(rec), 'a second tab opens no second stream');

    const box = p.locator('[data-ds-input="who"] input');
    await box.fill('alice');
    await box.press('Enter');
    await p.waitForFunction(() => location.search.includes('alice'));
    await p.evaluate(() => scrollTo(0, 900));
    const y = await p.evaluate(() => scrollY);
    assert.ok(y > 800, `the page scrolls (${y})`);

    // Another page's edit does not reload this one.
    await p.evaluate(() => { window.notReloaded = true; });
    fs.writeFileSync(path.join(root, 'content', 'other.md'), '# Other\n\nIts body, edited (the title, which every page\'s navigation shows, stays).\n');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await p.evaluate(() => window.notReloaded), true, 'other.md reloaded index.html');
    assert.match(await first.page.textContent('body'), /Its body, edited/, 'the first tab reloaded');
    // It closes: the stream passes to this tab.
    await first.page.close();
    for (let i = 0; i < 50 && !subscribed(rec); i++) await p.waitForTimeout(100);
    assert.ok(subscribed(rec), 'the stream passes to the tab left');

    fs.writeFileSync(path.join(root, 'content', 'index.md'), page('Second'));
    await p.waitForFunction(() => document.body.textContent.includes('Second words'), null, { timeout: 30000 });
    await waitIdle(p);
    assert.equal(await box.inputValue(), 'alice');
    assert.match(await p.evaluate(() => location.search), /alice/);
    await p.waitForFunction((want) => Math.abs(scrollY - want) < 2, y, { timeout: 5000 });

    fs.writeFileSync(path.join(root, 'content', 'index.md'), BROKEN);
    const overlay = p.locator('#ds-live-error');
    await overlay.waitFor({ timeout: 30000 });
    assert.equal(await p.locator('.ds-live-error-where').textContent(), 'content/index.md:3');
    assert.match(await p.locator('.ds-live-error-message').textContent(), /SELEC|syntax/i);
    // Still the last good build underneath.
    assert.ok(await p.evaluate(() => document.body.textContent.includes('Second words')));
    for (const scheme of ['light', 'dark']) {
      await p.emulateMedia({ colorScheme: scheme });
      await p.evaluate(() => localStorage.removeItem('ducksite-theme'));
      await p.screenshot({ path: path.join(path.dirname(await screenshot(p, `live-error-${scheme}`)), `live-error-${scheme}-viewport.png`) });
      const colours = await overlay.evaluate((el) => {
        const s = getComputedStyle(el);
        const m = getComputedStyle(el.querySelector('.ds-live-error-message'));
        return { bg: s.backgroundColor, fg: m.color };
      });
      assert.notEqual(colours.bg, colours.fg);
      assert.notEqual(colours.bg, 'rgba(0, 0, 0, 0)', 'the overlay is opaque');
    }

    fs.writeFileSync(path.join(root, 'content', 'index.md'), page('Third'));
    await p.waitForFunction(() => document.body.textContent.includes('Third words'), null, { timeout: 30000 });
    await p.waitForFunction(() => !document.getElementById('ds-live-error'), null, { timeout: 10000 });
    assert.equal(await box.inputValue(), 'alice');
    assert.deepEqual(rec.errors.filter((e) => !e.includes('ERR_ABORTED')), []);
  });

  test('without rebuilds a page opens no stream', T, async () => {
    const plain = await startServer(root, { args: ['--no-build', '--no-watch'] });
    try {
      fs.writeFileSync(path.join(root, 'content', 'index.md'), page('Plain'));
      const rec = await openPage(context);
      await rec.page.goto(`${plain.url}/index.html`);
      await waitIdle(rec.page);
      await rec.page.waitForTimeout(500);
      assert.deepEqual(rec.requests.filter((r) => r.url.includes('_ducksite')), []);
      assert.deepEqual(rec.errors, []);
    } finally {
      await plain.stop();
    }
  });
});
