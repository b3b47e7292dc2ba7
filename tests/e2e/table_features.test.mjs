// What tables compute without a browser (web/src/table/, web/src/format.js):
// colour scales, data bars, thresholds, the totals row, link URLs and the
// `fmt` formats.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { ROOT } from './lib.mjs';

const src = (...p) => pathToFileURL(path.join(ROOT, 'web', 'src', ...p)).href;
const { dataBar, range, scaleColor, thresholdColor } = await import(src('table', 'conditional.js'));
const { aggregate, totalPlan } = await import(src('table', 'totals.js'));
const { linkHref } = await import(src('table.js'));
const { columnFormatter, formatPlain, withColumnFormat } = await import(src('format.js'));

test('number columns named as years or codes are labels: no thousands separators, no total', () => {
  for (const name of ['year', 'YEAR', 'yr', 'yyyy', 'order_year', 'fiscal_yr', 'yyyymm', 'year_month', 'id',
    'customer_id', 'code', 'zip']) {
    assert.equal(columnFormatter('int', [2024], name)(2024), '2024', name);
    assert.deepEqual(totalPlan([{ name, kind: 'int' }]), ['none'], name);
  }
  for (const name of ['years', 'yield', 'ids', 'amount', 'idle', 'yr_total', 'postcodes']) {
    assert.equal(columnFormatter('int', [2024], name)(2024), '2,024', name);
    assert.deepEqual(totalPlan([{ name, kind: 'int' }]), ['sum'], name);
  }
  // A year column's format may still ask for a total.
  assert.deepEqual(totalPlan([{ name: 'yr', kind: 'int' }], { yr: { total: 'count' } }), ['count']);
});

test('colour scales run from the smallest value to the largest', () => {
  const rng = range([10, 20, 30, null, 'x']);
  assert.deepEqual(rng, { min: 10, max: 30, maxAbs: 30 });
  assert.equal(scaleColor('blue', 10, rng), 'light-dark(rgb(248, 250, 252), rgb(15, 23, 42))');
  assert.equal(scaleColor('blue', 30, rng), 'light-dark(rgb(147, 197, 253), rgb(3, 105, 161))');
  assert.equal(scaleColor('red_to_green', 20, rng), 'light-dark(rgb(241, 245, 249), rgb(63, 63, 70))');
  assert.equal(scaleColor('blue', null, rng), '');
  assert.equal(scaleColor('nope', 10, rng), '');
});

test('data bars: the share of the largest magnitude, negatives in red', () => {
  const rng = range([-50, 25, 100]);
  assert.equal(dataBar(25, rng), 'linear-gradient(90deg, var(--ds-data-bar) 25%, transparent 25%)');
  assert.match(dataBar(-50, rng), /var\(--ds-data-bar-negative\) 50%/);
  assert.equal(dataBar(null, rng), '');
});

test('thresholds colour text above and below', () => {
  const fmt = { above: '100', below: '0', below_color: 'orange' };
  assert.equal(thresholdColor(150, fmt), 'var(--ds-above)');
  assert.equal(thresholdColor(-1, fmt), 'orange');
  assert.equal(thresholdColor(50, fmt), '');
  assert.equal(thresholdColor(100, fmt), '', 'strictly above');
});

test('totals: sums of number columns, not years or ids; format total wins', () => {
  const cols = [{ name: 'region', kind: 'string' }, { name: 'year', kind: 'int' }, { name: 'customer_id', kind: 'int' }, { name: 'units', kind: 'int' }, { name: 'price', kind: 'float' }];
  assert.deepEqual(totalPlan(cols, { price: { total: 'avg' } }), ['none', 'none', 'none', 'sum', 'avg']);
  assert.equal(aggregate([1, 2, null, 3], 'sum'), 6);
  assert.equal(aggregate([1, 2, 3, 4], 'avg'), 2.5);
  assert.equal(aggregate([1, 2, null], 'count'), 2);
  assert.equal(aggregate([5, -1], 'min'), -1);
  assert.equal(aggregate([9007199254740993n, 1n], 'sum'), 9007199254740994n);
  assert.equal(aggregate([null], 'sum'), null);
});

test('links carry the value as the page input, encoded', () => {
  assert.equal(linkHref('customers/detail', 'customer', 'A & B'), '/customers/detail.html?customer=A%20%26%20B');
  assert.equal(linkHref('/inputs.html', 'region', 'west'), '/inputs.html?region=west');
});

test('fmt: number, percent, currency, compact and date styles', () => {
  const f = (kind, fmt) => withColumnFormat(formatPlain, kind, fmt, 'c');
  assert.equal(f('float', { fmt: 'percent' })(0.1234), '12.3%');
  assert.equal(f('float', { fmt: 'percent', decimals: '0' })(0.5), '50%');
  assert.equal(f('float', { fmt: 'currency' })(1234.5), '$1,234.50');
  assert.equal(f('float', { fmt: 'currency', currency: 'EUR' })(-3), '-€3.00');
  assert.equal(f('int', { fmt: 'compact' })(12345), '12.3K');
  assert.equal(f('float', { fmt: 'number', decimals: '1' })(1234.56), '1,234.6');
  assert.equal(f('float', { fmt: 'integer' })(1234.56), '1,235');
  assert.equal(f('date', { fmt: 'date' })('2024-01-02'), 'Jan 2, 2024');
  assert.equal(f('timestamp', { fmt: 'datetime' })('2024-01-02 03:04:05.5'), 'Jan 2, 2024 03:04');
  assert.equal(f('date', { fmt: 'month' })('2024-03-01'), 'Mar 2024');
  assert.equal(f('float', { fmt: 'percent' })(null), '');
  assert.throws(() => f('string', { fmt: 'percent' }), /fmt: percent needs a numeric column/);
  assert.throws(() => f('int', { fmt: 'date' }), /needs a date or timestamp column/);
});
