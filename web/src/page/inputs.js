// page/inputs.js - a page's inputs: their specs, current values (from the
// URL at start), the environment queries are substituted with, the controls
// placed on the page, and what a click on a chart or a table sets.  Setting
// a value reports which ${inputs.x} / ${params.x} keys changed; the page
// (page.js) re-runs the components that use them.
import { h } from '../dom.js';
import { formatPlain } from '../format.js';
import { clickedValue, hasControl, InputView, readUrl, sameValue, urlFor, usesOptionsQuery } from '../inputs.js';
import { buildEnv, normalizeInput } from '../sql.js';

/** The first of KEYS that SPEC gives a non-blank value, trimmed. */
export function pick(spec, ...keys) {
  for (const k of keys) {
    const v = spec?.[k];
    if (v !== undefined && v !== null && String(v).trim() !== '') return String(v).trim();
  }
  return undefined;
}

function changedKeys(a, b) {
  const out = new Set();
  for (const kind of ['inputs', 'params']) {
    const keys = new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])]);
    for (const k of keys) {
      if (JSON.stringify(a[kind][k] ?? null) !== JSON.stringify(b[kind][k] ?? null)) out.add(`${kind}.${k}`);
    }
  }
  return out;
}

export class PageInputs {
  constructor(config) {
    this.specs = Object.entries(config.inputs || {}).map(([name, spec]) => normalizeInput(name, spec));
    this.specByName = new Map(this.specs.map((s) => [s.name, s]));
    this.values = readUrl(this.specs);
    this.env = buildEnv(this.specs, this.values);
    this.views = new Map(); // name -> [InputView]
  }

  /**
   * Places a control in every [data-ds-input] placeholder (and a bar at the
   * top for inputs without one); a control's changes go to SET(name, value).
   * Returns the dropdowns whose choices come from a query, as [spec, view].
   */
  mount(set) {
    const withOptions = [];
    const mountOne = (el, spec) => {
      const view = new InputView(el, spec, this.values[spec.name], (v) => set(spec.name, v));
      if (!this.views.has(spec.name)) this.views.set(spec.name, []);
      this.views.get(spec.name).push(view);
      if (spec.optionsQuery && usesOptionsQuery(spec.mode)) withOptions.push([spec, view]);
    };
    const placed = new Set();
    for (const el of document.querySelectorAll('[data-ds-input]')) {
      // Inputs that follow each other share one wrapping bar.
      if (!el.parentElement.classList.contains('ds-input-bar')) {
        const prev = el.previousElementSibling;
        if (prev && prev.classList.contains('ds-input-bar')) prev.append(el);
        else {
          const bar = h('div', { class: 'ds-input-bar ducksite-input-bar' });
          el.before(bar);
          bar.append(el);
        }
      }
      const name = el.dataset.dsInput;
      const spec = this.specByName.get(name);
      if (!spec) {
        el.classList.add('ds-input-group');
        el.replaceChildren(h('span', { class: 'ds-error' }, `unknown input '${name}'`));
        continue;
      }
      placed.add(name);
      mountOne(el, spec);
    }
    const rest = this.specs.filter((s) => !placed.has(s.name) && hasControl(s.mode) && s.mode !== 'hidden');
    if (rest.length) {
      // Inputs the page has no placeholder for go in a bar at the top.
      const bar = h('div', { class: 'ds-input-bar ducksite-input-bar' });
      (document.querySelector('main.ducksite-page') || document.body).prepend(bar);
      for (const s of rest) {
        const el = h('div', { class: 'ds-input', dataset: { dsInput: s.name } });
        bar.append(el);
        mountOne(el, s);
      }
    }
    return withOptions;
  }

  /** A copy of the current values. */
  get() {
    return JSON.parse(JSON.stringify(this.values));
  }

