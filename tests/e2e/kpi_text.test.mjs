// The text side of values and KPI cards (web/src/valuefmt.js, kpi.js) and
// the search box's filter (inputs/choices.js), under node: formats, the
// delta and its colour, sparkline points, rows and columns, filtering.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { ROOT } from './lib.mjs';

const load = (rel) => import(pathToFileURL(path.join(ROOT, 'web', 'src', rel)).href);
const { EMPTY, formatAs, kpiDelta, sparklinePoints } = await load('valuefmt.js');
const { columnIndex, pickRow } = await load('kpi.js');
const { filterOptions } = await load('inputs/choices.js');

test('formats', () => {
  assert.equal(formatAs(1234.5), '1,234.50');
  assert.equal(formatAs(1234), '1,234');
  assert.equal(formatAs(12345678901234567890n), '12,345,678,901,234,567,890');
  assert.equal(formatAs(1234.5, { fmt: 'number', decimals: '0' }), '1,235');
  assert.equal(formatAs(1234.5, { fmt: 'integer' }), '1,235');
  assert.equal(formatAs(0.256, { fmt: 'percent' }), '25.6%');
  assert.equal(formatAs(0.256, { fmt: 'percent', decimals: 0 }), '26%');
  assert.equal(formatAs(1234.5, { fmt: 'currency' }), '$1,234.50');
  assert.equal(formatAs(1234.5, { fmt: 'currency', currency: 'eur', decimals: '0' }), '€1,235');
  assert.throws(() => formatAs(1, { fmt: 'currency', currency: 'dollars' }), /not a currency code/);
  assert.equal(formatAs(1234567, { fmt: 'compact' }), '1.2M');
  assert.equal(formatAs('2024-01-31', { fmt: 'date' }), 'Jan 31, 2024');
  assert.equal(formatAs('2024-01-31 10:00:00', { fmt: 'date' }), 'Jan 31, 2024');
  assert.equal(formatAs('12.5', { fmt: 'currency' }), '$12.50', 'numbers as text (DECIMAL beyond 2^53)');
  assert.equal(formatAs('north'), 'north');
  assert.equal(formatAs('north', { fmt: 'currency' }), 'north');
  assert.equal(formatAs(5, { prefix: '~', suffix: ' pts' }), '~5 pts');
  for (const none of [null, undefined, Number.NaN]) assert.equal(formatAs(none, { prefix: '$' }), EMPTY);
});

test('the delta: direction, good or bad, percent or absolute', () => {
  assert.deepEqual(kpiDelta(110, 100), { text: '+10.0%', direction: 'up', good: true });
  assert.deepEqual(kpiDelta(90, 100), { text: '−10.0%', direction: 'down', good: false });
  assert.deepEqual(kpiDelta(90, 100, { downIsGood: true }), { text: '−10.0%', direction: 'down', good: true });
  assert.deepEqual(kpiDelta(110, 100, { downIsGood: true }), { text: '+10.0%', direction: 'up', good: false });
  assert.deepEqual(kpiDelta(100, 100), { text: '0.0%', direction: 'flat', good: null });
  assert.deepEqual(kpiDelta(-50, -100), { text: '+50.0%', direction: 'up', good: true }, 'against |comparison|');
  assert.deepEqual(kpiDelta(1250.5, 1000, { mode: 'absolute', opts: { fmt: 'currency' } }),
    { text: '+$250.50', direction: 'up', good: true });
  assert.equal(kpiDelta(5, 0), null, 'percent of 0');
  assert.deepEqual(kpiDelta(5, 0, { mode: 'absolute' }), { text: '+5', direction: 'up', good: true });
  assert.equal(kpiDelta(null, 3), null);
  assert.equal(kpiDelta(3, null), null);
  assert.equal(kpiDelta('x', 3), null);
});

test('sparkline points', () => {
  assert.deepEqual(sparklinePoints([0, 10, 5], 100, 20, 0), [[0, 20], [50, 0], [100, 10]]);
  assert.deepEqual(sparklinePoints([3, 3], 100, 20, 0), [[0, 10], [100, 10]], 'flat: mid height');
  assert.deepEqual(sparklinePoints([null, 4, 'x'], 100, 20, 0), [[50, 10]]);
  assert.deepEqual(sparklinePoints([5, 10], 100, 20, 0, true), [[0, 10], [100, 0]], 'bars stand on 0');
  assert.deepEqual(sparklinePoints([], 100, 20), []);
});

test('rows and columns of a value', () => {
  const cols = [{ name: 'Region' }, { name: 'total' }];
  assert.equal(columnIndex(cols, 'TOTAL', 'q'), 1);
  assert.throws(() => columnIndex(cols, 'totl', 'by_region'), /column 'totl' is not in the result of by_region \(its columns: Region, total\)/);
  const rows = [['a', 1], ['b', 2]];
  assert.deepEqual(pickRow(rows), ['a', 1]);
  assert.deepEqual(pickRow(rows, '1'), ['b', 2]);
  assert.deepEqual(pickRow(rows, 'last'), ['b', 2]);
  assert.equal(pickRow(rows, '5'), undefined);
  assert.equal(pickRow([], 'last'), undefined);
});

test('the search box filters by label or value, any case', () => {
  const opts = [{ value: 'n', label: 'North' }, { value: 's', label: 'South' }, { value: 'ne', label: 'North-east' }];
  assert.deepEqual(filterOptions(opts, 'nor').map((o) => o.value), ['n', 'ne']);
  assert.deepEqual(filterOptions(opts, ' SOUTH ').map((o) => o.value), ['s']);
  assert.deepEqual(filterOptions(opts, 'ne').map((o) => o.value), ['ne']);
  assert.equal(filterOptions(opts, '').length, 3);
  assert.equal(filterOptions(opts, '', 2).length, 2);
});
