// console/console.js - the SQL console (docs/console.md): a dialog with the
// site's views, a CodeMirror 6 query box and the result in the table pages
// use.  A bundle of its own (console-HASH.js), imported by launcher.js the
// first time the console opens.
//
// Queries run in the page's DuckDB-Wasm (duckdb.js, the same chunk the page
// loads) on a connection of their own.  A view a query names is created
// there as a temporary view from its compiled SQL, with the page's current
// input values and its data paths put in exactly as the page does
// (sql.js), so the console sees what the page's components see.
import { autocompletion, closeCompletion, completionKeymap, completionStatus } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql as sqlLanguage } from '@codemirror/lang-sql';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec, StateEffect } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

import { errorText, h } from '../dom.js';
import { consoleQuery } from '../duckdb.js';
import {
  dataPaths, dataUrl, localPaths, rewriteDataPaths, stripMetrics, stripTerminator, substitute,
} from '../sql.js';
import { TableView } from '../table.js';
import CSS from './console.css';
import {
  KINDS, QueryHistory, consoleViews, oneLine, readableSql, referencedViews, splitStatements,
} from './text.js';

const MAX_ROWS = 10000;
const MANIFEST = '/sql/_manifest.json';

let instance = null;

/**
 * Opens the console (creating it the first time) or, when it is open and
 * REQUEST names no component, closes it.  REQUEST.component ("chart:ID" or
 * "table:ID") pre-fills the query box with the SQL behind that component.
 */
export function toggle(ctx, request = {}) {
  if (!instance) instance = new SqlConsole(ctx);
  if (instance.isOpen() && !request.component) {
    instance.close();
    return instance;
  }
  instance.open(request);
  return instance;
}

const highlight = HighlightStyle.define([
  { tag: t.keyword, color: 'var(--ds-syn-keyword)' },
  { tag: [t.string, t.special(t.string)], color: 'var(--ds-syn-string)' },
  { tag: [t.number, t.bool, t.null], color: 'var(--ds-syn-number)' },
  { tag: t.comment, color: 'var(--ds-syn-comment)', fontStyle: 'italic' },
  { tag: [t.operator, t.punctuation], color: 'var(--ds-syn-operator)' },
  { tag: [t.typeName, t.standard(t.name)], color: 'var(--ds-syn-type)' },
  { tag: t.special(t.name), color: 'var(--ds-syn-special)' },
  { tag: t.invalid, color: 'var(--ds-error)' },
]);

