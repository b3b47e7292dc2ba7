// inputs.js - input controls (dropdown single/multiple, text), their values
// in the URL, and the value that a click on a chart or table cell sets.
import { h } from './dom.js';
import { formatPlain } from './format.js';
import { validDate } from './sql.js';
import { createButtons, createSearch, createToggle } from './inputs/choices.js';
import { createDate, createDateRange } from './inputs/dates.js';
import { createSlider } from './inputs/slider.js';

/** The controls of the typed modes (docs/pages.md, "Inputs"), by mode. */
const CONTROLS = {
  date: createDate,
  date_range: createDateRange,
  slider: createSlider,
  buttons: createButtons,
  checkbox: createToggle,
  toggle: createToggle,
};

/** Modes that draw a control (hidden draws none). */
export function hasControl(mode) {
  return mode === 'dropdown' || mode === 'text' || Object.hasOwn(CONTROLS, mode);
}

/** Modes whose options_query feeds the control (options, or a slider's bounds). */
export function usesOptionsQuery(mode) {
  return mode === 'dropdown' || mode === 'buttons' || mode === 'slider';
}

// A dropdown with more options than this becomes searchable
// (searchable: true / false decides it either way).
const SEARCH_AT = 20;

let uid = 0;

/** Values from the query string; absent keys take the input's default. */
export function readUrl(specs, search = location.search) {
  const q = new URLSearchParams(search);
  const values = {};
  for (const s of specs) {
    if (!q.has(s.urlKey)) {
      values[s.name] = s.multiple ? [...s.default] : s.default;
    } else if (s.multiple) {
      values[s.name] = q.getAll(s.urlKey).filter((v) => v !== '');
    } else {
      values[s.name] = q.get(s.urlKey);
    }
  }
  return values;
}

export function sameValue(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = [...(a || [])].sort();
    const y = [...(b || [])].sort();
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  return (a ?? '') === (b ?? '');
}

/**
 * The query string for VALUES: only inputs that differ from their default,
 * a multiple input as repeated keys (an explicit empty choice as `key=`).
 * Other parameters already in the URL are kept.
 */
export function urlFor(specs, values, search = location.search) {
  const q = new URLSearchParams(search);
  for (const s of specs) q.delete(s.urlKey);
  for (const s of specs) {
    const v = values[s.name];
    if (sameValue(v, s.default)) continue;
    if (s.multiple) {
      if (!v || !v.length) q.append(s.urlKey, '');
      else for (const x of v) q.append(s.urlKey, x);
    } else {
      q.append(s.urlKey, v ?? '');
    }
  }
  const qs = q.toString();
  return qs ? `?${qs}` : '';
}

/**
 * The day of a clicked date or timestamp: 'YYYY-MM-DD' from a DATE, from a
 * TIMESTAMP's text ('2024-05-03 13:45:00', the clock dropped: the day it
 * falls on as shown) or from a Date / epoch milliseconds (a time axis), in
 * UTC as the runtime shows timestamps.  Null for anything else.
 */
export function clickedDay(value) {
  if (value instanceof Date || typeof value === 'number') {
    const d = new Date(value instanceof Date ? value.getTime() : value);
    return Number.isNaN(d.getTime()) ? null : validDate(d.toISOString().slice(0, 10));
  }
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/.exec(String(value ?? '').trim());
  return m ? validDate(m[1]) : null;
}

/**
 * The value a click sets: a plain value, or for a multiple input [v] /
 * toggled with Ctrl/Cmd; for a date input the day clicked, for a date range
 * that one day (START..END on the same day).
 */
export function clickedValue(spec, current, value, event) {
  if (spec.mode === 'date' || spec.mode === 'date_range') {
    const day = clickedDay(value);
    if (spec.mode === 'date') return day ?? '';
    return day ? `${day}..${day}` : 'all';
  }
  const v = value === null || value === undefined ? null : formatPlain(value);
  if (!spec.multiple) return v;
  if (v === null) return [];
  if (event && (event.ctrlKey || event.metaKey)) {
    const cur = Array.isArray(current) ? current : [];
    return cur.includes(v) ? cur.filter((x) => x !== v) : [...cur, v];
  }
  return [v];
}

/**
 * One input's control inside its placeholder EL. onChange(value) is called
 * with a string (single, '' / null for "all") or an array (multiple).
 */
