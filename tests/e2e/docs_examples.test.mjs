// The examples of docs/pages.md for values, KPI cards and inputs, built:
// every ````markdown example under those headings becomes a page of one
// project (an orders source and the models the examples name) and
// `ducksite build` must accept them all, so the examples cannot rot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { DUCKSITE, DS_SQL, dsSql, ROOT, tempDir } from './lib.mjs';

const skip = !fs.existsSync(DUCKSITE) || !fs.existsSync(DS_SQL) ? 'build/ducksite or build/ds-sql not built' : false;

/** The ````markdown examples of docs/pages.md under headings matching RE, with their heading. */
function examples(re) {
  const text = fs.readFileSync(path.join(ROOT, 'docs', 'pages.md'), 'utf8');
  const out = [];
  let heading = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const h = /^#{2,4} (.*)/.exec(lines[i]);
    if (h) heading = h[1];
    if (lines[i] === '````markdown' && re.test(heading)) {
      const body = [];
      for (i++; i < lines.length && lines[i] !== '````'; i++) body.push(lines[i]);
      out.push({ heading, md: `${body.join('\n')}\n` });
    }
  }
  return out;
}

const MODELS = `-- name: orders_monthly
SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, sum(amount) AS revenue
FROM orders GROUP BY 1;

-- name: monthly_returns
SELECT month, returned, lag(returned) OVER (ORDER BY month) AS prev_returned
FROM (SELECT CAST(date_trunc('month', order_date) AS DATE) AS month, count(*) FILTER (WHERE amount < 10) AS returned
      FROM orders GROUP BY 1) t ORDER BY month DESC;
`;

test('the value, KPI and input examples of docs/pages.md build', { skip, timeout: 120000 }, () => {
  const found = examples(/^`(value|kpi|input)|^`(date|date_range|slider|buttons|checkbox)`|^Searchable/);
  const headings = new Set(found.map((e) => e.heading.split(' ')[0]));
  for (const h of ['`value', '`kpi', '`input', '`date`', '`date_range`', '`slider`', '`buttons`', '`checkbox`']) {
    assert.ok(headings.has(h), `an example under ${h}: ${[...headings].join(', ')}`);
  }
  const root = tempDir('ducksite-docs-examples-');
  fs.mkdirSync(path.join(root, 'lake', 'orders'), { recursive: true });
  fs.mkdirSync(path.join(root, 'content'), { recursive: true });
  fs.mkdirSync(path.join(root, 'sources_sql'), { recursive: true });
  fs.writeFileSync(path.join(root, 'ducksite.toml'), '[[file_sources]]\nname = "orders"\nupstream_glob = "lake/orders/*.parquet"\n');
  fs.writeFileSync(path.join(root, 'sources_sql', 'models.sql'), MODELS);
  dsSql(root, `COPY (SELECT DATE '2024-01-01' + CAST(i % 366 AS INTEGER) AS order_date,
    ['north', 'south', 'east'][i % 3 + 1] AS region, ['web', 'store'][i % 2 + 1] AS channel,
    (i * 37) % 100 + 0.5 AS amount FROM range(2000) t(i)) TO 'lake/orders/a.parquet' (FORMAT parquet)`);
  found.forEach((e, i) => fs.writeFileSync(path.join(root, 'content', `ex${i}.md`), `# ${e.heading}\n\n${e.md}`));
  const r = spawnSync(DUCKSITE, ['build', '--root', root], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // Each example made its components: values and cards are in the pages.
  const html = found.map((_, i) => fs.readFileSync(path.join(root, 'static', `ex${i}.html`), 'utf8')).join('\n');
  for (const want of ['data-ds-kpi="revenue"', 'data-ds-kpi="returns"', 'data-ds-value="top_total"', 'data-ds-value="inline-1"', 'data-ds-input="period"']) {
    assert.ok(html.includes(want), want);
  }
});
