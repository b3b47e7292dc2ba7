// totals.js - the totals row of a table (`totals: true`): per numeric
// column the sum of the rows shown, or what its format's `total` says
// (sum, avg, min, max, count, none). Pure: tested under node.
import { isLabelNumber } from '../format.js';

const asNumber = (v) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

/** The total of VALUES by HOW; null when there is nothing to show. */
export function aggregate(values, how) {
  if (how === 'none') return null;
  if (how === 'count') return values.filter((v) => v !== null && v !== undefined).length;
  const xs = values.map(asNumber).filter((n) => n !== null && !Number.isNaN(n));
  if (!xs.length) return null;
  switch (how) {
    case 'avg': return xs.reduce((a, b) => a + b, 0) / xs.length;
    case 'min': return Math.min(...xs);
    case 'max': return Math.max(...xs);
    default: {
      // Integers beyond 2^53 add up exactly as BigInts.
      if (values.some((v) => typeof v === 'bigint')) {
        return values.reduce((a, v) => (v === null || v === undefined ? a : a + BigInt(typeof v === 'number' ? Math.round(v) : v)), 0n);
      }
      return xs.reduce((a, b) => a + b, 0);
    }
  }
}

/**
 * How each column is totalled: its format's `total`, else `sum` for number
 * columns that are not years or identifiers, else nothing. COLUMNS:
 * [{name, kind}], FORMAT: the table's format object.
 */
export function totalPlan(columns, format = {}) {
  return columns.map((c) => {
    const how = format[c.name]?.total;
    if (how !== undefined && String(how).trim() !== '') return String(how).trim();
    if (c.kind !== 'int' && c.kind !== 'float') return 'none';
    if (isLabelNumber(c.name)) return 'none';
    return 'sum';
  });
}
