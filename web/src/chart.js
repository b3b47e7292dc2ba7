// chart.js - ECharts options from a chart block's keys and a query result.
//
// Types: bar, line, area, scatter/effectScatter (trendline: linear), pie
// (donut), heatmap, gauge, funnel; option_column passes a whole ECharts option
// through; any other type is drawn like bar with that series type.
import { Frame, h } from './dom.js';
import { downloadCsv, formatValue, toCsv } from './format.js';
import { formatColumn, truthy } from './sql.js';

export const PALETTE = ['#38bdf8', '#a78bfa', '#34d399', '#fbbf24', '#f87171', '#f472b6',
  '#22d3ee', '#a3e635', '#fb923c', '#818cf8'];
const FG = '#e5e7eb';
const MUTED = '#94a3b8';
const LINE = '#475569';
const SPLIT = 'rgba(148, 163, 184, 0.14)';
const HIGHLIGHT = '#facc15';

const axisTheme = {
  axisLine: { lineStyle: { color: LINE } },
  axisTick: { lineStyle: { color: LINE } },
  axisLabel: { color: MUTED },
  splitLine: { lineStyle: { color: SPLIT } },
  splitArea: { areaStyle: { color: ['rgba(255,255,255,0.02)', 'rgba(255,255,255,0)'] } },
  nameTextStyle: { color: MUTED },
};

