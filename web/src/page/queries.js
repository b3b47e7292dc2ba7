// page/queries.js - where a page's results come from: the compiled SQL text
// (fetched once per path), the results the build stored (results.js), the
// server's live queries under `ducksite serve` (POST /api/live/query,
// docs/server.md), and DuckDB-Wasm for everything else, whose module is
// fetched on first use.  Live results are cached by their SQL text; data
// files small enough are read whole instead of by ranges.  Each result
// carries where it was obtained (result.origin: 'build' | 'server' |
// 'engine') and the ledger of the requests that obtained it (result.net,
// netlog.js), which the network view shows.
import { errorText } from '../dom.js';
import { servedQueries } from '../live.js';
import { newLedger, tracedFetch } from '../netlog.js';
import { fromStored, resultKey, storedUrl } from '../results.js';
import {
  dataPaths, dataUrl, expandFileLists, FILE_LIST_BROWSER_MAX, fileErrorText, fileListUrl, fileListViews, hasFileLists, localPaths,
  pruneSpec, stripMetrics, substitute,
} from '../sql.js';

const RESULT_CACHE_SIZE = 64;
const LIVE_ENDPOINT = '/api/live/query';

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
export function duckdb() {
  if (!engineModule) engineModule = import('../duckdb.js');
  return engineModule;
}

/**
 * The message of a query the server refused (REFUSAL: {status, error}) and
 * the engine could not run either (ENGINE_TEXT): the server's reason first,
 * as it is usually the one to act on (a limit to raise, a file gone).
 */
export function serverReasonText(refusal, engineText) {
  const why = String(refusal.error || `HTTP ${refusal.status}`);
  if (String(engineText).includes(why)) return String(engineText);
  const what = refusal.status === 422 ? 'the server could not run it' : 'the server refused it';
  return `${what}: ${why}; the browser cannot run it either: ${engineText}`;
}

export class PageQueries {
  /** CONFIG is the page config; STATS the page's counters (queries, cacheHits). */
  constructor(config, stats) {
    this.stats = stats;
    this.sqlTexts = new Map(); // path -> Promise<text>
    this.prunes = new Map(); // path -> its partition predicates ({view: conds}) or null
    this.fileLists = new Map(); // view -> Promise<its published file lists>
    this.results = new Map(); // final SQL -> Promise<result>
    // ?ds_live=1 ignores stored results: every query runs in the engine.
    const live = new URLSearchParams(location.search).get('ds_live') === '1';
    this.stored = new Set(live ? [] : Object.keys(config.stored || {})); // hashes the build stored
    this.storedResults = new Map(); // hash -> Promise<result | null>
    // The server is asked only when it marked the page as one it computes
    // queries for (`ducksite serve` with live_queries on); any other host
    // (nginx, a CDN) is never asked.  ?ds_live=1 asks it nothing either.
    this.serverOn = !live && servedQueries();
    this.serverResults = new Map(); // request body -> Promise<result | null>
    this.engineStarted = false;
    this.fileSizes = config.files || {}; // data path -> bytes, from the build
    this.whole = new Set(); // data paths read whole
    this.versions = new Map(); // data path -> times it changed under the page
    this.wholeBytes = 0;
    this.ledgers = []; // every result's ledger, for the page's totals
    this.sqlLedger = newLedger(null); // the compiled SQL texts' requests
  }

  /** A new ledger for a result from ORIGIN, kept for the page's totals. */
  ledger(origin) {
    const l = newLedger(origin);
    this.ledgers.push(l);
    return l;
  }

  fetchSql(path) {
    let p = this.sqlTexts.get(path);
    if (!p) {
      p = tracedFetch(path, 'sql', [this.sqlLedger]).then(({ res, body }) => {
        if (!res.ok) throw new Error(`cannot load ${path}: HTTP ${res.status} ${res.statusText}`.trim());
        const text = new TextDecoder().decode(body);
        this.prunes.set(path, pruneSpec(text));
        return stripMetrics(text);
      });
      p.catch(() => this.sqlTexts.delete(path));
      this.sqlTexts.set(path, p);
    }
    return p;
  }

  /** The partition predicates of the SQL file at PATH (fetched by fetchSql), or null. */
  pruneOf(path) {
    return this.prunes.get(path) ?? null;
  }

  /** The published file lists of VIEW (/sql/_files/VIEW.json), fetched once per page. */
  fileList(view) {
    let p = this.fileLists.get(view);
    if (!p) {
      const url = fileListUrl(view);
      p = tracedFetch(url, 'list', [this.sqlLedger]).then(({ res, body }) => {
        if (!res.ok) throw new Error(`cannot load ${url}: HTTP ${res.status} ${res.statusText}`.trim());
        return JSON.parse(new TextDecoder().decode(body));
      });
      p.catch(() => this.fileLists.delete(view));
      this.fileLists.set(view, p);
    }
    return p;
  }

