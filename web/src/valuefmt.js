// valuefmt.js - one value as text for values and KPI cards (fmt: number,
// integer, percent, currency, compact, date), the delta of a KPI against
// its comparison, and a sparkline's points.  Text only, no DOM: node tests
// it (tests/e2e/kpi_text.test.mjs).  Column-wise table formats stay in
// format.js, whose formatValue is the default here.
import { formatValue } from './format.js';

const LOCALE = 'en-US';
export const EMPTY = '–'; // no row, NULL, NaN: shown, never a blank

function numberOf(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

function digits(opts, fallback) {
  const d = opts.decimals;
  if (d === undefined || d === null || String(d).trim() === '') return fallback;
  const n = Number(d);
  return Number.isInteger(n) && n >= 0 && n <= 20 ? n : fallback;
}

function intl(options) {
  return new Intl.NumberFormat(LOCALE, options);
}

/** Dates as "Jan 31, 2024" (from 'YYYY-MM-DD', timestamps' date part). */
function formatDate(v) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
  if (!m) return String(v);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(d);
}

/** The number part of a value in format OPTS (no prefix/suffix). */
function formatNumber(n, opts) {
  const fmt = String(opts.fmt || 'auto').toLowerCase();
  const isBig = typeof n === 'bigint';
  switch (fmt) {
    case 'integer':
      return intl({ maximumFractionDigits: 0 }).format(n);
    case 'number': {
      const d = digits(opts, null);
      if (d === null) return formatValue(n);
      return intl({ minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
    }
    case 'percent': {
      const d = digits(opts, 1);
      return intl({ style: 'percent', minimumFractionDigits: d, maximumFractionDigits: d }).format(isBig ? Number(n) : n);
    }
    case 'currency': {
      const d = digits(opts, 2);
      const code = String(opts.currency || 'USD').trim().toUpperCase();
      try {
        return intl({ style: 'currency', currency: code, minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
      } catch {
        throw new Error(`currency: '${opts.currency}' is not a currency code (USD, EUR, GBP, ...)`);
      }
    }
    case 'compact':
      return intl({ notation: 'compact', maximumFractionDigits: digits(opts, 1) }).format(n);
    default: {
      const d = digits(opts, null);
      if (d === null) return formatValue(n);
      return intl({ minimumFractionDigits: d, maximumFractionDigits: d }).format(n);
    }
  }
}

/**
 * V as text in format OPTS {fmt, decimals, prefix, suffix, currency}:
 * EMPTY for NULL/NaN, prefix and suffix around anything else.
 */
export function formatAs(v, opts = {}) {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return EMPTY;
  const fmt = String(opts.fmt || 'auto').toLowerCase();
  let text;
  if (fmt === 'date') text = formatDate(v);
  else {
    const n = numberOf(v);
    text = n === null || (typeof v === 'string' && fmt === 'auto') ? formatValue(v) : formatNumber(n, opts);
  }
  return `${opts.prefix ?? ''}${text}${opts.suffix ?? ''}`;
}

/**
 * A KPI's change against its comparison: {text, direction: 'up'|'down'|'flat',
 * good: true|false|null}, or null when either side is missing (or the
 * comparison is 0 for a percent delta).  MODE 'percent' (default) or
 * 'absolute' (formatted like the value, OPTS).
 */
export function kpiDelta(value, comparison, { mode = 'percent', downIsGood = false, opts = {} } = {}) {
  const v = numberOf(value);
  const c = numberOf(comparison);
  if (v === null || c === null) return null;
  const a = Number(v);
  const b = Number(c);
  let d;
  let text;
  if (mode === 'absolute') {
    d = a - b;
    text = formatAs(Math.abs(d), opts);
  } else {
    if (b === 0) return null;
    d = (a - b) / Math.abs(b);
    text = intl({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.abs(d));
  }
  const flat = Math.abs(d) < 1e-12;
  const direction = flat ? 'flat' : d > 0 ? 'up' : 'down';
  const sign = flat ? '' : d > 0 ? '+' : '−';
  const good = flat ? null : (direction === 'up') !== downIsGood;
  return { text: `${sign}${text}`, direction, good };
}

/**
 * A sparkline's polyline points inside W x H (PAD pixels kept free), the
 * values evenly spaced left to right; null values are skipped.  A flat
 * series is drawn at mid height; with ZERO the scale includes 0.
 */
export function sparklinePoints(values, w, h, pad = 2, zero = false) {
  const nums = values.map((v) => { const n = numberOf(v); return n === null ? null : Number(n); });
  const finite = nums.filter((n) => n !== null);
  if (!finite.length) return [];
  // Bars (ZERO) stand on 0, so their heights compare; a line spans min-max.
  const lo = zero ? Math.min(0, ...finite) : Math.min(...finite);
  const hi = zero ? Math.max(0, ...finite) : Math.max(...finite);
  const step = nums.length > 1 ? (w - 2 * pad) / (nums.length - 1) : 0;
  const out = [];
  nums.forEach((n, i) => {
    if (n === null) return;
    const y = hi === lo ? h / 2 : pad + (h - 2 * pad) * (1 - (n - lo) / (hi - lo));
    const x = nums.length > 1 ? pad + i * step : w / 2;
    out.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10]);
  });
  return out;
}
