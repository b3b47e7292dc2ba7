// Pages per value: content/customers/[customer].md over a Parquet source,
// built and served.  Two generated pages each show their own customer's
// rows (checked against build/ds-sql over the same files), painted from
// stored results without starting the engine; the folder's index links
// every value's page and the navigation lists the folder once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  buildProject, dsSql, missingPrerequisite, openIdle, screenshot, servedProject, tableCells, tempDir,
} from './lib.mjs';

const skip = missingPrerequisite();
const T = { timeout: 120000 };

const PAGE = `---
title: Customer \${params.customer}
values_sql: SELECT DISTINCT customer FROM orders ORDER BY 1
---
Orders of \${params.customer}.

\`\`\`sql rows
SELECT customer, region, sum(amount) AS total FROM orders
WHERE customer = \${params.customer} GROUP BY ALL ORDER BY region
\`\`\`

\`\`\`table rows
\`\`\`
`;

function makeRoot() {
  const root = tempDir('ducksite-e2e-pervalue-');
  fs.mkdirSync(path.join(root, 'lake', 'orders'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content', 'customers'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/*.parquet"\n');
  fs.writeFileSync(path.join(root, 'content', 'index.md'), '# Home\n');
  fs.writeFileSync(path.join(root, 'content', 'customers', '[customer].md'), PAGE);
  dsSql(root, `COPY (SELECT ['Acme Corp', 'O''Brien', 'Zeta'][i % 3 + 1] AS customer,
    ['north', 'south'][i % 2 + 1] AS region, (i * 7) % 50 + 0.25 AS amount FROM range(300) t(i))
    TO 'lake/orders/a.parquet' (FORMAT parquet)`);
  buildProject(root);
  return root;
}

describe('pages per value', { skip: skip ?? false }, () => {
  const site = servedProject(makeRoot);

  for (const [slug, value] of [['Acme_Corp', 'Acme Corp'], ['O_Brien', "O'Brien"]]) {
    test(`/customers/${slug}.html shows ${value}'s rows, from stored results`, T, async () => {
      const { page, errors } = await openIdle(site.browser, `${site.server.url}/customers/${slug}.html`);
      assert.deepEqual(errors, []);
      assert.equal(await page.title(), `Customer ${value}`);
      const comps = await page.evaluate(() => window.ducksite.components().map((c) => ({ key: c.key, state: c.state, source: c.source })));
      assert.deepEqual(comps, [{ key: 'table:rows', state: 'ok', source: 'stored' }]);
      assert.equal(await page.evaluate(() => window.ducksite.engineStarted()), false, 'engine started');
      const lit = `'${value.replace(/'/g, "''")}'`;
      const want = dsSql(site.root, `SELECT customer, region, sum(amount) AS total FROM 'lake/orders/*.parquet'
        WHERE customer = ${lit} GROUP BY ALL ORDER BY region`);
      const shown = await tableCells(page, 'rows');
      assert.equal(shown.rows.length, 2);
      shown.rows.forEach((r, i) => {
        assert.equal(r[0], value);
        assert.equal(r[1], want[i][1]);
        assert.equal(Number(r[2].replace(/,/g, '')), Number(want[i][2]));
      });
      if (slug === 'O_Brien') await screenshot(page, 'pervalue-page');
      await page.close();
    });
  }

  test('the index links every value; the navigation lists the folder once', T, async () => {
    const { page, errors } = await openIdle(site.browser, `${site.server.url}/customers/index.html`);
    assert.deepEqual(errors, []);
    const links = await page.evaluate(() => [...document.querySelectorAll('main a')].map((a) => [a.textContent, a.getAttribute('href')]));
    assert.deepEqual(links, [['Acme Corp', 'Acme_Corp.html'], ["O'Brien", 'O_Brien.html'], ['Zeta', 'Zeta.html']]);
    const nav = await page.evaluate(() => [...document.querySelectorAll('nav.ducksite-nav a')].map((a) => a.getAttribute('href')));
    assert.deepEqual(nav, ['/index.html', '/customers/index.html']);
    await screenshot(page, 'pervalue-index');
    await page.click('main a[href="Zeta.html"]');
    await page.waitForURL(/\/customers\/Zeta\.html$/);
    assert.equal(await page.title(), 'Customer Zeta');
    await page.close();
  });
});
