// distribution.js - histogram and box plot: charts of a column's raw
// values (one row per observation), summarised here (charts/stats.js).
import { formatValue } from '../format.js';
import { get, html, label, num, uniq } from './common.js';
import { axisNumbers } from './axis.js';
import { boxSummary, histogramBins } from './stats.js';
import { themeColors } from './theme.js';

function valueColumn(spec, cols, keys, what) {
  const i = cols.need(what, get(spec, ...keys), () => cols.firstNumeric());
  const kind = cols.columns[i].kind;
  if (kind !== 'int' && kind !== 'float') {
    throw new Error(`${what} column '${cols.columns[i].name}' holds ${kind} values; a ${what === 'x' ? 'histogram' : 'box plot'} needs numbers`);
  }
  return i;
}

function histogram(spec, result, cols, theme) {
  const { palette } = themeColors(theme);
  const xi = valueColumn(spec, cols, ['x', 'value'], 'x');
  const binsKey = get(spec, 'bins');
  const bins = binsKey === undefined ? undefined : Number.parseInt(binsKey, 10);
  const out = histogramBins(result.rows.map((r) => num(r[xi])), { bins, integer: cols.columns[xi].kind === 'int' });
  const name = cols.columns[xi].name;
  const fmt = axisNumbers(out.flatMap((b) => [b.lo, b.hi]));
  const names = out.map((b) => `${fmt(b.lo)}–${fmt(b.hi)}`);
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => html`${name} ${formatValue(out[p.dataIndex].lo)} to ${formatValue(out[p.dataIndex].hi)}<br/><b>${formatValue(p.value)}</b> rows`,
    },
    // Room below the tick labels for the axis name (containLabel leaves it out).
    grid: { left: 8, right: 16, bottom: 28, top: spec.title ? 56 : 24, containLabel: true },
    xAxis: { type: 'category', data: names, name: get(spec, 'x_label') ?? name, nameLocation: 'middle', nameGap: 28, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: get(spec, 'y_label') ?? 'rows', axisLabel: { formatter: axisNumbers(out.map((b) => b.count)) } },
    series: [{
      type: 'bar', name: 'rows', barCategoryGap: '4%',
      data: out.map((b) => ({ value: b.count, lo: b.lo, hi: b.hi })),
      itemStyle: { color: palette[0], borderRadius: [2, 2, 0, 0] },
    }],
  };
}

function boxplot(spec, result, cols, theme) {
  const { palette } = themeColors(theme);
  const yi = valueColumn(spec, cols, ['y', 'value'], 'y');
  const groupKey = get(spec, 'x', 'category');
  const gi = groupKey !== undefined ? cols.need('x', groupKey) : -1;
  const groups = gi >= 0 ? uniq(result.rows.map((r) => r[gi])) : [cols.columns[yi].name];
  const boxes = [];
  const outliers = [];
  groups.forEach((g, k) => {
    const rows = gi >= 0 ? result.rows.filter((r) => label(r[gi]) === g) : result.rows;
    const s = boxSummary(rows.map((r) => num(r[yi])));
    boxes.push(s ? { value: s.box, n: s.n } : { value: [] });
    if (s) for (const v of s.outliers) outliers.push([k, v]);
  });
  const all = boxes.flatMap((b) => b.value).concat(outliers.map((o) => o[1]));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => (p.seriesType === 'boxplot'
        ? html`<b>${groups[p.dataIndex]}</b> (${formatValue(p.data.n)} rows)<br/>max ${formatValue(p.value[5])}<br/>Q3 ${formatValue(p.value[4])}<br/>median ${formatValue(p.value[3])}<br/>Q1 ${formatValue(p.value[2])}<br/>min ${formatValue(p.value[1])}`
        : html`${groups[p.value[0]]}: outlier ${formatValue(p.value[1])}`),
    },
    grid: { left: 8, right: 16, bottom: 8, top: spec.title ? 56 : 24, containLabel: true },
    xAxis: { type: 'category', data: groups, name: get(spec, 'x_label'), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true, name: get(spec, 'y_label') ?? cols.columns[yi].name, axisLabel: { formatter: axisNumbers(all) } },
    series: [
      { type: 'boxplot', name: cols.columns[yi].name, data: boxes },
      { type: 'scatter', name: 'outliers', data: outliers, symbolSize: 6, itemStyle: { color: palette[4] } },
    ],
  };
}

export const chartTypes = { histogram, boxplot };
