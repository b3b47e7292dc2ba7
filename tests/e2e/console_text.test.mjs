// The SQL console's text functions (web/src/console/text.js), without a
// browser: which views it offers, which a query names, statements, the
// readable SQL behind a component, the history.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { ROOT } from './lib.mjs';

// text.js imports sql.js: loaded from its file (web/src/package.json makes it a module).
const text = await import(pathToFileURL(path.join(ROOT, 'web', 'src', 'console', 'text.js')).href);

const MANIFEST = {
  views: {
    orders: { kind: 'file_source', deps: [], sql_path: '/sql/_global/orders.sql' },
    orders_east: { kind: 'file_source_template', deps: [], sql_path: '/sql/_global/orders_east.sql' },
    monthly: { kind: 'model', deps: ['orders'], sql_path: '/sql/_global/monthly.sql' },
    by_month: { kind: 'model', deps: ['orders', 'monthly'], sql_path: '/sql/_global/by_month.sql' },
    'sales/by_month': { kind: 'page_query', deps: ['orders', 'monthly'], sql_path: '/sql/pages/sales/by_month.sql' },
    'sales/top': { kind: 'page_query', deps: ['orders'], sql_path: '/sql/pages/sales/top.sql' },
    'other/top': { kind: 'page_query', deps: ['orders'], sql_path: '/sql/pages/other/top.sql' },
  },
};

test('the console offers global views and the page\'s own queries, page queries first', () => {
  const config = { queries: { by_month: { sql_path: '/sql/pages/sales/by_month.sql' }, top: { sql_path: '/sql/pages/sales/top.sql' } } };
  const views = text.consoleViews(MANIFEST, config);
  assert.deepEqual(views.map((v) => [v.name, v.kind]), [
    ['by_month', 'page_query'], // shadows the model of the same name, as for components
    ['top', 'page_query'],
    ['monthly', 'model'],
    ['orders_east', 'file_source_template'],
    ['orders', 'file_source'],
  ]);
  assert.deepEqual(views[0].deps, ['orders', 'monthly']);
  assert.equal(views[0].path, '/sql/pages/sales/by_month.sql');
  // Other pages' queries are not offered; without a manifest, the page's are.
  assert.ok(!views.some((v) => v.name.includes('/')));
  assert.deepEqual(text.consoleViews(null, config).map((v) => [v.name, v.deps]), [['by_month', []], ['top', []]]);
  assert.deepEqual(text.consoleViews(MANIFEST, {}).map((v) => v.name), ['by_month', 'monthly', 'orders_east', 'orders']);
});

test('a query names views as words or quoted identifiers, not in strings or comments', () => {
  const views = [{ name: 'orders' }, { name: 'Monthly' }, { name: 'orders_east' }, { name: 'top' }];
  const named = (sql) => text.referencedViews(sql, views).map((v) => v.name);
  assert.deepEqual(named('SELECT * FROM ORDERS o JOIN "monthly" m USING (x)'), ['orders', 'Monthly']);
  assert.deepEqual(named("SELECT 'orders_east' AS t -- top\n/* orders */ FROM range(3)"), []);
  assert.deepEqual(named('SELECT * FROM orders_eastern'), []);
});

test('a query box splits into statements at top-level semicolons', () => {
  assert.deepEqual(text.splitStatements('SELECT 1;  SELECT \';\' AS s; -- done;\n'), ['SELECT 1', "SELECT ';' AS s"]);
  assert.deepEqual(text.splitStatements('CREATE TABLE t AS SELECT 1 AS x;\nSELECT "a;b" FROM t'), ['CREATE TABLE t AS SELECT 1 AS x', 'SELECT "a;b" FROM t']);
  assert.deepEqual(text.splitStatements(' ;; -- nothing\n'), []);
});

test('readable SQL drops the inlined views and keeps the query\'s own CTEs', () => {
  const names = ['orders', 'monthly'];
  const compiled = 'WITH orders AS (\nSELECT * FROM read_parquet([\'data/a.parquet\'], hive_types = {\'yr\': \'BIGINT\'}) WHERE (x > 0)\n),\n'
    + 'monthly AS (\nSELECT date_trunc(\'month\', d) AS m, count(*) AS n FROM orders GROUP BY 1\n)\n'
    + 'SELECT m, n FROM monthly WHERE ${params.region}\nORDER BY 1\n';
  assert.equal(text.readableSql(compiled, names), 'SELECT m, n FROM monthly WHERE ${params.region}\nORDER BY 1');
  // The query's own WITH was merged after the inlined views.
  const own = 'WITH RECURSIVE orders AS (\nSELECT 1 AS x\n),\nt(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3)\nSELECT * FROM t, orders';
  assert.equal(text.readableSql(own, names), 'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3)\nSELECT * FROM t, orders');
  // Nothing inlined: as it is.
  assert.equal(text.readableSql('WITH x AS (SELECT 1) SELECT * FROM x', names), 'WITH x AS (SELECT 1) SELECT * FROM x');
  assert.equal(text.readableSql('  SELECT 1\n', names), 'SELECT 1');
});

function memoryStorage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)) };
}

test('history: kept in storage, a query run again moves to the end, capped', () => {
  const store = memoryStorage();
  const h = new text.QueryHistory(store, 'k', 3);
  h.add('SELECT 1');
  h.add('  ');
  h.add('SELECT 2');
  h.add('SELECT 1 ');
  assert.deepEqual(h.entries(), ['SELECT 2', 'SELECT 1']);
  h.add('SELECT 3');
  h.add('SELECT 4');
  assert.deepEqual(new text.QueryHistory(store, 'k', 3).entries(), ['SELECT 1', 'SELECT 3', 'SELECT 4']);
  // A damaged or refused store is an empty history, not an error.
  store.setItem('bad', '{not json');
  assert.deepEqual(new text.QueryHistory(store, 'bad').entries(), []);
  const refused = new text.QueryHistory({ getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } });
  refused.add('SELECT 1');
  assert.deepEqual(refused.entries(), []);
  assert.deepEqual(new text.QueryHistory(null).entries(), []);
});

test('history: up and down walk it like a shell, giving back the draft', () => {
  const h = new text.QueryHistory(memoryStorage());
  assert.equal(h.older('draft'), null);
  h.add('a');
  h.add('b');
  assert.equal(h.newer(), null); // not walking
  assert.equal(h.older('draft'), 'b');
  assert.equal(h.older('b'), 'a');
  assert.equal(h.older('a'), null); // the oldest stays
  assert.equal(h.newer(), 'b');
  assert.equal(h.newer(), 'draft');
  assert.equal(h.newer(), null);
  assert.equal(h.older('new draft'), 'b');
  h.reset();
  assert.equal(h.older('other'), 'b');
});

test('one line of a long query', () => {
  assert.equal(text.oneLine('SELECT a,\n   b\tFROM t'), 'SELECT a, b FROM t');
  assert.equal(text.oneLine('x'.repeat(100), 10), `${'x'.repeat(9)}…`);
});
