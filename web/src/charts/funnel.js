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
      top: spec.title ? 44 : 16, bottom: 36, left: '6%', width: '58%',
      min: 0, max: Math.max(0, ...values),
      sort: ['ascending', 'none'].includes(sort) ? sort : 'descending',
      gap: 3,
      // Outside, on one line, each in its stage's own band of height: labels
      // of thin stages neither overlap nor sit on a sliver of colour.
      // Colours: the theme's funnel entry (charts/theme.js).
      label: { show: true, position: 'right', formatter: (p) => `${p.name}  ${compact(p.value)}` },
      labelLine: { show: true, length: 12 },
      labelLayout: { hideOverlap: true },
      itemStyle: { borderWidth: 1 },
      data,
    }],
  };
}

export const chartTypes = { funnel };
