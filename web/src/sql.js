// sql.js - the text side of the runtime: no DOM, no DuckDB, so node can test
// it directly (tests/e2e/sql.test.mjs).
//
//   query ids      resolveQuery(), substituteId()
//   placeholders   placeholderDeps(), substitute(), sqlLiteral()
//   input params   buildEnv()  (expression_template, all_*, multiple, param_name)
//   data paths     rewriteDataPaths()  ('data/...' -> absolute URL on the origin)
//   file lists     expandFileLists()  ('ducksite:files/view/k' -> the view's list,
//                  pruned by the query's partition predicates)
//   formatting     wrapFormat()  (§2.7.4 extra columns)

const PLACEHOLDER = /\$\{\s*(inputs|params)\.([A-Za-z0-9_]+)\s*\}/g;
const METRICS = /^--\s*METRICS:[^\n]*(\n|$)/;
const PRUNE = /^--\s*PRUNE:([^\n]*)(\n|$)/;

/** Drops the `-- METRICS: ...` first line of a compiled SQL file (and the `-- PRUNE: ...` line after it). */
export function stripMetrics(text) {
  const t = String(text).replace(/^\uFEFF/, '');
  return t.replace(METRICS, '').replace(PRUNE, '');
}

/**
 * The partition predicates the build found in a compiled SQL file (its
 * `-- PRUNE: {...}` line, after METRICS): {view: [{col, op, values}]}, or null.
 */
export function pruneSpec(text) {
  const m = PRUNE.exec(String(text).replace(/^\uFEFF/, '').replace(METRICS, ''));
  if (!m) return null;
  try {
    const spec = JSON.parse(m[1]);
    return spec && typeof spec === 'object' && !Array.isArray(spec) ? spec : null;
  } catch {
    return null;
  }
}

/** The `${inputs.x}` / `${params.x}` names in TEXT, as "inputs.x" / "params.x". */
export function placeholderDeps(text, into = new Set()) {
  for (const m of String(text ?? '').matchAll(PLACEHOLDER)) into.add(`${m[1]}.${m[2]}`);
  return into;
}

/**
 * TEXT (a component's title) with each `${inputs.NAME}` replaced by the
 * input's value as a reader reads it: a list joined with ", ", "all" (no
 * value, or its all_value) as the input's all_label for a dropdown or a
 * button group and as nothing otherwise; other placeholders are left as
 * they are (the build refuses them). SPECS: normalised inputs by name. A
 * date range's `${inputs.NAME_start}` and `_end` are its days (TODAY: the
 * day presets count from).
 */
export function fillTitle(text, values, specs, today = localToday()) {
  return String(text ?? '').replace(/\$\{\s*inputs\.([A-Za-z0-9_]+)\s*\}/g, (all, name) => {
    const spec = specs.get(name);
    // A date range's NAME_start and NAME_end: its days (nothing for an open end).
    const part = /^(.+)_(start|end)$/.exec(name);
    if (!spec && part && specs.get(part[1])?.mode === 'date_range') {
      const r = dateRange(values[part[1]] ?? '', today) || { start: null, end: null };
      return r[part[2]] ?? '';
    }
    if (!spec) return all;
    const v = values[name];
    const choice = spec.mode === 'dropdown' || spec.mode === 'buttons' || spec.mode === 'hidden';
    if (isEmpty(v) || (spec.allValue !== '' && v === spec.allValue)) return choice ? spec.allLabel : '';
    return Array.isArray(v) ? v.join(', ') : String(v);
  });
}

