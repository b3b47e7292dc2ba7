// common.js - what every chart family's builder reads a result with: spec
// keys (get, flag), cell values (num, label), the result's columns by name
// (Columns), per-row format columns (fmtFor, item), axis numbers (compact)
// and escaped tooltip HTML (html).
import { formatValue } from '../format.js';
import { formatColumn, truthy } from '../sql.js';
import { HIGHLIGHT } from './theme.js';

export function get(spec, ...keys) {
  for (const k of keys) {
    const v = spec[k];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return undefined;
}

export function flag(spec, ...keys) {
  const v = get(spec, ...keys);
  return v !== undefined && /^(true|yes|1|on)$/i.test(v);
}

export function num(v) {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  return Number.isNaN(n) ? null : n;
}

export function label(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

export class Columns {
  constructor(result) {
    this.columns = result.columns;
    this.byName = new Map();
    result.columns.forEach((c, i) => {
      const k = c.name.toLowerCase();
      if (!this.byName.has(k)) this.byName.set(k, i);
    });
  }

  /** Index of the first of NAMES that is a column, else -1. */
  find(...names) {
    for (const n of names) {
      if (n === undefined || n === null) continue;
      const i = this.byName.get(String(n).trim().toLowerCase());
      if (i !== undefined) return i;
    }
    return -1;
  }

  /** Like find, but a named column that does not exist is an error. */
  need(what, name, fallback) {
    if (name !== undefined) {
      const i = this.find(name);
      if (i < 0) throw new Error(`${what} column '${name}' is not in the result (columns: ${this.names()})`);
      return i;
    }
    const i = typeof fallback === 'function' ? fallback() : this.find(...[].concat(fallback));
    if (i < 0) throw new Error(`no ${what} column in the result (columns: ${this.names()})`);
    return i;
  }

  names() {
    return this.columns.filter((c) => !c.name.startsWith('__fmt_')).map((c) => c.name).join(', ') || 'none';
  }

  data() {
    return this.columns.map((c, i) => i).filter((i) => !this.columns[i].name.startsWith('__fmt_'));
  }

  firstNumeric(except = []) {
    return this.data().find((i) => !except.includes(i) && (this.columns[i].kind === 'int' || this.columns[i].kind === 'float')) ?? -1;
  }

  firstText(except = []) {
    return this.data().find((i) => !except.includes(i) && this.columns[i].kind !== 'int' && this.columns[i].kind !== 'float') ?? -1;
  }
}

/** Format columns (colour, highlight) for a target column name. */
export function fmtFor(cols, target) {
  if (!target) return null;
  const c = cols.find(formatColumn('chart', target, 'color'));
  const hl = cols.find(formatColumn('chart', target, 'highlight'));
  const lc = cols.find(formatColumn('chart', target, 'label_color'));
  return c < 0 && hl < 0 && lc < 0 ? null : { c, hl, lc };
}

/** A data item: {value, __row} plus colour / highlight styling from FMT. */
export function item(value, rowIndex, row, fmt, extra) {
  const it = { value, __row: rowIndex, ...extra };
  if (!fmt) return it;
  const color = fmt.c >= 0 ? row[fmt.c] : null;
  if (color !== null && color !== undefined && String(color).trim() !== '') {
    it.itemStyle = { ...(it.itemStyle || {}), color: String(color) };
  }
  if (fmt.lc >= 0 && row[fmt.lc] !== null && String(row[fmt.lc]).trim() !== '') {
    it.label = { color: String(row[fmt.lc]) };
  }
  if (fmt.hl >= 0 && truthy(row[fmt.hl])) {
    it.itemStyle = { ...(it.itemStyle || {}), borderColor: HIGHLIGHT, borderWidth: 2, shadowBlur: 12, shadowColor: 'rgba(250, 204, 21, 0.55)' };
    it.symbolSize = 11;
    it.emphasis = { itemStyle: { shadowBlur: 16, shadowColor: 'rgba(250, 204, 21, 0.8)' } };
    it.__highlight = true;
  }
  return it;
}

export function uniq(values) {
  const seen = new Set();
  const out = [];
  for (const v of values) {
    const k = label(v);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(k);
    }
  }
  return out;
}

export function compact(v) {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v;
  const a = Math.abs(v);
  if (a >= 1e12) return `${+(v / 1e12).toFixed(1)}T`;
  if (a >= 1e9) return `${+(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  // Axis ticks and labels: no trailing zeros, so one axis reads 0.5, 1, 1.5
  // (not 0.5, 1, 1.50).
  return shortFmt.format(v);
}
const shortFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

// Tooltips are HTML: ECharts puts what a formatter function returns into
// the page as markup, and only its own default tooltips escape.  Data
// values, category and series names and column names all come from query
// results, so every formatter here builds its text with html``, which
// escapes each interpolated value.  (Labels, legends and axes are drawn on
// the canvas as plain text.)
const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(v) {
  return (v === null || v === undefined ? '' : String(v)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A template tag: the literal parts as written, every value escaped. */
export function html(parts, ...values) {
  return parts.reduce((out, part, i) => out + escapeHtml(values[i - 1]) + part);
}

export function tooltipValue(v) {
  if (Array.isArray(v)) return v.map((x) => formatValue(x)).join(', ');
  return formatValue(v);
}

// Widths of characters of the charts' sans-serif font at 1 px, by class:
// an estimate on the wide side (the same at build time under node, where
// there is no canvas to measure with, as in the browser), for deciding
// whether a label fits before ECharts draws it.
const THIN = /[ijl.,:;|!']/;
const NARROW = /[ ftr()[\]{}1I-]/;
const WIDE = /[mwMW@%]/;

/** About how wide TEXT is, in px, at FONTSIZE px. */
export function textWidth(text, fontSize = 12) {
  let em = 0;
  for (const ch of String(text)) {
    if (THIN.test(ch)) em += 0.32;
    else if (NARROW.test(ch)) em += 0.42;
    else if (WIDE.test(ch)) em += 0.95;
    else if (ch >= 'A' && ch <= 'Z') em += 0.72;
    else em += 0.64;
  }
  return em * fontSize;
}

/** The maps a page may name (`map:`), and the geometry file of each (charts/geo.js). */
export const MAPS = ['world', 'us_states'];

/** The map SPEC draws, or null when it draws none. */
export function mapOf(spec) {
  const type = (get(spec, 'type') || '').toLowerCase();
  if (type !== 'map' && type !== 'point_map') return null;
  const map = (get(spec, 'map') || 'world').toLowerCase();
  if (!MAPS.includes(map)) throw new Error(`map: '${map}' is not one of ${MAPS.join(', ')}`);
  return map;
}

// The narrowest a small multiple (charts/facet.js) is laid out: axis labels and a plot.
export const FACET_MIN_WIDTH = 260;

/**
 * How N small multiples of SPEC are laid out at WIDTH px (undefined: not
 * known): {perRow, nRows, total} (total: the chart's height in px).
 * Columns follow the width (chart.js draws again when it changes): as many
 * as fit at FACET_MIN_WIDTH each, up to facet_columns (default: up to 3); on
 * a phone, one small chart per row.  About 220 px a row of facets, unless
 * the block sets a height.  Here, not in facet.js (a bundle loaded later):
 * chart.js holds this height for the chart while its data is on the way,
 * from the count the build's picture gives.
 */
export function facetLayout(spec, n, width) {
  const asked = Number.parseInt(get(spec, 'facet_columns') || '', 10) || Math.min(n, 3);
  const fit = width ? Math.max(1, Math.floor(width / FACET_MIN_WIDTH)) : asked;
  const perRow = Math.max(1, Math.min(n, asked, fit));
  const nRows = Math.ceil(n / perRow);
  const asHeight = /^\d+$/.test(get(spec, 'height') || '') ? Number(get(spec, 'height')) : 0;
  return { perRow, nRows, total: asHeight || 60 + nRows * 220 };
}
