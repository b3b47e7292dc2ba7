// The option builders of the newer chart types (web/src/charts/), without a
// browser: histogram bins, box plot quartiles, sankey flows, calendar days,
// treemap nesting, stacked and 100% stacked series, a second value axis,
// small multiples, time axes, one number style per axis, and maps matched
// by name and code (with the geometry scripts/bundle-web.mjs makes).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { DIST, ROOT } from './lib.mjs';

const src = (...p) => pathToFileURL(path.join(ROOT, 'web', 'src', ...p)).href;
const { buildOption } = await import(src('chart.js'));
// The rarer families are a file of their own, loaded before their first draw.
await (await import(src('charts', 'registry.js'))).loadExtra();
const { axisNumbers } = await import(src('charts', 'axis.js'));
const { boxSummary, histogramBins, quantile } = await import(src('charts', 'stats.js'));
const { findCycle, treeOf } = await import(src('charts', 'flow.js'));
const { matchRegions, registerGeo } = await import(src('charts', 'geo.js'));

const col = (name, kind) => ({ name, kind });
const result = (columns, rows) => ({ columns, rows });

test('one number style per axis: the unit comes from the largest value', () => {
  const big = axisNumbers([12000, 500]);
  assert.deepEqual([0, 2000, 8000, 10000, 12000].map(big), ['0', '2k', '8k', '10k', '12k']);
  const small = axisNumbers([9000]);
  assert.deepEqual([0, 2500, 8000].map(small), ['0', '2,500', '8,000']);
  assert.deepEqual([1.5e6, 250000].map(axisNumbers([2e6])), ['1.5M', '0.25M']);
  const o = buildOption({ type: 'bar', x: 'k', y: 'v' }, result([col('k', 'string'), col('v', 'int')], [['a', 12000], ['b', 8000]]));
  assert.equal(o.yAxis.axisLabel.formatter(8000), '8k');
});

test('histogram bins have a round width and count every value once', () => {
  const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000 / 10); // 0 .. 99.9
  const bins = histogramBins(values);
  assert.equal(bins.reduce((a, b) => a + b.count, 0), 1000);
  const w = bins[0].hi - bins[0].lo;
  assert.ok([1, 2, 2.5, 5, 10].includes(w), `width ${w}`);
  assert.ok(bins.length >= 5 && bins.length <= 60, `${bins.length} bins`);
  assert.ok(bins[0].lo <= 0 && bins.at(-1).hi >= 99.9);
  const five = histogramBins([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { bins: 5, integer: true });
  assert.deepEqual(five.map((b) => [b.lo, b.hi, b.count]), [[0, 2, 1], [2, 4, 2], [4, 6, 2], [6, 8, 2], [8, 10, 3]]);
  assert.deepEqual(histogramBins([3, 3, 3], { integer: true }).map((b) => b.count), [3]);
  assert.deepEqual(histogramBins([null, NaN]), []);
  const o = buildOption({ type: 'histogram', x: 'v', bins: '5' }, result([col('v', 'int')], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => [v])));
  assert.deepEqual(o.series[0].data.map((d) => d.value), [1, 2, 2, 2, 3]);
  assert.deepEqual(o.xAxis.data, ['0–2', '2–4', '4–6', '6–8', '8–10']);
  assert.throws(() => buildOption({ type: 'histogram', x: 'k' }, result([col('k', 'string')], [['a']])), /needs numbers/);
});

test('box plot: quartiles as quantile_cont, whiskers at 1.5 IQR, outliers apart', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  const s = boxSummary([1, 2, 3, 4, 5, 6, 7, 8, 100]);
  assert.deepEqual(s.box, [1, 3, 5, 7, 8]);
  assert.deepEqual(s.outliers, [100]);
  const o = buildOption({ type: 'boxplot', x: 'g', y: 'v' },
    result([col('g', 'string'), col('v', 'float')], [['a', 1], ['a', 2], ['a', 3], ['b', 10], ['b', 20], ['b', 30], ['b', 400]]));
  assert.deepEqual(o.xAxis.data, ['a', 'b']);
  assert.deepEqual(o.series[0].data[0].value, [1, 1.5, 2, 2.5, 3]);
  assert.deepEqual(o.series[1].data, [[1, 400]]);
});

