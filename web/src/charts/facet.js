// facet.js - small multiples: `facet: COLUMN` draws one small chart per
// value of that column, in a grid of `facet_columns` (default: up to 3)
// columns, all on one value scale so that their heights compare. Each
// small chart is the family's own option for that value's rows; this module
// only lays them out and renumbers their axes, series and rows.
import { facetLayout, get, label, uniq } from './common.js';
import { niceStep } from './stats.js';
import { axisNumbers } from './axis.js';
import { themeColors } from './theme.js';

/** The top of a value axis over 0..V: V rounded up to a multiple of a round tick step (about 5 ticks). */
export function niceCeil(v) {
  if (!(v > 0)) return v;
  const step = niceStep(v / 5);
  return Math.ceil(v / step - 1e-9) * step;
}

const arr = (x) => (Array.isArray(x) ? x : x === undefined ? [] : [x]);

export { FACET_MIN_WIDTH, facetLayout } from './common.js';

/**
 * The option for SPEC's facets: BUILD(spec, result, cols) draws one facet
 * (the same builder, without `facet`); each facet's rows keep their index
 * in RESULT, so clicks set inputs from the right row.
 */
export function facetted(spec, result, cols, build, theme) {
  const { palette, muted } = themeColors(theme);
  const fi = cols.need('facet', get(spec, 'facet'));
  const values = uniq(result.rows.map((r) => r[fi]));
  if (!values.length) return build({ ...spec, facet: undefined }, result, cols);
  const n = values.length;
  const { perRow, nRows, total } = facetLayout(spec, n, spec.__width);
  const sub = { ...spec, facet: undefined, title: undefined };
  const top0 = spec.title ? 34 : 4;
  const legendH = 26;
  const option = { tooltip: undefined, legend: undefined, grid: [], xAxis: [], yAxis: [], series: [], title: [] };
  if (spec.title) option.title.push({ text: spec.title, left: 8, top: 4 });
  const colour = new Map();
  let maxY = 0;
  let yAxisOf = null;
  values.forEach((v, k) => {
    const index = [];
    const rows = result.rows.filter((r, i) => (label(r[fi]) === v ? index.push(i) : false));
    const o = build(sub, { columns: result.columns, rows }, cols);
    option.tooltip = option.tooltip || o.tooltip;
    if (!option.legend && o.legend) option.legend = { ...o.legend, top: top0 };
    const col = k % perRow;
    const row = Math.floor(k / perRow);
    const w = 100 / perRow;
    const grid = { left: `${col * w + 1}%`, width: `${w - 2}%`, containLabel: true };
    // Laid out in pixels of the chart's height (the block's, else the one
    // this option asks for): each row a name band and its plot.
    const headroom = top0 + (o.legend ? legendH : 0);
    const rowH = (total - headroom - 8) / nRows;
    grid.top = Math.round(headroom + row * rowH + 22);
    grid.height = Math.max(40, Math.round(rowH - 22 - 18));
    option.grid.push(grid);
    option.title.push({
      text: v, textAlign: 'center', left: `${col * w + w / 2}%`,
      top: Math.round(headroom + row * rowH + 2), textStyle: { fontSize: 12, fontWeight: 500, color: muted },
    });
    const xs = arr(o.xAxis);
    const ys = arr(o.yAxis);
    const xBase = option.xAxis.length;
    const yBase = option.yAxis.length;
    for (const x of xs) option.xAxis.push({ ...x, gridIndex: k, name: undefined });
    for (const y of ys) option.yAxis.push({ ...y, gridIndex: k, name: undefined });
    yAxisOf = yAxisOf || ys[0];
    for (const s of arr(o.series)) {
      if (!colour.has(s.name)) colour.set(s.name, palette[colour.size % palette.length]);
      const data = (s.data || []).map((d) => (d && typeof d === 'object' && d.__row !== undefined ? { ...d, __row: index[d.__row] } : d));
      for (const d of data) {
        const y = d === null || d === undefined ? null : typeof d === 'object' && !Array.isArray(d) ? d.value : d;
        const yv = Array.isArray(y) ? y[1] : y;
        if (typeof yv === 'number' && Number.isFinite(yv)) maxY = Math.max(maxY, s.stack ? 0 : yv);
      }
      option.series.push({
        ...s, data, xAxisIndex: xBase + (s.xAxisIndex || 0), yAxisIndex: yBase + (s.yAxisIndex || 0),
        itemStyle: { ...(s.itemStyle || {}), color: colour.get(s.name) }, lineStyle: s.lineStyle ? { ...s.lineStyle, color: colour.get(s.name) } : undefined,
      });
    }
  });
  // One value scale for every facet (stacks: the largest stack).
  const stacked = option.series.some((s) => s.stack);
  if (stacked) {
    const sums = new Map();
    for (const s of option.series) {
      s.data.forEach((d, i) => {
        const v = d && typeof d === 'object' ? (Array.isArray(d.value) ? d.value[1] : d.value) : d;
        const key = `${s.xAxisIndex}:${i}`;
        sums.set(key, (sums.get(key) || 0) + (typeof v === 'number' ? Math.abs(v) : 0));
      });
    }
    maxY = Math.max(0, ...sums.values());
  }
  const horizontal = yAxisOf && yAxisOf.type === 'category';
  const valueAxes = horizontal ? option.xAxis : option.yAxis;
  if (maxY > 0) {
    for (const a of valueAxes) {
      if (a.type === 'value' && a.max === undefined && !a.position) {
        a.max = niceCeil(maxY);
        a.min = 0;
        // One scale, so one number style: from the shared top.
        a.axisLabel = { ...(a.axisLabel || {}), formatter: axisNumbers([a.max]) };
      }
    }
  }
  option.__height = total;
  option.__facets = n;
  return option;
}
