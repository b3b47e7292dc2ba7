// tests/e2e/typed_inputs.test.mjs - typed inputs (date, date_range, slider,
// checkbox/toggle, buttons) as web/src/sql.js substitutes them: typed
// literals, nothing spliced raw.  The same cases (tests/data/typed_inputs.json)
// hold the C twin, src/site/pagesql.c (tests/unit/test_pagesql_typed.c).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { importRuntime, ROOT } from './lib.mjs';

const sql = await importRuntime('sql.js');
const data = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests', 'data', 'typed_inputs.json'), 'utf8'));
const specs = Object.entries(data.inputs).map(([name, spec]) => sql.normalizeInput(name, spec));

test('typed inputs give the SQL and ids of tests/data/typed_inputs.json', () => {
  for (const c of data.cases) {
    const env = sql.buildEnv(specs, c.values, data.today);
    assert.equal(sql.substitute(data.sql, env.inputs, env.params), c.sql, JSON.stringify(c.values));
    assert.equal(sql.substituteId(data.ids, env.inputs), c.id, JSON.stringify(c.values));
  }
});

test('dates and numbers are validated, not trusted', () => {
  assert.equal(sql.validDate('2024-02-29'), '2024-02-29');
  assert.equal(sql.validDate('2023-02-29'), null);
  assert.equal(sql.validDate("2024-01-01' OR 1=1"), null);
  assert.equal(sql.validNumber('12.5'), '12.5');
  assert.equal(sql.validNumber('1e3'), null);
  assert.equal(sql.validNumber('1;DROP'), null);
});

test('date presets count from today', () => {
  assert.deepEqual(sql.dateRange('last_7_days', '2024-03-01'), { start: '2024-02-24', end: '2024-03-01' });
  assert.deepEqual(sql.dateRange('last_30_days', '2024-01-15'), { start: '2023-12-17', end: '2024-01-15' });
  assert.deepEqual(sql.dateRange('this_month', '2023-02-10'), { start: '2023-02-01', end: '2023-02-28' });
  assert.deepEqual(sql.dateRange('this_month', '2024-12-31'), { start: '2024-12-01', end: '2024-12-31' });
  assert.deepEqual(sql.dateRange('all', '2024-12-31'), { start: null, end: null });
  assert.equal(sql.dateRange('yesterday', '2024-12-31'), null);
  assert.equal(sql.localToday(new Date(2024, 0, 9, 23, 59)), '2024-01-09');
});

test('a checkbox defaults to false, a date range to all', () => {
  assert.equal(sql.normalizeInput('c', { visual_mode: 'checkbox' }).default, 'false');
  assert.equal(sql.normalizeInput('p', { visual_mode: 'date_range' }).default, 'all');
  assert.equal(sql.normalizeInput('x', { visual_mode: 'text' }).default, null);
});