test('sankey adds up repeated flows and refuses a circle', () => {
  const o = buildOption({ type: 'sankey', source: 's', target: 't', value: 'v' },
    result([col('s', 'string'), col('t', 'string'), col('v', 'int')], [['a', 'b', 1], ['a', 'b', 2], ['b', 'c', 3]]));
  assert.deepEqual(o.series[0].links.map((l) => [l.source, l.target, l.value]), [['a', 'b', 3], ['b', 'c', 3]]);
  assert.deepEqual(o.series[0].data.map((d) => d.name), ['a', 'b', 'c']);
  assert.equal(findCycle([['a', 'b'], ['b', 'a']]), 'a → b → a');
  assert.throws(() => buildOption({ type: 'sankey' }, result([col('s', 'string'), col('t', 'string'), col('v', 'int')], [['a', 'b', 1], ['b', 'a', 1]])),
    /go round in a circle \(a → b → a\)/);
});

test('calendar: one calendar per year, a value per day', () => {
  const o = buildOption({ type: 'calendar', date: 'd', value: 'v' },
    result([col('d', 'date'), col('v', 'int')], [['2024-12-31', 1], ['2025-01-01', 2], ['2025-01-01', 3]]));
  assert.deepEqual(o.calendar.map((c) => c.range), ['2024', '2025']);
  assert.deepEqual(o.series[1].data.map((d) => d.value), [['2025-01-01', 5]]);
  assert.ok(o.__height > 300);
});

test('treemap nests rows under their parent', () => {
  const tree = treeOf([
    { name: 'north', parent: '', value: null, __row: 0 },
    { name: 'a', parent: 'north', value: 2, __row: 1 },
    { name: 'b', parent: 'north', value: 3, __row: 2 },
    { name: 'c', parent: 'south', value: 4, __row: 3 },
  ]);
  assert.deepEqual(tree.map((n) => [n.name, n.value, n.children.map((c) => c.name)]), [['north', 5, ['a', 'b']], ['south', 4, ['c']]]);
});

const SALES = result([col('month', 'string'), col('channel', 'string'), col('units', 'int')],
  [['01', 'web', 30], ['01', 'store', 10], ['02', 'web', 10], ['02', 'store', 30]]);

test('stacked and 100% stacked bars and areas', () => {
  const stacked = buildOption({ type: 'bar', x: 'month', y: 'units', series: 'channel', stack: 'true' }, SALES);
  assert.deepEqual(stacked.series.map((s) => s.stack), ['total', 'total']);
  const pct = buildOption({ type: 'area', x: 'month', y: 'units', series: 'channel', stack: 'percent' }, SALES);
  assert.deepEqual(pct.series.map((s) => s.data.map((d) => d.value)), [[75, 25], [25, 75]]);
  assert.equal(pct.yAxis.max, 100);
  assert.equal(pct.yAxis.axisLabel.formatter(50), '50%');
});

test('dual axis: y2 columns on a second value axis on the right', () => {
  const o = buildOption({ type: 'bar', x: 'm', y: 'revenue', y2: 'margin' },
    result([col('m', 'string'), col('revenue', 'float'), col('margin', 'float')], [['a', 12000, 0.2], ['b', 9000, 0.3]]));
  assert.equal(o.yAxis.length, 2);
  assert.equal(o.yAxis[1].position, 'right');
  assert.deepEqual(o.series.map((s) => [s.name, s.type, s.yAxisIndex ?? 0]), [['revenue', 'bar', 0], ['margin', 'line', 1]]);
  assert.equal(o.yAxis[1].axisLabel.formatter(0.25), '0.25');
});

test('small multiples: one grid per facet value, one shared scale, rows kept', () => {
  const o = buildOption({ type: 'bar', x: 'month', y: 'units', facet: 'channel' }, SALES);
  assert.equal(o.grid.length, 2);
  assert.deepEqual(o.series.map((s) => [s.xAxisIndex, s.yAxisIndex]), [[0, 0], [1, 1]]);
  assert.deepEqual(o.title.map((t) => t.text), ['web', 'store']);
  assert.deepEqual(o.yAxis.map((a) => a.max), [30, 30]);
  assert.deepEqual(o.series[1].data.map((d) => d.__row), [1, 3]);
  assert.equal(o.__height, 60 + 220);
  const narrow = buildOption({ type: 'bar', x: 'month', y: 'units', facet: 'channel', __width: 400 }, SALES);
  assert.deepEqual(narrow.grid.map((g) => g.width), ['98%', '98%'], 'one facet per row on a phone');
});

