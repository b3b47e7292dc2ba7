// duckdb.js - the self-hosted DuckDB-Wasm 1.28.0 engine (DuckDB 0.9.1) and
// the conversion of its Arrow results into plain rows.
//
// The engine files sit next to this module: <module dir>/duckdb/*.  Nothing is
// ever fetched from another origin.
//
// The worker is started through duckdb/ducksite-worker.js
// (web/src/duckdb-worker.js), which reports each HTTP request the engine
// makes; they are credited to the page query running at the time (page
// queries run one at a time), to the SQL console's connection, or to the
// engine's start-up (netInfo(), the network view).
import * as duckdb from '@duckdb/duckdb-wasm';
import { DataType, Table } from 'apache-arrow';

import { tracedFetch } from './netlog.js';
import { fileErrorText } from './sql.js';

let enginePromise = null;
let queue = Promise.resolve();

// Where the engine's requests go: the start-up's, the console's, and the
// ledger of the page query running now (see runQuery).
const net = {
  engine: { bundle: null, ms: null, requests: [] },
  console: [],
  pageConn: null,
  consoleConn: null,
  current: null,
};

function engineFiles() {
  const base = new URL('./duckdb/', import.meta.url);
  const file = (name) => new URL(name, base).href;
  const worker = (name) => `${file('ducksite-worker.js')}#${name}`;
  return {
    mvp: { mainModule: file('duckdb-mvp.wasm'), mainWorker: worker('duckdb-browser-mvp.worker.js') },
    eh: { mainModule: file('duckdb-eh.wasm'), mainWorker: worker('duckdb-browser-eh.worker.js') },
  };
}

/** Files the engine's requests to the ledger they belong to (see ducksite-worker.js). */
function onWorkerMessage(ev) {
  const list = ev.data?.dsNet;
  if (!Array.isArray(list)) return;
  for (const r of list) {
    const rec = { what: 'engine', method: r.method, url: r.url, range: r.range, status: r.status, bytes: r.bytes, ms: r.ms };
    if (r.conn !== null && r.conn === net.consoleConn) net.console.push(rec);
    else if (net.current && (r.conn === null || net.pageConn === null || r.conn === net.pageConn)) net.current.requests.push(rec);
    else net.engine.requests.push(rec);
  }
}

/** The connection id DuckDB-Wasm 1.28 gives CONN (AsyncDuckDBConnection._conn), or null. */
function connId(conn) {
  return typeof conn?._conn === 'number' ? conn._conn : null;
}

async function start() {
  // window.ducksiteEngine = 'eh' | 'mvp' (set before this module runs) forces
  // an engine; otherwise selectBundle picks eh where WebAssembly exceptions work.
  const t0 = performance.now();
  const files = engineFiles();
  const forced = globalThis.ducksiteEngine;
  const bundle = forced === 'eh' || forced === 'mvp'
    ? { ...files[forced], pthreadWorker: null }
    : await duckdb.selectBundle(files);
  const worker = new Worker(bundle.mainWorker);
  // Before DuckDB-Wasm's own listener: a query's requests are filed before
  // the answer that ends it is handed on.
  worker.addEventListener('message', onWorkerMessage);
  const logger = new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING);
  const db = new duckdb.AsyncDuckDB(logger, worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  await db.open({
    // DECIMAL (and HUGEINT) arrive as Arrow decimals and are converted here:
    // the engine's own cast to DOUBLE garbles decimals inside lists.
    query: { castBigIntToDouble: false, castDecimalToDouble: false },
    // A server (or proxy) that ignores Range still works, by whole-file reads.
    filesystem: { allowFullHTTPReads: true },
  });
  // enable_object_cache stays off: with it, DuckDB 0.9.1 fails on files whose
  // column types differ ("SetMin or SetMax called with Value that does not
  // match statistics") and the database is unusable afterwards.
  const conn = await db.connect();
  net.pageConn = connId(conn);
  net.engine.bundle = bundle.mainModule.endsWith('duckdb-eh.wasm') ? 'eh' : 'mvp';
  net.engine.ms = performance.now() - t0;
  return { db, conn, bundle: net.engine.bundle };
}

/**
 * What the network view shows of the engine: {engine: {bundle, ms,
 * requests}, console: requests}: its start (time from the first need to a
 * connection, and the requests made meanwhile: the WebAssembly module) and
 * the SQL console's requests.
 */
export function netInfo() {
  return { engine: net.engine, console: net.console };
}

/** Starts the engine once; later calls share it. */
export function engine() {
  if (!enginePromise) enginePromise = start();
  return enginePromise;
}

// Files read whole: name -> Promise (settled once registered, or failed).
const wholeFiles = new Map();

/**
 * Registers each {name, url} as an in-memory file NAME, fetched with one
 * whole GET (recorded in LEDGER): the engine then reads its footer and
 * columns from memory instead of making one ranged request after another.
 */