function isEmpty(v) {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** 'text' with ' doubled. */
export function quote(s) {
  return `'${String(s).replace(/'/g, "''")}'`;
}

/**
 * The SQL literal for an input value: NULL when empty or missing, a quoted
 * string otherwise; a list (multiple dropdown) becomes a DuckDB list literal
 * ['a', 'b'].
 */
export function sqlLiteral(v) {
  if (v instanceof SqlValue) return v.sql;
  if (isEmpty(v)) return 'NULL';
  if (Array.isArray(v)) return `[${v.map(quote).join(', ')}]`;
  return quote(v);
}

/**
 * Fills ${inputs.x} (quoted literal) and ${params.x} (raw SQL, NULL when
 * missing or blank) in SQL.
 */
export function substitute(sql, inputs = {}, params = {}) {
  return String(sql).replace(PLACEHOLDER, (_, kind, name) => {
    if (kind === 'inputs') return sqlLiteral(inputs[name]);
    const p = params[name];
    if (p === undefined || p === null || String(p).trim() === '') return 'NULL';
    return String(p);
  });
}

/** ${inputs.x} inside a query id: raw text, lists comma-joined, missing = ''. */
export function substituteId(id, inputs = {}) {
  return String(id).replace(PLACEHOLDER, (_, kind, name) => {
    const v = kind === 'inputs' ? inputs[name] : undefined;
    if (isEmpty(v)) return '';
    return Array.isArray(v) ? v.join(',') : String(v);
  });
}

/**
 * Where a (substituted) query id's SQL lives:
 *   global:NAME           -> /sql/_global/NAME.sql
 *   ID in page queries    -> its sql_path
 *   any other ID          -> /sql/_global/ID.sql
 * Throws on an id that is not a plain name.
 */
export function resolveQuery(id, pageQueries = {}) {
  let name = String(id).trim();
  let global = false;
  if (name.startsWith('global:')) {
    global = true;
    name = name.slice(7).trim();
  }
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`invalid query id '${id}' (expected letters, digits and _)`);
  }
  if (!global && pageQueries && Object.prototype.hasOwnProperty.call(pageQueries, name)) {
    const q = pageQueries[name];
    const path = q && (q.sql_path || q.path);
    if (path) return { name, path };
  }
  return { name: global ? `global:${name}` : name, path: `/sql/_global/${name}.sql` };
}

// ---------------------------------------------------------------------------
// Input specs -> the values SQL sees

function pick(spec, ...keys) {
  for (const k of keys) {
    if (spec && spec[k] !== undefined && spec[k] !== null) return String(spec[k]);
  }
  return undefined;
}

