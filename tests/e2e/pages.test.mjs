// Pages built by `ducksite build` from markdown, in Chromium: what a page
// author's settings and mistakes look like in the browser.
//
//   format        a table's documented format: keys (decimals, prefix, bold)
//                 change what its cells show, live and from a stored result;
//                 decimals on a target that is no column is an error in the
//                 component, not silence.
//   data files    a data file that is missing on the server (read whole or by
//                 ranges) or is not Parquet: the component says which query
//                 failed, which file, and why; never
//                 "[object WebAssembly.Exception]".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  DUCKSITE, dsSql, launchBrowser, missingPrerequisite, openPage, screenshot, startServer, tableCells,
  tempDir, waitIdle,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

/** A project with one source (orders) and content/index.md = MD, built. */
function project(md, ...buildArgs) {
  const root = tempDir('ducksite-e2e-pages-');
  fs.mkdirSync(path.join(root, 'lake', 'orders'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/*.parquet"\n');
  dsSql(root, "COPY (SELECT * FROM (VALUES ('north', 1234.5), ('south', 0.25), ('east', NULL)) t(region, amount)) TO 'lake/orders/a.parquet' (FORMAT parquet)");
  fs.writeFileSync(path.join(root, 'content', 'index.md'), md);
  const r = spawnSync(DUCKSITE, ['build', '--root', root, ...buildArgs], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return root;
}

/** Opens URL in a fresh page of CONTEXT (WHOLE_MAX: window.ducksiteWholeFileMax). */
async function show(context, url, wholeMax = null) {
  const rec = await openPage(context);
  if (wholeMax !== null) await rec.page.addInitScript((n) => { window.ducksiteWholeFileMax = n; }, wholeMax);
  await rec.page.goto(url);
  await waitIdle(rec.page);
  return rec;
}

async function componentError(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return { state: el.dataset.dsState, text: el.querySelector('.ds-error')?.textContent ?? '' };
  }, selector);
}

const FORMAT_PAGE = `# Formats

\`\`\`sql totals
SELECT region, amount, amount AS plain FROM orders ORDER BY region
\`\`\`

\`\`\`table totals
format:
  amount:
    decimals: 3
    prefix: "$"
    bold: true
\`\`\`

\`\`\`sql wrong
SELECT region, amount FROM orders ORDER BY region
\`\`\`

\`\`\`table wrong
format:
  total:
    decimals: 2
\`\`\`
`;

describe('pages: format keys', { skip: skip ?? false }, () => {
  let server;
  let context;

  before(async () => {
    server = await startServer(project(FORMAT_PAGE), { args: ['--no-build', '--no-watch'] });
    context = await launchBrowser();
  });
  after(async () => {
    await context?.close();
    await server?.stop();
  });

  for (const [how, query] of [['stored', ''], ['live', '?ds_live=1']]) {
    test(`decimals, prefix and bold change the column's cells (${how})`, T, async () => {
      const { page } = await show(context, `${server.url}/index.html${query}`);
      const t = await tableCells(page, 'totals');
      assert.deepEqual(t.head, ['region', 'amount', 'plain']);
      // The configured column: 3 decimals (small values too), the prefix,
      // nulls stay empty; the same values unformatted keep the defaults.
      assert.deepEqual(t.rows, [['east', '', ''], ['north', '$1,234.500', '1,234.5'], ['south', '$0.250', '0.25']]);
      const weights = await page.evaluate(() => [...document.querySelectorAll('[data-ds-table="totals"] tbody tr:nth-child(2) td')]
        .map((td) => getComputedStyle(td).fontWeight));
      assert.deepEqual(weights, ['400', '700', '400']);
      if (how === 'stored') await screenshot(page, 'pages-format');
    });
  }

  test('decimals on a target that is no column is an error in the component', T, async () => {
    const { page } = await show(context, `${server.url}/index.html?ds_live=1`);
    const e = await componentError(page, '[data-ds-table="wrong"]');
    assert.equal(e.state, 'error');
    assert.match(e.text, /Query wrong failed/);
    assert.match(e.text, /format 'total': 'total' is not a column of the result, so decimals has nothing to format \(columns: region, amount\)/);
  });
});

const DATA_PAGE = `# Data

\`\`\`sql by_region
SELECT region, sum(amount) AS total FROM orders GROUP BY 1 ORDER BY 1
\`\`\`

\`\`\`table by_region
\`\`\`
`;

describe('pages: data files the browser cannot read', { skip: skip ?? false }, () => {
  let root;
  let server;
  let context;
  const file = () => path.join(root, 'lake', 'orders', 'a.parquet');

  before(async () => {
    root = project(DATA_PAGE, '--no-prerender');
    server = await startServer(root, { args: ['--no-build', '--no-watch'] });
    context = await launchBrowser();
  });
  after(async () => {
    await context?.close();
    await server?.stop();
  });

  for (const [how, wholeMax] of [['read whole', null], ['read by ranges', 0]]) {
    test(`a missing file, ${how}: the query, the file and why`, T, async () => {
      const bytes = fs.readFileSync(file());
      fs.rmSync(file());
      try {
        const { page } = await show(context, `${server.url}/index.html`, wholeMax);
        const e = await componentError(page, '[data-ds-table="by_region"]');
        assert.equal(e.state, 'error');
        assert.doesNotMatch(e.text, /WebAssembly|object/);
        assert.match(e.text, /^Query by_region failed/);
        assert.match(e.text, /cannot read data\/orders\/a\.parquet: HTTP 404 Not Found, the file is not on the server/);
        if (wholeMax === 0) await screenshot(page, 'pages-missing-file');
      } finally {
        fs.writeFileSync(file(), bytes);
      }
    });
  }

  for (const [how, wholeMax] of [['read whole', null], ['read by ranges', 0]]) {
    test(`a file that is not Parquet, ${how}: the file and why`, T, async () => {
      const bytes = fs.readFileSync(file());
      // Same size, so the page's recorded size still holds.
      fs.writeFileSync(file(), Buffer.alloc(bytes.length, 0x41));
      try {
        const { page } = await show(context, `${server.url}/index.html`, wholeMax);
        const e = await componentError(page, '[data-ds-table="by_region"]');
        assert.equal(e.state, 'error');
        assert.match(e.text, /^Query by_region failed/);
        assert.match(e.text, /No magic bytes found at end of file 'data\/orders\/a\.parquet'/);
        assert.doesNotMatch(e.text, /http:\/\//, 'the data path as written, not the URL');
      } finally {
        fs.writeFileSync(file(), bytes);
      }
    });
  }
});
