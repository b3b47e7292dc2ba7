// kpi.js - values (```value blocks and ${query.column} inside prose) and
// KPI cards (```kpi): one cell of a query's result, formatted, and for a
// card its change against a comparison column and an optional sparkline
// (inline SVG: no chart library, so a card paints with its stored result).
// Both are page components like charts and tables: page.js runs their
// query, stored or live, and calls render().
import { h } from './dom.js';
import { compareValues } from './format.js';
import { EMPTY, formatAs, kpiDelta, sparklinePoints } from './valuefmt.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** The index of column NAME (any case) in COLUMNS; throws naming the columns there are. */
export function columnIndex(columns, name, query) {
  const i = columns.findIndex((c) => c.name.toLowerCase() === String(name).trim().toLowerCase());
  if (i < 0) {
    throw new Error(`column '${name}' is not in the result of ${query} (its columns: ${columns.map((c) => c.name).join(', ')})`);
  }
  return i;
}

/** The row a value shows: `row` (0 = first, the default) or `last`; undefined when there is none. */
export function pickRow(rows, row) {
  const r = String(row ?? '0').trim();
  if (r === 'last') return rows[rows.length - 1];
  return rows[Number(r)];
}

function fmtOpts(spec) {
  return { fmt: spec.fmt, decimals: spec.decimals, prefix: spec.prefix, suffix: spec.suffix, currency: spec.currency };
}

/**
 * The text a value (KIND 'value') or a KPI card's value (KIND 'kpi') shows
 * for RESULT: its cell, formatted.  The build writes the same text into
 * the page for the default state (firstpaint.js), so both agree.
 */
export function valueText(kind, spec, result, id) {
  const ci = columnIndex(result.columns, kind === 'kpi' ? spec.value : spec.column, spec.query || id);
  const row = pickRow(result.rows, spec.row);
  return formatAs(row === undefined ? null : row[ci], fmtOpts(spec));
}

/** The text the build wrote into EL (data-ds-painted), or '…' while there is none. */
function paintedText(el, selector) {
  if (el.dataset.dsPainted === undefined) return '…';
  return el.querySelector(selector)?.textContent ?? '…';
}

class ValueBase {
  constructor(el, id, spec) {
    this.el = el;
    this.id = id;
    this.spec = spec;
  }

  setLoading(on) {
    this.el.classList.toggle('ds-loading', !!on);
    this.el.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  query() {
    return this.spec.query || this.id;
  }
}

/** A value: inline (a span in prose) or a block with its title. */
export class ValueView extends ValueBase {
  constructor(el, id, spec) {
    super(el, id, spec);
    this.inline = el.tagName === 'SPAN';
    el.classList.add('ds-value');
    // The build's text of the default state stays until the result is drawn.
    this.text = h('span', { class: 'ds-value-text', text: paintedText(el, '.ds-value-text') });
    if (this.inline) el.replaceChildren(this.text);
    else {
      el.replaceChildren(...(spec.title ? [h('span', { class: 'ds-value-title', text: spec.title })] : []), this.text);
    }
  }

  render(result) {
    const text = valueText('value', this.spec, result, this.id);
    this.el.classList.remove('ds-has-error');
    this.text.title = '';
    this.text.textContent = text;
    this.el.dataset.dsEmpty = this.text.textContent === EMPTY ? 'true' : 'false';
  }

  showError(query, message) {
    this.el.classList.add('ds-has-error');
    this.text.textContent = `⚠ ${query}: ${message}`;
    this.text.title = message;
  }
}

/** A KPI card: title, value, delta against the comparison, sparkline. */
export class KpiView extends ValueBase {
  constructor(el, id, spec) {
    super(el, id, spec);
    el.classList.add('ds-component', 'ds-kpi-card');
    this.title = h('div', { class: 'ds-kpi-title', text: spec.title || spec.value || id });
    this.value = h('div', { class: 'ds-kpi-value', text: paintedText(el, '.ds-kpi-value') });
    this.delta = h('div', { class: 'ds-kpi-delta' });
    this.spark = h('div', { class: 'ds-kpi-spark' });
    this.error = h('div', { class: 'ds-kpi-error' });
    el.replaceChildren(this.title, this.value, this.delta, this.spark, this.error);
  }

  render(result) {
    const { columns, rows } = result;
    const q = this.query();
    const s = this.spec;
    const vi = columnIndex(columns, s.value, q);
    const ci = s.comparison ? columnIndex(columns, s.comparison, q) : -1;
    const xi = s.sparkline ? columnIndex(columns, s.sparkline, q) : -1;
    const row = pickRow(rows, s.row);
    const opts = fmtOpts(s);
    const v = row === undefined ? null : row[vi];
    this.el.classList.remove('ds-has-error');
    this.error.replaceChildren();
    this.value.textContent = valueText('kpi', s, result, this.id);
    this.drawDelta(row, v, ci, opts);
    this.drawSpark(rows, vi, xi, opts);
  }

