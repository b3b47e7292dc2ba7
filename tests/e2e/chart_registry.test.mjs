// The chart-type registry (web/src/charts/registry.js) without a browser:
// the names it draws are the ones the build accepts (src/site/pagecheck.c)
// and loads the smaller ECharts build for (src/site/html.c), a type is
// found without case while an unknown one is drawn like bar, and the rarer
// families (charts/extra.js, a file of their own in the browser) are known
// by name before they are loaded and drawn once they are.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { ROOT } from './lib.mjs';

const src = (...p) => pathToFileURL(path.join(ROOT, 'web', 'src', ...p)).href;
const { EXTRA_TYPES, chartTypeNames, extra, loadExtra, needsExtra } = await import(src('charts', 'registry.js'));
const { buildOption } = await import(src('chart.js'));

/** The string literals of C array NAME in FILE. */
function cArray(file, name) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const m = new RegExp(`${name}\\[\\]\\s*=\\s*\\{([^}]*)\\}`).exec(text);
  assert.ok(m, `${name} not found in ${file}`);
  return [...m[1].matchAll(/"([^"]*)"/g)].map((x) => x[1]);
}

const RESULT = {
  columns: [{ name: 'k', kind: 'text' }, { name: 'v', kind: 'int' }],
  rows: [['a', 1], ['b', 2]],
};

// First, before anything loads them.
test('the rarer families are known before they load, drawn once loaded, and only by name', async () => {
  assert.equal(extra(), null);
  for (const t of EXTRA_TYPES) assert.ok(chartTypeNames().includes(t), `${t} is known before it is loaded`);
  assert.equal(needsExtra({ type: 'Sankey' }), true);
  assert.equal(needsExtra({ type: 'line', facet: 'region' }), true);
  assert.equal(needsExtra({ type: 'bar' }), false);
  assert.equal(needsExtra({ type: 'sankey', option_column: 'o' }), false, 'a passed-through option needs no builder');
  assert.throws(() => buildOption({ type: 'treemap' }, RESULT), /not loaded/);
  assert.throws(() => buildOption({ type: 'line', x: 'k', y: 'v', facet: 'k' }, RESULT), /not loaded/);
  const mod = await loadExtra();
  assert.equal(await loadExtra(), mod, 'loaded once');
  assert.deepEqual(Object.keys(mod.chartTypes).sort(), [...EXTRA_TYPES].sort());
  assert.equal(buildOption({ type: 'treemap' }, RESULT).series[0].type, 'treemap');
  assert.equal(buildOption({ type: 'line', x: 'k', y: 'v', facet: 'k' }, RESULT).grid.length, 2);
});

test('every registered chart type is one the build accepts', () => {
  const accepted = new Set(cArray('src/site/pagecheck.c', 'CHART_TYPES').map((t) => t.toLowerCase()));
  const names = chartTypeNames();
  assert.deepEqual(names.filter((n) => !accepted.has(n)), []);
  for (const t of ['bar', 'line', 'area', 'scatter', 'effectscatter', 'pie', 'donut', 'heatmap', 'gauge', 'funnel']) {
    assert.ok(names.includes(t), `${t} is registered`);
  }
});

test('the types a page draws with echarts.common are registered', () => {
  const names = new Set(chartTypeNames());
  assert.deepEqual(cArray('src/site/html.c', 'COMMON').filter((t) => !names.has(t)), []);
});

test('a type is found without case; an unknown one is drawn like bar with its name', () => {
  assert.equal(buildOption({ type: 'PIE' }, RESULT).series[0].type, 'pie');
  assert.equal(buildOption({ type: 'EffectScatter', x: 'v', y: 'v' }, RESULT).series[0].type, 'effectScatter');
  const other = buildOption({ type: 'pictorialBar' }, RESULT);
  assert.equal(other.series[0].type, 'pictorialBar');
  assert.deepEqual(other.xAxis.data, ['a', 'b']);
  assert.equal(buildOption({}, RESULT).series[0].type, 'bar');
});

test('heatmap labels are dark on the light end of the scale, light on the dark end', () => {
  const result = {
    columns: [{ name: 'x', kind: 'text' }, { name: 'y', kind: 'text' }, { name: 'value', kind: 'int' }],
    rows: [['a', 'r', 0], ['b', 'r', 30], ['c', 'r', 60], ['d', 'r', 100]],
  };
  const data = buildOption({ type: 'heatmap', x: 'x', y: 'y', value: 'value' }, result).series[0].data;
  assert.deepEqual(data.map((d) => d.label?.color ?? null), [null, null, '#0f172a', '#0f172a']);
  const option = buildOption({ type: 'heatmap', x: 'x', y: 'y', value: 'value' }, result);
  assert.equal(option.series[0].label.color, '#f8fafc', 'the default label is light');
});
