// gauge.js - a gauge: the first row's value between min and max (numbers
// or column names).
import { formatValue } from '../format.js';
import { compact, fmtFor, get, html, item, label, num } from './common.js';

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
  // Without a colour of its own, the theme's first (the series colour).
  const color = it.itemStyle?.color;
  return {
    tooltip: { formatter: (p) => html`${p.name}: ${formatValue(p.value)}` },
    series: [{
      type: 'gauge', min, max, startAngle: 210, endAngle: -30,
      center: ['50%', spec.title ? '60%' : '55%'], radius: '85%',
      progress: { show: true, width: 14, roundCap: true, itemStyle: color ? { color } : {} },
      axisLine: { roundCap: true, lineStyle: { width: 14 } },
      pointer: { show: false },
      axisTick: { show: false },
      splitLine: { length: 8, distance: -22, lineStyle: { width: 1 } },
      axisLabel: { distance: -6, fontSize: 10, formatter: (x) => compact(x) },
      anchor: { show: false },
      title: { offsetCenter: [0, '38%'], fontSize: 13 },
      detail: { valueAnimation: true, offsetCenter: [0, '0%'], fontSize: 30, fontWeight: 600, formatter: (x) => formatValue(x) },
      data: [it],
    }],
  };
}

export const chartTypes = { gauge };
