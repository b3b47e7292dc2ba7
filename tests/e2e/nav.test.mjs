// tests/e2e/nav.test.mjs - the navigation stays one line at any width.
// A site of 12 pages (one folder of 3) at 1100, 800 and 390 px: the nav is
// one line tall, the entries that do not fit are in the "More" menu, every
// page is reachable (on the line or in the menu), the current page is
// marked, the menu works from the keyboard, and the search box, theme
// switch and SQL button stay on the line, in view, clear of each other.
// Screenshots (light, dark, menu open) in build/e2e-artifacts/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { ARTIFACTS, DUCKSITE, missingPrerequisite, openIdle, servedProject, tempDir } from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

const TOP = ['Overview', 'Revenue by month', 'Customers', 'Products and categories', 'Orders', 'Returns',
  'Marketing channels', 'Inventory', 'Forecasts'];
const FOLDER = ['North region', 'South region'];

function makeProject() {
  const root = tempDir('ducksite-e2e-nav-');
  fs.mkdirSync(path.join(root, 'content', 'regions'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '');
  TOP.forEach((title, i) => {
    const name = i === 0 ? 'index' : `p${String(i).padStart(2, '0')}`;
    fs.writeFileSync(path.join(root, 'content', `${name}.md`), `---\ntitle: ${title}\norder: ${i}\n---\n\n# ${title}\n\nSome text.\n`);
  });
  fs.writeFileSync(path.join(root, 'content', 'regions', 'index.md'), '---\ntitle: Regions\n---\n\n# Regions\n');
  FOLDER.forEach((title, i) => {
    fs.writeFileSync(path.join(root, 'content', 'regions', `r${i}.md`), `---\ntitle: ${title}\n---\n\n# ${title}\n`);
  });
  const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

/** What the nav shows: its height, the line's boxes, the links on the line and in the menu. */
async function navState(page) {
  return page.evaluate(() => {
    const nav = document.querySelector('nav.ducksite-nav');
    const box = (el) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
    };
    const list = nav.querySelector('.ducksite-nav-list');
    const lr = list.getBoundingClientRect();
    const onLine = [...list.querySelectorAll('a')].filter((a) => {
      const r = a.getBoundingClientRect();
      return r.width > 0 && r.left >= lr.left - 1 && r.right <= lr.right + 1;
    }).map((a) => a.getAttribute('href'));
    const more = nav.querySelector('.ds-nav-more');
    return {
      height: nav.getBoundingClientRect().height,
      lineHeight: box(nav.querySelector('.ds-search-input')).height,
      onLine,
      inMenu: more && !more.hidden ? [...more.querySelectorAll('.ds-nav-more-menu a')].map((a) => a.getAttribute('href')) : [],
      moreShown: !!more && !more.hidden,
      moreCurrent: !!more?.classList.contains('ds-nav-more-current'),
      currentOnLine: [...list.querySelectorAll('a[aria-current="page"]')].filter((a) => a.getBoundingClientRect().width > 0).map((a) => a.getAttribute('href')),
      currentInMenu: [...(more?.querySelectorAll('.ds-nav-more-menu a[aria-current="page"]') ?? [])].map((a) => a.getAttribute('href')),
      boxes: {
        list: box(list), more: more && !more.hidden ? box(more) : null,
        search: box(nav.querySelector('.ds-search')), theme: box(nav.querySelector('.ds-theme-toggle')),
        sql: box(nav.querySelector('.ds-console-open')),
      },
      width: window.innerWidth,
    };
  });
}

const overlap = (a, b) => a && b && a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom && b.top < a.bottom;

describe('navigation: one line at any width', { skip: skip ?? false }, () => {
  const site = servedProject(makeProject);
  const ALL = ['/index.html', '/p01.html', '/p02.html', '/p03.html', '/p04.html', '/p05.html', '/p06.html', '/p07.html',
    '/p08.html', '/regions/index.html', '/regions/r0.html', '/regions/r1.html'];

  for (const width of [1100, 800, 390]) {
    test(`${width} px: one line, every page reachable, tools usable`, T, async () => {
      const { page, errors } = await openIdle(site.browser, `${site.server.url}/p08.html`);
      await page.setViewportSize({ width, height: 700 });
      await page.waitForFunction(() => document.querySelector('.ds-console-open'));
      await page.waitForTimeout(200);
      const s = await navState(page);
      // One line: the nav is no taller than its tallest control and padding.
      assert.ok(s.height <= s.lineHeight + 30, `${width}: nav ${s.height} px tall for a ${s.lineHeight} px line`);
      assert.deepEqual([...s.onLine, ...s.inMenu].sort(), [...ALL].sort(), `${width}: every page reachable once`);
      assert.equal(new Set([...s.onLine, ...s.inMenu]).size, ALL.length);
      if (width < 1100) assert.ok(s.moreShown && s.inMenu.length > 0, `${width}: a More menu`);
      // The current page stays marked: on the line, or in the menu and on More.
      assert.deepEqual([...s.currentOnLine, ...s.currentInMenu], ['/p08.html']);
      assert.equal(s.moreCurrent, s.currentInMenu.length > 0);
      // The tools: in view, on the line, clear of each other and of the links.
      const b = s.boxes;
      for (const k of ['search', 'theme', 'sql']) {
        assert.ok(b[k] && b[k].left >= 0 && b[k].right <= s.width + 0.5, `${width}: ${k} in view ${JSON.stringify(b[k])}`);
      }
      for (const [x, y] of [['list', 'search'], ['more', 'search'], ['search', 'theme'], ['theme', 'sql'], ['search', 'sql'], ['list', 'more']]) {
        assert.ok(!overlap(b[x], b[y]), `${width}: ${x} and ${y} overlap: ${JSON.stringify([b[x], b[y]])}`);
      }
      // The search box still takes text; the theme switch still switches.
      await page.fill('.ds-search-input', 'rev');
      assert.equal(await page.inputValue('.ds-search-input'), 'rev');
      await page.keyboard.press('Escape');
      const before = await page.evaluate(() => document.documentElement.dataset.theme ?? '');
      await page.click('.ds-theme-toggle');
      assert.notEqual(await page.evaluate(() => document.documentElement.dataset.theme ?? ''), before);

      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.evaluate(() => localStorage.clear());
        await page.reload();
        await page.waitForFunction(() => document.querySelector('.ds-console-open'));
        await page.waitForTimeout(200);
        if (s.moreShown) await page.click('.ds-nav-more-button');
        await page.screenshot({ path: path.join(ARTIFACTS, `nav-${width}-${scheme}.png`) });
      }
      assert.deepEqual(errors, []);
      await page.close();
    });
  }

  test('the More menu from the keyboard; a page from the menu opens', T, async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const { page } = await openIdle(site.browser, `${site.server.url}/index.html`);
    await page.setViewportSize({ width: 800, height: 700 });
    await page.waitForTimeout(200);
    const s = await navState(page);
    assert.ok(s.moreShown);
    await page.focus('.ds-nav-more-button');
    await page.keyboard.press('Enter');
    assert.equal(await page.getAttribute('.ds-nav-more-button', 'aria-expanded'), 'true');
    assert.equal(await page.isVisible('.ds-nav-more-menu'), true);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), s.inMenu[0]);
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), s.inMenu[1]);
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('.ds-nav-more-menu'), false);
    assert.equal(await page.evaluate(() => document.activeElement.classList.contains('ds-nav-more-button')), true, 'focus back on More');
    await page.keyboard.press('ArrowDown');
    const last = s.inMenu[s.inMenu.length - 1];
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), last);
    await Promise.all([page.waitForURL(`**${last}`), page.keyboard.press('Enter')]);
    // Wider again: everything back on the line at 2400 px, no menu.
    await page.setViewportSize({ width: 2400, height: 700 });
    await page.waitForTimeout(200);
    const wide = await navState(page);
    assert.equal(wide.moreShown, false);
    assert.equal(wide.onLine.length, 12);
    await page.close();
  });
});
