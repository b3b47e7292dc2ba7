// page/queries.js - where a page's results come from: the compiled SQL text
// (fetched once per path), the results the build stored (results.js), and
// DuckDB-Wasm for everything else, whose module is fetched on first use.
// Live results are cached by their SQL text; data files small enough are
// read whole instead of by ranges.  Each result carries where it was
// obtained (result.origin: 'build' | 'server' | 'engine') and the ledger of
// the requests that obtained it (result.net, netlog.js), which the network
// view shows.
import { errorText } from '../dom.js';
import { newLedger, tracedFetch } from '../netlog.js';
import { fromStored, resultKey, storedUrl } from '../results.js';
import { dataPaths, dataUrl, fileErrorText, localPaths, stripMetrics } from '../sql.js';

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
export function duckdb() {
  if (!engineModule) engineModule = import('../duckdb.js');
  return engineModule;
}

export class PageQueries {
  /** CONFIG is the page config; STATS the page's counters (queries, cacheHits). */
  constructor(config, stats) {
    this.stats = stats;
    this.sqlTexts = new Map(); // path -> Promise<text>
    this.results = new Map(); // final SQL -> Promise<result>
    // ?ds_live=1 ignores stored results: every query runs in the engine.
    const live = new URLSearchParams(location.search).get('ds_live') === '1';
    this.stored = new Set(live ? [] : Object.keys(config.stored || {})); // hashes the build stored
    this.storedResults = new Map(); // hash -> Promise<result | null>
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
        return stripMetrics(new TextDecoder().decode(body));
      });
      p.catch(() => this.sqlTexts.delete(path));
      this.sqlTexts.set(path, p);
    }
    return p;
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