const editorTheme = EditorView.theme({
  '&': { color: 'var(--ds-fg)', backgroundColor: 'var(--ds-surface)', fontSize: '13px', height: '100%' },
  '.cm-scroller': { fontFamily: 'var(--ds-mono)', lineHeight: '1.55' },
  '.cm-content': { caretColor: 'var(--ds-accent)', padding: '8px 0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--ds-accent)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--ds-syn-selection)' },
  '.cm-activeLine': { backgroundColor: 'var(--ds-syn-active-line)' },
  '.cm-gutters': { backgroundColor: 'var(--ds-surface)', color: 'var(--ds-faint)', border: 'none', borderRight: '1px solid var(--ds-border)' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: 'var(--ds-muted)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-matchingBracket': { backgroundColor: 'var(--ds-syn-bracket)', outline: 'none' },
  '.cm-placeholder': { color: 'var(--ds-faint)' },
  '.cm-tooltip': { backgroundColor: 'var(--ds-panel)', border: '1px solid var(--ds-border-strong)', color: 'var(--ds-fg)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--ds-accent-soft)', color: 'var(--ds-fg)' },
}, { dark: true });

class SqlConsole {
  constructor(ctx) {
    this.ctx = ctx;
    this.history = new QueryHistory(safeStorage());
    this.views = [];
    this.made = new Map(); // view name -> SQL its temporary view was last made from
    this.running = null; // {cancel} of the query in flight
    this.returnFocus = null;
    if (!document.getElementById('ds-console-style')) {
      document.head.append(h('style', { id: 'ds-console-style' }, CSS));
    }
    this.build();
    this.manifest = this.loadViews();
  }

  // --- the dialog ----------------------------------------------------------

  build() {
    this.status = h('span', { class: 'ds-console-status', role: 'status', 'aria-live': 'polite' });
    this.runBtn = h('button', { type: 'button', class: 'ds-btn ds-console-run', title: 'Run (Ctrl+Enter)', onclick: () => this.run() }, 'Run');
    this.cancelBtn = h('button', { type: 'button', class: 'ds-btn ds-console-cancel', disabled: true, onclick: () => this.cancel() }, 'Cancel');
    this.historySel = h('select', { class: 'ds-select ds-console-history', 'aria-label': 'Queries run before', onchange: () => this.pickHistory() });
    this.viewList = h('ul', { class: 'ds-console-viewlist' });
    this.viewCount = h('span', { class: 'ds-console-count' });
    this.results = h('div', { class: 'ds-console-results' },
      h('p', { class: 'ds-console-empty' }, 'Results appear here.'));
    this.editorBox = h('div', { class: 'ds-console-editor' });
    const titleId = 'ds-console-title';
    this.dialog = h('dialog', { class: 'ds-console', 'aria-labelledby': titleId },
      h('div', { class: 'ds-console-head' },
        h('h2', { id: titleId, class: 'ds-console-title' }, 'SQL console'),
        h('span', { class: 'ds-console-hint' }, h('kbd', {}, 'Ctrl'), '+', h('kbd', {}, 'Enter'), ' runs · ',
          h('kbd', {}, 'Esc'), ' closes'),
        h('button', { type: 'button', class: 'ds-btn ds-btn-small ds-console-close', 'aria-label': 'Close the SQL console', onclick: () => this.close() }, '×')),
      h('div', { class: 'ds-console-main' },
        h('details', { class: 'ds-console-views', open: true },
          h('summary', {}, 'Views ', this.viewCount),
          this.viewList),
        h('div', { class: 'ds-console-work' },
          this.editorBox,
          h('div', { class: 'ds-console-toolbar' }, this.runBtn, this.cancelBtn, this.historySel, this.status),
          this.results)));
    this.dialog.addEventListener('cancel', (ev) => {
      // Esc: closed by us, so focus goes back where it was.
      ev.preventDefault();
      this.close();
    });
    document.body.append(this.dialog);
    this.editor = new EditorView({
      parent: this.editorBox,
      state: EditorState.create({ doc: '', extensions: this.extensions([]) }),
    });
    this.fillHistory();
    // On narrow screens the view list starts folded, above the editor.
    if (window.matchMedia?.('(max-width: 700px)').matches) this.dialog.querySelector('.ds-console-views').open = false;
  }

  extensions(views) {
    const schema = Object.fromEntries(views.map((v) => [v.name, []]));
    return [
      lineNumbers(),
      history(),
      drawSelection(),
      highlightActiveLine(),
      bracketMatching(),
      syntaxHighlighting(highlight),
      sqlLanguage({ dialect: PostgreSQL, schema, upperCaseKeywords: true }),
      autocompletion({ activateOnTyping: true }),
      placeholder('SELECT * FROM a view on the left'),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'SQL query' }),
      editorTheme,
      Prec.highest(keymap.of([
        // Ctrl+Enter everywhere, and Cmd+Enter on a Mac.
        { key: 'Mod-Enter', run: () => { this.run(); return true; } },
        { key: 'Ctrl-Enter', run: () => { this.run(); return true; } },
        { key: 'ArrowUp', run: (v) => this.walkHistory(v, -1) },
        { key: 'ArrowDown', run: (v) => this.walkHistory(v, +1) },
        { key: 'Mod-ArrowUp', run: (v) => this.walkHistory(v, -1, true) },
        { key: 'Mod-ArrowDown', run: (v) => this.walkHistory(v, +1, true) },
      ])),
      keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && !u.transactions.some((tr) => tr.isUserEvent('history.walk'))) this.history.reset();
      }),
    ];
  }

  isOpen() {
    return this.dialog.open;
  }

  async open(request) {
    if (!this.isOpen()) {
      const active = document.activeElement;
      this.returnFocus = active && active !== document.body ? active : document.querySelector('.ds-console-open');
      this.dialog.showModal();
      document.documentElement.classList.add('ds-console-shown');
    }
    if (!this.editor.state.doc.length && !request.component) {
      const last = this.history.entries().at(-1);
      if (last) this.setDoc(last);
    }
    this.editor.focus();
    if (request.component) await this.prefill(request.component);
  }

  close() {
    if (this.isOpen()) this.dialog.close();
    document.documentElement.classList.remove('ds-console-shown');
    const back = this.returnFocus;
    this.returnFocus = null;
    if (back && back.isConnected) back.focus();
  }

  setDoc(text) {
    this.editor.dispatch({
      changes: { from: 0, to: this.editor.state.doc.length, insert: text },
      selection: { anchor: text.length },
      userEvent: 'history.walk',
      scrollIntoView: true,
    });
  }

  // --- views ----------------------------------------------------------------

  async loadViews() {
    let manifest = null;
    let failure = null;
    try {
      const res = await fetch(MANIFEST, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(`cannot load ${MANIFEST}: HTTP ${res.status} ${res.statusText}`.trim());
      manifest = await res.json();
    } catch (e) {
      failure = errorText(e);
    }
    this.views = consoleViews(manifest, this.ctx.config);
    this.viewCount.textContent = `(${this.views.length})`;
    const items = this.views.map((v) => h('li', { class: 'ds-console-view', dataset: { view: v.name, kind: v.kind } },
      h('button', {
        type: 'button',
        class: 'ds-console-view-name',
        title: `Insert ${v.name} into the query`,
        onclick: () => this.insert(v.name),
      }, v.name),
      h('span', { class: `ds-console-kind ds-console-kind-${v.kind}` }, KINDS[v.kind] || v.kind),
      v.deps.length ? h('span', { class: 'ds-console-deps' }, `reads ${v.deps.join(', ')}`) : null));
    if (failure) items.unshift(h('li', { class: 'ds-error', role: 'alert' }, failure));
    if (!items.length) items.push(h('li', { class: 'ds-console-none' }, 'This site publishes no views.'));
    this.viewList.replaceChildren(...items);
    // View names complete in the editor.
    this.editor.dispatch({ effects: this.reconfigure() });
    return manifest;
  }

  reconfigure() {
    return StateEffect.reconfigure.of(this.extensions(this.views));
  }

  insert(name) {
    const { from, to } = this.editor.state.selection.main;
    this.editor.dispatch({ changes: { from, to, insert: name }, selection: { anchor: from + name.length }, scrollIntoView: true });
    this.editor.focus();
  }

  /** A view's compiled SQL as this page runs it now: inputs put in, no `;`. */
  async viewSql(v, env) {
    const text = await this.ctx.data.fetchSql(v.path);
    // A view over a lake gets its whole file list back (no predicate to prune by).
    const sql = substitute(stripMetrics(text), env.inputs, env.params);
    return stripTerminator(await this.ctx.data.expandLists(sql, null, env));
  }

  // --- "the data behind this chart" -----------------------------------------

  async prefill(key) {
    const c = this.ctx.component(key);
    if (!c) return;
    const what = `${c.kind} ${c.id}${c.title ? ` (${c.title})` : ''}`;
    let text;
    try {
      await this.manifest;
      if (!c.query) throw new Error(`its query '${c.queryId}' could not be resolved`);
      const env = this.ctx.env();
      const raw = stripMetrics(await this.ctx.data.fetchSql(c.query.path));
      const own = readableSql(raw, this.views.map((v) => v.name));
      const body = stripTerminator(substitute(own, env.inputs, env.params));
      const inputs = Object.entries(env.inputs).filter(([, v]) => v !== null && v !== '' && !(Array.isArray(v) && !v.length))
        .map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`);
      // One comment line: a value holding a line break must not end it.
      const head = oneLine(`The data behind ${what}: query ${c.query.name}${inputs.length ? `, with ${inputs.join('; ')}` : ''}`, 400);
      text = `-- ${head}\n${body};\n`;
    } catch (e) {
      text = `-- ${oneLine(`The data behind ${what} cannot be shown: ${errorText(e)}`, 400)}\n`;
    }
    this.setDoc(text);
    this.history.reset();
    this.editor.focus();
  }

  // --- running ----------------------------------------------------------------

  async run() {
    if (this.running) return;
    const source = this.editor.state.doc.toString();
    const statements = splitStatements(source);
    if (!statements.length) {
      this.say('Nothing to run.');
      return;
    }
    closeCompletion(this.editor);
    this.history.add(source);
    this.fillHistory();
    const started = performance.now();
    this.busy(true);
    this.say('Running…');
    const paths = new Set();
    try {
      await this.manifest;
      const env = this.ctx.env();
      const data = this.ctx.data;
      // Temporary views for every view the query names: made again only when
      // their SQL (after the inputs are put in) changed.
      const setup = [];
      const userSql = statements.map((s) => substitute(s, env.inputs, env.params));
      const views = referencedViews(userSql.join('\n'), this.views);
      const texts = await Promise.all(views.map((v) => this.viewSql(v, env)));
      const pending = new Map();
      views.forEach((v, i) => {
        if (this.made.get(v.name) === texts[i]) return;
        pending.set(v.name, texts[i]);
        setup.push({ sql: texts[i], label: `view ${v.name}`, view: v.name });
      });
      const all = [...setup.map((s) => s.sql), ...userSql];
      for (const s of all) for (const p of dataPaths(s)) paths.add(p);
      const whole = new Set(all.flatMap((s) => data.wholeFilesOf(s)));
      const keep = (p) => whole.has(p);
      const run = [
        ...setup.map((s) => ({
          sql: `CREATE OR REPLACE TEMPORARY VIEW ${quoteIdent(s.view)} AS\n${rewriteDataPaths(s.sql, location.origin, keep)}`,
          label: s.label,
        })),
        ...userSql.map((s) => rewriteDataPaths(s, location.origin, keep)),
      ];
      // Marked made before they are: a failure below forgets them all.
      for (const [name, text] of pending) this.made.set(name, text);
      const job = consoleQuery(run, [...whole].map((name) => ({ name, url: dataUrl(name, location.origin) })), MAX_ROWS);
      this.running = job;
      let result;
      try {
        result = await job.result;
      } catch (e) {
        for (const name of pending.keys()) this.made.delete(name);
        throw e;
      }
      this.showResult(result, performance.now() - started);
    } catch (e) {
      if (e && e.name === 'Cancelled') {
        this.say('Cancelled.');
      } else {
        const err = await this.ctx.data.explainFailure(e, [...paths]);
        this.showError(localPaths(errorText(err), location.origin));
      }
    } finally {
      this.running = null;
      this.busy(false);
    }
  }

  cancel() {
    if (!this.running) return;
    this.running.cancel();
  }

  busy(on) {
    // A button about to be disabled would drop the focus to the page.
    const refocus = this.dialog.contains(document.activeElement) && document.activeElement === (on ? this.runBtn : this.cancelBtn);
    this.runBtn.disabled = on;
    this.cancelBtn.disabled = !on;
    if (refocus) (on ? this.cancelBtn : this.editor).focus();
    this.dialog.classList.toggle('ds-console-busy', on);
    this.results.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  say(text) {
    this.status.textContent = text;
  }

  showResult(result, ms) {
    const n = result ? result.rows.length : 0;
    const holder = h('div', { class: 'ds-table ds-console-table' });
    this.results.replaceChildren(holder);
    if (!result) {
      this.say(`Done in ${Math.round(ms)} ms.`);
      return;
    }
    const table = new TableView(holder, 'query', { title: 'Result' });
    table.render(result);
    this.table = table;
    const rows = `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'}`;
    this.say(`${result.truncated ? `First ${rows} shown (there are more; add a LIMIT or aggregate)` : rows} in ${Math.round(ms)} ms.`);
  }

  showError(message) {
    this.say('Failed.');
    this.results.replaceChildren(h('div', { class: 'ds-error ds-console-error', role: 'alert' },
      h('div', { class: 'ds-error-title' }, 'DuckDB error'),
      h('pre', { class: 'ds-error-message', text: message })));
  }

  // --- history ----------------------------------------------------------------

  fillHistory() {
    const list = this.history.entries().slice().reverse();
    this.historySel.replaceChildren(
      h('option', { value: '' }, list.length ? `History (${list.length})` : 'History (empty)'),
      ...list.map((q, i) => h('option', { value: String(i), title: q }, oneLine(q, 70))));
    this.historySel.disabled = !list.length;
  }

  pickHistory() {
    const i = this.historySel.value;
    if (i === '') return;
    const list = this.history.entries().slice().reverse();
    if (list[Number(i)] !== undefined) this.setDoc(list[Number(i)]);
    this.historySel.value = '';
    this.editor.focus();
  }

  /**
   * Up on the first line (down on the last) walks the history, as in a
   * shell; with Ctrl/Cmd from anywhere.  Elsewhere the arrow moves the cursor.
   */
  walkHistory(view, dir, always = false) {
    const { state } = view;
    const sel = state.selection.main;
    if (completionStatus(state) === 'active') return false; // the arrows move in the completion list
    if (!always) {
      if (!sel.empty) return false;
      const line = state.doc.lineAt(sel.head).number;
      if (dir < 0 && line !== 1) return false;
      if (dir > 0 && line !== state.doc.lines) return false;
      if (dir > 0 && this.history.pos === null) return false;
    }
    const text = dir < 0 ? this.history.older(state.doc.toString()) : this.history.newer();
    if (text === null) return always;
    this.setDoc(text);
    return true;
  }
}

/** A quoted identifier ("name", " doubled). */
function quoteIdent(name) {
  return `"${String(name).replace(/"/g, '""')}"`;
}

/** localStorage, or null where the browser refuses it (then no history is kept). */
function safeStorage() {
  try {
    const s = window.localStorage;
    s.getItem('ducksite.console.history');
    return s;
  } catch {
    return null;
  }
}
