// axis.js - what axes share across chart families: one number style per
// axis (axisNumbers), whether a column is a time axis (isTime), and the
// label alignment that keeps the first and last labels inside the chart.
import { num } from './common.js';

const plain = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const UNITS = [[1e12, 'T'], [1e9, 'B'], [1e6, 'M'], [1e3, 'k']];

/**
 * A tick formatter for an axis over VALUES: the unit (k, M, B, T) is chosen
 * once from the largest value, so every tick of one axis reads alike
 * (`0, 4k, 8k, 12k`, never `12k, 10k, 8,000`). Below 10,000 numbers are
 * written in full with separators (`2,500`).
 */
export function axisNumbers(values) {
  let max = 0;
  for (const v of values) {
    const n = num(v);
    if (n !== null && Number.isFinite(n)) max = Math.max(max, Math.abs(n));
  }
  const unit = max >= 1e4 ? UNITS.find(([size]) => max >= size) : null;
  if (!unit) return (v) => (typeof v === 'number' && Number.isFinite(v) ? plain.format(v) : String(v));
  const [size, suffix] = unit;
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
    return v === 0 ? '0' : `${plain.format(+(v / size).toFixed(2))}${suffix}`;
  };
}

/** Is column kind KIND a point in time (a time axis rather than categories)? */
export function isTime(kind) {
  return kind === 'date' || kind === 'timestamp';
}

/** Axis labels whose first and last stay inside the plot's box. */
export const EDGE_LABELS = { alignMinLabel: 'left', alignMaxLabel: 'right' };

/** A row's value as ECharts' time axis reads it (DuckDB text, UTC-agnostic). */
export function timeValue(v) {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  return String(v);
}