export class InputView {
  constructor(el, spec, value, onChange) {
    this.el = el;
    this.spec = spec;
    this.onChange = onChange;
    this.value = value;
    this.options = null; // [{value, label}] once options_query has run
    this.id = `ds-input-${spec.name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    if (document.getElementById(this.id)) this.id += `-${++uid}`;
    el.replaceChildren();
    el.classList.add('ds-input-group', 'ducksite-input-group');
    el.dataset.mode = spec.mode || 'none';
    if (!hasControl(spec.mode)) {
      el.hidden = true; // no control, but the value still follows the URL
      return;
    }
    this.labelEl = h('label', { class: 'ds-input-label', for: this.id, text: spec.label });
    el.append(this.labelEl);
    // Options written in the block (options: a, b, c).
    if (spec.options?.length && !spec.optionsQuery) this.options = spec.options.map((v) => ({ value: v, label: v }));
    if (CONTROLS[spec.mode]) {
      this.ext = CONTROLS[spec.mode](this);
      this.ext.set(this.value);
    } else if (spec.mode === 'dropdown' && spec.searchable === 'true') {
      this.ext = createSearch(this);
      this.ext.set(this.value);
    } else if (spec.mode === 'text') this.buildText();
    else if (spec.multiple) this.buildMulti();
    else this.buildSelect();
    this.status = h('span', { class: 'ds-input-status', 'aria-live': 'polite' });
    el.append(this.status);
  }

  setLoading(on) {
    this.el.classList.toggle('ds-loading', !!on);
  }

  showError(query, message) {
    this.el.classList.add('ds-has-error');
    this.status.replaceChildren(h('span', { class: 'ds-error', title: message }, `options query ${query} failed: ${message}`));
  }

  buildText() {
    this.control = h('input', {
      type: 'text', id: this.id, class: 'ds-text', placeholder: this.spec.placeholder || '',
      autocomplete: 'off', spellcheck: 'false',
    });
    this.control.value = this.value ?? '';
    this.control.addEventListener('change', () => this.onChange(this.control.value));
    this.el.append(this.control);
  }

  buildSelect() {
    this.control = h('select', { id: this.id, class: 'ds-select' });
    this.control.addEventListener('change', () => this.onChange(this.control.value));
    this.el.append(this.control);
    this.fillSelect();
  }

  /**
   * A list longer than SEARCH_AT (unless searchable: false) becomes a search
   * box, single or with chips: true when it just did.
   */
  becameSearch() {
    if (this.spec.searchable === 'false' || (this.options?.length ?? 0) <= SEARCH_AT) return false;
    this.control.remove();
    this.control = null;
    this.ext = createSearch(this);
    this.ext.set(this.value);
    return true;
  }

  fillSelect() {
    const s = this.spec;
    if (this.becameSearch()) return;
    const opts = s.allOption ? [h('option', { value: s.allValue, text: s.allLabel })] : [];
    const seen = new Set(s.allOption ? [s.allValue] : []);
    for (const o of this.options || []) {
      if (seen.has(o.value)) continue;
      seen.add(o.value);
      opts.push(h('option', { value: o.value, text: o.label }));
    }
    // A value from the URL that the options do not (yet) list stays selectable.
    const cur = this.value ?? s.allValue;
    if (!seen.has(cur) && (cur !== '' || !this.options)) opts.push(h('option', { value: cur, text: cur }));
    this.control.replaceChildren(...opts);
    this.control.value = cur;
  }

  buildMulti() {
    this.control = h('details', { class: 'ds-multi', id: this.id });
    this.summary = h('summary', { class: 'ds-select ds-multi-summary' });
    this.panel = h('div', { class: 'ds-multi-panel', role: 'group', 'aria-label': this.spec.label });
    this.control.append(this.summary, this.panel);
    this.panel.addEventListener('change', (ev) => {
      const box = ev.target;
      if (!(box instanceof HTMLInputElement)) return;
      if (box.dataset.all !== undefined) {
        this.onChange([]);
        return;
      }
      const vals = [...this.panel.querySelectorAll('input[data-value]')].filter((b) => b.checked).map((b) => b.value);
      this.onChange(vals);
    });
    // Close when clicking elsewhere.
    document.addEventListener('click', (ev) => {
      if (this.control?.open && !this.control.contains(ev.target)) this.control.open = false;
    });
    this.el.append(this.control);
    this.fillMulti();
  }

  fillMulti() {
    const s = this.spec;
    if (this.becameSearch()) return;
    const cur = Array.isArray(this.value) ? this.value : [];
    const rows = [];
    const all = h('input', { type: 'checkbox', dataset: { all: '' } });
    all.checked = cur.length === 0;
    rows.push(h('label', { class: 'ds-multi-option ds-multi-all' }, all, h('span', { text: s.allLabel })));
    const known = new Set();
    const add = (value, text) => {
      if (known.has(value)) return;
      known.add(value);
      const box = h('input', { type: 'checkbox', value, dataset: { value } });
      box.checked = cur.includes(value);
      rows.push(h('label', { class: 'ds-multi-option' }, box, h('span', { text })));
    };
    for (const o of this.options || []) add(o.value, o.label);
    for (const v of cur) add(v, v);
    this.panel.replaceChildren(...rows);
    const labelOf = (v) => (this.options || []).find((o) => o.value === v)?.label ?? v;
    this.summary.textContent = cur.length === 0 ? s.allLabel
      : cur.length <= 2 ? cur.map(labelOf).join(', ') : `${cur.length} selected`;
    this.summary.title = cur.map(labelOf).join(', ');
  }

  /** options_query result -> options (value_column / label_column, else 1st / 2nd column). */
  render(result) {
    this.el.classList.remove('ds-has-error');
    this.status?.replaceChildren();
    if (this.ext?.result) {
      this.ext.result(result);
      return;
    }
    const { columns, rows } = result;
    const find = (name) => columns.findIndex((c) => c.name.toLowerCase() === String(name).toLowerCase());
    let vi = this.spec.valueColumn ? find(this.spec.valueColumn) : 0;
    if (vi < 0) throw new Error(`value_column '${this.spec.valueColumn}' is not in the options query result`);
    let li = this.spec.labelColumn ? find(this.spec.labelColumn) : columns.length > 1 ? 1 : vi;
    if (li < 0) li = vi;
    if (!columns.length) vi = li = -1;
    this.options = [];
    for (const r of rows) {
      if (vi < 0 || r[vi] === null || r[vi] === undefined) continue;
      this.options.push({ value: formatPlain(r[vi]), label: formatPlain(r[li] ?? r[vi]) });
    }
    this.refresh();
  }

  setValue(value) {
    this.value = value;
    this.refresh();
  }

  refresh() {
    if (this.ext) {
      this.ext.set(this.value);
      return;
    }
    if (!this.control) return;
    if (this.spec.mode === 'text') {
      if (document.activeElement !== this.control) this.control.value = this.value ?? '';
    } else if (this.spec.multiple) {
      this.fillMulti();
    } else {
      this.fillSelect();
    }
  }
}
