// cartesian.js - bar, line and area charts: categories along one axis,
// one series per y column or per value of the series column; also any
// ECharts series type the registry does not know, drawn the same way.
import { compact, flag, fmtFor, get, item, label, num, tooltipValue, uniq } from './common.js';

export function cartesian(spec, result, cols, type) {
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
      label: { show: labels, position: horizontal ? 'right' : 'top', formatter: (p) => tooltipValue(p.value) },
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
    axisLabel: { hideOverlap: true }, boundaryGap: seriesType === 'bar',
  };
  const valAxis = {
    type: 'value', name: get(spec, 'y_label', 'y_title'), scale: flag(spec, 'y_scale'),
    axisLabel: { formatter: compact },
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

export const chartTypes = {
  bar: (spec, result, cols) => cartesian(spec, result, cols, 'bar'),
  line: (spec, result, cols) => cartesian(spec, result, cols, 'line'),
  area: (spec, result, cols) => cartesian(spec, result, cols, 'area'),
};