export const THEME = {
  color: PALETTE,
  backgroundColor: 'transparent',
  textStyle: { color: FG, fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  title: { textStyle: { color: FG, fontSize: 14, fontWeight: 600 }, subtextStyle: { color: MUTED } },
  legend: { textStyle: { color: '#cbd5e1' }, pageTextStyle: { color: MUTED }, pageIconColor: FG, pageIconInactiveColor: LINE },
  tooltip: {
    backgroundColor: 'rgba(15, 23, 42, 0.96)',
    borderColor: '#334155',
    textStyle: { color: FG },
    extraCssText: 'box-shadow: 0 8px 24px rgba(0,0,0,0.4); border-radius: 8px;',
  },
  categoryAxis: { ...axisTheme, splitLine: { show: false, lineStyle: { color: SPLIT } } },
  valueAxis: { ...axisTheme, axisLine: { show: false, lineStyle: { color: LINE } } },
  logAxis: axisTheme,
  timeAxis: axisTheme,
  visualMap: { textStyle: { color: '#cbd5e1' } },
  radar: {
    axisName: { color: '#cbd5e1' },
    axisLine: { lineStyle: { color: LINE } },
    splitLine: { lineStyle: { color: 'rgba(148, 163, 184, 0.28)' } },
    splitArea: { areaStyle: { color: ['rgba(148, 163, 184, 0.05)', 'rgba(148, 163, 184, 0.02)'] } },
  },
  dataZoom: { textStyle: { color: MUTED }, borderColor: LINE },
  gauge: { title: { color: MUTED }, detail: { color: FG } },
};

let themeRegistered = false;

function echartsLib() {
  const lib = window.echarts;
  if (!lib) throw new Error('ECharts is not loaded (assets/echarts.min.js)');
  if (!themeRegistered) {
    lib.registerTheme('ducksite-dark', THEME);
    themeRegistered = true;
  }
  return lib;
}

// ---------------------------------------------------------------------------
// Helpers over a result

function get(spec, ...keys) {
  for (const k of keys) {
    const v = spec[k];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return undefined;
}

function flag(spec, ...keys) {
  const v = get(spec, ...keys);
  return v !== undefined && /^(true|yes|1|on)$/i.test(v);
}

function num(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

function label(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

class Columns {
  constructor(result) {
    this.columns = result.columns;
    this.byName = new Map();
    result.columns.forEach((c, i) => {
      const k = c.name.toLowerCase();
      if (!this.byName.has(k)) this.byName.set(k, i);
    });
  }

  /** Index of the first of NAMES that is a column, else -1. */
  find(...names) {
    for (const n of names) {
      if (n === undefined || n === null) continue;
      const i = this.byName.get(String(n).trim().toLowerCase());
      if (i !== undefined) return i;
    }
    return -1;
  }

  /** Like find, but a named column that does not exist is an error. */
  need(what, name, fallback) {
    if (name !== undefined) {
      const i = this.find(name);
      if (i < 0) throw new Error(`${what} column '${name}' is not in the result (columns: ${this.names()})`);
      return i;
    }
    const i = typeof fallback === 'function' ? fallback() : this.find(...[].concat(fallback));
    if (i < 0) throw new Error(`no ${what} column in the result (columns: ${this.names()})`);
    return i;
  }

  names() {
    return this.columns.filter((c) => !c.name.startsWith('__fmt_')).map((c) => c.name).join(', ') || 'none';
  }

  data() {
    return this.columns.map((c, i) => i).filter((i) => !this.columns[i].name.startsWith('__fmt_'));
  }

  firstNumeric(except = []) {
    return this.data().find((i) => !except.includes(i) && (this.columns[i].kind === 'int' || this.columns[i].kind === 'float')) ?? -1;
  }

  firstText(except = []) {
    return this.data().find((i) => !except.includes(i) && this.columns[i].kind !== 'int' && this.columns[i].kind !== 'float') ?? -1;
  }
}

/** Format columns (colour, highlight) for a target column name. */
function fmtFor(cols, target) {
  if (!target) return null;
  const c = cols.find(formatColumn('chart', target, 'color'));
  const hl = cols.find(formatColumn('chart', target, 'highlight'));
  const lc = cols.find(formatColumn('chart', target, 'label_color'));
  return c < 0 && hl < 0 && lc < 0 ? null : { c, hl, lc };
}

/** A data item: {value, __row} plus colour / highlight styling from FMT. */
function item(value, rowIndex, row, fmt, extra) {
  const it = { value, __row: rowIndex, ...extra };
  if (!fmt) return it;
  const color = fmt.c >= 0 ? row[fmt.c] : null;
  if (color !== null && color !== undefined && String(color).trim() !== '') {
    it.itemStyle = { ...(it.itemStyle || {}), color: String(color) };
  }
  if (fmt.lc >= 0 && row[fmt.lc] !== null && String(row[fmt.lc]).trim() !== '') {
    it.label = { color: String(row[fmt.lc]) };
  }
  if (fmt.hl >= 0 && truthy(row[fmt.hl])) {
    it.itemStyle = { ...(it.itemStyle || {}), borderColor: HIGHLIGHT, borderWidth: 2, shadowBlur: 12, shadowColor: 'rgba(250, 204, 21, 0.55)' };
    it.symbolSize = 11;
    it.emphasis = { itemStyle: { shadowBlur: 16, shadowColor: 'rgba(250, 204, 21, 0.8)' } };
    it.__highlight = true;
  }
  return it;
}

function uniq(values) {
  const seen = new Set();
  const out = [];
  for (const v of values) {
    const k = label(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

function compact(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a >= 1e12) return `${+(v / 1e12).toFixed(1)}T`;
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  // Axis ticks and labels: no trailing zeros, so one axis reads 0.5, 1, 1.5
  // (not 0.5, 1, 1.50).
  return shortFmt.format(v);
}
const shortFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

// Tooltips are HTML: ECharts puts what a formatter function returns into
// the page as markup, and only its own default tooltips escape.  Data
// values, category and series names and column names all come from query
// results, so every formatter here builds its text with html``, which
// escapes each interpolated value.  (Labels, legends and axes are drawn on
// the canvas as plain text.)
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(v) {
  return (v === null || v === undefined ? '' : String(v)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A template tag: the literal parts as written, every value escaped. */
function html(parts, ...values) {
  return parts.reduce((out, part, i) => out + escapeHtml(values[i - 1]) + part);
}

function tooltipValue(v) {
  if (Array.isArray(v)) return v.map((x) => formatValue(x)).join(', ');
  return formatValue(v);
}

// ---------------------------------------------------------------------------
// Option builders

function cartesian(spec, result, cols, type) {
  const rows = result.rows;
  const seriesType = type === 'area' ? 'line' : type;
  const xi = cols.need('x', get(spec, 'x', 'x_key', 'xKey'), () => cols.data()[0] ?? -1);
  const yNames = get(spec, 'y', 'value');
  let yi;
  if (yNames !== undefined) {
    yi = yNames.split(',').map((s) => s.trim()).filter(Boolean).map((n) => cols.need('y', n));
  } else {
    const first = cols.firstNumeric([xi]);
    if (first < 0) throw new Error(`no numeric y column in the result (columns: ${cols.names()})`);
    yi = [first];
  }
  const seriesKey = get(spec, 'series', 'group', 'color_by');
  const si = seriesKey !== undefined ? cols.need('series', seriesKey) : -1;
  const stack = flag(spec, 'stack', 'stacked') ? 'total' : undefined;
  const smooth = flag(spec, 'smooth');
  const horizontal = flag(spec, 'horizontal') && seriesType === 'bar';
  const labels = flag(spec, 'labels', 'show_labels');
  const base = (name, data) => {
    const s = {
      type: seriesType, name, data, stack, smooth,
      emphasis: { focus: 'series' },
      label: { show: labels, position: horizontal ? 'right' : 'top', color: FG, formatter: (p) => tooltipValue(p.value) },
    };
    if (type === 'area') s.areaStyle = { opacity: 0.22 };
    if (seriesType === 'line') {
      s.showSymbol = data.length <= 60 || data.some((d) => d && d.__highlight);
      s.symbolSize = 6;
      s.lineStyle = { width: 2 };
    }
    if (seriesType === 'bar') s.itemStyle = { borderRadius: horizontal ? [0, 4, 4, 0] : [4, 4, 0, 0] };
    return s;
  };

  let categories;
  const series = [];
  if (si >= 0) {
    categories = uniq(rows.map((r) => r[xi]));
    const pos = new Map(categories.map((c, k) => [c, k]));
    const groups = uniq(rows.map((r) => r[si]));
    const fmt = fmtFor(cols, cols.columns[yi[0]].name);
    for (const g of groups) {
      const data = categories.map(() => null);
      rows.forEach((r, k) => {
        if (label(r[si]) === g) data[pos.get(label(r[xi]))] = item(num(r[yi[0]]), k, r, fmt);
      });
      series.push(base(g, data));
    }
  } else {
    categories = rows.map((r) => label(r[xi]));
    for (const y of yi) {
      const fmt = fmtFor(cols, cols.columns[y].name);
      series.push(base(cols.columns[y].name, rows.map((r, k) => item(num(r[y]), k, r, fmt))));
    }
  }
  const catAxis = {
    type: 'category', data: categories, name: horizontal ? undefined : get(spec, 'x_label', 'x_title'),
    axisLabel: { hideOverlap: true, color: MUTED }, boundaryGap: seriesType === 'bar',
  };
  const valAxis = {
    type: 'value', name: get(spec, 'y_label', 'y_title'), scale: flag(spec, 'y_scale'),
    axisLabel: { formatter: compact, color: MUTED },
  };
  // Without a boundary gap (lines, areas) the last category's label is
  // centred on the plot's right edge, which containLabel does not count:
  // room for half of it (about 6.5 px a character at 12 px).
  const last = categories.length ? label(categories[categories.length - 1]) : '';
  const right = !horizontal && seriesType !== 'bar' ? Math.max(24, Math.ceil(String(last).length * 3.3) + 8) : 24;
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: seriesType === 'bar' ? 'shadow' : 'line' }, valueFormatter: tooltipValue },
    legend: series.length > 1 ? { type: 'scroll', top: spec.title ? 28 : 0, left: 'center' } : undefined,
    grid: { left: 8, right, bottom: 8, top: (spec.title ? 36 : 12) + (series.length > 1 ? 28 : 0) + 8, containLabel: true },
    xAxis: horizontal ? valAxis : catAxis,
    yAxis: horizontal ? { ...catAxis, inverse: true } : valAxis,
    series,
  };
}

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

function scatter(spec, result, cols, type) {
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
        lineStyle: { type: 'dashed', width: 2, color: '#f8fafc', opacity: 0.7 },
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

function pie(spec, result, cols) {
  const ni = cols.need('name', get(spec, 'name', 'category', 'x', 'label'), () => {
    const i = cols.find('name', 'category', 'label');
    return i >= 0 ? i : cols.firstText();
  });
  const vi = cols.need('value', get(spec, 'value', 'y'), () => {
    const i = cols.find('value');
    return i >= 0 ? i : cols.firstNumeric([ni]);
  });
  const fmt = fmtFor(cols, cols.columns[vi].name) || fmtFor(cols, cols.columns[ni].name);
  const donut = flag(spec, 'donut', 'ring');
  const inner = get(spec, 'inner_radius', 'innerRadius') ?? (donut ? '45%' : '0%');
  const outer = get(spec, 'outer_radius', 'outerRadius') ?? '66%';
  const pct = (s) => (/^\d+(\.\d+)?$/.test(s) ? `${s}%` : s);
  const data = result.rows.map((r, k) => item(num(r[vi]), k, r, fmt, { name: label(r[ni]) }));
  return {
    tooltip: { trigger: 'item', formatter: (p) => html`${p.name}: ${formatValue(p.value)} (${p.percent}%)` },
    legend: { type: 'scroll', bottom: 0, left: 'center' },
    series: [{
      type: 'pie',
      name: cols.columns[vi].name,
      radius: [pct(inner), pct(outer)],
      center: ['50%', spec.title ? '52%' : '47%'],
      avoidLabelOverlap: true,
      itemStyle: { borderColor: '#0b1220', borderWidth: 2, borderRadius: donut ? 6 : 2 },
      label: { color: '#cbd5e1', formatter: donut ? '{d}%' : '{b}: {d}%' },
      labelLine: { lineStyle: { color: LINE }, length: 8, length2: 6 },
      labelLayout: { hideOverlap: true },
      data,
    }],
  };
}

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
      itemStyle: { borderColor: '#0b1220', borderWidth: 1, borderRadius: 2 },
      emphasis: { itemStyle: { shadowBlur: 10, shadowColor: 'rgba(0, 0, 0, 0.5)' } },
    }],
  };
}

function gauge(spec, result, cols) {
  const vi = cols.need('value', get(spec, 'value', 'y'), () => cols.find('value') >= 0 ? cols.find('value') : cols.firstNumeric());
  const row = result.rows[0];
  const v = row ? num(row[vi]) : null;
  const nameCol = cols.find(get(spec, 'name'));
  const name = row && nameCol >= 0 ? label(row[nameCol]) : (get(spec, 'name') ?? get(spec, 'label') ?? '');
  const bound = (key, dflt) => {
    const s = get(spec, key);
    if (s === undefined) return dflt;
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    const c = cols.find(s);
    return c >= 0 && row ? num(row[c]) ?? dflt : dflt;
  };
  const min = bound('min', 0);
  let max = bound('max', undefined);
  if (max === undefined) {
    max = 100;
    if (v !== null && v > 100) {
      const mag = 10 ** Math.floor(Math.log10(v));
      max = Math.ceil(v / mag) * mag;
    }
  }
  const fmt = fmtFor(cols, cols.columns[vi].name);
  const it = row ? item(v, 0, row, fmt, { name }) : { value: null, name };
  const color = it.itemStyle?.color || PALETTE[0];
  return {
    tooltip: { formatter: (p) => html`${p.name}: ${formatValue(p.value)}` },
    series: [{
      type: 'gauge', min, max, startAngle: 210, endAngle: -30,
      center: ['50%', spec.title ? '60%' : '55%'], radius: '85%',
      progress: { show: true, width: 14, roundCap: true, itemStyle: { color } },
      axisLine: { roundCap: true, lineStyle: { width: 14, color: [[1, 'rgba(148, 163, 184, 0.18)']] } },
      pointer: { show: false },
      axisTick: { show: false },
      splitLine: { length: 8, distance: -22, lineStyle: { color: LINE, width: 1 } },
      axisLabel: { distance: -6, color: MUTED, fontSize: 10, formatter: (x) => compact(x) },
      anchor: { show: false },
      title: { offsetCenter: [0, '38%'], color: MUTED, fontSize: 13 },
      detail: { valueAnimation: true, offsetCenter: [0, '0%'], fontSize: 30, fontWeight: 600, color: FG, formatter: (x) => formatValue(x) },
      data: [it],
    }],
  };
}

function funnel(spec, result, cols) {
  const ni = cols.need('name', get(spec, 'name', 'category', 'x', 'stage'), () => {
    const i = cols.find('stage', 'name', 'category');
    return i >= 0 ? i : cols.firstText();
  });
  const vi = cols.need('value', get(spec, 'value', 'y'), () => {
    const i = cols.find('value');
    return i >= 0 ? i : cols.firstNumeric([ni]);
  });
  const fmt = fmtFor(cols, cols.columns[vi].name) || fmtFor(cols, cols.columns[ni].name);
  const data = result.rows.map((r, k) => item(num(r[vi]) ?? 0, k, r, fmt, { name: label(r[ni]) }));
  const values = data.map((d) => d.value);
  const sort = (get(spec, 'sort') || 'descending').toLowerCase();
  return {
    tooltip: { trigger: 'item', formatter: (p) => html`${p.name}: ${formatValue(p.value)}` },
    legend: { type: 'scroll', bottom: 0 },
    series: [{
      type: 'funnel', name: cols.columns[vi].name,
      top: spec.title ? 44 : 16, bottom: 36, left: '10%', width: '80%',
      min: 0, max: Math.max(0, ...values),
      sort: ['ascending', 'none'].includes(sort) ? sort : 'descending',
      gap: 3,
      label: { show: true, position: 'inside', color: '#0f172a', formatter: (p) => `${p.name}\n${compact(p.value)}` },
      itemStyle: { borderColor: '#0b1220', borderWidth: 1 },
      data,
    }],
  };
}

function passthrough(spec, result, cols, type) {
  const oi = cols.need('option', get(spec, 'option_column', 'optionColumn', 'option'));
  const row = result.rows[0];
  if (!row) throw new Error('option_column query returned no rows');
  let opt = row[oi];
  if (typeof opt === 'string') {
    try {
      opt = JSON.parse(opt);
    } catch (e) {
      throw new Error(`option_column '${cols.columns[oi].name}' is not valid JSON: ${e.message}`);
    }
  }
  if (!opt || typeof opt !== 'object') throw new Error(`option_column '${cols.columns[oi].name}' is not an object`);
  if (Array.isArray(opt.series) && opt.series[0] && !opt.series[0].type && type) opt.series[0].type = type;
  else if (opt.series && !Array.isArray(opt.series) && !opt.series.type && type) opt.series.type = type;
  // Leave room for the title above polar-like layouts that did not place themselves.
  if (get(spec, 'title') !== undefined && !opt.title) {
    for (const key of ['radar', 'polar']) {
      const comp = opt[key];
      if (comp && !Array.isArray(comp) && comp.center === undefined) {
        comp.center = ['50%', '57%'];
        if (comp.radius === undefined) comp.radius = '62%';
      }
    }
  }
  return opt;
}

/**
 * The ECharts option for SPEC (a chart block's keys) over RESULT
 * ({columns, rows}). Throws a readable Error when a named column is missing.
 */
export function buildOption(spec, result) {
  const cols = new Columns(result);
  const type = (get(spec, 'type') || 'bar').trim();
  const lower = type.toLowerCase();
  let opt;
  if (get(spec, 'option_column', 'optionColumn', 'option') !== undefined) opt = passthrough(spec, result, cols, get(spec, 'type'));
  else if (lower === 'bar' || lower === 'line' || lower === 'area') opt = cartesian(spec, result, cols, lower);
  else if (lower === 'scatter' || lower === 'effectscatter') opt = scatter(spec, result, cols, lower === 'scatter' ? 'scatter' : 'effectScatter');
  else if (lower === 'pie' || lower === 'donut') opt = pie(lower === 'donut' ? { ...spec, donut: 'true' } : spec, result, cols);
  else if (lower === 'heatmap') opt = heatmap(spec, result, cols);
  else if (lower === 'gauge') opt = gauge(spec, result, cols);
  else if (lower === 'funnel') opt = funnel(spec, result, cols);
  else opt = cartesian(spec, result, cols, type);
  const title = get(spec, 'title');
  if (title !== undefined) {
    if (!opt.title) opt.title = { text: title, left: 8, top: 4 };
    else if (!Array.isArray(opt.title) && !opt.title.text) opt.title.text = title;
  }
  if (opt.backgroundColor === undefined) opt.backgroundColor = 'transparent';
  return opt;
}

// ---------------------------------------------------------------------------

export class ChartView {
  constructor(el, id, spec, { onClick } = {}) {
    this.id = id;
    this.spec = spec || {};
    this.el = el;
    // The picture the build drew (src/site/firstpaint.c) stays until the
    // first live draw.
    this.firstPaint = el.querySelector(':scope > img.ds-first-paint');
    this.frame = new Frame(el, { kind: 'chart' });
    this.frame.head.classList.add('ds-head-overlay');
    this.frame.button('CSV', `Download ${id}.csv`, () => this.download()).classList.add('ds-download');
    this.root = h('div', { class: 'ducksite-chart-root ds-chart-root' });
    const height = get(this.spec, 'height');
    if (height) this.root.style.height = /^\d+$/.test(height) ? `${height}px` : height;
    this.frame.body.append(this.root);
    if (this.firstPaint) this.root.append(this.firstPaint);
    this.onClick = onClick;
    this.chart = null;
    this.result = null;
    this.ro = typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.resize()) : null;
    this.ro?.observe(this.root);
    // ECharts is set up now, while the page's first results are still on
    // their way, rather than when the first one arrives.
    if (window.echarts) this.ensureChart(echartsLib());
  }

  ensureChart(lib) {
    if (this.chart) return;
    this.chart = lib.init(this.root, 'ducksite-dark', { renderer: 'canvas' });
    this.chart.on('click', (p) => {
      if (!this.onClick || !this.result) return;
      const r = p.data && typeof p.data === 'object' && p.data.__row !== undefined ? p.data.__row : p.dataIndex;
      this.onClick(this.result.rows[r] ?? null, p, p.event?.event, this.result.columns);
    });
  }

  setLoading(on) {
    this.frame.setLoading(on);
  }

  showError(query, message) {
    this.firstPaint?.remove();
    this.firstPaint = null;
    const box = this.frame.showError(query, message);
    const title = get(this.spec, 'title');
    if (title) box.prepend(h('div', { class: 'ds-error-context', text: title }));
  }

  resize() {
    if (this.chart && this.root.clientWidth > 0) this.chart.resize();
  }

  render(result) {
    this.frame.clearError();
    this.result = result;
    const lib = echartsLib();
    const option = buildOption(this.spec, result);
    this.ensureChart(lib);
    this.chart.setOption(option, { notMerge: true });
    // Also settles the first draw at once (a resize skips the entry
    // animation), so what the reader sees, and clicks, is the final chart.
    this.resize();
    this.firstPaint?.remove();
    this.firstPaint = null;
    this.root.dataset.points = String(result.rows.length);
    if (this.onClick) this.root.classList.add('ds-clickable');
  }

  /** The option last drawn (tests read it through window.ducksite). */
  option() {
    return this.chart && this.result ? this.chart.getOption() : null;
  }

  download() {
    if (!this.result) return;
    const { columns, rows } = this.result;
    const idx = columns.map((c, i) => i).filter((i) => !columns[i].name.startsWith('__fmt_'));
    downloadCsv(`${this.id}.csv`, toCsv(columns, rows, idx));
  }
}
