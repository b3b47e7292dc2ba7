// results.js - stored results: what the build ran ahead of time, so a page
// paints without the DuckDB-Wasm engine.  No DOM, no engine: node tests it
// directly (tests/e2e/results.test.mjs).
//
// A stored result is found by the hash of the exact SQL text a component
// would run (after its inputs are substituted, before data paths become
// URLs); the build computes the same text and hash (src/site/pagesql.c).
// The page config lists the hashes it has: {"stored": {"<hash>": bytes}}.

const TWO32 = 4294967296;

/** FNV-1a 64 of the UTF-8 bytes of TEXT, as 16 lowercase hex digits. */
export function resultKey(text) {
  const bytes = new TextEncoder().encode(String(text));
  // 64-bit arithmetic in two 32-bit halves: the prime is 2^40 + 0x1b3.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / TWO32);
    const newHi = (hi * 0x1b3 + carry + ((lo * 256) % TWO32)) % TWO32;
    lo = low % TWO32;
    hi = newHi;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const SPECIAL = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };

/**
 * A stored result document -> {columns, rows}, the shape live results have:
 * integers beyond 2^53 (stored as strings) become BigInt, NaN and the
 * infinities (stored as strings) become numbers again.
 */
export function fromStored(doc) {
  const columns = (doc.columns || []).map((c) => ({ name: String(c.name), kind: String(c.kind) }));
  const rows = doc.rows || [];
  columns.forEach((col, c) => {
    if (col.kind === 'int') {
      for (const r of rows) if (typeof r[c] === 'string') r[c] = BigInt(r[c]);
    } else if (col.kind === 'float') {
      for (const r of rows) if (typeof r[c] === 'string' && r[c] in SPECIAL) r[c] = SPECIAL[r[c]];
    }
  });
  return { columns, rows };
}

/** Where the stored result KEY is served. */
export function storedUrl(key) {
  return `/_results/${key}.json`;
}
