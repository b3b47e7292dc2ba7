// calendar.js - calendar heatmaps: one square per day, coloured by the
// value column, one row of weeks per year (the years the data covers).
import { formatValue } from '../format.js';
import { get, html, label, num } from './common.js';
import { axisNumbers } from './axis.js';

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** Sums of VALUE per day (YYYY-MM-DD) over ROWS; rows without a date are skipped. */
export function dailyTotals(rows, di, vi) {
  const days = new Map();
  rows.forEach((r, k) => {
    const m = DAY.exec(label(r[di]));
    if (!m) return;
    const v = num(r[vi]);
    const prev = days.get(m[0]);
    days.set(m[0], { value: (prev?.value ?? 0) + (v ?? 0), __row: prev?.__row ?? k });
  });
  return days;
}

function calendar(spec, result, cols) {
  const di = cols.need('date', get(spec, 'date', 'x'), () => cols.data().find((i) => ['date', 'timestamp'].includes(cols.columns[i].kind)) ?? -1);
  const vi = cols.need('value', get(spec, 'value', 'y'), () => cols.firstNumeric([di]));
  const days = dailyTotals(result.rows, di, vi);
  const years = [...new Set([...days.keys()].map((d) => d.slice(0, 4)))].sort();
  if (!years.length) years.push(String(new Date().getUTCFullYear()));
  const values = [...days.values()].map((d) => d.value);
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 1;
  const top = spec.title ? 56 : 28;
  // Each year's row: 7 squares high plus month names above it.
  const cell = 15;
  const yearH = cell * 7 + 34;
  const fmt = axisNumbers(values);
  return {
    tooltip: { trigger: 'item', formatter: (p) => html`${p.value[0]}<br/><b>${formatValue(p.value[1])}</b>` },
    visualMap: {
      min, max: max === min ? min + 1 : max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      itemHeight: 120, itemWidth: 12, formatter: (v) => fmt(v),
      inRange: { color: ['#0c4a6e', '#0ea5e9', '#a78bfa', '#f472b6', '#fde047'] },
    },
    calendar: years.map((y, k) => ({
      range: y, top: top + k * yearH, left: 48, right: 16, cellSize: ['auto', cell],
      // Colours: the theme's calendar entry (charts/theme.js).
      orient: 'horizontal', splitLine: { lineStyle: { width: 1 } },
      itemStyle: { borderWidth: 2 },
      yearLabel: { show: years.length > 1, position: 'left', margin: 30, fontSize: 12 },
      // Narrow, a month is a few pixels wide: its initial only.
      monthLabel: { nameMap: spec.__width && spec.__width < 640 ? ['J', 'F', 'M', 'A', 'M', 'J', 'J', 'A', 'S', 'O', 'N', 'D'] : 'en' }, dayLabel: { firstDay: 1, nameMap: ['S', 'M', 'T', 'W', 'T', 'F', 'S'], fontSize: 10 },
    })),
    series: years.map((y, k) => ({
      type: 'heatmap', coordinateSystem: 'calendar', calendarIndex: k, name: cols.columns[vi].name,
      data: [...days.entries()].filter(([d]) => d.startsWith(y)).map(([d, v]) => ({ value: [d, v.value], __row: v.__row })),
    })),
    // How tall the chart wants to be: the page gives it this height unless
    // the block sets its own.
    __height: top + years.length * yearH + 40,
  };
}

export const chartTypes = { calendar };