/** An input block's keys, with their spelling variants and defaults settled. */
export function normalizeInput(name, spec = {}) {
  // An input without visual_mode is a dropdown (the build's pagesql.c agrees).
  const mode = (pick(spec, 'visual_mode', 'visual-mode', 'type') || '').trim().toLowerCase() || 'dropdown';
  const multiple = /^(true|yes|1)$/i.test((pick(spec, 'multiple', 'multi') || '').trim());
  const splitList = (s) => (s === undefined || s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
  const def = pick(spec, 'default');
  return {
    name,
    label: pick(spec, 'label') ?? name,
    mode,
    urlKey: pick(spec, 'url_key', 'url-key') || name,
    default: multiple ? splitList(def) : (def ?? TYPED_DEFAULTS[mode] ?? null),
    optionsQuery: pick(spec, 'options_query', 'options-query'),
    valueColumn: pick(spec, 'value_column', 'value-column'),
    labelColumn: pick(spec, 'label_column', 'label-column'),
    template: pick(spec, 'expression_template', 'expression-template'),
    allLabel: pick(spec, 'all_label', 'all-label') ?? 'All',
    allValue: pick(spec, 'all_value', 'all-value') ?? '',
    allExpression: pick(spec, 'all_expression', 'all-expression') ?? 'TRUE',
    placeholder: pick(spec, 'placeholder') ?? '',
    // all_option: false drops the "all" entry from a dropdown.
    allOption: !/^(false|no|0|off)$/i.test((pick(spec, 'all_option', 'all-option', 'include_all') || '').trim()),
    multiple,
    paramName: pick(spec, 'param_name', 'param-name'),
    paramTemplate: pick(spec, 'param_template', 'param-template'),
    // date, date_range, slider, buttons, checkbox, toggle (see "Typed inputs")
    min: pick(spec, 'min'),
    max: pick(spec, 'max'),
    step: pick(spec, 'step'),
    options: splitList(pick(spec, 'options')),
    searchable: (pick(spec, 'searchable') || '').trim().toLowerCase(),
  };
}

/** Is VALUE the "all" choice of input IN? */
export function isAll(input, value) {
  if (isEmpty(value)) return true;
  const vals = Array.isArray(value) ? value : [value];
  const dropdown = input.mode === 'dropdown' || input.mode === 'buttons';
  return vals.some((v) => v === '' || v === null || (input.allValue !== '' && v === input.allValue)
    || (dropdown && v === input.allLabel));
}

function replaceFirst(template, replacement) {
  const i = template.indexOf('?');
  return i < 0 ? template : template.slice(0, i) + replacement + template.slice(i + 1);
}

/** expression_template with the value(s) put in, or all_expression for "all". */
export function expressionFor(input, value) {
  if (isAll(input, value)) return input.allExpression;
  const tpl = input.template;
  if (!Array.isArray(value)) return replaceFirst(tpl, quote(value));
  const list = value.map(quote).join(', ');
  if (tpl.includes('(?)')) return tpl.replace('(?)', `(${list})`);
  return replaceFirst(tpl, `(${list})`);
}

/**
 * The inputs and params SQL sees, from the input specs (normalized) and the
 * current values:
 *   inputs[name]        the value
 *   params[name]        expression_template applied (when the input has one)
 *   params[param_name]  param_template applied; for left(?,N) / substr(?,1,N)
 *                       inputs[param_name] is also the first N characters.
 */
export function buildEnv(specs, values, today = localToday()) {
  const inputs = {};
  const params = {};
  for (const input of specs) {
    let v = values[input.name];
    if (v === undefined) v = input.default;
    inputs[input.name] = v ?? null;
  }
  for (const input of specs) {
    if (TYPED.has(input.mode)) {
      const typed = typedEnv(input, inputs[input.name], today);
      Object.assign(inputs, typed);
      if (input.template) params[input.name] = typedExpression(input, typed);
      continue;
    }
    const v = inputs[input.name];
    if (input.template) params[input.name] = expressionFor(input, v);
    if (input.paramName && input.paramTemplate && !isEmpty(v)) {
      const text = Array.isArray(v) ? v.join(',') : String(v);
      params[input.paramName] = replaceFirst(input.paramTemplate, Array.isArray(v) ? v.map(quote).join(', ') : quote(text));
      const t = input.paramTemplate.replace(/\s+/g, '').toLowerCase();
      const m = /^(?:left\(\?,(\d+)\)|substr(?:ing)?\(\?,1,(\d+)\))$/.exec(t);
      if (m) inputs[input.paramName] = text.slice(0, Number(m[1] ?? m[2]));
    }
  }
  return { inputs, params };
}

// ---------------------------------------------------------------------------
// Typed inputs: date, date_range, slider, checkbox/toggle.  Their values
// reach SQL as typed literals (DATE '2024-01-31', 42, TRUE), never as text
// spliced in: a value that is not a date or a number is NULL.  Mirrored by
// src/site/pagesql.c.

/** A typed input's value: its text (URL, query ids) and its SQL literal. */
export class SqlValue {
  constructor(text, sql) {
    this.text = text;
    this.sql = sql;
  }

  toString() {
    return this.text;
  }

  toJSON() {
    return this.sql;
  }
}

const TYPED = new Set(['date', 'date_range', 'slider', 'checkbox', 'toggle']);
const TYPED_DEFAULTS = { checkbox: 'false', toggle: 'false', date_range: 'all' };
export const DATE_PRESETS = ['last_7_days', 'last_30_days', 'last_90_days', 'this_month', 'this_year', 'all'];

function pad2(n) {
  return String(n).padStart(2, '0');
}

function ymd(d) {
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Today's date where the reader is, as YYYY-MM-DD. */
export function localToday(now = new Date()) {
  return `${now.getFullYear()}-${pad2(now.getMonth() + 1)}-${pad2(now.getDate())}`;
}

/** S when it is a real calendar date YYYY-MM-DD, else null. */
export function validDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(s ?? '').trim());
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  d.setUTCFullYear(Number(m[1])); // years below 100 too
  return ymd(d) === m[0] ? m[0] : null;
}

/** S when it is a plain decimal number (-12, 3.5), else null. */
export function validNumber(s) {
  const t = String(s ?? '').trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? t : null;
}

function shiftDays(date, days) {
  const [y, m, d] = date.split('-').map(Number);
  return ymd(new Date(Date.UTC(y, m - 1, d + days)));
}

/**
 * A date range's value as {start, end} (YYYY-MM-DD, null for an open end):
 * a preset relative to TODAY (last_7_days: the 7 days ending today;
 * this_month, this_year: the whole month or year), 'START..END' (either
 * side may be empty), or all / empty.  Null for anything else.
 */