  drawDelta(row, v, ci, opts) {
    const s = this.spec;
    this.delta.replaceChildren();
    delete this.el.dataset.dsDelta;
    if (ci < 0) return;
    const c = row === undefined ? null : row[ci];
    const d = kpiDelta(v, c, {
      mode: String(s.delta || 'percent').trim(),
      downIsGood: String(s.down_is_good ?? '').trim() === 'true',
      opts,
    });
    const label = this.filled?.comparison_title || s.comparison_title || `vs ${s.comparison}`;
    if (!d) {
      this.delta.append(h('span', { class: 'ds-kpi-change', text: EMPTY }), ' ', h('span', { class: 'ds-kpi-vs', text: label }));
      return;
    }
    const arrow = d.direction === 'up' ? '▲' : d.direction === 'down' ? '▼' : '▬';
    const tone = d.good === null ? 'neutral' : d.good ? 'good' : 'bad';
    this.el.dataset.dsDelta = `${d.direction} ${tone}`;
    this.delta.append(
      h('span', { class: `ds-kpi-change ds-kpi-${tone}`, title: `comparison: ${formatAs(c, opts)}` },
        h('span', { class: 'ds-kpi-arrow', 'aria-hidden': 'true', text: arrow }), ` ${d.text}`),
      ' ',
      h('span', { class: 'ds-kpi-vs', text: label }),
    );
  }

  drawSpark(rows, vi, xi, opts) {
    this.spark.replaceChildren();
    if (xi < 0) return;
    // In the order of the x column, whatever the query's ORDER BY (so the
    // value may be the newest row of a query sorted newest first).
    const pts = rows.map((r) => [r[xi], r[vi]]).sort((a, b) => compareValues(a[0], b[0]));
    const w = 160;
    const ht = 36;
    const type = String(this.spec.sparkline_type || 'line').trim();
    const xy = sparklinePoints(pts.map((p) => p[1]), w, ht, 2, type === 'bar');
    if (!xy.length) return;
    const el = svg('svg', { viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: 'none', class: `ds-spark ds-spark-${type}`, role: 'img' });
    const first = pts[0];
    const last = pts[pts.length - 1];
    el.setAttribute('aria-label', `${this.spec.value} from ${formatAs(first[1], opts)} (${first[0]}) to ${formatAs(last[1], opts)} (${last[0]})`);
    el.append(svg('title'));
    el.firstChild.textContent = el.getAttribute('aria-label');
    if (type === 'bar') {
      // Slots of equal width; the points' x (centres of an evenly spaced line) are not used.
      const slot = w / pts.length;
      xy.forEach(([, y], i) => el.append(svg('rect', {
        x: i * slot + slot * 0.1, y, width: slot * 0.8, height: Math.max(1, ht - 2 - y), class: 'ds-spark-bar',
      })));
    } else {
      const line = xy.map(([x, y], i) => `${i ? 'L' : 'M'}${x} ${y}`).join(' ');
      if (type === 'area') el.append(svg('path', { d: `${line} L${xy[xy.length - 1][0]} ${ht} L${xy[0][0]} ${ht} Z`, class: 'ds-spark-area' }));
      el.append(svg('path', { d: line, class: 'ds-spark-line', fill: 'none', 'vector-effect': 'non-scaling-stroke' }));
    }
    this.spark.append(el);
  }

  showError(query, message) {
    this.el.classList.add('ds-has-error');
    this.value.textContent = EMPTY;
    this.delta.replaceChildren();
    this.spark.replaceChildren();
    this.error.replaceChildren(h('div', { class: 'ds-error', role: 'alert' },
      h('div', { class: 'ds-error-title' }, 'Query ', h('code', { text: query || '?' }), ' failed'),
      h('pre', { class: 'ds-error-message', text: message })));
  }
}

/**
 * Makes a view for every value and KPI placeholder of the page and hands
 * it to ADD(kind, id, queryId, view).
 */
export function mountValues(config, add) {
  const values = config.values || {};
  const kpis = config.kpis || {};
  for (const el of document.querySelectorAll('[data-ds-value]')) {
    const id = el.dataset.dsValue;
    const spec = values[id] || {};
    add('value', id, String(spec.query || '').trim() || id, new ValueView(el, id, spec));
  }
  for (const el of document.querySelectorAll('[data-ds-kpi]')) {
    const id = el.dataset.dsKpi;
    const spec = kpis[id] || {};
    add('kpi', id, String(spec.query || '').trim() || id, new KpiView(el, id, spec));
  }
}
