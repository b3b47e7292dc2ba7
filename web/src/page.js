// page.js - boots a page: reads #page-config-json, finds the placeholders,
// gives each component its result and re-runs only what an input change
// affects.  A result comes from the build when it stored one for exactly
// that SQL (results.js), else from DuckDB-Wasm, which is only downloaded
// when a result is needed that the build did not store.  Both go through
// the same render call.  The inputs' state lives in page/inputs.js, where
// results come from in page/queries.js; this file holds the components and
// their life cycle.
import { ChartView } from './chart.js';
import { installConsole } from './console/launcher.js';
import { errorText, h } from './dom.js';
import { mountForms } from './forms.js';
import { mountValues } from './kpi.js';
import { lastSeq } from './netlog.js';
import { installNetView } from './netview/launcher.js';
import { PageInputs, pick } from './page/inputs.js';
import { duckdb, PageQueries, serverReasonText } from './page/queries.js';
import {
  dataPaths, fillTitle, hasFileLists, localToday, placeholderDeps, resolveQuery, rewriteDataPaths, substitute, substituteId, wrapFormat,
} from './sql.js';
import { TableView } from './table.js';

/** E (the engine's failure) told after the server's REFUSAL (queries.js). */
function withServerReason(e, refusal) {
  return Object.assign(new Error(serverReasonText(refusal, errorText(e))), { net: e?.net ?? null });
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

class Page {
  constructor(config) {
    this.config = config;
    this.queries = config.queries || {};
    this.inputs = new PageInputs(config);
    this.setter = (name, value) => this.setInput(name, value);
    this.components = [];
    this.pending = 0;
    this.idleWaiters = [];
    this.stats = { queries: 0, cacheHits: 0, stored: 0, live: 0, server: 0, renders: {}, errors: {}, sources: {} };
    this.data = new PageQueries(config, this.stats);
  }

  /** The environment queries are substituted with ({inputs, params}). */
  get env() {
    return this.inputs.env;
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
      this.openConsole = installConsole(this.consoleContext());
      this.netView = installNetView(this.netContext());
      for (const [spec, view] of this.inputs.mount(this.setter)) {
        this.components.push(this.component('input', spec.name, spec.optionsQuery, null, view));
      }
      this.mountComponents();
      this.fillTitles();
      this.forms = mountForms(this.config, {
        inputs: () => this.inputs.get(),
        inputNames: () => new Set(Object.keys(this.inputs.get())),
        refreshReading: (path) => this.refreshReading(path),
      });
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

  mountComponents() {
    const charts = this.config.charts || this.config.visualizations || {};
    const tables = this.config.tables || {};
    for (const el of document.querySelectorAll('[data-ds-chart]')) {
      const id = el.dataset.dsChart;
      const spec = charts[id] || {};
      const view = new ChartView(el, id, spec, {
        onClick: this.inputs.clickHandler(spec, 'chart', this.setter), selection: this.inputs.selection(spec, 'chart'),
      });
      this.components.push(this.component('chart', id, pick(spec, 'data_query', 'dataQuery') || id, spec.format, view));
      this.dataButton(view, 'chart', id);
    }
    for (const el of document.querySelectorAll('[data-ds-table]')) {
      const id = el.dataset.dsTable;
      const spec = tables[id] || {};
      const view = new TableView(el, id, spec, {
        onCellClick: this.inputs.clickHandler(spec, 'table', this.setter), selection: this.inputs.selection(spec, 'table'),
      });
      this.components.push(this.component('table', id, pick(spec, 'query') || id, spec.format, view));
      this.dataButton(view, 'table', id);
    }
    mountValues(this.config, (kind, id, queryId, view) => this.components.push(this.component(kind, id, queryId, null, view)));
  }

  /** The component's "SQL" button: the console, holding the SQL behind it. */
  dataButton(view, kind, id) {
    view.frame.button('SQL', `Open the data behind this ${kind} in the SQL console`,
      () => this.openConsole({ component: `${kind}:${id}` })).classList.add('ds-open-sql');
  }

  component(kind, id, queryId, format, view) {
    const c = { key: `${kind}:${id}`, kind, id, queryId, format: format || null, view,
      deps: null, sql: null, query: null, state: 'pending', gen: 0, paths: [], storedKey: null };
    view.el.dataset.dsState = 'loading';
    return c;
  }

  // --- inputs ------------------------------------------------------------

  setInput(name, value) {
    const changed = this.inputs.set(name, value);
    if (!changed) return;
    this.busy(+1);
    for (const c of this.components) {
      if (c.deps === null || [...c.deps].some((d) => changed.has(d))) this.evaluate(c);
      // Charts and tables a click sets NAME from show its new value.
      if (c.view.selection?.input === name) c.view.showSelected();
    }
    this.fillTitles(changed);
    window.dispatchEvent(new CustomEvent('ducksite:inputs', { detail: { inputs: this.inputs.get(), changed: [...changed] } }));
    this.busy(-1);
  }

  /**
   * Titles that show input values (`title: Revenue in ${inputs.region}`):
   * filled when the components mount and again when one of their inputs
   * changes (CHANGED: the changed environment keys; null for all).
   */
  fillTitles(changed = null) {
    for (const c of this.components) {
      const spec = c.view.spec || {};
      for (const key of ['title', 'comparison_title']) {
        const text = spec[key];
        if (typeof text !== 'string' || !text.includes('${')) continue;
        if (changed && ![...placeholderDeps(text)].some((d) => changed.has(d))) continue;
        // Kept on the view: a KPI card draws its comparison label anew with each result.
        c.view.filled = { ...c.view.filled, [key]: fillTitle(text, this.inputs.values, this.inputs.specByName) };
        const els = key === 'title'
          ? [c.view.frame?.titleEl || c.view.el.querySelector(':scope > .ds-kpi-title, :scope > .ds-value-title')]
          : [...c.view.el.querySelectorAll('.ds-kpi-vs')];
        for (const el of els) if (el) el.textContent = c.view.filled[key];
      }
    }
  }

  // --- queries -----------------------------------------------------------

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
      const raw = await this.data.fetchSql(q.path);
      if (gen !== c.gen) return;
      placeholderDeps(raw, deps);
      for (const t of Object.values(c.format || {})) for (const e of Object.values(t || {})) placeholderDeps(e, deps);
      c.deps = deps;
      sql = wrapFormat(raw, c.format, c.kind);
      sql = substitute(sql, env.inputs, env.params);
      const key = this.data.storedKeyOf(sql);
      c.storedKey = key;
      // What the engine runs: file lists put back (pruned by the query's
      // partition predicates), small files read whole, data paths as URLs.
      // A stored result needs none of it, so a lake's lists are fetched
      // only when the query must run.
      const text = sql;
      const prune = this.data.pruneOf(q.path);
      const prepare = async () => {
        const full = await this.data.expandLists(text, prune, env, true);
        const whole = this.data.wholeFilesOf(full);
        const wholeSet = new Set(whole);
        return {
          sql: rewriteDataPaths(full, location.origin, (p) => wholeSet.has(p), (p) => this.data.fileVersion(p)),
          whole, paths: dataPaths(full),
        };
      };
      // Lists wait until the engine must run (no stored result, no server answer).
      let live = hasFileLists(text) ? null : await prepare();
      if (gen !== c.gen) return;
      sql = live ? live.sql : text;
      c.paths = live ? live.paths : dataPaths(text);
      if (sql === c.sql && c.state !== 'pending') return; // same text, same result: nothing to redraw
      c.view.setLoading(true);
      c.view.el.dataset.dsState = 'loading';
      const mark = lastSeq();
      let result = key ? await this.data.storedResult(key) : null;
      if (gen !== c.gen) return;
      let source = result ? 'stored' : 'live';
      let refusal = null;
      if (!result) {
        // Under `ducksite serve` the server may compute it (queries.js).
        result = await this.data.serverResult({
          page: this.config.page, component: c.key, query: q.path, inputs: this.inputs.get(), today: localToday(),
        });
        if (gen !== c.gen) return;
        if (result?.refusal) [refusal, result] = [result.refusal, null];
        if (result) source = 'server';
      }
      if (!result) {
        try {
          if (!live) live = await prepare();
          if (gen !== c.gen) return;
          c.paths = live.paths;
          result = await this.data.run(live.sql, live.whole, live.paths);
        } catch (e) {
          // The engine cannot run it either: the server's reason comes first.
          throw refusal ? withServerReason(e, refusal) : e;
        }
      }
      if (gen !== c.gen) return;
      c.sql = sql;
      c.source = source;
      c.net = result.net ?? null;
      c.origin = result.origin ?? null;
      c.reused = !c.net || c.net.seq <= mark; // obtained before this evaluation: cached or shared
      this.stats[source]++;
      this.stats.sources[c.key] = source;
      // A map's first draw waits for its geometry (charts/geo.js).
      await c.view.render(result);
      if (gen !== c.gen) return;
      c.state = 'ok';
      c.view.el.dataset.dsState = 'ok';
      this.stats.renders[c.key] = (this.stats.renders[c.key] || 0) + 1;
    } catch (e) {
      if (gen !== c.gen) return;
      if (c.deps === null) c.deps = placeholderDeps(c.queryId);
      c.sql = sql;
      c.state = 'error';
      c.net = e?.net ?? null;
      c.origin = c.net ? c.net.origin : null;
      c.reused = false;
      c.view.el.dataset.dsState = 'error';
      this.stats.errors[c.key] = errorText(e);
      c.view.showError(name, errorText(e));
    } finally {
      if (gen === c.gen) {
        c.view.setLoading(false);
        this.netView.changed();
      }
      this.busy(-1);
    }
  }

  /**
   * Re-runs every component whose query reads the data path PATH (a form
   * just appended to it): its cached and stored results are forgotten, so
   * the engine reads the file as it is now.
   */
  refreshReading(path) {
    const norm = (p) => String(p).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    const target = norm(path);
    this.data.forgetPath(target);
    this.busy(+1);
    for (const c of this.components) {
      if (!c.paths.some((p) => norm(p) === target)) continue;
      if (c.storedKey) this.data.forgetStored(c.storedKey);
      c.sql = null;
      c.state = 'pending';
      this.evaluate(c);
    }
    this.busy(-1);
  }

  // --- what tests, the console and the network view can see ---------------

  /** What the network view (netview/) draws from. */
  netContext() {
    return {
      origin: location.origin,
      components: () => this.components.map((c) => ({
        key: c.key, kind: c.kind, el: c.view.el, state: c.state, paths: c.paths,
        origin: c.origin ?? null, net: c.net ?? null, reused: !!c.reused,
      })),
      data: this.data,
      engine: () => (this.data.engineStarted ? duckdb().then((m) => m.netInfo()) : Promise.resolve(null)),
    };
  }

  /** What the SQL console (console/console.js) runs with. */
  consoleContext() {
    return {
      config: this.config,
      env: () => this.env,
      data: this.data,
      component: (key) => {
        const c = this.components.find((x) => x.key === key);
        return c ? { kind: c.kind, id: c.id, title: c.view.spec?.title || '', queryId: c.queryId, query: c.query } : null;
      },
    };
  }

  api() {
    return {
      version: '1',
      config: this.config,
      getInputs: () => this.inputs.get(),
      setInput: (name, value) => this.setInput(name, value),
      whenIdle: () => this.whenIdle(),
      stats: this.stats,
      engine: async () => (await (await duckdb()).engine()).bundle,
      engineStarted: () => this.data.engineStarted,
      components: () => this.components.map((c) => ({
        key: c.key, state: c.state, query: c.query?.name ?? c.queryId,
        deps: c.deps ? [...c.deps] : null, sql: c.sql, source: c.source ?? null,
      })),
      net: () => this.netView.report(),
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
