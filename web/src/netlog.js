// netlog.js - what each result cost on the network, for the network view
// (web/src/netview/): a ledger per result with the requests made to obtain
// it, and what those requests say about each data file (read whole by the
// runtime, by HTTP ranges, or whole because the server ignored ranges).
// No DOM and no imports: node tests it (tests/e2e/netview.test.mjs).
//
// A request is {what, method, url, range, status, bytes, ms}: WHAT is
// 'result' (a stored result), 'whole' (a data file the runtime read with one
// GET), 'engine' (a request DuckDB-Wasm made from its worker) or 'sql' (a
// compiled SQL text); BYTES the body bytes received (0 for HEAD); MS from
// sending the request to having its body.

let serial = 0;

/**
 * A new ledger for a result obtained from ORIGIN: 'build' (a stored result),
 * 'server' (answered by `ducksite serve`) or 'engine' (DuckDB-Wasm in the
 * page).  SEQ orders ledgers: one made before a component's evaluation
 * began holds a result that evaluation reused.
 */
export function newLedger(origin) {
  return { origin, requests: [], ms: null, wait: 0, seq: ++serial };
}

/** The ledger sequence number last given out (see newLedger). */
export function lastSeq() {
  return serial;
}

/** Body bytes of a fetch() response as received (Content-Length when sent, else the body's). */
function wireBytes(res, body) {
  const n = Number(res.headers.get('Content-Length'));
  return Number.isFinite(n) && n > 0 ? n : body.byteLength;
}

/**
 * fetch(URL) recorded as WHAT in each of LEDGERS (null entries skipped):
 * resolves to {res, body: ArrayBuffer}.  A failed request is recorded with
 * status 0 and rethrown.
 */
export async function tracedFetch(url, what, ledgers, init = {}) {
  const t0 = performance.now();
  const abs = new URL(url, globalThis.location?.href).href;
  const rec = { what, method: (init.method || 'GET').toUpperCase(), url: abs, range: null, status: 0, bytes: 0, ms: 0 };
  const add = () => {
    rec.ms = performance.now() - t0;
    for (const l of ledgers) if (l) l.requests.push(rec);
  };
  let res;
  try {
    res = await fetch(url, { credentials: 'same-origin', ...init });
    const body = rec.method === 'HEAD' ? new ArrayBuffer(0) : await res.arrayBuffer();
    rec.status = res.status;
    rec.bytes = rec.method === 'HEAD' ? 0 : wireBytes(res, body);
    add();
    return { res, body };
  } catch (e) {
    rec.status = res?.status ?? 0;
    add();
    throw e;
  }
}

/** A data path as the runtime keys it: no ./ or leading /. */
export function normPath(p) {
  return String(p).replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** The data path a request URL of ORIGIN reads (query string dropped), or null for another origin. */
export function pathOfUrl(url, origin) {
  let u;
  try {
    u = new URL(url, origin);
  } catch {
    return null;
  }
  if (u.origin !== new URL(origin).origin) return null;
  try {
    return normPath(decodeURIComponent(u.pathname));
  } catch {
    return normPath(u.pathname);
  }
}

/**
 * How each of PATHS (a result's data paths) was read, from the ledger's
 * REQUESTS; WHOLE is the set of paths the page holds in memory (read whole).
 * Returns [{path, mode, requests, bytes}], MODE one of:
 *   'whole'    read with one GET by the runtime (a small file), for this result
 *   'memory'   read whole earlier for another result: no request now
 *   'ranges'   DuckDB-Wasm read it by HTTP ranges (HEAD answered 206)
 *   'fallback' DuckDB-Wasm read the whole file: the server ignored ranges
 *              (HEAD not 206, or a ranged GET answered 200)
 *   'failed'   a request for it failed (HTTP error or no answer)
 *   'cached'   DuckDB-Wasm only checked that it exists (HEAD) and read its
 *              bytes from its own cache of the file
 *   'none'     no request for it in this result
 */
export function fileModes(requests, paths, origin, whole = new Set()) {
  return paths.map((raw) => {
    const path = normPath(raw);
    const mine = requests.filter((r) => (r.what === 'whole' || r.what === 'engine') && pathOfUrl(r.url, origin) === path);
    const bytes = mine.reduce((n, r) => n + r.bytes, 0);
    let mode = 'none';
    if (mine.some((r) => r.what === 'whole')) mode = 'whole';
    else if (mine.some((r) => !r.status || r.status >= 400)) mode = 'failed';
    else if (mine.some((r) => r.method === 'GET' && r.status === 200)) mode = 'fallback';
    else if (mine.some((r) => r.status === 206)) mode = 'ranges';
    else if (mine.length) mode = 'cached';
    else if (whole.has(path)) mode = 'memory';
    return { path, mode, requests: mine.length, bytes };
  });
}

/** Sum of requests and bytes over REQUESTS: {requests, bytes}. */
export function totals(requests) {
  return { requests: requests.length, bytes: requests.reduce((n, r) => n + (r.bytes || 0), 0) };
}

// Between a number and its unit: a no-break space, so a line never ends between them.
const NBSP = '\u00a0';

/** BYTES as text: 812 B, 12.4 kB, 3.1 MB (decimal units, as browsers' network panels show). */
export function bytesText(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1000) return `${n}${NBSP}B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n;
  let i = -1;
  do {
    v /= 1000;
    i++;
  } while (v >= 1000 && i < units.length - 1);
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)}${NBSP}${units[i]}`;
}

/** MS as text: 85 ms, 1.24 s. */
export function msText(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${Math.round(ms)}${NBSP}ms` : `${(ms / 1000).toFixed(2)}${NBSP}s`;
}

/** What the overlay calls an origin. */
export const ORIGIN_TEXT = {
  build: 'build time',
  server: 'server',
  engine: 'browser engine',
};

/** What the overlay calls a file's read mode. */
export const MODE_TEXT = {
  whole: 'read whole',
  memory: 'in memory (read whole earlier)',
  ranges: 'by ranges',
  fallback: 'whole file: ranges not honoured',
  failed: 'failed',
  cached: 'from the engine\'s cache',
  none: 'no request',
};
