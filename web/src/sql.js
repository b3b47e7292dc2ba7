// sql.js - the text side of the runtime: no DOM, no DuckDB, so node can test
// it directly (tests/e2e/sql.test.mjs).
//
//   query ids      resolveQuery(), substituteId()
//   placeholders   placeholderDeps(), substitute(), sqlLiteral()
//   input params   buildEnv()  (expression_template, all_*, multiple, param_name)
//   data paths     rewriteDataPaths()  ('data/...' -> absolute URL on the origin)
//   formatting     wrapFormat()  (§2.7.4 extra columns)

const PLACEHOLDER = /\$\{\s*(inputs|params)\.([A-Za-z0-9_]+)\s*\}/g;
const METRICS = /^--\s*METRICS:[^\n]*(\n|$)/;

/** Drops the `-- METRICS: ...` first line of a compiled SQL file. */
export function stripMetrics(text) {
  const t = String(text).replace(/^\uFEFF/, '');
  return t.replace(METRICS, '');
}

/** The `${inputs.x}` / `${params.x}` names in TEXT, as "inputs.x" / "params.x". */
export function placeholderDeps(text, into = new Set()) {
  for (const m of String(text ?? '').matchAll(PLACEHOLDER)) into.add(`${m[1]}.${m[2]}`);
  return into;
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
  const mode = (pick(spec, 'visual_mode', 'visual-mode', 'type') || '').trim().toLowerCase();
  const multiple = /^(true|yes|1)$/i.test((pick(spec, 'multiple', 'multi') || '').trim());
  const splitList = (s) => (s === undefined || s === '' ? [] : s.split(',').map((x) => x.trim()).filter((x) => x !== ''));
  const def = pick(spec, 'default');
  return {
    name,
    label: pick(spec, 'label') ?? name,
    mode,
    urlKey: pick(spec, 'url_key', 'url-key') || name,
    default: multiple ? splitList(def) : (def ?? null),
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
  };
}

/** Is VALUE the "all" choice of input IN? */
export function isAll(input, value) {
  if (isEmpty(value)) return true;
  const vals = Array.isArray(value) ? value : [value];
  const dropdown = input.mode === 'dropdown';
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
export function buildEnv(specs, values) {
  const inputs = {};
  const params = {};
  for (const input of specs) {
    let v = values[input.name];
    if (v === undefined) v = input.default;
    inputs[input.name] = v ?? null;
  }
  for (const input of specs) {
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
        if (typeof out === 'string') edits.push({ start: u.start, end: u.end, text: quote(out) });
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
