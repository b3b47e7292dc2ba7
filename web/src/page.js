// page.js - boots a page: reads #page-config-json, finds the placeholders,
// gives each component its result and re-runs only what an input change
// affects.  A result comes from the build when it stored one for exactly
// that SQL (results.js), else from DuckDB-Wasm, which is only downloaded
// when a result is needed that the build did not store.  Both go through
// the same render call.
import { ChartView } from './chart.js';
import { errorText, h } from './dom.js';
import { fromStored, resultKey, storedUrl } from './results.js';
import { clickedValue, InputView, readUrl, sameValue, urlFor } from './inputs.js';
import {
  buildEnv, dataPaths, dataUrl, fileErrorText, localPaths, normalizeInput, placeholderDeps, resolveQuery, rewriteDataPaths,
  stripMetrics, substitute, substituteId, wrapFormat,
} from './sql.js';
import { TableView } from './table.js';

const RESULT_CACHE_SIZE = 64;

// Data files up to this size are read with one whole GET and kept in the
// engine's memory (window.ducksiteWholeFileMax overrides it; 0 turns it off),
// up to WHOLE_PAGE_MAX bytes per page; larger ones are read by ranges.
// DuckDB-Wasm's ranged reads go one at a time, so for small files one
// request beats many (docs/runtime.md has the measurements).
const WHOLE_FILE_MAX = 8 * 1024 * 1024;
const WHOLE_PAGE_MAX = 64 * 1024 * 1024;

// The engine module (DuckDB-Wasm and Arrow) is a separate chunk, fetched on
// first use only.
let engineModule = null;
function duckdb() {
  if (!engineModule) engineModule = import('./duckdb.js');
  return engineModule;
}

function readConfig() {
  const el = document.getElementById('page-config-json');
  const text = el ? el.textContent.trim() : '';
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`page-config-json is not valid JSON: ${e.message}`);
  }
}