export function dateRange(value, today) {
  const v = String(value ?? '').trim();
  if (v === '' || v === 'all') return { start: null, end: null };
  const last = /^last_(7|30|90)_days$/.exec(v);
  if (last) return { start: shiftDays(today, 1 - Number(last[1])), end: today };
  if (v === 'this_month') {
    const first = `${today.slice(0, 8)}01`;
    return { start: first, end: shiftDays(`${shiftDays(first, 31).slice(0, 8)}01`, -1) };
  }
  if (v === 'this_year') return { start: `${today.slice(0, 4)}-01-01`, end: `${today.slice(0, 4)}-12-31` };
  const m = /^(.*)\.\.(.*)$/.exec(v);
  if (!m) return null;
  const start = m[1].trim() === '' ? null : validDate(m[1]);
  const end = m[2].trim() === '' ? null : validDate(m[2]);
  if ((m[1].trim() !== '' && !start) || (m[2].trim() !== '' && !end)) return null;
  return { start, end };
}

const dateSql = (d, open) => (d ? `DATE '${d}'` : `DATE '${open}'`);

/** The ${inputs.*} a typed input gives for value V. */
export function typedEnv(input, v, today) {
  const name = input.name;
  const raw = v === null || v === undefined ? '' : String(v);
  switch (input.mode) {
    case 'date': {
      const d = validDate(raw);
      return { [name]: d ? new SqlValue(d, `DATE '${d}'`) : null };
    }
    case 'slider': {
      const n = validNumber(raw);
      return { [name]: n === null ? null : new SqlValue(n, n) };
    }
    case 'checkbox':
    case 'toggle': {
      const on = raw.trim().toLowerCase() === 'true';
      return { [name]: new SqlValue(on ? 'true' : 'false', on ? 'TRUE' : 'FALSE') };
    }
    default: { // date_range: NAME ('START..END'), NAME_start, NAME_end
      const r = dateRange(raw, today) || { start: null, end: null };
      const text = `${r.start ?? ''}..${r.end ?? ''}`;
      return {
        [name]: new SqlValue(raw, r.start || r.end ? quote(text) : 'NULL'),
        [`${name}_start`]: new SqlValue(r.start ?? '', dateSql(r.start, '-infinity')),
        [`${name}_end`]: new SqlValue(r.end ?? '', dateSql(r.end, 'infinity')),
      };
    }
  }
}

/** expression_template of a typed input: each ? a literal (a range: start, then end). */
export function typedExpression(input, typed) {
  const v = typed[input.name];
  if (input.mode === 'date_range') {
    if (v.sql === 'NULL') return input.allExpression;
    const s = replaceFirst(input.template, typed[`${input.name}_start`].sql);
    return replaceFirst(s, typed[`${input.name}_end`].sql);
  }
  if (v === null) return input.allExpression;
  return replaceFirst(input.template, v.sql);
}

// ---------------------------------------------------------------------------
// A small SQL tokenizer: enough to find string literals, comments and calls.

/** Splits SQL into {type, text, start, end}; types: str, qid, comment, space, word, punct. */
export function tokenize(sql) {
  const out = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i];
    const start = i;
    let type;
    if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'")) {
      if (c !== "'") i++;
      i++;
      while (i < n) {
        if (sql[i] === "'") {
          if (sql[i + 1] === "'") { i += 2; continue; }
          i++;
          break;
        }
        if (c !== "'" && sql[i] === '\\') i++;
        i++;
      }
      type = 'str';
    } else if (c === '"') {
      i++;
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') { i += 2; continue; }
          i++;
          break;
        }
        i++;
      }
      type = 'qid';
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      type = 'comment';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      type = 'comment';
    } else if (/\s/.test(c)) {
      while (i < n && /\s/.test(sql[i])) i++;
      type = 'space';
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i])) i++;
      type = 'word';
    } else {
      i++;
      type = 'punct';
    }
    out.push({ type, text: sql.slice(start, i), start, end: i });
  }
  return out;
}

const FILE_FUNCTIONS = new Set([
  'read_parquet', 'parquet_scan', 'read_csv', 'read_csv_auto', 'read_json',
  'read_json_auto', 'read_ndjson', 'read_ndjson_auto', 'parquet_metadata', 'parquet_schema',
]);

function encodePath(p) {
  return p.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu, (ch) => encodeURIComponent(ch));
}

