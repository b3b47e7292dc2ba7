// cartesian.js - bar, line and area charts: categories (or, for line and
// area over a date or timestamp column, a time axis) along one axis, one
// series per y column or per value of the series column; stacked or 100%
// stacked (`stack: percent`), a second value axis on the right (`y2`), and
// small multiples (`facet`, charts/facet.js). Also any ECharts series type
// the registry does not know, drawn the same way.
import { flag, fmtFor, get, item, label, num, tooltipValue, uniq } from './common.js';
import { EDGE_LABELS, axisNumbers, isTime, timeValue } from './axis.js';

// Small multiples (charts/facet.js) come with the rarer charts in a bundle
// of their own (charts/extra.js): the registry hands them over once loaded.
let facetted = null;
export function useFacetted(fn) {
  facetted = fn;
}

const pct = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/** The y columns named by KEYS (comma-separated), or FALLBACK's first number. */
function yColumns(spec, cols, keys, xi, required) {
  const names = get(spec, ...keys);
  if (names !== undefined) return names.split(',').map((s) => s.trim()).filter(Boolean).map((n) => cols.need(keys[0], n));
  if (!required) return [];
  const first = cols.firstNumeric([xi]);
  if (first < 0) throw new Error(`no numeric y column in the result (columns: ${cols.names()})`);
  return [first];
}

/** Turns stacked series' values into each category's percentage share. */
function toPercent(series, n) {
  const at = (d) => (d === null || d === undefined ? null : d.value);
  const totals = new Array(n).fill(0);
  for (const s of series) s.data.forEach((d, k) => { totals[k] += Math.abs(at(d) ?? 0); });
  for (const s of series) {
    s.data.forEach((d, k) => {
      const v = at(d);
      if (v === null) return;
      d.raw = v;
      d.value = totals[k] ? (100 * v) / totals[k] : 0;
    });
  }
}

