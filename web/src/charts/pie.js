// pie.js - pie and donut charts: one slice per row, name and value columns.
import { formatValue } from '../format.js';
import { flag, fmtFor, get, html, item, label, num } from './common.js';

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
      itemStyle: { borderWidth: 2, borderRadius: donut ? 6 : 2 },
      label: { formatter: donut ? '{d}%' : '{b}: {d}%' },
      labelLine: { length: 8, length2: 6 },
      labelLayout: { hideOverlap: true },
      data,
    }],
  };
}

export const chartTypes = {
  pie,
  donut: (spec, result, cols) => pie({ ...spec, donut: 'true' }, result, cols),
};