/** The absolute URL for a data path literal's text, or null to leave it. */
export function dataUrl(path, origin) {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) || path.startsWith('//')) return null;
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (!p.startsWith('/')) p = `/${p}`;
  return String(origin).replace(/\/+$/, '') + encodePath(p);
}

/**
 * Calls FN with the text of every file literal in the first argument of
 * read_parquet(...), read_csv(...) and friends (single path or [list]);
 * when FN returns a string, the literal becomes that string (quoted).
 * String literals and comments elsewhere are left alone.
 */
export function mapDataPaths(sql, fn) {
  return mapFileLiterals(sql, (raw) => {
    const out = fn(raw);
    return typeof out === 'string' ? quote(out) : null;
  });
}

/** As mapDataPaths(), but FN's string replaces the literal as SQL text, unquoted. */
function mapFileLiterals(sql, fn) {
  const toks = tokenize(sql);
  const edits = [];
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.type !== 'word' || !FILE_FUNCTIONS.has(t.text.toLowerCase())) continue;
    let j = k + 1;
    while (j < toks.length && (toks[j].type === 'space' || toks[j].type === 'comment')) j++;
    if (j >= toks.length || toks[j].text !== '(') continue;
    let depth = 1;
    for (j++; j < toks.length && depth > 0; j++) {
      const u = toks[j];
      if (u.type === 'punct') {
        if (u.text === '(' || u.text === '[') depth++;
        else if (u.text === ')' || u.text === ']') depth--;
        else if (u.text === ',' && depth === 1) break;
      } else if (u.type === 'str' && u.text.startsWith("'")) {
        const raw = u.text.slice(1, -1).replace(/''/g, "'");
        const out = fn(raw);
        if (typeof out === 'string') edits.push({ start: u.start, end: u.end, text: out });
      }
    }
    k = j - 1;
  }
  let out = sql;
  for (let e = edits.length - 1; e >= 0; e--) {
    out = out.slice(0, edits[e].start) + edits[e].text + out.slice(edits[e].end);
  }
  return out;
}

// ---------------------------------------------------------------------------
// File lists.  The build moves a long file list out of a view's SQL into
// /sql/_files/<view>.json and leaves 'ducksite:files/<view>/<k>' in its place
// (docs/building.md, "Large lakes"); the runtime puts the list back, leaving
// out the files whose hive folders fail the query's partition predicates.

export const FILE_LIST_PREFIX = 'ducksite:files/';

/** Whether SQL names a file list (cheap: the text only). */
export function hasFileLists(sql) {
  return String(sql).includes(`'${FILE_LIST_PREFIX}`);
}

/** The views whose file lists SQL names, without repeats. */
export function fileListViews(sql) {
  const views = new Set();
  mapFileLiterals(sql, (raw) => {
    if (raw.startsWith(FILE_LIST_PREFIX)) views.add(raw.slice(FILE_LIST_PREFIX.length).replace(/\/[^/]*$/, ''));
    return null;
  });
  return [...views];
}

/** Where the file lists of VIEW are published. */
export function fileListUrl(view) {
  return `/sql/_files/${encodeURIComponent(view)}.json`;
}

// The pruning rules below (parseSqlValue to pruneFileList) are ported to C
// in src/sql/filelist.c (ds_filelist_kept), which the build uses to count
// the files a page query would read here: change both together.
const NUMBER = /^[+-]?\d+(\.\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A SQL literal's text as a value: {kind: 'null'|'num'|'str'|'date'|'list', ...},
 * or null for anything else (an expression: nothing can be pruned by it).
 */
export function parseSqlValue(text) {
  const t = String(text ?? '').trim();
  if (/^null$/i.test(t)) return { kind: 'null' };
  if (NUMBER.test(t)) return { kind: 'num', text: t };
  let m = /^'((?:[^']|'')*)'$/.exec(t);
  if (m) return { kind: 'str', value: m[1].replace(/''/g, "'") };
  m = /^DATE\s*'(\d{4}-\d{2}-\d{2})'$/i.exec(t);
  if (m) return { kind: 'date', value: m[1] };
  if (t.startsWith('[') && t.endsWith(']')) {
    const items = [];
    let cur = '';
    for (const tok of tokenize(t.slice(1, -1))) {
      if (tok.text === ',') { items.push(cur); cur = ''; } else cur += tok.text;
    }
    if (cur.trim()) items.push(cur);
    const parsed = items.map(parseSqlValue);
    return parsed.every((v) => v && v.kind !== 'list') ? { kind: 'list', items: parsed } : null;
  }
  return null;
}

