// scatter.js - scatter and effectScatter: x and y numeric, optional series
// and size columns, and a least-squares trend line.
import { formatValue } from '../format.js';
import { compact, fmtFor, get, html, item, label, num } from './common.js';
import { themeColors } from './theme.js';

/** Least squares y = a + b x over POINTS ([x, y]); null if undefined. */
export function linearFit(points) {
  const n = points.length;
  if (n < 2) return null;
  let sx = 0; let sy = 0; let sxx = 0; let sxy = 0;
  for (const [x, y] of points) {
    sx += x; sy += y; sxx += x * x; sxy += x * y;
  }
  const d = n * sxx - sx * sx;
  if (d === 0) return null;
  const b = (n * sxy - sx * sy) / d;
  const a = (sy - b * sx) / n;
  return { a, b };
}

function scatter(spec, result, cols, type, theme) {
  const rows = result.rows;
  const xi = cols.need('x', get(spec, 'x', 'x_key'), () => cols.firstNumeric());
  const yi = cols.need('y', get(spec, 'y', 'value'), () => cols.firstNumeric([xi]));
  const seriesKey = get(spec, 'series', 'group', 'color_by');
  const si = seriesKey !== undefined ? cols.need('series', seriesKey) : -1;
  const sizeKey = get(spec, 'size', 'symbol_size');
  const zi = sizeKey !== undefined ? cols.find(sizeKey) : -1;
  const fmt = fmtFor(cols, cols.columns[yi].name);
  const groups = new Map();
  const points = [];
  rows.forEach((r, k) => {
    const x = num(r[xi]);
    const y = num(r[yi]);
    if (x === null || y === null || !Number.isFinite(x) || !Number.isFinite(y)) return;
    points.push([x, y]);
    const g = si >= 0 ? label(r[si]) : cols.columns[yi].name;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(item([x, y], k, r, fmt));
  });
  let sizes = null;
  if (zi >= 0) {
    const zs = rows.map((r) => num(r[zi])).filter((z) => z !== null && Number.isFinite(z));
    const max = Math.max(1e-9, ...zs.map(Math.abs));
    sizes = (p) => 6 + 22 * Math.sqrt(Math.abs(num(rows[p.__row ?? 0]?.[zi]) || 0) / max);
  }
  const series = [...groups.entries()].map(([name, data]) => ({
    type, name, data,
    symbolSize: sizes ? (_, p) => sizes(p.data) : 9,
    itemStyle: { opacity: 0.85 },
    emphasis: { focus: 'series' },
  }));
  const trend = (get(spec, 'trendline', 'trend') || '').toLowerCase();
  if (['linear', 'regression', 'true', 'yes'].includes(trend) && points.length >= 2) {
    const fit = linearFit(points);
    if (fit) {
      const xs = points.map((p) => p[0]);
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      series.push({
        type: 'line', name: 'trend', data: [[lo, fit.a + fit.b * lo], [hi, fit.a + fit.b * hi]],
        showSymbol: false, silent: true, z: 1,
        lineStyle: { type: 'dashed', width: 2, color: themeColors(theme).trend, opacity: 0.7 },
        tooltip: { show: false },
      });
    }
  }
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => html`${p.seriesName}<br/>${cols.columns[xi].name}: ${formatValue(p.value[0])}<br/>${cols.columns[yi].name}: ${formatValue(p.value[1])}`,
    },
    legend: series.length > 1 ? { type: 'scroll', top: spec.title ? 28 : 0 } : undefined,
    grid: { left: 8, right: 20, bottom: 8, top: (spec.title ? 36 : 12) + (series.length > 1 ? 28 : 0) + 8, containLabel: true },
    xAxis: { type: 'value', scale: true, name: get(spec, 'x_label') ?? cols.columns[xi].name, nameLocation: 'middle', nameGap: 26, axisLabel: { formatter: compact } },
    yAxis: { type: 'value', scale: true, name: get(spec, 'y_label') ?? cols.columns[yi].name, axisLabel: { formatter: compact } },
    series,
  };
}

export const chartTypes = {
  scatter: (spec, result, cols, theme) => scatter(spec, result, cols, 'scatter', theme),
  effectscatter: (spec, result, cols, theme) => scatter(spec, result, cols, 'effectScatter', theme),
};
