// pie.js - pie and donut charts: one slice per row, name and value columns.
import { formatValue } from '../format.js';
import { flag, fmtFor, get, html, item, label, num, textWidth } from './common.js';

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
  // Labels sit outside the slices, "name: share" (a donut: the share).
  // When the width is known and no radius is set, the pie leaves them the
  // room they need beside it (with a selected slice pulled out): names
  // where that keeps at least 70% of the usual radius, else the share alone
  // (the legend names the slices); never a label cut short at the edge.
  let text = donut ? '{d}%' : '{b}: {d}%';
  let radius = [pct(inner), pct(outer)];
  const w = spec.__width;
  const ht = spec.__height;
  if (w && ht && get(spec, 'outer_radius', 'outerRadius') === undefined) {
    const usual = (0.66 * Math.min(w, ht)) / 2;
    const beside = (label) => w / 2 - 40 - Math.max(0, ...data.map((d) => textWidth(label(d))));
    let r = beside((d) => (donut ? '100.00%' : `${d.name}: 100.00%`));
    if (!donut && r < 0.7 * usual) {
      text = '{d}%';
      r = beside(() => '100.00%');
    }
    const outerPx = Math.max(24, Math.min(usual, r));
    const innerPx = donut ? (outerPx * Number.parseFloat(pct(inner))) / 66 : 0;
    radius = [Math.round(innerPx), Math.round(outerPx)];
  }
  return {
    tooltip: { trigger: 'item', formatter: (p) => html`${p.name}: ${formatValue(p.value)} (${p.percent}%)` },
    legend: { type: 'scroll', bottom: 0, left: 'center' },
    series: [{
      type: 'pie',
      name: cols.columns[vi].name,
      radius,
      center: ['50%', spec.title ? '52%' : '47%'],
      avoidLabelOverlap: true,
      itemStyle: { borderWidth: 2, borderRadius: donut ? 6 : 2 },
      label: { formatter: text },
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
