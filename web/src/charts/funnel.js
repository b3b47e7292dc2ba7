// funnel.js - funnels: one stage per row, name and value columns.
import { formatValue } from '../format.js';
import { compact, fmtFor, get, html, item, label, num } from './common.js';

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
      label: { show: true, position: 'inside', formatter: (p) => `${p.name}\n${compact(p.value)}` },
      itemStyle: { borderWidth: 1 },
      data,
    }],
  };
}

export const chartTypes = { funnel };
