// duckdb-worker.js - the DuckDB-Wasm worker as the page starts it: a classic
// worker script (published as assets/duckdb/ducksite-worker.js) that records
// the engine's HTTP requests and then loads the real worker beside it, named
// in its URL's fragment (#duckdb-browser-eh.worker.js).
//
// DuckDB-Wasm reads data with synchronous XMLHttpRequests made inside its
// worker, which the page's Resource Timing does not see.  Each request is
// recorded here ({method, url, range, status, bytes, ms, conn}) and the
// records made since the last message ride along on the worker's next
// message to the page (as its `dsNet` field, which DuckDB-Wasm ignores), so
// the page has them before the answer that ends the query.  CONN is the
// connection of the request the worker was handling, so the page can tell
// its components' queries from the SQL console's (web/src/duckdb.js).
'use strict';

(() => {
  const WORKERS = ['duckdb-browser-eh.worker.js', 'duckdb-browser-mvp.worker.js'];
  const target = decodeURIComponent(self.location.hash.slice(1));
  if (!WORKERS.includes(target)) throw new Error(`ducksite-worker.js: unknown engine worker "${target}"`);

  const pending = [];
  let conn = null; // connection of the message being handled, or null

  // The connection a DuckDB-Wasm request names: RUN_QUERY [conn, sql],
  // POLL_PENDING_QUERY conn, ...; null for requests that have none.
  self.addEventListener('message', (ev) => {
    const d = ev.data?.data;
    conn = typeof d === 'number' ? d : Array.isArray(d) && typeof d[0] === 'number' ? d[0] : null;
  });

  const post = self.postMessage.bind(self);
  self.postMessage = (msg, transfer) => {
    if (pending.length && msg && typeof msg === 'object') msg.dsNet = pending.splice(0);
    post(msg, transfer);
  };

  const length = (xhr) => (xhr.response instanceof ArrayBuffer
    ? xhr.response.byteLength : Number(xhr.getResponseHeader('Content-Length')) || 0);

  class RecordedXHR extends XMLHttpRequest {
    open(method, url, async = true, ...rest) {
      this.dsRec = { method: String(method).toUpperCase(), url: String(url), range: null, sync: async === false };
      return super.open(method, url, async, ...rest);
    }

    setRequestHeader(name, value) {
      if (this.dsRec && /^range$/i.test(name)) this.dsRec.range = String(value);
      return super.setRequestHeader(name, value);
    }

    send(body) {
      const rec = this.dsRec;
      if (!rec) return super.send(body);
      const t0 = performance.now();
      const done = () => {
        let bytes = 0;
        try { bytes = rec.method === 'HEAD' ? 0 : length(this); } catch { /* no body */ }
        pending.push({
          method: rec.method, url: rec.url, range: rec.range, status: this.status, bytes,
          ms: performance.now() - t0, conn,
        });
      };
      if (!rec.sync) {
        this.addEventListener('loadend', done, { once: true });
        return super.send(body);
      }
      try {
        return super.send(body);
      } finally {
        done();
      }
    }
  }
  self.XMLHttpRequest = RecordedXHR;

  // The engine's WebAssembly module is fetched with fetch(): recorded when
  // its headers arrive, with the size the server announced.
  const fetchFn = self.fetch.bind(self);
  self.fetch = (input, init) => {
    const t0 = performance.now();
    const url = typeof input === 'string' ? input : input.url;
    return fetchFn(input, init).then((res) => {
      pending.push({ method: 'GET', url, range: null, status: res.status,
        bytes: Number(res.headers.get('Content-Length')) || 0, ms: performance.now() - t0, conn: null });
      return res;
    });
  };

  self.importScripts(target);
})();