  /**
   * Sets input NAME to VALUE (normalised for its mode), updates its controls
   * and the URL, and returns the set of changed environment keys, or null
   * when nothing changed (no such input, or the same value).
   */
  set(name, value) {
    const spec = this.specByName.get(name);
    if (!spec) {
      console.warn(`ducksite: no input named '${name}'`);
      return null;
    }
    let v = value;
    if (spec.multiple) {
      v = v === null || v === undefined || v === '' ? [] : (Array.isArray(v) ? v : [v]).map(String).filter((x) => x !== '');
      if (v.some((x) => x === spec.allValue || x === spec.allLabel)) v = [];
    } else {
      v = v === null || v === undefined ? null : String(v);
    }
    if (sameValue(v, this.values[name]) && Array.isArray(v) === Array.isArray(this.values[name])) return null;
    this.values[name] = v;
    for (const view of this.views.get(name) || []) view.setValue(v);
    const url = `${location.pathname}${urlFor(this.specs, this.values)}${location.hash}`;
    history.replaceState(history.state, '', url);
    const before = this.env;
    this.env = buildEnv(this.specs, this.values);
    return changedKeys(before, this.env);
  }

  /**
   * What shows the value of the input a click on block SPEC sets
   * (click_input; for a table KIND, a cell's own value when it names no
   * click_value): {input, values() -> Set of the input's current values as
   * text (empty for none or all), valueOf(row, columns, name) -> the value a
   * click on that row (an item named NAME) would set}.  Null when the block
   * sets no input.
   */
  selection(spec, kind) {
    const input = pick(spec, 'click_input', 'clickInput');
    const target = input && this.specByName.get(input);
    if (!target) return null;
    const valueCol = pick(spec, 'click_value', 'clickValue', 'click_column', 'clickColumn');
    const xCol = kind === 'table' ? undefined : pick(spec, 'x', 'name', 'category');
    return {
      input,
      column: valueCol,
      values: () => {
        const v = this.values[input];
        const list = (Array.isArray(v) ? v : [v]).filter((x) => x !== null && x !== undefined && x !== '')
          .map(String).filter((x) => x !== target.allValue && x !== target.allLabel);
        return new Set(list);
      },
      valueOf: (row, columns, name) => {
        for (const c of [valueCol, xCol]) {
          const i = c ? columns.findIndex((x) => x.name.toLowerCase() === c.toLowerCase()) : -1;
          if (row && i >= 0) return row[i] === null || row[i] === undefined ? null : formatPlain(row[i]);
        }
        return name;
      },
    };
  }

  /**
   * The click handler of a chart or table (KIND) block SPEC: which input a
   * click sets (click_input, or click_anti_input when the row's click_action
   * says 'anti') and to what; it calls SET(name, value).  Undefined when the
   * block sets no input.
   */
  clickHandler(spec, kind, set) {
    const target = pick(spec, 'click_input', 'clickInput');
    const anti = pick(spec, 'click_anti_input', 'clickAntiInput');
    if (!target && !anti) return undefined;
    const valueCol = pick(spec, 'click_value', 'clickValue', 'click_column', 'clickColumn');
    const antiCol = pick(spec, 'click_anti_value', 'click_anti_column');
    const actionCol = pick(spec, 'click_action');
    const xCol = pick(spec, 'x', 'name', 'category');
    return (row, ctx, event, columns) => {
      const col = (name) => (name ? columns.findIndex((c) => c.name.toLowerCase() === name.toLowerCase()) : -1);
      const fromRow = (name) => {
        const i = col(name);
        return row && i >= 0 ? row[i] : undefined;
      };
      let input = target;
      let value;
      const action = actionCol ? fromRow(actionCol) : undefined;
      if (anti && action !== undefined && action !== null && String(action).toLowerCase() === 'anti') {
        input = anti;
        value = fromRow(antiCol);
      }
      if (!input) return;
      if (value === undefined) value = fromRow(valueCol);
      if (kind === 'table') {
        if (value === undefined && row) value = row[ctx];
      } else {
        if (value === undefined && ctx?.data && typeof ctx.data === 'object' && valueCol && valueCol in ctx.data) value = ctx.data[valueCol];
        if (value === undefined) value = fromRow(xCol);
        if (value === undefined) value = ctx?.name;
        if (value === undefined && typeof ctx?.value === 'string') value = ctx.value;
      }
      if (value === undefined) return;
      const spec2 = this.specByName.get(input);
      if (!spec2) {
        console.warn(`ducksite: click_input '${input}' is not an input of this page`);
        return;
      }
      set(input, clickedValue(spec2, this.values[input], value, event));
    };
  }
}