function registerWhole(db, files, ledger = null) {
  return Promise.all(files.map(({ name, url }) => {
    let p = wholeFiles.get(name);
    if (!p) {
      p = tracedFetch(url, 'whole', [ledger]).then(async ({ res, body }) => {
        if (!res.ok) throw new Error(fileErrorText(name, res.status, res.statusText));
        await db.registerFileBuffer(name, new Uint8Array(body));
      });
      p.catch(() => wholeFiles.delete(name));
      wholeFiles.set(name, p);
    }
    return p;
  }));
}

/** Forgets file NAME read whole: the next query fetches it again. */
export function forgetWhole(name) {
  wholeFiles.delete(name);
}

/**
 * Runs SQL and returns {columns: [{name, kind}], rows: [[...]]}.  WHOLE
 * lists the files ({name, url}) the SQL names by NAME, to be registered
 * first.  Queries go one at a time (the worker is serial anyway), so results
 * arrive in order, and every request the engine makes while one runs is
 * that query's: LEDGER (netlog.js) gets them, its time (from the query's
 * start) and how long it waited before (for the engine to start, for the
 * queries before it).
 */
export function runQuery(sql, whole = [], ledger = null) {
  const asked = performance.now();
  const job = queue.then(async () => {
    const { db, conn } = await engine();
    const t0 = performance.now();
    if (ledger) ledger.wait = t0 - asked;
    net.current = ledger;
    try {
      if (whole.length) await registerWhole(db, whole, ledger);
      const table = await conn.query(sql);
      return toRows(table);
    } finally {
      net.current = null;
      if (ledger) ledger.ms = performance.now() - t0;
    }
  });
  queue = job.catch(() => {});
  return job;
}

// ---------------------------------------------------------------------------
// The SQL console (web/src/console/): its own connection, so its temporary
// views never reach the page's queries, and send() instead of query(), so a
// long query is worked on in slices between which the worker still answers
// the page, and can be cancelled.

let consoleConn = null;

/** Thrown (as the result) when a console query was cancelled. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/**
 * Runs STATEMENTS (SQL texts, or {sql, label} whose failure is told as
 * "LABEL: message"; one statement each) one after the other on
 * the console's connection and returns {result, cancel}: RESULT resolves to
 * the last statement's {columns, rows, truncated} (at most MAXROWS rows;
 * truncated when there were more), CANCEL() asks the engine to stop
 * (AsyncDuckDBConnection.cancelSent) and makes RESULT reject with Cancelled
 * at once, whatever the engine does.  WHOLE is as for runQuery.
 */
export function consoleQuery(statements, whole = [], maxRows = 10000) {
  let cancelled = false;
  let conn = null;
  let stop;
  const stopped = new Promise((_, reject) => { stop = reject; });
  const work = (async () => {
    const { db } = await engine();
    if (!consoleConn) consoleConn = db.connect();
    conn = await consoleConn;
    net.consoleConn = connId(conn);
    if (whole.length) await registerWhole(db, whole, { requests: net.console });
    let out = null;
    for (const st of statements) {
      if (cancelled) throw new Cancelled();
      const { sql, label } = typeof st === 'string' ? { sql: st, label: null } : st;
      try {
        out = await readBatches(await conn.send(sql), maxRows, () => cancelled);
      } catch (e) {
        if (cancelled) throw new Cancelled();
        if (label && e instanceof Error) e.message = `${label}: ${e.message}`;
        throw e;
      }
    }
    return out;
  })();
  work.catch(() => {}); // after a cancel nobody waits for it
  return {
    result: Promise.race([work, stopped]),
    cancel() {
      if (cancelled) return;
      cancelled = true;
      stop(new Cancelled());
      conn?.cancelSent().catch(() => false);
    },
  };
}

/** Rows of a streamed result: batches until MAXROWS are had (then truncated). */
async function readBatches(reader, maxRows, isCancelled) {
  const batches = [];
  let n = 0;
  let truncated = false;
  for await (const batch of reader) {
    if (isCancelled()) throw new Cancelled();
    batches.push(batch);
    n += batch.numRows;
    if (n > maxRows) {
      truncated = true;
      break;
    }
  }
  let table = new Table(reader.schema, batches);
  if (truncated) table = table.slice(0, maxRows);
  return { ...toRows(table), truncated };
}

// ---------------------------------------------------------------------------
// Arrow -> rows

// Values are converted to what the build stores for the same query
// (src/site/prerender.c), so a chart looks the same from either source.

function kindOf(type) {
  if (DataType.isDictionary(type)) return kindOf(type.dictionary); // ENUM
  if (DataType.isInt(type)) return 'int';
  if (DataType.isFloat(type) || DataType.isDecimal(type)) return 'float';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isDate(type)) return 'date';
  if (DataType.isTimestamp(type)) return 'timestamp';
  if (DataType.isTime(type)) return 'time';
  if (DataType.isUtf8(type)) return 'string';
  if (DataType.isBinary(type)) return 'blob';
  return 'other';
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

