// format.js - how values look in tables and tooltips, sorting, and CSV.

const LOCALE = 'en-US';
const intFmt = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const fmtCache = new Map();

function fixed(digits) {
  let f = fmtCache.get(digits);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    fmtCache.set(digits, f);
  }
  return f;
}
const smallFmt = new Intl.NumberFormat(LOCALE, { maximumSignificantDigits: 3 });

export function isNumeric(kind) {
  return kind === 'int' || kind === 'float';
}

/** Digits after the point a value needs, up to MAX (0.5 -> 1, 2.25 -> 2). */
function decimalsNeeded(v, max) {
  for (let d = 0; d < max; d++) {
    const scaled = v * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, Math.abs(scaled))) return d;
  }
  return max;
}

/**
 * Whether a number column's NAME says it holds labels, not amounts: a year
 * (`year`, `yr`, `yyyy`, `order_year`, `fiscal_yr`; hive folders like
 * year=2024 are BIGINT), a year and month (`yyyymm`, `year_month`), or a
 * code (`id`, `customer_id`, `code`, `zip`). Such columns get no thousands
 * separators and no total.
 */
export function isLabelNumber(name = '') {
  return /(^|_)(year|yr|yyyy|yyyymm|yyyymmdd|id|code|zip|zipcode|postcode)$/i.test(name)
    || /^(year|yr)_(month|quarter|week|day)$/i.test(name);
}

/**
 * A formatter for a whole column, so its numbers line up: integers get
 * thousands separators (BigInt exact), other numbers the same number of
 * decimals (at most 2) for |v| >= 1 and 3 significant digits below 1.
 * Integer columns whose name says they are labels (isLabelNumber) are
 * shown as written: 2024, not 2,024.
 */
export function columnFormatter(kind, values, name = '') {
  if (kind === 'int' && isLabelNumber(name)) return formatPlain;
  if (kind === 'int') return formatInteger;
  if (kind !== 'float') return formatPlain;
  let digits = 0;
  for (const v of values) {
    if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) < 1) continue;
    digits = Math.max(digits, decimalsNeeded(v, 2));
    if (digits === 2) break;
  }
  return (v) => formatFloat(v, digits);
}

/**
 * BASE with a table's `format:` settings for one column (docs/pages.md):
 * `decimals` (0-20) fixes the digits after the point of every number, small
 * ones included; `prefix` is written before every value that is not null.
 * `bold` is a style, not text: the table applies it. Throws when `decimals`
 * is given for a column that holds no numbers, so the table says so.
 */
export function withColumnFormat(base, kind, fmt, column = '') {
  if (!fmt) return base;
  let f = base;
  const style = fmt.fmt === undefined || fmt.fmt === null ? '' : String(fmt.fmt).trim();
  if (style) return withPrefix(styled(style, kind, fmt, column), fmt);
  const dec = fmt.decimals;
  if (dec !== undefined && dec !== null && String(dec).trim() !== '') {
    const digits = Number(String(dec).trim());
    if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
      throw new Error(`format '${column}': decimals must be a whole number from 0 to 20, not '${dec}'`);
    }
    if (!isNumeric(kind)) throw new Error(`format '${column}': decimals needs a numeric column; '${column}' holds ${kind} values`);
    f = (v) => {
      if (typeof v === 'bigint') return fixed(digits).format(v);
      if (typeof v === 'number') return Number.isFinite(v) ? fixed(digits).format(v) : nonFinite(v);
      return base(v);
    };
  }
  return withPrefix(f, fmt);
}

function withPrefix(f, fmt) {
  const prefix = fmt.prefix === undefined || fmt.prefix === null ? '' : String(fmt.prefix);
  if (!prefix) return f;
  return (v) => (v === null || v === undefined ? '' : prefix + f(v));
}

// --- fmt: number, integer, compact, percent, currency, date, datetime, month

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/;

function decimalsOf(fmt, dflt, column) {
  const dec = fmt.decimals;
  if (dec === undefined || dec === null || String(dec).trim() === '') return dflt;
  const d = Number(String(dec).trim());
  if (!Number.isInteger(d) || d < 0 || d > 20) throw new Error(`format '${column}': decimals must be a whole number from 0 to 20, not '${dec}'`);
  return d;
}

