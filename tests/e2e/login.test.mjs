// Site-wide sign-in in a real browser ([auth] site = true, docs/server.md
// "Sign-in").  A project with a table over a Parquet file and one user is
// built and served.  Opening the site lands on the login page (styled by
// the site's CSS, no console error under the server's policy); a wrong
// password shows the generic message; the right one goes back to the page,
// which then draws its table from the data (so the browser's POST carried
// its real Origin, and the session cookie goes with the runtime's fetches
// and DuckDB's ranged reads); the cookie is HttpOnly and SameSite=Strict;
// signing out leads back to the login page.  Screenshots of the login page,
// wide and narrow, are kept in build/e2e-artifacts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, offsiteRequests, openPage, screenshot,
  startServer, tableCells, tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 180000 };
const EMAIL = 'alice@example.org';
const PASSWORD = 'correct horse battery';

describe('site-wide sign-in', { skip: skip ?? false }, () => {
  let root;
  let server;
  let browser;

  before(async () => {
    root = tempDir('ducksite-e2e-login-');
    fs.mkdirSync(path.join(root, 'lake', 't'), { recursive: true });
    fs.mkdirSync(path.join(root, 'content'), { recursive: true });
    fs.writeFileSync(path.join(root, 'ducksite.toml'), [
      '[[file_sources]]', 'name = "t"', 'upstream_glob = "lake/t/*.parquet"', '',
      '[auth]', 'site = true', '',
    ].join('\n'));
    dsSql(root, "COPY (SELECT * FROM (VALUES ('north', 10), ('south', 32)) v(region, total)) TO 'lake/t/a.parquet' (FORMAT parquet)");
    fs.writeFileSync(path.join(root, 'content', 'index.md'), [
      '# Totals', '', '```sql totals', 'SELECT region, total FROM t ORDER BY region', '```', '',
      '```table totals', 'query: totals', '```', '',
      '```form note', 'label: A note', 'target_csv: forms/notes.csv', 'inputs: ["note"]', 'auth_required: true',
      'sql_relation_query: SELECT ${inputs.note} AS note', '```', '',
    ].join('\n'));
    let r = spawnSync(DUCKSITE, ['user', 'add', EMAIL, '--root', root], { input: `${PASSWORD}\n`, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    r = spawnSync(DUCKSITE, ['build', '--root', root, '--no-prerender'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ducksite build failed:\n${r.stderr}`);
    server = await startServer(root, { args: ['--no-build'], ready: '/login' });
    browser = await launchBrowser();
  }, T);

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('sign in, see the data, sign out', T, async () => {
    const rec = await openPage(browser);
    const { page } = rec;
    await page.goto(`${server.url}/`);
    assert.equal(new URL(page.url()).pathname, '/login', 'redirected to the login page');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/');
    // styled by the site's CSS: the page background is the theme's
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'ducksite.css applies');
    const box = await page.locator('main.ds-login').boundingBox();
    assert.ok(box.width > 300 && box.width <= 382, `login box ${box.width}px wide`);
    await screenshot(page, 'login-wide');
    await page.setViewportSize({ width: 390, height: 844 });
    const narrow = await page.locator('main.ds-login').boundingBox();
    assert.ok(narrow.x >= 8 && narrow.x + narrow.width <= 390 - 8, `fits a phone: ${JSON.stringify(narrow)}`);
    await screenshot(page, 'login-narrow');
    await page.setViewportSize({ width: 1360, height: 900 });

    await page.fill('input[name=email]', EMAIL);
    await page.fill('input[name=password]', 'not the password');
    await page.click('button[type=submit]');
    await page.waitForLoadState();
    assert.equal(await page.textContent('[role=alert]'), 'Wrong email or password.');
    assert.equal(await page.inputValue('input[name=email]'), EMAIL, 'the email is kept');
    await screenshot(page, 'login-failed');

    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    await waitIdle(page);
    assert.deepEqual((await tableCells(page, 'totals')).rows, [['north', '10'], ['south', '32']]);
    const posts = rec.requests.filter((r) => r.method === 'POST');
    assert.ok(posts.length === 2 && posts.every((r) => r.headers.origin === server.origin),
      `the browser sends this origin: ${JSON.stringify(posts.map((r) => r.headers.origin))}`);
    const cookies = await browser.cookies(server.url);
    const session = cookies.find((c) => c.name === 'ducksite_session');
    assert.ok(session && /^[0-9a-f]{32}$/.test(session.value), JSON.stringify(cookies));
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '', 'not readable by scripts');

    // A form that signs in asks nothing more: the session says who submits.
    const panel = page.locator('[data-ds-form="note"]');
    assert.equal(await panel.locator('.ds-form-signed-in').textContent(), `Submitting as ${EMAIL}`);
    assert.equal(await panel.locator('input[type=password], input[type=email]').count(), 0);
    await panel.locator('input[name="note"]').fill('from the session');
    await panel.locator('button[type=submit]').click();
    await panel.locator('.ds-form-status', { hasText: 'Submitted' }).waitFor();
    const csv = fs.readFileSync(path.join(root, 'forms', 'notes.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 2, csv.join('\n'));
    assert.match(csv[1], new RegExp(`^from the session,${EMAIL},`));

    await page.goto(`${server.url}/login`);
    assert.match(await page.textContent('main'), /Signed in as alice@example\.org/);
    await screenshot(page, 'login-signed-in');
    await page.click('button[type=submit]');
    await page.waitForURL(/\/login$/);
    await page.goto(`${server.url}/index.html`);
    assert.equal(new URL(page.url()).pathname, '/login', 'signed out');
    // The one answer that is not a success is the failed sign-in's 401,
    // which Chrome reports on the console; nothing else may fail.
    const failed = rec.responses.filter((r) => r.status >= 400).map((r) => `${r.method} ${new URL(r.url).pathname} ${r.status}`);
    assert.deepEqual(failed, ['POST /login 401']);
    assert.deepEqual(rec.errors.filter((e) => !/status of 401 \(Unauthorized\)/.test(e)), []);
    assert.equal(rec.errors.length, 1, rec.errors.join('\n'));
    assert.deepEqual(offsiteRequests(browser, rec), []);
  });
});