function dateText(d) {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** HH:MM:SS[.ffffff] from microseconds since midnight (or since the epoch). */
function clockText(us) {
  const day = 86400000000;
  const t = ((us % day) + day) % day;
  const secs = Math.floor(t / 1e6);
  let s = `${pad(Math.floor(secs / 3600))}:${pad(Math.floor(secs / 60) % 60)}:${pad(secs % 60)}`;
  const frac = t - secs * 1e6;
  if (frac) s += `.${pad(frac, 6)}`.replace(/0+$/, '');
  return s;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC) from Arrow's milliseconds. */
function timestampText(ms) {
  const us = Math.round(ms * 1000);
  const d = new Date(Math.floor(us / 1000));
  if (Number.isNaN(d.getTime())) return String(ms);
  return `${dateText(new Date(Math.floor(us / 86400000000) * 86400000))} ${clockText(us)}`;
}

/** A BLOB as DuckDB writes it: printable ASCII kept, other bytes as \xHH. */
function blobText(bytes) {
  let s = '';
  for (const b of bytes) {
    const plain = b >= 32 && b <= 126 && b !== 0x5c && b !== 0x27 && b !== 0x22;
    s += plain ? String.fromCharCode(b) : `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

function bigintReplacer(_, v) {
  return typeof v === 'bigint' ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v;
}

/** One Arrow value as a plain JS value for column KIND. */
function convert(v, kind, type) {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'int':
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      return v;
    case 'float':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint') return Number(v);
      return decimalValue(v, type.scale || 0);
    case 'bool':
      return Boolean(v);
    case 'date':
      return dateText(v instanceof Date ? v : new Date(v));
    case 'timestamp':
      return timestampText(v instanceof Date ? v.getTime() : Number(v));
    case 'time': {
      // Time64<MICROSECOND> arrives as a BigInt count; other units are scaled.
      const unit = { 0: 1e6, 1: 1e3, 2: 1, 3: 1e-3 }[type.unit] ?? 1;
      return clockText(Math.round(Number(v) * unit));
    }
    case 'string':
      return String(v);
    case 'blob':
      return blobText(v);
    default:
      if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
      if (typeof v === 'object') {
        try {
          if (DataType.isList(type) || DataType.isFixedSizeList(type) || DataType.isStruct(type)) {
            return jsonText(v, type);
          }
          const plain = typeof v.toJSON === 'function' ? v.toJSON() : v;
          return JSON.stringify(plain, bigintReplacer);
        } catch {
          return String(v);
        }
      }
      return v;
  }
}

/** An Arrow DECIMAL value (little-endian 32-bit words) as a number. */
function decimalValue(v, scale) {
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) / 10 ** scale;
  const words = Array.from(v);
  let big = 0n;
  for (let i = words.length - 1; i >= 0; i--) big = (big << 32n) | BigInt(words[i] >>> 0);
  const bits = BigInt(words.length * 32);
  if (words.length && words[words.length - 1] & 0x80000000) big -= 1n << bits;
  const neg = big < 0n;
  let digits = (neg ? -big : big).toString().padStart(scale + 1, '0');
  if (scale) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return Number(`${neg ? '-' : ''}${digits}`);
}

/**
 * A list or struct as JSON text, written as DuckDB's to_json() writes it
 * (what a stored result holds): dates and timestamps as text, DECIMAL as a
 * number, integers exactly (digits, even beyond 2^53).
 */
function jsonText(v, type) {
  if (v === null || v === undefined) return 'null';
  if (DataType.isList(type) || DataType.isFixedSizeList(type)) {
    const child = type.children[0].type;
    return `[${Array.from(v, (x) => jsonText(x, child)).join(',')}]`;
  }
  if (DataType.isStruct(type)) {
    const obj = typeof v.toJSON === 'function' ? v.toJSON() : v;
    return `{${type.children.map((f) => `${JSON.stringify(f.name)}:${jsonText(obj[f.name], f.type)}`).join(',')}}`;
  }
  if (DataType.isDictionary(type)) return JSON.stringify(String(v));
  if (DataType.isInt(type)) return String(v);
  if (DataType.isDecimal(type)) return String(decimalValue(v, type.scale || 0));
  if (DataType.isFloat(type)) return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  if (DataType.isBool(type)) return v ? 'true' : 'false';
  if (DataType.isDate(type)) return JSON.stringify(dateText(v instanceof Date ? v : new Date(Number(v))));
  if (DataType.isTimestamp(type)) return JSON.stringify(timestampText(v instanceof Date ? v.getTime() : Number(v)));
  if (DataType.isUtf8(type)) return JSON.stringify(String(v));
  const plain = typeof v?.toJSON === 'function' ? v.toJSON() : v;
  return JSON.stringify(plain, bigintReplacer);
}

export function toRows(table) {
  const fields = table.schema.fields;
  const columns = fields.map((f) => ({ name: f.name, kind: kindOf(f.type) }));
  const vectors = fields.map((_, i) => table.getChildAt(i));
  const n = table.numRows;
  const rows = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = new Array(columns.length);
  columns.forEach((col, c) => {
    const vec = vectors[c];
    const type = fields[c].type;
    for (let r = 0; r < n; r++) rows[r][c] = convert(vec.get(r), col.kind, type);
  });
  return { columns, rows };
}