export function cartesian(spec, result, cols, type, theme) {
  if (get(spec, 'facet') !== undefined) {
    if (!facetted) throw new Error('small multiples (facet) are drawn by the bundle of rarer charts, which is not loaded');
    return facetted(spec, result, cols, (s, r, c) => cartesian(s, r, c, type, theme), theme);
  }
  const rows = result.rows;
  const seriesType = type === 'area' ? 'line' : type;
  const xi = cols.need('x', get(spec, 'x', 'x_key', 'xKey'), () => cols.data()[0] ?? -1);
  const yi = yColumns(spec, cols, ['y', 'value'], xi, true);
  const y2i = yColumns(spec, cols, ['y2'], xi, false);
  const seriesKey = get(spec, 'series', 'group', 'color_by');
  const si = seriesKey !== undefined ? cols.need('series', seriesKey) : -1;
  // A second axis is a second measure per category: one value per row.
  if (y2i.length && si >= 0) throw new Error('y2 draws one value per row; it cannot be combined with series (one series per value of a column): use facet, or a y2 column per series');
  if (y2i.length && flag(spec, 'horizontal') && seriesType === 'bar') throw new Error('y2 needs vertical bars: a second value axis stands on the right; remove horizontal: true');
  const stackMode = (get(spec, 'stack', 'stacked') || '').toLowerCase();
  const percent = stackMode === 'percent';
  const stack = percent || flag(spec, 'stack', 'stacked') ? 'total' : undefined;
  const smooth = flag(spec, 'smooth');
  const horizontal = flag(spec, 'horizontal') && seriesType === 'bar';
  const labels = flag(spec, 'labels', 'show_labels');
  // Lines and areas over dates are drawn on a time axis: evenly spaced by
  // time, with ticks at round dates. Bars keep one category per period.
  const timeAxis = !horizontal && !percent && seriesType === 'line' && isTime(cols.columns[xi].kind);
  const y2Type = (get(spec, 'y2_type') || (seriesType === 'bar' ? 'line' : seriesType)).toLowerCase();
  const valueOf = (p) => (Array.isArray(p.value) ? p.value[1] : p.value);
  const base = (name, data, kind = seriesType, axis = 0) => {
    const s = {
      type: kind, name, data, stack: axis === 0 ? stack : undefined, smooth,
      emphasis: { focus: 'series' },
      label: {
        show: labels, position: horizontal ? 'right' : 'top',
        formatter: (p) => (percent && axis === 0 ? `${pct.format(valueOf(p))}%` : tooltipValue(valueOf(p))),
      },
    };
    if (axis) s.yAxisIndex = 1;
    if (type === 'area' && axis === 0) s.areaStyle = { opacity: percent || stack ? 0.5 : 0.22 };
    if (kind === 'line') {
      s.showSymbol = data.length <= 60 || data.some((d) => d && d.__highlight);
      s.symbolSize = 6;
      s.lineStyle = { width: 2 };
    }
    if (kind === 'bar') s.itemStyle = { borderRadius: stack ? 0 : horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] };
    return s;
  };
  // Dates on a category axis (bars, 100% stacks): midnight left out.
  const xText = isTime(cols.columns[xi].kind) ? (v) => label(v).replace(/ 00:00:00(\.0+)?$/, '') : label;
  const point = (r, y) => (timeAxis ? [timeValue(r[xi]), num(r[y])] : num(r[y]));

  let categories;
  const series = [];
  if (si >= 0) {
    categories = uniq(rows.map((r) => xText(r[xi])));
    const pos = new Map(categories.map((c, k) => [c, k]));
    const groups = uniq(rows.map((r) => r[si]));
    const fmt = fmtFor(cols, cols.columns[yi[0]].name);
    for (const g of groups) {
      const data = categories.map(() => null);
      rows.forEach((r, k) => {
        if (label(r[si]) === g) data[pos.get(xText(r[xi]))] = item(point(r, yi[0]), k, r, fmt);
      });
      series.push(base(g, timeAxis ? data.filter((d) => d !== null) : data));
    }
  } else {
    categories = rows.map((r) => xText(r[xi]));
    for (const y of yi) {
      const fmt = fmtFor(cols, cols.columns[y].name);
      series.push(base(cols.columns[y].name, rows.map((r, k) => item(point(r, y), k, r, fmt))));
    }
  }
  if (percent) toPercent(series, categories.length);
  for (const y of y2i) {
    const fmt = fmtFor(cols, cols.columns[y].name);
    series.push(base(cols.columns[y].name, rows.map((r, k) => item(point(r, y), k, r, fmt)), y2Type === 'bar' ? 'bar' : 'line', 1));
  }
  const catAxis = timeAxis
    ? { type: 'time', name: get(spec, 'x_label', 'x_title'), axisLabel: { hideOverlap: true } }
    : {
      type: 'category', data: categories, name: horizontal ? undefined : get(spec, 'x_label', 'x_title'),
      axisLabel: { hideOverlap: true, ...(seriesType === 'bar' ? {} : EDGE_LABELS) }, boundaryGap: seriesType === 'bar',
    };
  const axisValues = (ss) => ss.flatMap((s) => s.data.map((d) => (d === null ? null : Array.isArray(d.value) ? d.value[1] : d.value)));
  const stackedMax = () => {
    if (!stack) return axisValues(series.filter((s) => !s.yAxisIndex));
    const sums = new Map();
    for (const s of series.filter((x) => !x.yAxisIndex)) {
      s.data.forEach((d, k) => {
        const v = d === null ? 0 : Array.isArray(d.value) ? d.value[1] : d.value;
        const key = Array.isArray(d?.value) ? d.value[0] : k;
        sums.set(key, (sums.get(key) || 0) + Math.abs(v || 0));
      });
    }
    return [...sums.values()];
  };
  const valAxis = percent
    ? { type: 'value', name: get(spec, 'y_label', 'y_title'), min: 0, max: 100, axisLabel: { formatter: (v) => `${v}%` } }
    : {
      type: 'value', name: get(spec, 'y_label', 'y_title'), scale: flag(spec, 'y_scale'),
      axisLabel: { formatter: axisNumbers(stackedMax()) },
    };
  const valAxes = [valAxis];
  if (y2i.length) {
    valAxes.push({
      type: 'value', name: get(spec, 'y2_label') ?? y2i.map((y) => cols.columns[y].name).join(', '), position: 'right',
      splitLine: { show: false }, axisLabel: { formatter: axisNumbers(axisValues(series.filter((s) => s.yAxisIndex))) },
    });
  }
  const yAxis = horizontal ? { ...catAxis, inverse: true } : valAxes.length > 1 ? valAxes : valAxis;
  const tooltipFormat = percent ? (v) => `${pct.format(v)}%` : tooltipValue;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: seriesType === 'bar' ? 'shadow' : 'line' }, valueFormatter: tooltipFormat },
    legend: series.length > 1 ? { type: 'scroll', top: spec.title ? 28 : 0, left: 'center' } : undefined,
    grid: { left: 8, right: y2i.length ? 16 : 24, bottom: 8, top: (spec.title ? 36 : 12) + (series.length > 1 ? 28 : 0) + 8, containLabel: true },
    xAxis: horizontal ? valAxis : catAxis,
    yAxis,
    series,
  };
}

export const chartTypes = {
  bar: (spec, result, cols, theme) => cartesian(spec, result, cols, 'bar', theme),
  line: (spec, result, cols, theme) => cartesian(spec, result, cols, 'line', theme),
  area: (spec, result, cols, theme) => cartesian(spec, result, cols, 'area', theme),
};
