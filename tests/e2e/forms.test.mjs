// Forms in Chromium (docs/forms.md): a ```form panel submits the page's
// inputs and its own fields to `ducksite serve`, shows the answer inline
// and the table over the target CSV shows the new row without a reload; a
// form that signs in sets the password on the first submission and
// refuses a wrong one; a site served by a plain static server says that
// forms cannot be submitted there.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, launchBrowser, missingPrerequisite, openPage, screenshot, startServer, tableCells,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

const PAGE = `# Feedback

\`\`\`input team
type: dropdown
options_query: teams
default: red
\`\`\`

\`\`\`sql teams
SELECT * FROM (VALUES ('red'), ('blue')) t(team)
\`\`\`

\`\`\`form feedback
label: Tell us what you think
target_csv: \${DIR_FORMS}/feedback.csv
inputs: ["comment"]
sql_relation_query: |
  SELECT \${inputs.team} AS team, \${inputs.comment} AS comment
\`\`\`

\`\`\`sql entries
SELECT team, comment, submitted_by FROM read_csv_auto('forms/feedback.csv', header = true, all_varchar = true) ORDER BY submitted_at, comment
\`\`\`

\`\`\`table entries
title: Entries
\`\`\`
`;

const SIGNED = `# Signed

\`\`\`form signed
label: Signed entry
target_csv: \${DIR_FORMS}/signed.csv
inputs: ["note"]
auth_required: true
allowed_email_domains: example.com
sql_relation_query: |
  SELECT \${inputs.note} AS note
\`\`\`
`;

const PHOTO = `# Photo

\`\`\`form photo
label: Photo of the day
target_csv: \${DIR_FORMS}/photo.csv
inputs: caption
image_field: picture
sql_relation_query: SELECT \${inputs.caption} AS caption
\`\`\`
`;