test('line and area over dates use a time axis; bars keep categories', () => {
  const r = result([col('day', 'date'), col('v', 'int')], [['2025-01-01', 1], ['2025-01-05', 2]]);
  const line = buildOption({ type: 'line', x: 'day', y: 'v' }, r);
  assert.equal(line.xAxis.type, 'time');
  assert.deepEqual(line.series[0].data.map((d) => d.value), [['2025-01-01', 1], ['2025-01-05', 2]]);
  const cat = buildOption({ type: 'line', x: 'day', y: 'v' }, result([col('day', 'string'), col('v', 'int')], r.rows));
  assert.equal(cat.xAxis.axisLabel.alignMaxLabel, 'right', 'the last category label ends at the edge, not past it');
  assert.equal(buildOption({ type: 'bar', x: 'day', y: 'v' }, r).xAxis.type, 'category');
});

test('maps match regions by name and ISO code, and list what they cannot place', () => {
  const geo = path.join(DIST, 'geo');
  for (const map of ['world', 'us_states']) {
    registerGeo({ registerMap() {} }, map, JSON.parse(fs.readFileSync(path.join(geo, `${map}.json`), 'utf8')));
  }
  const w = matchRegions('world', ['US', 'DEU', 'france', '392', 'Narnia']);
  assert.deepEqual([...w.byValue.values()], ['United States of America', 'Germany', 'France', 'Japan']);
  assert.deepEqual(w.unmatched, ['Narnia']);
  const u = matchRegions('us_states', ['CA', 'texas', '36', '6']);
  assert.deepEqual([...u.byValue.values()], ['California', 'Texas', 'New York', 'California']);
  const o = buildOption({ type: 'map', map: 'world', region: 'c', value: 'v' },
    result([col('c', 'string'), col('v', 'int')], [['US', 3], ['USA', 4], ['Atlantis', 1]]));
  assert.deepEqual(o.series[0].data.map((d) => [d.name, d.value]), [['United States of America', 7]]);
  assert.deepEqual(o.__unmatched, ['Atlantis']);
  const p = buildOption({ type: 'point_map', map: 'us_states', lat: 'lat', lon: 'lon', name: 'n' },
    result([col('n', 'string'), col('lat', 'float'), col('lon', 'float')], [['NYC', 40.7, -74.0], ['Paris', 48.85, 2.35]]));
  assert.equal(p.series[0].data.length, 1);
  assert.deepEqual(p.__unmatched, ['Paris']);
  assert.throws(() => buildOption({ type: 'map', map: 'mars' }, result([col('c', 'string')], [])), /not one of world, us_states/);
});

test('funnel labels sit outside the funnel, one line each, so thin stages do not overlap', () => {
  const o = buildOption({ type: 'funnel' }, result([col('stage', 'string'), col('value', 'int')], [['all', 1000000], ['over 100', 541900], ['over 250', 2340]]));
  const s = o.series[0];
  assert.equal(s.label.position, 'right');
  assert.equal(s.label.formatter({ name: 'over 250', value: 2340 }), 'over 250  2,340');
  assert.equal(s.labelLayout.hideOverlap, true);
});

test('maps keep their proportions and place points with the geometry\'s projection', async () => {
  const { project } = await import(src('charts', 'projections.js'));
  assert.deepEqual(project('world', 0, 0), [480, -250]);
  assert.equal(project('us_states', 2.35, 48.85), null, 'Paris is not on the US map');
  const r = result([col('n', 'string'), col('lat', 'float'), col('lon', 'float')], [['London', 51.5, -0.13], ['Tokyo', 35.68, 139.69]]);
  const wide = buildOption({ type: 'point_map', lat: 'lat', lon: 'lon', name: 'n', __width: 1400, __height: 360 }, r);
  const tall = buildOption({ type: 'point_map', lat: 'lat', lon: 'lon', name: 'n', __width: 400, __height: 360 }, r);
  const ratio = (g) => g.width / g.height;
  assert.ok(Math.abs(ratio(wide.geo) - ratio(tall.geo)) < 0.05, `${ratio(wide.geo)} vs ${ratio(tall.geo)}`);
  assert.ok(wide.geo.height <= 360 - 12 - 40 && tall.geo.width <= 400, JSON.stringify([wide.geo, tall.geo]));
  assert.deepEqual(wide.series[0].data.map((d) => d.label.position), ['right', 'left'], 'labels point inwards');
});

test('y2 with series or horizontal bars is an error that says why', () => {
  assert.throws(() => buildOption({ type: 'bar', x: 'month', y: 'units', series: 'channel', y2: 'units' }, SALES), /cannot be combined with series/);
  assert.throws(() => buildOption({ type: 'bar', x: 'month', y: 'units', y2: 'units', horizontal: 'true' }, SALES), /remove horizontal: true/);
});
