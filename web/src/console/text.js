// console/text.js - the SQL console's text side: no DOM, no engine, so node
// tests it directly (tests/e2e/console_text.test.mjs).
//
//   consoleViews()     the views the console offers: sql/_manifest.json's
//                      global views plus the page's own queries
//   referencedViews()  which of them a query names
//   splitStatements()  one query box -> its statements
//   readableSql()      a compiled query without the views it inlined
//   QueryHistory       queries run, kept in localStorage
import { tokenize } from '../sql.js';

/** The kinds of sql/_manifest.json, as the console shows them, in list order. */
export const KINDS = {
  page_query: 'page query',
  model: 'model',
  file_source_template: 'templated view',
  file_source: 'file source',
};

/**
 * The views of MANIFEST ({views: {name: {kind, deps, sql_path}}}) a query in
 * the console can name, for the page whose config is CONFIG:
 * [{name, kind, deps, path}], page queries first, then models, templated
 * views and file sources, each by name.  The page's own queries are named
 * by their id (the manifest's "<page>/<id>" is not an identifier) and
 * shadow a global view of the same name, as they do for the page's
 * components; other pages' queries are left out (their inputs are not here).
 */
export function consoleViews(manifest, config = {}) {
  const views = (manifest && manifest.views) || {};
  const byPath = new Map();
  for (const [name, v] of Object.entries(views)) if (v && v.sql_path) byPath.set(v.sql_path, { name, ...v });
  const out = new Map();
  for (const [id, q] of Object.entries(config.queries || {})) {
    const path = q && (q.sql_path || q.path);
    if (!path || !/^[A-Za-z0-9_]+$/.test(id)) continue;
    const m = byPath.get(path);
    out.set(id.toLowerCase(), { name: id, kind: 'page_query', deps: m ? [...(m.deps || [])] : [], path });
  }
  for (const [name, v] of Object.entries(views)) {
    if (!v || v.kind === 'page_query' || !v.sql_path || !/^[A-Za-z0-9_]+$/.test(name)) continue;
    if (out.has(name.toLowerCase())) continue;
    out.set(name.toLowerCase(), { name, kind: v.kind || 'view', deps: [...(v.deps || [])], path: v.sql_path });
  }
  const order = Object.keys(KINDS);
  const rank = (k) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...out.values()].sort((a, b) => rank(a.kind) - rank(b.kind) || a.name.localeCompare(b.name));
}

/**
 * The VIEWS ([{name}]) that SQL names, as words or "quoted" identifiers
 * (case does not matter, as in DuckDB), in the order of VIEWS; names inside
 * string literals and comments do not count.
 */
export function referencedViews(sql, views) {
  const words = new Set();
  for (const t of tokenize(String(sql))) {
    if (t.type === 'word') words.add(t.text.toLowerCase());
    else if (t.type === 'qid') words.add(t.text.slice(1, -1).replace(/""/g, '"').toLowerCase());
  }
  return views.filter((v) => words.has(v.name.toLowerCase()));
}

/** SQL split at its top-level `;` into statements (blank and comment-only ones dropped). */
export function splitStatements(sql) {
  const out = [];
  let cur = [];
  const flush = () => {
    const text = cur.map((t) => t.text).join('').trim();
    if (cur.some((t) => t.type !== 'space' && t.type !== 'comment')) out.push(text);
    cur = [];
  };
  for (const t of tokenize(String(sql))) {
    if (t.type === 'punct' && t.text === ';') flush();
    else cur.push(t);
  }
  flush();
  return out;
}

function skipBlank(toks, i) {
  while (i < toks.length && (toks[i].type === 'space' || toks[i].type === 'comment')) i++;
  return i;
}

/**
 * A compiled query (docs/building.md: the views it reads are inlined as
 * `WITH name AS (...)` before its own text) without the leading CTEs named
 * in VIEWNAMES: the query as its author wrote it, reading those views by
 * name.  Its own CTEs, if any, are kept under their WITH.  SQL that does not
 * start that way is returned as it is.
 */
export function readableSql(sql, viewNames) {
  const text = String(sql);
  const names = new Set([...viewNames].map((n) => String(n).toLowerCase()));
  const toks = tokenize(text);
  let i = skipBlank(toks, 0);
  if (toks[i]?.type !== 'word' || toks[i].text.toLowerCase() !== 'with') return text.trim();
  let head = 'WITH ';
  i = skipBlank(toks, i + 1);
  if (toks[i]?.type === 'word' && toks[i].text.toLowerCase() === 'recursive') {
    head = 'WITH RECURSIVE ';
    i = skipBlank(toks, i + 1);
  }
  let stripped = 0;
  for (;;) {
    const name = toks[i];
    if (name?.type !== 'word' || !names.has(name.text.toLowerCase())) break;
    let j = skipBlank(toks, i + 1);
    if (toks[j]?.type !== 'word' || toks[j].text.toLowerCase() !== 'as') break;
    j = skipBlank(toks, j + 1);
    if (toks[j]?.text !== '(') break;
    let depth = 0;
    for (; j < toks.length; j++) {
      if (toks[j].type !== 'punct') continue;
      if (toks[j].text === '(') depth++;
      else if (toks[j].text === ')' && --depth === 0) break;
    }
    if (j >= toks.length) break;
    stripped++;
    i = skipBlank(toks, j + 1);
    if (toks[i]?.text === ',') {
      i = skipBlank(toks, i + 1);
      continue;
    }
    // The query's own text follows the last inlined view.
    return text.slice(toks[i]?.start ?? text.length).trim();
  }
  if (!stripped) return text.trim();
  // The query's own CTEs follow (its WITH was merged with the inlined views).
  return head + text.slice(toks[i]?.start ?? text.length).trim();
}

/** One line of at most MAX characters for SQL (blanks collapsed). */
export function oneLine(sql, max = 90) {
  const s = String(sql).replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * The queries run in the console, oldest first, kept in STORAGE (the
 * browser's localStorage, or anything with getItem/setItem) under KEY, at
 * most MAX of them; running a query again moves it to the end.  older() and
 * newer() walk them like a shell's history: newer() past the last one gives
 * back the text that was being written.
 */
export class QueryHistory {
  constructor(storage, key = 'ducksite.console.history', max = 100) {
    this.storage = storage;
    this.key = key;
    this.max = max;
    this.pos = null; // index into entries() while walking, else null
    this.draft = '';
  }

  entries() {
    try {
      const v = JSON.parse(this.storage?.getItem(this.key) || '[]');
      return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  add(sql) {
    const text = String(sql).trim();
    this.pos = null;
    if (!text) return;
    const list = this.entries().filter((x) => x !== text);
    list.push(text);
    try {
      this.storage?.setItem(this.key, JSON.stringify(list.slice(-this.max)));
    } catch { /* storage full or refused: history is a convenience */ }
  }

  /** The entry before the one shown (CURRENT is the editor's text), or null. */
  older(current) {
    const list = this.entries();
    if (!list.length) return null;
    if (this.pos === null) {
      this.draft = current;
      this.pos = list.length;
    }
    if (this.pos === 0) return null;
    this.pos--;
    return list[this.pos];
  }

  /** The entry after the one shown, the draft past the last, or null. */
  newer() {
    if (this.pos === null) return null;
    const list = this.entries();
    this.pos++;
    if (this.pos >= list.length) {
      this.pos = null;
      return this.draft;
    }
    return list[this.pos];
  }

  /** Stops walking (the user typed). */
  reset() {
    this.pos = null;
  }
}
