// dom.js - small DOM helpers and the frame every component is drawn in.

/** h('div', {class: 'x', onclick: f}, child, 'text', ...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/**
 * The frame of a chart or table placeholder:
 *   .ds-head  (title, actions)   .ds-body   .ds-foot
 * Loading: class ds-loading on the placeholder.  Errors: a .ds-error box in
 * the body naming the query and DuckDB's message.
 */
export class Frame {
  constructor(el, { title = '', kind = '' } = {}) {
    this.el = el;
    el.replaceChildren();
    el.classList.add('ds-component');
    this.titleEl = h('div', { class: 'ds-title', text: title });
    this.actions = h('div', { class: 'ds-actions' });
    this.head = h('div', { class: `ds-head${title ? '' : ' ds-head-notitle'}` }, this.titleEl, this.actions);
    this.body = h('div', { class: `ds-body ds-body-${kind}` });
    this.foot = h('div', { class: 'ds-foot' });
    el.append(this.head, this.body, this.foot);
  }

  setLoading(on) {
    this.el.classList.toggle('ds-loading', !!on);
    this.el.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  button(label, title, onclick) {
    const b = h('button', { type: 'button', class: 'ds-btn ds-btn-small', title, onclick }, label);
    this.actions.append(b);
    return b;
  }

  /** Shows QUERY's failure in place of the content; returns the box. */
  showError(query, message) {
    this.el.classList.add('ds-has-error');
    const box = h('div', { class: 'ds-error', role: 'alert' },
      h('div', { class: 'ds-error-title' }, 'Query ', h('code', { text: query || '?' }), ' failed'),
      h('pre', { class: 'ds-error-message', text: message }));
    this.errorBox?.remove();
    this.errorBox = box;
    this.body.style.display = 'none';
    this.foot.style.display = 'none';
    this.el.append(box);
    return box;
  }

  clearError() {
    this.el.classList.remove('ds-has-error');
    this.errorBox?.remove();
    this.errorBox = null;
    this.body.style.display = '';
    this.foot.style.display = '';
  }
}

/**
 * A small button added at the end of the page's navigation (the runtime's
 * tools: the SQL console, the network view), or null on a page without one.
 * KEYS is its shortcut for aria-keyshortcuts; ATTRS more attributes.
 */
export function navButton(cls, label, title, keys, onclick, attrs = {}) {
  const nav = document.querySelector('nav.ducksite-nav');
  if (!nav) return null;
  const b = h('button', { type: 'button', class: `ds-btn ds-btn-small ${cls}`, title, 'aria-keyshortcuts': keys, onclick, ...attrs }, label);
  nav.append(b);
  return b;
}

/**
 * A function that calls LOADER (a dynamic import) the first time and then
 * gives the same promise; a failed load is forgotten, so the next call tries
 * again.
 */
export function lazy(loader) {
  let p = null;
  return () => {
    if (!p) {
      p = loader();
      p.catch(() => { p = null; });
    }
    return p;
  };
}

/** Message text of anything thrown. */
export function errorText(e) {
  if (e === null || e === undefined) return 'unknown error';
  if (typeof e === 'string') return e;
  return e.message || String(e);
}