/** A number formatter of STYLE (docs/pages.md, "Table formats"). */
function styled(style, kind, fmt, column) {
  const numeric = ['number', 'integer', 'compact', 'percent', 'currency'];
  if (numeric.includes(style) && !isNumeric(kind)) throw new Error(`format '${column}': fmt: ${style} needs a numeric column; '${column}' holds ${kind} values`);
  if (!numeric.includes(style) && !['date', 'timestamp', 'string'].includes(kind)) {
    throw new Error(`format '${column}': fmt: ${style} needs a date or timestamp column; '${column}' holds ${kind} values`);
  }
  let nf;
  switch (style) {
    case 'number': { const d = decimalsOf(fmt, null, column); nf = new Intl.NumberFormat(LOCALE, d === null ? { maximumFractionDigits: 2 } : { minimumFractionDigits: d, maximumFractionDigits: d }); break; }
    case 'integer': nf = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 }); break;
    case 'compact': nf = new Intl.NumberFormat(LOCALE, { notation: 'compact', maximumFractionDigits: decimalsOf(fmt, 1, column) }); break;
    case 'percent': { const d = decimalsOf(fmt, 1, column); nf = new Intl.NumberFormat(LOCALE, { style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d }); break; }
    case 'currency': {
      const code = String(fmt.currency || 'USD').trim();
      const d = decimalsOf(fmt, 2, column);
      nf = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code, minimumFractionDigits: d, maximumFractionDigits: d });
      break;
    }
    default: return (v) => formatDate(v, style);
  }
  return (v) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number' && !Number.isFinite(v)) return nonFinite(v);
    return nf.format(typeof v === 'bigint' && style !== 'integer' && style !== 'number' ? Number(v) : v);
  };
}

/** DuckDB date or timestamp text as 'Jan 2, 2024', 'Jan 2, 2024 03:04' or 'Jan 2024'. */
export function formatDate(v, style) {
  if (v === null || v === undefined) return '';
  const m = DATE_TEXT.exec(String(v));
  if (!m) return String(v);
  const [, y, mo, d, hh, mm] = m;
  const month = MONTHS[Number(mo) - 1];
  if (style === 'month') return `${month} ${y}`;
  const day = `${month} ${Number(d)}, ${y}`;
  return style === 'datetime' && hh !== undefined ? `${day} ${hh}:${mm}` : day;
}

/** Is a table format's `bold` on? Only `true` is (the build allows true or false). */
export function isBold(fmt) {
  return !!fmt && String(fmt.bold ?? '').trim() === 'true';
}

export function formatInteger(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return intFmt.format(v);
  if (typeof v === 'number') return Number.isFinite(v) ? intFmt.format(v) : nonFinite(v);
  return String(v);
}

function nonFinite(v) {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '∞' : '-∞';
}

export function formatFloat(v, digits = 2) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'bigint') return intFmt.format(v);
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return nonFinite(v);
  if (v !== 0 && Math.abs(v) < 1) return smallFmt.format(v);
  return fixed(digits).format(v);
}

export function formatPlain(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Any single value, for tooltips and labels. */
export function formatValue(v) {
  if (typeof v === 'bigint') return intFmt.format(v);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return intFmt.format(v);
    return formatFloat(v, 2);
  }
  return formatPlain(v);
}

/** Orders values: numbers (and BigInts) numerically, text naturally, nulls and NaN last. */
export function compareValues(a, b) {
  const na = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const nb = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (na || nb) return na === nb ? 0 : na ? 1 : -1;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (ta === 'boolean' && tb === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return collator.compare(String(a), String(b));
}
const collator = new Intl.Collator(LOCALE, { numeric: true, sensitivity: 'base' });

// ---------------------------------------------------------------------------
// CSV (RFC 4180: CRLF line ends, fields with " , CR or LF quoted, " doubled)

function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of the visible columns (indexes IDX) of a result, raw values. */
export function toCsv(columns, rows, idx = columns.map((_, i) => i)) {
  const lines = [idx.map((i) => csvField(columns[i].name)).join(',')];
  for (const row of rows) lines.push(idx.map((i) => csvField(row[i])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function downloadCsv(filename, text) {
  const blob = new Blob([text], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
