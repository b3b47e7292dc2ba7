// funnel.js - funnels: one stage per row, name and value columns.
import { formatValue } from '../format.js';
import { compact, fmtFor, get, html, item, label, num, textWidth } from './common.js';

// The line from a stage to its label, and the room kept at the right edge.
const LINE = 12;
const EDGE = 12;

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
  const text = (name, value) => `${name}  ${compact(value)}`;
  // Labels sit outside, beside their stage, each in its stage's band of
  // height: thin stages (1% of the top) neither overlap nor put their label
  // on a sliver of colour.  The funnel leaves the labels the room the
  // longest needs; on a narrow chart it keeps at least 40% of the width and
  // longer labels wrap (in their band) instead of running off the edge.
  const width = spec.__width || 0;
  const longest = Math.max(0, ...data.map((d) => textWidth(text(d.name, d.value))));
  const left = 8;
  let funnelWidth = '58%';
  let labelWidth;
  if (width > 0) {
    const fw = Math.max(0.4 * width, Math.min(0.62 * width, width - left - LINE - EDGE - longest - 8));
    funnelWidth = Math.round(fw);
    labelWidth = Math.max(40, Math.floor(width - left - fw - LINE - EDGE - 8));
  }
  return {
    tooltip: { trigger: 'item', formatter: (p) => html`${p.name}: ${formatValue(p.value)}` },
    series: [{
      type: 'funnel', name: cols.columns[vi].name,
      top: spec.title ? 44 : 16, bottom: 16, left, width: funnelWidth,
      min: 0, max: Math.max(0, ...values),
      sort: ['ascending', 'none'].includes(sort) ? sort : 'descending',
      gap: 3,
      // A stage of 0.1% of the top stays a visible sliver.
      minSize: '2%',
      // Colours: the theme's funnel entry (charts/theme.js).
      label: {
        show: true,
        position: 'right',
        // Too long for one line: the number goes on a line of its own
        // (never broken in two); a name longer still wraps at its spaces.
        formatter: (p) => (labelWidth && textWidth(text(p.name, p.value)) > labelWidth ? `${p.name}\n${compact(p.value)}` : text(p.name, p.value)),
        ...(labelWidth ? { width: labelWidth, overflow: 'break', lineHeight: 14 } : {}),
      },
      labelLine: { show: true, length: LINE },
      // The last resort, for more stages than the height has lines.
      labelLayout: { hideOverlap: true },
      itemStyle: { borderWidth: 1 },
      data,
    }],
  };
}

export const chartTypes = { funnel };