// How a hive column of each type compares: 'num' (as numbers), 'str' (text,
// equality only), 'date' (ISO dates); other types are never pruned.
function hiveKind(type) {
  const t = String(type || '').toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT)|HUGEINT|UHUGEINT|INT[0-9]*|FLOAT|DOUBLE|REAL|DECIMAL.*|NUMERIC.*)$/.test(t)) return 'num';
  if (/^(VARCHAR|TEXT|STRING)$/.test(t)) return 'str';
  if (t === 'DATE') return 'date';
  return null;
}

// A value as its column compares it: a string for 'str' and 'date', a
// number text for 'num'; undefined when it cannot be compared.
function comparable(kind, v) {
  if (kind === 'num') {
    if (v.kind === 'num') return v.text;
    return v.kind === 'str' && NUMBER.test(v.value.trim()) ? v.value.trim() : undefined;
  }
  if (kind === 'str') return v.kind === 'str' ? v.value : undefined;
  if (kind === 'date') return (v.kind === 'date' || v.kind === 'str') && ISO_DATE.test(v.value) ? v.value : undefined;
  return undefined;
}

function compare(kind, a, b) {
  if (kind === 'num') {
    const ints = /^[+-]?\d+$/;
    if (ints.test(a) && ints.test(b)) {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return Math.sign(Number(a) - Number(b));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

// Whether a folder whose partition value is RAW (the folder's text) may hold
// rows that pass COND ({op, values: parsed}); true whenever that is unsure.
function folderPasses(kind, raw, cond) {
  if (!kind || raw.includes('%') || raw === '__HIVE_DEFAULT_PARTITION__') return true;
  const value = comparable(kind, kind === 'num' ? { kind: 'num', text: raw } : { kind: 'str', value: raw });
  if (value === undefined || (kind === 'num' && !NUMBER.test(raw))) return true;
  const one = (v, test) => {
    if (v.kind === 'null') return false; // a comparison with NULL is never true
    const w = comparable(kind, v);
    return w === undefined ? true : test(compare(kind, value, w));
  };
  const { op, values } = cond;
  if (op === '=' || op === 'in') {
    const flat = values.flatMap((v) => (v.kind === 'list' ? v.items : [v]));
    return flat.some((v) => one(v, (c) => c === 0));
  }
  if (kind === 'str') return true; // text order differs between engines and JS
  const tests = { '<': (c) => c < 0, '<=': (c) => c <= 0, '>': (c) => c > 0, '>=': (c) => c >= 0 };
  if (tests[op]) return one(values[0], tests[op]);
  if (op === 'between') return one(values[0], (c) => c >= 0) && one(values[1], (c) => c <= 0);
  return true;
}

/** The name=value folders of a folder path, lower-cased names. */
function hiveFolders(folder) {
  const out = new Map();
  for (const seg of folder.split('/')) {
    const eq = seg.indexOf('=');
    if (eq > 0) out.set(seg.slice(0, eq).toLowerCase(), seg.slice(eq + 1));
  }
  return out;
}

/**
 * The files of list K of DOC (a published /sql/_files/<view>.json) that
 * may hold rows passing every condition of CONDS ([{col, op, values}], the
 * values SQL text with placeholders filled in): [{path, size}].  A
 * condition whose values are not literals is ignored; when every file is
 * left out, the list's first is kept (the engine binds the view's columns
 * from it; the query's own WHERE still leaves out its rows).
 */
export function pruneFileList(doc, k, conds = []) {
  const runs = (doc && doc.lists && doc.lists[k]) || [];
  const types = new Map(Object.entries((doc && doc.hive) || {}).map(([n, t]) => [n.toLowerCase(), t]));
  const usable = [];
  for (const c of conds || []) {
    const values = (c.values || []).map(parseSqlValue);
    if (!values.length || values.some((v) => !v)) continue;
    const col = String(c.col || '').toLowerCase();
    if (types.has(col)) usable.push({ col, kind: hiveKind(types.get(col)), op: c.op, values });
  }
  const out = [];
  let first = null;
  for (const [folder, names, sizes] of runs) {
    if (!first && names.length) first = { path: folder + names[0], size: sizes ? sizes[0] : -1 };
    const hive = hiveFolders(folder);
    const keep = usable.every((c) => !hive.has(c.col) || folderPasses(c.kind, hive.get(c.col), c));
    if (keep) names.forEach((n, i) => out.push({ path: folder + n, size: sizes ? sizes[i] : -1 }));
  }
  if (!out.length && first) out.push(first);
  return out;
}

// The most files a page query may read from published lists.  DuckDB-Wasm
// requests every file of its list, one after another: about 1,000 files
// took 13 s, 5,000 exhausted Chromium's requests and 10,000 the engine's
// memory (docs/building.md).  Past it the component shows why instead of
// hanging the tab; the build warns about such queries with the same number
// (DS_FILELIST_BROWSER_MAX in src/sql/filelist.h).
export const FILE_LIST_BROWSER_MAX = 1000;

/**
 * The hive columns of DOC that tell its files apart: those with more than
 * one value among its folders.  A templated view's own column (year in
 * lake_2024) has one, and filtering on it keeps every file.  When none
 * varies, all of them.
 */
export function varyingHiveColumns(doc) {
  const cols = Object.keys((doc && doc.hive) || {});
  const seen = new Map(cols.map((c) => [c.toLowerCase(), new Set()]));
  for (const runs of (doc && doc.lists) || []) {
    for (const [folder] of runs) {
      for (const [name, value] of hiveFolders(folder)) seen.get(name)?.add(value);
    }
  }
  const varying = cols.filter((c) => seen.get(c.toLowerCase()).size > 1);
  return varying.length ? varying : cols;
}

/** The error a query over too many listed files gives (err.files, err.view). */
export function tooManyFilesError(view, files, max, doc) {
  const cols = varyingHiveColumns(doc);
  // No hive column: nothing prunes the list; a templated view (the document
  // says so) is already a part of its source.
  const filter = cols.length
    ? `filter it on a partition column of ${view} (${cols.join(', ')}), e.g. WHERE ${cols[0]} = …, or `
    : doc && doc.templated ? '' : `read a part of ${view} (a templated view), or `;
  const err = new Error(`this query would read ${files.toLocaleString('en-US')} files of ${view} in the browser, `
    + `more than the ${max.toLocaleString('en-US')} a page can fetch in a few seconds: ${filter}`
    + 'let the build store its result');
  return Object.assign(err, { files, view });
}

/**
 * SQL with each file-list placeholder replaced by its list, pruned by
 * PRUNE ({view: conds}, the values filled in); DOCS maps a view to its
 * published lists.  Returns {sql, sizes: {path: bytes}, files: how many
 * files the lists hold (each list once)}.  More than MAX files throws
 * tooManyFilesError before the text is made.
 */
export function expandFileLists(sql, docs, prune = null, max = Infinity) {
  const sizes = {};
  const pruned = new Map(); // placeholder -> {view, files}
  mapFileLiterals(sql, (raw) => {
    if (!raw.startsWith(FILE_LIST_PREFIX) || pruned.has(raw)) return null;
    const name = raw.slice(FILE_LIST_PREFIX.length);
    const slash = name.lastIndexOf('/');
    const view = name.slice(0, slash);
    const doc = docs instanceof Map ? docs.get(view) : docs?.[view];
    if (doc) pruned.set(raw, { view, doc, files: pruneFileList(doc, Number(name.slice(slash + 1)), prune?.[view] || []) });
    return null;
  });
  let files = 0;
  let most = null;
  for (const p of pruned.values()) {
    files += p.files.length;
    if (!most || p.files.length > most.files.length) most = p;
  }
  if (files > max) throw tooManyFilesError(most.view, files, max, most.doc);
  const out = mapFileLiterals(sql, (raw) => {
    const p = pruned.get(raw);
    if (!p) return null;
    for (const f of p.files) if (typeof f.size === 'number' && f.size >= 0) sizes[f.path] = f.size;
    return `[${p.files.map((f) => quote(f.path)).join(', ')}]`;
  });
  return { sql: out, sizes, files };
}

/** The file literals mapDataPaths() sees, in order, without repeats. */
export function dataPaths(sql) {
  const seen = new Set();
  mapDataPaths(sql, (raw) => { seen.add(raw); return null; });
  return [...seen];
}

/**
 * Why a data file could not be read, from the HTTP answer for it: the path
 * as the SQL names it, the status, and what to do.
 */
export function fileErrorText(path, status, statusText = '') {
  const why = {
    404: 'the file is not on the server (deleted or moved since the build? rebuild the site)',
    403: 'the server may not read it (check the file\'s permissions)',
    416: 'the file is shorter than the engine expected (changed since the build? reload the page)',
  }[status] || (status >= 500 ? 'the server failed to read it' : 'the server refused it');
  return `cannot read ${path}: HTTP ${status}${statusText ? ` ${statusText}` : ''}, ${why}`;
}

/**
 * DuckDB's message with the absolute URLs of ORIGIN that the runtime put
 * into the SQL turned back into the data paths the author wrote.
 */
export function localPaths(message, origin) {
  const base = `${String(origin).replace(/\/+$/, '')}/`;
  return String(message).split(base).join('').replace(/(^|['"\s(])(data\/[^'"\s)]*)/g,
    (m, pre, p) => { try { return pre + decodeURI(p); } catch { return m; } });
}

/**
 * Rewrites the file literals of data functions into absolute URLs on
 * ORIGIN; anything already a URL is left alone, and so is a path for which
 * KEEP(path) is true (a file the page registered with the engine as a
 * whole-file buffer under that very name).
 */
export function rewriteDataPaths(sql, origin, keep = null, version = null) {
  return mapDataPaths(sql, (raw) => {
    if (keep && keep(raw)) return null;
    const url = dataUrl(raw, origin);
    // A file changed under the page (a form appended to it) gets a new URL:
    // the engine keeps what it learnt of a URL (its size) for the session.
    const v = url && version ? version(raw) : 0;
    return v ? `${url}${url.includes('?') ? '&' : '?'}ds_v=${v}` : url;
  });
}

/** SQL without trailing `;` (and the blanks and comments after it). */
export function stripTerminator(sql) {
  const toks = tokenize(sql);
  let end = toks.length;
  while (end > 0 && ['space', 'comment'].includes(toks[end - 1].type)) end--;
  let cut = end;
  while (cut > 0 && (toks[cut - 1].text === ';' || toks[cut - 1].type === 'space' || toks[cut - 1].type === 'comment')) cut--;
  if (cut === end) return sql.replace(/\s+$/, '');
  return sql.slice(0, cut > 0 ? toks[cut - 1].end : 0);
}

// ---------------------------------------------------------------------------
// Formatting (§2.7.4)

const FORMAT_KEYS = {
  chart: { color_expr: 'color', highlight_expr: 'highlight', label_color_expr: 'label_color' },
  table: { bg_color_expr: 'bg', fg_color_expr: 'fg', highlight_expr: 'hl' },
};

export function safeName(target) {
  return String(target).replace(/[^A-Za-z0-9_]/g, '_');
}

/** The extra column a format key adds: __fmt_chart_<safe>_color etc. */
export function formatColumn(kind, target, which) {
  return `__fmt_${kind === 'chart' ? 'chart' : 'tbl'}_${safeName(target)}_${which}`;
}

/**
 * Wraps SQL so each format expression becomes an extra column:
 *   WITH base AS (<sql>) SELECT base.*, (<expr>) AS "__fmt_..." FROM base
 * KIND is 'chart' or 'table'. Returns SQL unchanged when there is nothing to add.
 */
export function wrapFormat(sql, format, kind) {
  if (!format || typeof format !== 'object') return sql;
  const keys = FORMAT_KEYS[kind];
  const extras = [];
  for (const [target, spec] of Object.entries(format)) {
    if (!spec || typeof spec !== 'object') continue;
    for (const [key, which] of Object.entries(keys)) {
      const expr = spec[key];
      if (expr === undefined || expr === null || String(expr).trim() === '') continue;
      extras.push(`(${expr}) AS "${formatColumn(kind, target, which)}"`);
    }
  }
  if (!extras.length) return sql;
  return `WITH base AS (\n${stripTerminator(sql)}\n)\nSELECT base.*, ${extras.join(', ')} FROM base`;
}

/** Is a format value (colour / highlight flag) "on"? */
export function truthy(v) {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'bigint') return v !== 0n;
  const s = String(v).trim().toLowerCase();
  return !(s === '' || s === 'false' || s === '0' || s === 'null');
}