function project() {
  const root = tempDir('ducksite-e2e-forms-');
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[dirs]\nDIR_FORMS = "static/forms"\n');
  fs.writeFileSync(path.join(root, 'content', 'index.md'), PAGE);
  fs.writeFileSync(path.join(root, 'content', 'signed.md'), SIGNED);
  fs.writeFileSync(path.join(root, 'content', 'photo.md'), PHOTO);
  const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

async function show(context, url) {
  const rec = await openPage(context);
  await rec.page.goto(url);
  await waitIdle(rec.page);
  return rec;
}

/** Clicks the form's Submit and waits for its status line to settle. */
async function submit(page, id) {
  await page.click(`[data-ds-form="${id}"] button[type="submit"]`);
  await page.waitForFunction((id) => ['ok', 'error'].includes(document.querySelector(`[data-ds-form="${id}"]`).dataset.dsState), id);
  await waitIdle(page);
  return page.evaluate((id) => {
    const el = document.querySelector(`[data-ds-form="${id}"]`);
    return { state: el.dataset.dsState, text: el.querySelector('.ds-form-status').textContent };
  }, id);
}

describe('forms', { skip: skip ?? false }, () => {
  let root;
  let server;
  let context;

  before(async () => {
    root = project();
    server = await startServer(root, { args: ['--no-build', '--no-watch'] });
    context = await launchBrowser();
  });
  after(async () => {
    await context?.close();
    await server?.stop();
  });

  test('a submission appears in the table over the target, without a reload', T, async () => {
    const { page, errors } = await show(context, `${server.url}/index.html`);
    assert.deepEqual((await tableCells(page, 'entries')).rows, []);
    await page.fill('[data-ds-form="feedback"] input[name="comment"]', 'Fast, and "clear", thanks');
    const first = await submit(page, 'feedback');
    assert.equal(first.state, 'ok', first.text);
    assert.match(first.text, /Submitted: 1 row added/);
    await page.waitForFunction(() => document.querySelectorAll('[data-ds-table="entries"] tbody tr:not(.ds-empty-row)').length === 1);
    // The page's current input value goes with it: choose blue, send again.
    await page.evaluate(() => window.ducksite.setInput('team', 'blue'));
    await waitIdle(page);
    await page.fill('[data-ds-form="feedback"] input[name="comment"]', 'Ünïcode, ok');
    assert.equal((await submit(page, 'feedback')).state, 'ok');
    await page.waitForFunction(() => document.querySelectorAll('[data-ds-table="entries"] tbody tr:not(.ds-empty-row)').length === 2);
    const t = await tableCells(page, 'entries');
    assert.deepEqual(t.rows, [['red', 'Fast, and "clear", thanks', ''], ['blue', 'Ünïcode, ok', '']]);
    // The field was cleared after the success.
    assert.equal(await page.inputValue('[data-ds-form="feedback"] input[name="comment"]'), '');
    await screenshot(page, 'forms-submitted');
    assert.deepEqual(errors, []);
    const csv = fs.readFileSync(path.join(root, 'static', 'forms', 'feedback.csv'), 'utf8');
    assert.match(csv, /^team,comment,submitted_by,submitted_at\nred,"Fast, and ""clear"", thanks","",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nblue,"Ünïcode, ok",/);
  });

  test('a form that signs in: wrong domain, first password, wrong password, all inline', T, async () => {
    const { page } = await show(context, `${server.url}/signed.html`);
    const form = '[data-ds-form="signed"]';
    await page.fill(`${form} input[name="note"]`, 'hello');
    await page.fill(`${form} input[name="email"]`, 'ann@evil-example.com');
    await page.fill(`${form} input[name="password"]`, 'correct horse');
    let r = await submit(page, 'signed');
    assert.equal(r.state, 'error');
    assert.match(r.text, /accepts emails at @example\.com only/);
    await page.fill(`${form} input[name="email"]`, 'Ann@Example.com');
    r = await submit(page, 'signed');
    assert.equal(r.state, 'ok', r.text);
    assert.match(r.text, /password for Ann@Example\.com is now set/);
    // The email is remembered, the password never.
    const stored = await page.evaluate(() => ({ ...localStorage }));
    assert.deepEqual(stored, { ducksite_user_email: 'Ann@Example.com' });
    await page.fill(`${form} input[name="note"]`, 'again');
    await page.fill(`${form} input[name="password"]`, 'wrong password');
    r = await submit(page, 'signed');
    assert.equal(r.state, 'error');
    assert.match(r.text, /unauthorized/);
    await screenshot(page, 'forms-signin-error');
    const reloaded = await show(context, `${server.url}/signed.html`);
    assert.equal(await reloaded.page.inputValue(`${form} input[name="email"]`), 'Ann@Example.com');
    assert.equal(await reloaded.page.inputValue(`${form} input[name="password"]`), '');
  });

  test('an image goes with the submission (multipart) and its path into the row', T, async () => {
    const { page, errors } = await show(context, `${server.url}/photo.html`);
    const form = '[data-ds-form="photo"]';
    await page.fill(`${form} input[name="caption"]`, 'sunrise');
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(32)]);
    await page.setInputFiles(`${form} input[type="file"]`, { name: 'sun.png', mimeType: 'image/png', buffer: png });
    const r = await submit(page, 'photo');
    assert.equal(r.state, 'ok', r.text);
    const csv = fs.readFileSync(path.join(root, 'static', 'forms', 'photo.csv'), 'utf8').trim().split('\n');
    const picture = csv[1].split(',')[1];
    assert.match(picture, /^static\/forms\/photo-\d{8}T\d{6}Z-[0-9a-f]{16}\.png$/);
    assert.deepEqual(fs.readFileSync(path.join(root, picture)), png);
    // A file that is no image is refused by the server, inline.
    await page.fill(`${form} input[name="caption"]`, 'not a picture');
    await page.setInputFiles(`${form} input[type="file"]`, { name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('hello') });
    const bad = await submit(page, 'photo');
    assert.equal(bad.state, 'error');
    assert.match(bad.text, /not PNG, JPEG, GIF or WebP/);
    await screenshot(page, 'forms-image');
    // The browser logs the refused request itself; nothing else went wrong.
    assert.deepEqual(errors.filter((e) => !/status of 415/.test(e)), []);
  });

  test('the change-password section changes it, inline', T, async () => {
    const { page } = await show(context, `${server.url}/signed.html`);
    const form = '[data-ds-form="signed"]';
    await page.fill(`${form} input[name="email"]`, 'bo@example.com');
    await page.fill(`${form} input[name="password"]`, 'bo password 1');
    await page.fill(`${form} input[name="note"]`, 'first');
    assert.equal((await submit(page, 'signed')).state, 'ok');
    await page.click(`${form} .ds-form-link`);
    const pw = `${form} .ds-form-password`;
    const inputs = page.locator(`${pw} input[type="password"]`);
    await inputs.nth(0).fill('bo password 1');
    await inputs.nth(1).fill('bo password 2');
    await inputs.nth(2).fill('bo password 2');
    await page.click(`${pw} button[type="submit"]`);
    await page.waitForFunction((sel) => /Password changed/.test(document.querySelector(sel).textContent), `${pw} .ds-form-status`);
    await screenshot(page, 'forms-change-password');
    await page.fill(`${form} input[name="password"]`, 'bo password 2');
    await page.fill(`${form} input[name="note"]`, 'second');
    assert.equal((await submit(page, 'signed')).state, 'ok');
  });

  test('on a plain static server the submission says forms need ducksite serve', T, async () => {
    const dir = path.join(root, 'static');
    const plain = http.createServer((req, res) => {
      const file = path.join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
      if (req.method !== 'GET' || !file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(req.method === 'GET' ? 404 : 405, { 'Content-Type': 'text/html' });
        res.end('<h1>no</h1>');
        return;
      }
      const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type });
      res.end(fs.readFileSync(file));
    });
    await new Promise((r) => plain.listen(0, '127.0.0.1', r));
    try {
      const { page } = await show(context, `http://127.0.0.1:${plain.address().port}/index.html`);
      await page.fill('[data-ds-form="feedback"] input[name="comment"]', 'x');
      const r = await submit(page, 'feedback');
      assert.equal(r.state, 'error');
      assert.match(r.text, /not served by `ducksite serve` \(the server answered HTTP 405/);
      await screenshot(page, 'forms-static-host');
    } finally {
      plain.closeAllConnections?.();
      await new Promise((r) => plain.close(r));
    }
  });
});