  /**
   * SQL with its file-list placeholders replaced by the lists, left without
   * the files whose partitions fail PRUNE ({view: conds}, whose values take
   * ENV's inputs and params); the files' sizes join the page's, so small
   * ones are read whole.  LIMITED: more files than a page can fetch
   * (FILE_LIST_BROWSER_MAX, window.ducksiteListMax overrides it) is an
   * error that says what to do, not a tab that never finishes.
   */
  async expandLists(sql, prune, env, limited = false) {
    if (!hasFileLists(sql)) return sql;
    // The query runs next: the engine starts while the lists download.
    this.engineStarted = true;
    duckdb().then((m) => m.engine()).catch(() => {});
    const views = fileListViews(sql);
    const docs = new Map(await Promise.all(views.map(async (v) => [v, await this.fileList(v)])));
    let filled = null;
    if (prune) {
      filled = {};
      for (const [view, conds] of Object.entries(prune)) {
        filled[view] = (Array.isArray(conds) ? conds : []).map((c) => ({
          ...c, values: (c.values || []).map((v) => substitute(String(v), env?.inputs, env?.params)),
        }));
      }
    }
    const max = limited ? Number(globalThis.ducksiteListMax ?? FILE_LIST_BROWSER_MAX) : Infinity;
    const out = expandFileLists(sql, docs, filled, max);
    for (const [p, size] of Object.entries(out.sizes)) if (!(p in this.fileSizes)) this.fileSizes[p] = size;
    return out.sql;
  }

  /** The hash of SQL (its text before data paths become URLs) when the build stored its result, else null. */
  storedKeyOf(sql) {
    if (!this.stored.size) return null;
    const key = resultKey(sql);
    return this.stored.has(key) ? key : null;
  }

  /**
   * The stored result for hash KEY, or null when it cannot be had (the
   * server withholds a result whose data changed since the build: 404).
   */
  storedResult(key) {
    let p = this.storedResults.get(key);
    if (!p) {
      const ledger = this.ledger('build');
      const t0 = performance.now();
      p = tracedFetch(storedUrl(key), 'result', [ledger])
        .then(({ res, body }) => {
          if (!res.ok) return null;
          const result = fromStored(JSON.parse(new TextDecoder().decode(body)));
          ledger.ms = performance.now() - t0;
          return Object.assign(result, { origin: 'build', net: ledger });
        })
        .catch(() => null);
      this.storedResults.set(key, p);
    }
    return p;
  }

  /**
   * The result of a component computed by the server (REQUEST: {page,
   * component, query, inputs, today}), or null: not under `ducksite serve`
   * (or no answer), and the caller runs the query in the engine.  When the
   * server refused (busy, over a limit, the query failed) it is
   * {refusal: {status, error, limit}}: the caller runs the query in the
   * engine too, and tells the server's reason if the engine cannot run it
   * either.  A server that has the endpoint off, or refuses this reader, is
   * not asked again by this page.
   */
  serverResult(request) {
    if (!this.serverOn) return Promise.resolve(null);
    const body = JSON.stringify(request);
    let p = this.serverResults.get(body);
    if (p) return p;
    const ledger = this.ledger('server');
    const t0 = performance.now();
    p = tracedFetch(LIVE_ENDPOINT, 'result', [ledger], {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    }).then(({ res, body: answer }) => {
      const json = () => { try { return JSON.parse(new TextDecoder().decode(answer)); } catch { return {}; } };
      if (res.ok) {
        ledger.ms = performance.now() - t0;
        return Object.assign(fromStored(json()), { origin: 'server', net: ledger });
      }
      const why = json();
      if ([401, 403, 405, 415].includes(res.status) || (res.status === 404 && /^(live queries are off|no live queries)/.test(why.error || ''))) {
        this.serverOn = false;
        return null;
      }
      return { refusal: { status: res.status, error: String(why.error || res.statusText || ''), limit: why.limit ?? null } };
    }).catch(() => null);
    // A refusal is not kept: the next change of inputs asks again.
    p.then((r) => { if (!r || r.refusal) this.serverResults.delete(body); });
    this.serverResults.set(body, p);
    while (this.serverResults.size > RESULT_CACHE_SIZE) this.serverResults.delete(this.serverResults.keys().next().value);
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

  /** Forgets the stored result KEY: its data changed, it is run live from now on. */
  forgetStored(key) {
    this.stored.delete(key);
    this.storedResults.delete(key);
  }

  /** How often PATH changed under the page (0: never); its URL carries it. */
  fileVersion(path) {
    return this.versions.get(String(path).replace(/^(\.\/)+/, '').replace(/^\/+/, '')) || 0;
  }

  /** Forgets every live result whose SQL reads PATH, and the file's bytes if it was read whole. */
  forgetPath(path) {
    this.versions.set(path, (this.versions.get(path) || 0) + 1);
    this.serverResults.clear();
    for (const sql of [...this.results.keys()]) if (sql.includes(path)) this.results.delete(sql);
    if (this.whole.has(path) && engineModule) engineModule.then((m) => m.forgetWhole(path));
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
    const ledger = this.ledger('engine');
    p = duckdb().then((m) => m.runQuery(sql, whole.map((name) => ({ name, url: dataUrl(name, location.origin) })), ledger))
      .then((result) => Object.assign(result, { origin: 'engine', net: ledger }))
      .catch(async (e) => {
        const err = await this.explainFailure(e, paths);
        err.net = ledger;
        throw err;
      });
    p.catch(() => this.results.delete(sql));
    this.results.set(sql, p);
    while (this.results.size > RESULT_CACHE_SIZE) this.results.delete(this.results.keys().next().value);
    return p;
  }
}