function pick(spec, ...keys) {
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

class Page {
  constructor(config) {
    this.config = config;
    this.queries = config.queries || {};
    this.specs = Object.entries(config.inputs || {}).map(([name, spec]) => normalizeInput(name, spec));
    this.specByName = new Map(this.specs.map((s) => [s.name, s]));
    this.values = readUrl(this.specs);
    this.env = buildEnv(this.specs, this.values);
    this.components = [];
    this.inputViews = new Map(); // name -> [InputView]
    this.sqlTexts = new Map(); // path -> Promise<text>
    this.results = new Map(); // final SQL -> Promise<result>
    // ?ds_live=1 ignores stored results: every query runs in the engine.
    const live = new URLSearchParams(location.search).get('ds_live') === '1';
    this.stored = new Set(live ? [] : Object.keys(config.stored || {})); // hashes the build stored
    this.storedResults = new Map(); // hash -> Promise<result | null>
    this.engineStarted = false;
    this.fileSizes = config.files || {}; // data path -> bytes, from the build
    this.whole = new Set(); // data paths read whole
    this.wholeBytes = 0;
    this.pending = 0;
    this.idleWaiters = [];
    this.stats = { queries: 0, cacheHits: 0, stored: 0, live: 0, renders: {}, errors: {}, sources: {} };
  }

  // --- busy / idle -------------------------------------------------------

  busy(delta) {
    this.pending += delta;
    document.documentElement.dataset.dsState = this.pending > 0 ? 'busy' : 'idle';
    if (this.pending === 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  whenIdle() {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  // --- set-up ------------------------------------------------------------

  start() {
    this.busy(+1);
    try {
      this.layoutGrids();
      this.mountInputs();
      this.mountComponents();
      for (const c of this.components) c.view.setLoading(true);
      for (const c of this.components) this.evaluate(c);
      window.addEventListener('resize', () => {
        for (const c of this.components) if (c.kind === 'chart') c.view.resize();
      });
    } finally {
      this.busy(-1);
    }
  }

  layoutGrids() {
    for (const grid of document.querySelectorAll('.layout-grid')) {
      const cols = Number.parseInt(grid.dataset.cols, 10);
      const n = cols >= 1 && cols <= 12 ? cols : 12;
      grid.style.setProperty('--ds-cols', String(n));
      const gap = grid.dataset.gap;
      if (gap && /^\d+(\.\d+)?$/.test(gap)) grid.style.setProperty('--ds-gap', `${gap}px`);
      for (const col of grid.querySelectorAll('.layout-col')) {
        const m = /(?:^|\s)span-(\d+)(?:\s|$)/.exec(col.className);
        const span = m ? Number(m[1]) : 1;
        col.style.setProperty('--ds-span', String(Math.max(1, Math.min(span, n))));
      }
    }
  }

  mountInputs() {
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
      this.mountInput(el, spec);
    }
    const rest = this.specs.filter((s) => !placed.has(s.name) && (s.mode === 'dropdown' || s.mode === 'text'));
    if (rest.length) {
      // Inputs the page has no placeholder for go in a bar at the top.
      const bar = h('div', { class: 'ds-input-bar ducksite-input-bar' });
      (document.querySelector('main.ducksite-page') || document.body).prepend(bar);
      for (const s of rest) {
        const el = h('div', { class: 'ds-input', dataset: { dsInput: s.name } });
        bar.append(el);
        this.mountInput(el, s);
      }
    }
  }

  mountInput(el, spec) {
    const view = new InputView(el, spec, this.values[spec.name], (v) => this.setInput(spec.name, v));
    if (!this.inputViews.has(spec.name)) this.inputViews.set(spec.name, []);
    this.inputViews.get(spec.name).push(view);
    if (spec.optionsQuery && spec.mode === 'dropdown') {
      this.components.push(this.component('input', spec.name, spec.optionsQuery, null, view));
    }
  }

  mountComponents() {
    const charts = this.config.charts || this.config.visualizations || {};
    const tables = this.config.tables || {};
    for (const el of document.querySelectorAll('[data-ds-chart]')) {
      const id = el.dataset.dsChart;
      const spec = charts[id] || {};
      const view = new ChartView(el, id, spec, { onClick: this.clickHandler(spec, 'chart') });
      this.components.push(this.component('chart', id, pick(spec, 'data_query', 'dataQuery') || id, spec.format, view));
    }
    for (const el of document.querySelectorAll('[data-ds-table]')) {
      const id = el.dataset.dsTable;
      const spec = tables[id] || {};
      const view = new TableView(el, id, spec, { onCellClick: this.clickHandler(spec, 'table') });
      this.components.push(this.component('table', id, pick(spec, 'query') || id, spec.format, view));
    }
  }

  component(kind, id, queryId, format, view) {
    const c = { key: `${kind}:${id}`, kind, id, queryId, format: format || null, view,
      deps: null, sql: null, query: null, state: 'pending', gen: 0 };
    view.el.dataset.dsState = 'loading';
    return c;
  }

  // --- inputs ------------------------------------------------------------

  getInputs() {
    return JSON.parse(JSON.stringify(this.values));
  }

  setInput(name, value) {
    const spec = this.specByName.get(name);
    if (!spec) {
      console.warn(`ducksite: no input named '${name}'`);
      return;
    }
    let v = value;
    if (spec.multiple) {
      v = v === null || v === undefined || v === '' ? [] : (Array.isArray(v) ? v : [v]).map(String).filter((x) => x !== '');
      if (v.some((x) => x === spec.allValue || x === spec.allLabel)) v = [];
    } else {
      v = v === null || v === undefined ? null : String(v);
    }
    if (sameValue(v, this.values[name]) && Array.isArray(v) === Array.isArray(this.values[name])) return;
    this.values[name] = v;
    for (const view of this.inputViews.get(name) || []) view.setValue(v);
    const url = `${location.pathname}${urlFor(this.specs, this.values)}${location.hash}`;
    history.replaceState(history.state, '', url);
    const before = this.env;
    this.env = buildEnv(this.specs, this.values);
    const changed = changedKeys(before, this.env);
    this.busy(+1);
    for (const c of this.components) {
      if (c.deps === null || [...c.deps].some((d) => changed.has(d))) this.evaluate(c);
    }
    window.dispatchEvent(new CustomEvent('ducksite:inputs', { detail: { inputs: this.getInputs(), changed: [...changed] } }));
    this.busy(-1);
  }

  clickHandler(spec, kind) {
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
      this.setInput(input, clickedValue(spec2, this.values[input], value, event));
    };
  }

  // --- queries -----------------------------------------------------------

  fetchSql(path) {
    let p = this.sqlTexts.get(path);
    if (!p) {
      p = fetch(path, { credentials: 'same-origin' }).then(async (res) => {
        if (!res.ok) throw new Error(`cannot load ${path}: HTTP ${res.status} ${res.statusText}`.trim());
        return stripMetrics(await res.text());
      });
      p.catch(() => this.sqlTexts.delete(path));
      this.sqlTexts.set(path, p);
    }
    return p;
  }

  /**
   * The stored result for hash KEY, or null when it cannot be had (the
   * server withholds a result whose data changed since the build: 404).
   */
  storedResult(key) {
    let p = this.storedResults.get(key);
    if (!p) {
      p = fetch(storedUrl(key), { credentials: 'same-origin' })
        .then(async (res) => (res.ok ? fromStored(await res.json()) : null))
        .catch(() => null);
      this.storedResults.set(key, p);
    }
    return p;
  }

  /** The data paths of SQL to read whole (chosen once per page, by size). */
  wholeFilesOf(sql) {
    const max = Number(globalThis.ducksiteWholeFileMax ?? WHOLE_FILE_MAX);
    const out = [];
    for (const p of dataPaths(sql)) {
      const size = this.fileSizes[p];
      if (!this.whole.has(p)) {
        if (typeof size !== 'number' || size > max || this.wholeBytes + size > WHOLE_PAGE_MAX) continue;
        this.whole.add(p);
        this.wholeBytes += size;
      }
      out.push(p);
    }
    return out;
  }

  /**
   * A failed live query's error, told in the author's terms: absolute data
   * URLs back to data paths, and when the engine gives no reason (a failed
   * HTTP read inside DuckDB-Wasm surfaces as "[object WebAssembly.Exception]")
   * each data file of the query is asked for, so the message says which one
   * failed and why.
   */
  async explainFailure(e, paths) {
    const text = localPaths(errorText(e), location.origin);
    if (!/WebAssembly\.Exception|HTTP|IO Error|Network/i.test(text) || /^cannot read /.test(text)) return new Error(text);
    for (const p of paths) {
      const url = dataUrl(p, location.origin);
      if (!url) continue;
      try {
        const res = await fetch(url, { method: 'HEAD', credentials: 'same-origin' });
        if (!res.ok) return new Error(fileErrorText(p, res.status, res.statusText));
      } catch (err) {
        return new Error(`cannot read ${p}: the server did not answer (${errorText(err)})`);
      }
    }
    const files = paths.length ? `; it reads ${paths.join(', ')}, which the server serves` : '';
    return new Error(`${text.replace(/^Invalid Error: \[object WebAssembly\.Exception\]$/, 'the engine failed without a reason while reading data')}${files}`);
  }

  /** Runs SQL once per distinct text (results cached, most recent kept). */
  run(sql, whole = [], paths = []) {
    let p = this.results.get(sql);
    if (p) {
      this.stats.cacheHits++;
      this.results.delete(sql);
      this.results.set(sql, p);
      return p;
    }
    this.stats.queries++;
    this.engineStarted = true;
    p = duckdb().then((m) => m.runQuery(sql, whole.map((name) => ({ name, url: dataUrl(name, location.origin) }))))
      .catch(async (e) => { throw await this.explainFailure(e, paths); });
    p.catch(() => this.results.delete(sql));
    this.results.set(sql, p);
    while (this.results.size > RESULT_CACHE_SIZE) this.results.delete(this.results.keys().next().value);
    return p;
  }

  /** Works out C's final SQL and, when it changed, runs it and redraws C. */
  async evaluate(c) {
    const gen = ++c.gen;
    this.busy(+1);
    let name = c.queryId;
    let sql = null;
    try {
      const env = this.env;
      const deps = placeholderDeps(c.queryId);
      const id = substituteId(c.queryId, env.inputs);
      const q = resolveQuery(id, this.queries);
      name = q.name;
      c.query = q;
      const raw = await this.fetchSql(q.path);
      if (gen !== c.gen) return;
      placeholderDeps(raw, deps);
      for (const t of Object.values(c.format || {})) for (const e of Object.values(t || {})) placeholderDeps(e, deps);
      c.deps = deps;
      sql = wrapFormat(raw, c.format, c.kind);
      sql = substitute(sql, env.inputs, env.params);
      const key = this.stored.size ? resultKey(sql) : null;
      const paths = dataPaths(sql);
      const whole = this.wholeFilesOf(sql);
      const wholeSet = new Set(whole);
      sql = rewriteDataPaths(sql, location.origin, (p) => wholeSet.has(p));
      if (sql === c.sql && c.state !== 'pending') return; // same text, same result: nothing to redraw
      c.view.setLoading(true);
      c.view.el.dataset.dsState = 'loading';
      let result = key && this.stored.has(key) ? await this.storedResult(key) : null;
      if (gen !== c.gen) return;
      const source = result ? 'stored' : 'live';
      if (!result) result = await this.run(sql, whole, paths);
      if (gen !== c.gen) return;
      c.sql = sql;
      c.source = source;
      this.stats[source]++;
      this.stats.sources[c.key] = source;
      c.view.render(result);
      c.state = 'ok';
      c.view.el.dataset.dsState = 'ok';
      this.stats.renders[c.key] = (this.stats.renders[c.key] || 0) + 1;
    } catch (e) {
      if (gen !== c.gen) return;
      if (c.deps === null) c.deps = placeholderDeps(c.queryId);
      c.sql = sql;
      c.state = 'error';
      c.view.el.dataset.dsState = 'error';
      this.stats.errors[c.key] = errorText(e);
      c.view.showError(name, errorText(e));
    } finally {
      if (gen === c.gen) c.view.setLoading(false);
      this.busy(-1);
    }
  }

  // --- what tests and the console can see ---------------------------------

  api() {
    return {
      version: '1',
      config: this.config,
      getInputs: () => this.getInputs(),
      setInput: (name, value) => this.setInput(name, value),
      whenIdle: () => this.whenIdle(),
      stats: this.stats,
      engine: async () => (await (await duckdb()).engine()).bundle,
      engineStarted: () => this.engineStarted,
      components: () => this.components.map((c) => ({
        key: c.key, state: c.state, query: c.query?.name ?? c.queryId,
        deps: c.deps ? [...c.deps] : null, sql: c.sql, source: c.source ?? null,
      })),
      chartOption: (id) => this.components.find((c) => c.key === `chart:${id}`)?.view.option() ?? null,
      tableCsv: (id) => this.components.find((c) => c.key === `table:${id}`)?.view.csv() ?? null,
    };
  }
}

export function boot() {
  let config;
  try {
    config = readConfig();
  } catch (e) {
    document.documentElement.dataset.dsState = 'idle';
    const main = document.querySelector('main.ducksite-page') || document.body;
    main.prepend(h('div', { class: 'ds-error ds-page-error', role: 'alert' }, errorText(e)));
    console.error(e);
    return;
  }
  const page = new Page(config);
  const api = page.api();
  window.ducksite = api;
  window.ducksiteGetInputs = api.getInputs;
  window.ducksiteSetInput = api.setInput;
  page.start();
}
