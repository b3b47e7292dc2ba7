// heatmap.js - heatmaps: x and y categories, a value per cell, a colour scale.
import { formatValue } from '../format.js';
import { compact, fmtFor, get, html, item, label, num, uniq } from './common.js';

// Where the scale's colours (below) become light enough for dark text.
const LIGHT_FROM = 0.4;
const DARK_TEXT = '#0f172a';

function heatmap(spec, result, cols) {
  const xi = cols.need('x', get(spec, 'x', 'x_key', 'xKey'), () => cols.find('x') >= 0 ? cols.find('x') : cols.data()[0] ?? -1);
  const yi = cols.need('y', get(spec, 'y', 'y_key', 'yKey'), () => cols.find('y') >= 0 ? cols.find('y') : cols.data()[1] ?? -1);
  const vi = cols.need('value', get(spec, 'value', 'val', 'z'), () => cols.find('value') >= 0 ? cols.find('value') : cols.firstNumeric([xi, yi]));
  const xs = uniq(result.rows.map((r) => r[xi]));
  const ys = uniq(result.rows.map((r) => r[yi]));
  const xp = new Map(xs.map((v, k) => [v, k]));
  const yp = new Map(ys.map((v, k) => [v, k]));
  const fmt = fmtFor(cols, cols.columns[vi].name);
  let min = Infinity;
  let max = -Infinity;
  const data = result.rows.map((r, k) => {
    const v = num(r[vi]);
    if (v !== null && Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return item([xp.get(label(r[xi])), yp.get(label(r[yi])), v], k, r, fmt);
  });
  if (!Number.isFinite(min)) { min = 0; max = 1; }
  // The upper part of the colour scale (violet, pink, yellow) is light:
  // dark labels there, light ones on the dark blues.  A cell's own
  // label_color_expr still wins (item() applies it after this).
  for (const d of data) {
    const v = d.value[2];
    const t = v === null || !Number.isFinite(v) || max === min ? 0 : (v - min) / (max - min);
    if (t >= LIGHT_FROM && !(d.label && d.label.color)) d.label = { color: DARK_TEXT, textBorderWidth: 0, ...(d.label || {}) };
  }
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => html`${xs[p.value[0]]} · ${ys[p.value[1]]}<br/><b>${formatValue(p.value[2])}</b>`,
    },
    grid: { left: 8, right: 16, top: spec.title ? 40 : 12, bottom: 52, containLabel: true },
    xAxis: { type: 'category', data: xs, splitArea: { show: true }, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'category', data: ys, splitArea: { show: true } },
    visualMap: {
      min, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120,
      inRange: { color: ['#0c4a6e', '#0ea5e9', '#a78bfa', '#f472b6', '#fde047'] },
      formatter: (v) => compact(v),
    },
    series: [{
      type: 'heatmap', name: cols.columns[vi].name, data,
      label: {
        show: xs.length * ys.length <= 120, color: '#f8fafc', textBorderColor: 'rgba(2, 6, 23, 0.7)',
        textBorderWidth: 2, formatter: (p) => compact(p.value[2]),
      },
      itemStyle: { borderWidth: 1, borderRadius: 2 },
      emphasis: { itemStyle: { shadowBlur: 10, shadowColor: 'rgba(0, 0, 0, 0.5)' } },
    }],
  };
}

export const chartTypes = { heatmap };
