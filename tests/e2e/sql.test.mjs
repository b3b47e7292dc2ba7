// The runtime's text functions (web/src/sql.js, web/src/format.js), without
// a browser.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { importRuntime } from './lib.mjs';

const sql = await importRuntime('sql.js');
const fmt = await importRuntime('format.js');
const ORIGIN = 'http://127.0.0.1:8080';

test('METRICS line is stripped, the SQL kept', () => {
  assert.equal(sql.stripMetrics('-- METRICS: num_files=1 sql_bytes=9\nSELECT 1\n'), 'SELECT 1\n');
  assert.equal(sql.stripMetrics('SELECT 1 -- METRICS: x\n'), 'SELECT 1 -- METRICS: x\n');
});

test('query ids resolve to page, global and fallback paths', () => {
  const page = { q1: { sql_path: '/sql/pages/a/b/q1.sql' } };
  assert.deepEqual(sql.resolveQuery('q1', page), { name: 'q1', path: '/sql/pages/a/b/q1.sql' });
  assert.deepEqual(sql.resolveQuery('global:q1', page), { name: 'global:q1', path: '/sql/_global/q1.sql' });
  assert.deepEqual(sql.resolveQuery('orders', page), { name: 'orders', path: '/sql/_global/orders.sql' });
  assert.throws(() => sql.resolveQuery('../etc/passwd', page), /invalid query id/);
  assert.throws(() => sql.resolveQuery('demo_x y', page), /invalid query id/);
  assert.equal(sql.substituteId('global:sales_${inputs.region}', { region: 'EMEA' }), 'global:sales_EMEA');
  assert.equal(sql.substituteId('sales_${inputs.region}', {}), 'sales_');
});

test('${inputs.x} is a quoted literal or NULL; ${params.x} is raw or NULL', () => {
  const out = sql.substitute(
    "SELECT ${inputs.a}, ${inputs.b}, ${inputs.c}, ${inputs.m}, ${params.p}, ${params.q}, ${ params.r }",
    { a: "O'Brien", b: '', m: ['x', "y'z"] },
    { p: "region = 'NA'", q: '   ', r: 'TRUE' },
  );
  assert.equal(out, "SELECT 'O''Brien', NULL, NULL, ['x', 'y''z'], region = 'NA', NULL, TRUE");
  assert.deepEqual([...sql.placeholderDeps('a ${inputs.x} ${params.y} ${inputs.x} ${other.z}')], ['inputs.x', 'params.y']);
});

test('titles show input values: lists joined, "all" as its label', () => {
  // The page of tests/unit/test_pagesql.c: the build's first paint gives the same text.
  const specs = new Map(Object.entries({
    region: { visual_mode: 'dropdown', expression_template: 'region = ?', all_label: 'All regions' },
    tags: { visual_mode: 'dropdown', multiple: 'true', default: 'a, b ,', expression_template: 'tag IN ?' },
    q: { visual_mode: 'text', default: "it's", param_name: 'q_prefix', param_template: 'left(?, 3)' },
  }).map(([name, spec]) => [name, sql.normalizeInput(name, spec)]));
  const defaults = Object.fromEntries([...specs].map(([name, s]) => [name, s.default]));
  const title = 'Sales in ${inputs.region} for ${ inputs.tags }, q=${inputs.q} ${inputs.none} ${params.region} ${inputs.';
  assert.equal(sql.fillTitle(title, defaults, specs), "Sales in All regions for a, b, q=it's ${inputs.none} ${params.region} ${inputs.");
  assert.equal(sql.fillTitle('In ${inputs.region}', { region: 'EMEA' }, specs), 'In EMEA');
  assert.equal(sql.fillTitle('${inputs.tags}', { tags: [] }, specs), 'All');
  assert.equal(sql.fillTitle('[${inputs.q}]', { q: '' }, specs), '[]');
  // A date range's days (the same page and title in tests/unit/test_pagesql.c).
  const ranges = new Map([['p', sql.normalizeInput('p', { visual_mode: 'date_range' })],
    ['q', sql.normalizeInput('q', { type: 'date_range' })]]);
  assert.equal(sql.fillTitle('${inputs.p_start} to ${inputs.p_end}, from ${inputs.q_start}[${inputs.q_end}] ${inputs.p}',
    { p: '2024-01-01..2024-06-30', q: '2024-03-01..' }, ranges),
  '2024-01-01 to 2024-06-30, from 2024-03-01[] 2024-01-01..2024-06-30');
  assert.equal(sql.fillTitle('${inputs.p_start}', { p: 'last_7_days' }, ranges, '2024-05-10'), '2024-05-04');
});

test('an input without visual_mode is a dropdown', () => {
  assert.equal(sql.normalizeInput('r', { options: 'a, b' }).mode, 'dropdown');
  assert.equal(sql.normalizeInput('r', { visual_mode: ' ' }).mode, 'dropdown');
  assert.equal(sql.normalizeInput('r', { type: 'Text' }).mode, 'text');
});

test('expression_template, all_label/all_value/all_expression, multiple', () => {
  const region = sql.normalizeInput('region', {
    visual_mode: 'dropdown', expression_template: 'region = ?', all_label: 'Everything', all_value: '*',
  });
  const env = (v) => sql.buildEnv([region], { region: v }).params.region;
  assert.equal(env('EMEA'), "region = 'EMEA'");
  assert.equal(env("it's"), "region = 'it''s'");
  assert.equal(env('Everything'), 'TRUE');
  assert.equal(env('*'), 'TRUE'); // upstream's all_value bug: this must be ALL
  assert.equal(env(''), 'TRUE');
  assert.equal(env(null), 'TRUE');

  const custom = sql.normalizeInput('r', { visual_mode: 'dropdown', expression_template: 'r = ?', all_expression: '1 = 1' });
  assert.equal(sql.buildEnv([custom], { r: '' }).params.r, '1 = 1');

  const multi = sql.normalizeInput('region', {
    type: 'dropdown', multiple: 'true', expression_template: 'region IN (?)', default: 'a, b',
  });
  assert.deepEqual(multi.default, ['a', 'b']);
  const m = (v) => sql.buildEnv([multi], { region: v }).params.region;
  assert.equal(m(['a', 'b']), "region IN ('a', 'b')");
  assert.equal(m(['a']), "region IN ('a')");
  assert.equal(m([]), 'TRUE');
  assert.equal(m(['a', 'All']), 'TRUE');
  assert.equal(sql.buildEnv([multi], {}).params.region, "region IN ('a', 'b')");

  const bare = sql.normalizeInput('c', { type: 'dropdown', multiple: 'true', expression_template: 'c IN ?' });
  assert.equal(sql.buildEnv([bare], { c: ['x', 'y'] }).params.c, "c IN ('x', 'y')");
  assert.equal(sql.buildEnv([bare], { c: ['x'] }).params.c, "c IN ('x')");
});

test('param_name / param_template, with left(?, N) prefix inputs', () => {
  const bc = sql.normalizeInput('barcode', { type: 'text', param_name: 'barcode_prefix', param_template: 'left(?, 2)' });
  const env = sql.buildEnv([bc], { barcode: 'AB123' });
  assert.equal(env.params.barcode_prefix, "left('AB123', 2)");
  assert.equal(env.inputs.barcode_prefix, 'AB');
  const empty = sql.buildEnv([bc], { barcode: '' });
  assert.equal(empty.params.barcode_prefix, undefined);
  assert.equal(sql.substitute('${params.barcode_prefix}', empty.inputs, empty.params), 'NULL');
  const sub = sql.normalizeInput('b', { type: 'text', param_name: 'p', param_template: 'substr(?, 1, 3)' });
  assert.equal(sql.buildEnv([sub], { b: 'XYZW' }).inputs.p, 'XYZ');
});

test('data paths become absolute URLs in read_parquet / read_csv, nowhere else', () => {
  const src = "SELECT 'data/not/a/file.parquet' AS s -- read_parquet('data/x.parquet')\n"
    + "FROM read_parquet(['data/orders/a.parquet', 'data/orders/year=2024/b c.parquet'], union_by_name = true)\n"
    + "JOIN READ_PARQUET('data/one.parquet') USING (id)\n"
    + "JOIN read_csv('./data/t.csv', header = true, sep = ',') USING (id)\n"
    + "JOIN read_csv_auto('/data/u.csv') USING (id)\n"
    + "JOIN read_parquet(['https://example.org/x.parquet']) USING (id)\n"
    + "JOIN read_parquet(\n  [\n    'data/it''s.parquet'\n  ]\n) USING (id)";
  const out = sql.rewriteDataPaths(src, ORIGIN);
  assert.ok(out.startsWith("SELECT 'data/not/a/file.parquet' AS s -- read_parquet('data/x.parquet')\n"));
  assert.ok(out.includes(`read_parquet(['${ORIGIN}/data/orders/a.parquet', '${ORIGIN}/data/orders/year=2024/b%20c.parquet'], union_by_name = true)`));
  assert.ok(out.includes(`READ_PARQUET('${ORIGIN}/data/one.parquet')`));
  assert.ok(out.includes(`read_csv('${ORIGIN}/data/t.csv', header = true, sep = ',')`));
  assert.ok(out.includes(`read_csv_auto('${ORIGIN}/data/u.csv')`));
  assert.ok(out.includes("read_parquet(['https://example.org/x.parquet'])"));
  assert.ok(out.includes(`'${ORIGIN}/data/it''s.parquet'`));
});

test('format expressions become __fmt_ columns over the query', () => {
  const wrapped = sql.wrapFormat('SELECT 1 AS "total sales";  -- end\n', {
    'total sales': { bg_color_expr: "CASE WHEN \"total sales\" > 0 THEN 'green' END", highlight_expr: 'true' },
  }, 'table');
  assert.equal(wrapped, 'WITH base AS (\nSELECT 1 AS "total sales"\n)\n'
    + 'SELECT base.*, (CASE WHEN "total sales" > 0 THEN \'green\' END) AS "__fmt_tbl_total_sales_bg", (true) AS "__fmt_tbl_total_sales_hl" FROM base');
  assert.equal(sql.wrapFormat('SELECT 1', { y: { color_expr: "'red'" } }, 'chart'),
    'WITH base AS (\nSELECT 1\n)\nSELECT base.*, (\'red\') AS "__fmt_chart_y_color" FROM base');
  assert.equal(sql.wrapFormat('SELECT 1', {}, 'chart'), 'SELECT 1');
  assert.equal(sql.truthy('FALSE'), false);
  assert.equal(sql.truthy(0), false);
  assert.equal(sql.truthy('yes'), true);
});

test('numbers: thousands separators, aligned decimals, BigInt exact', () => {
  assert.equal(fmt.formatInteger(9007199254740993n), '9,007,199,254,740,993');
  assert.equal(fmt.formatInteger(-1234567), '-1,234,567');
  const f = fmt.columnFormatter('float', [1.5, 20, 1234.567]);
  assert.deepEqual([1.5, 20, 1234.567].map(f), ['1.50', '20.00', '1,234.57']);
  const g = fmt.columnFormatter('float', [2, 4]);
  assert.deepEqual([2, 4, null].map(g), ['2', '4', '']);
  assert.equal(fmt.formatFloat(0.000123), '0.000123');
  assert.equal(fmt.formatFloat(NaN), 'NaN');
  assert.ok(fmt.compareValues(9007199254740993n, 9007199254740992) > 0);
  assert.ok(fmt.compareValues(null, 1) > 0);
  assert.ok(fmt.compareValues('item 10', 'item 9') > 0);
});

test('CSV: header, CRLF, quoting, nulls', () => {
  const cols = [{ name: 'a' }, { name: 'b,c' }, { name: '__fmt_x' }];
  const rows = [[1, 'say "hi"', 'red'], [null, 'two\nlines', null], [12345678901234567890n, 'x', null]];
  assert.equal(fmt.toCsv(cols, rows, [0, 1]),
    'a,"b,c"\r\n1,"say ""hi"""\r\n,"two\nlines"\r\n12345678901234567890,x\r\n');
});

test('table format: decimals, prefix; decimals needs numbers', () => {
  const base = fmt.columnFormatter('float', [1.5]);
  const f = fmt.withColumnFormat(base, 'float', { decimals: '3', prefix: '$' }, 'total');
  assert.deepEqual([1.5, 0.25, null, 12345678901234567890n].map(f), ['$1.500', '$0.250', '', '$12,345,678,901,234,567,890.000']);
  assert.equal(fmt.withColumnFormat(base, 'float', { decimals: '0' })(2.5), '3');
  assert.equal(fmt.withColumnFormat(base, 'float', undefined), base);
  assert.equal(fmt.withColumnFormat(fmt.formatPlain, 'string', { prefix: '#' })('a'), '#a');
  assert.throws(() => fmt.withColumnFormat(fmt.formatPlain, 'string', { decimals: '2' }, 'name'),
    /format 'name': decimals needs a numeric column; 'name' holds string values/);
  assert.throws(() => fmt.withColumnFormat(base, 'float', { decimals: 'two' }, 'x'), /whole number from 0 to 20/);
  assert.equal(fmt.isBold({ bold: 'true' }), true);
  assert.equal(fmt.isBold({ bold: 'false' }), false);
});

test('data file errors name the path as written and why', () => {
  assert.equal(sql.fileErrorText('data/a b.parquet', 404, 'Not Found'),
    'cannot read data/a b.parquet: HTTP 404 Not Found, the file is not on the server (deleted or moved since the build? rebuild the site)');
  assert.match(sql.fileErrorText('data/x', 403), /HTTP 403, the server may not read it/);
  assert.equal(sql.localPaths("No magic bytes found at end of file 'http://127.0.0.1:9/data/o/a%20b.parquet'", 'http://127.0.0.1:9'),
    "No magic bytes found at end of file 'data/o/a b.parquet'");
});

// File lists (docs/building.md, "Large lakes"): a placeholder put back as
// its list, without the folders the query's partition predicates leave out.
const LISTS = {
  hive: { year: 'BIGINT', day: 'VARCHAR', d: 'DATE' },
  lists: [[
    ['data/h/year=2000/day=01/d=2024-01-01/', ['a.parquet', 'b.parquet'], [10, 11]],
    ['data/h/year=2001/day=02/d=2024-01-02/', ['c.parquet'], [12]],
    ['data/h/year=2002/day=01/d=2024-01-03/', ['d.parquet'], [13]],
    ['data/h/year=2003/day=%41/d=2024-01-04/', ['e.parquet'], [14]],
  ]],
};
const kept = (conds) => sql.pruneFileList(LISTS, 0, conds).map((f) => f.path.replace(/^.*\//, ''));
const cond = (col, op, ...values) => ({ col, op, values });

// The build counts the files a query keeps with a C port of these rules
// (src/sql/filelist.c ds_filelist_kept); these are the cases
// tests/unit/test_filelist.c pins there, with the same answers.
test('file-list pruning agrees with the build (tests/unit/test_filelist.c kept_*)', () => {
  const count = (folders, hive, col, op, ...values) => sql.pruneFileList({
    hive,
    lists: [folders.map((f) => [`data/v/${f}/`, ['part.parquet'], [1]])],
  }, 0, [cond(col, op, ...values)]).length;
  const years = ['year=1999', 'year=2000', 'year=2001', 'year=2002'];
  const BIGINT = { year: 'BIGINT' };
  const cases = [
    [years, BIGINT, 'year', '=', ['2001'], 1],
    [years, BIGINT, 'year', 'in', ['2001', '1999', '7'], 2],
    [years, BIGINT, 'year', '<', ['2001'], 2],
    [years, BIGINT, 'year', '<=', ['2001'], 3],
    [years, BIGINT, 'year', '>', ['2001'], 1],
    [years, BIGINT, 'year', '>=', ['2001'], 2],
    [years, BIGINT, 'year', '>', ['0'], 4],
    [years, BIGINT, 'year', 'between', ['2000', '2001'], 2],
    [years, BIGINT, 'year', 'between', ['+2000', '02001.0'], 2],
    [years, BIGINT, 'year', '=', ["' 2002 '"], 1],
    [years, { YEAR: 'int4' }, 'Year', '=', ['2000'], 1],
    [years, { year: 'DECIMAL(6,1)' }, 'year', '<', ['2000.5'], 2],
    [years, { year: 'DOUBLE' }, 'year', '>=', ['2000.0'], 3],
  ];
  const big = ['n=9007199254740992', 'n=9007199254740993', 'n=-9007199254740993', 'n=123456789012345678901234567890'];
  const HUGE = { n: 'HUGEINT' };
  cases.push(
    [big, HUGE, 'n', '=', ['9007199254740993'], 1],
    [big, HUGE, 'n', '>', ['9007199254740992'], 2],
    [big, HUGE, 'n', '<', ['-9007199254740992'], 1],
    [big, HUGE, 'n', '>=', ['123456789012345678901234567890'], 1],
    [big, HUGE, 'n', '=', ['-0', '0'], 1],
  );
  const dec = ['p=1.25', 'p=1.5', 'p=2', 'p=-0.5'];
  const DEC = { p: 'DECIMAL(4,2)' };
  cases.push(
    [dec, DEC, 'p', '>', ['1.25'], 2],
    [dec, DEC, 'p', '=', ['1.50'], 1],
    [dec, DEC, 'p', '<', ['0'], 1],
    [dec, DEC, 'p', 'between', ['1.3', '2'], 2],
  );
  const who = ['who=ann', 'who=bob', "who=O'Hara", 'who=ANN'];
  const TEXT = { who: 'VARCHAR' };
  cases.push(
    [who, TEXT, 'who', '=', ["'ann'"], 1],
    [who, TEXT, 'who', 'in', ["'bob'", "'O''Hara'"], 2],
    [who, TEXT, 'who', '<', ["'b'"], 4],
    [who, TEXT, 'who', 'between', ["'a'", "'b'"], 4],
    [who, TEXT, 'who', '=', ['1'], 4],
  );
  const days = ['day=2024-01-01', 'day=2024-01-02', 'day=2024-02-01'];
  const DAY = { day: 'DATE' };
  cases.push(
    [days, DAY, 'day', '=', ["DATE '2024-01-02'"], 1],
    [days, DAY, 'day', '>=', ["date'2024-01-02'"], 2],
    [days, DAY, 'day', '<', ["'2024-02-01'"], 2],
    [days, DAY, 'day', 'between', ["'2024-01-02'", "DATE '2024-01-31'"], 1],
    [days, DAY, 'day', '=', ["'yesterday'"], 3],
    [years, BIGINT, 'year', '=', ['NULL'], 1],
    [years, BIGINT, 'year', '>', ['null'], 1],
    [years, BIGINT, 'year', 'in', ['NULL', '2000'], 1],
    [years, BIGINT, 'year', 'in', ["[2000, '2001', NULL]"], 2],
    [years, BIGINT, 'year', '=', ['[]'], 1],
  );
  const odd = ['year=__HIVE_DEFAULT_PARTITION__', 'year=20%2001', 'year=abc', 'year=2000', 'other=1'];
  cases.push(
    [odd, BIGINT, 'year', '=', ['1999'], 4],
    [odd, BIGINT, 'year', '=', ['2000'], 5],
    [years, BIGINT, 'year', '=', ['2000 + 1'], 4],
    [years, BIGINT, 'month', '=', ['1'], 4],
    [years, { year: 'BOOLEAN' }, 'year', '=', ['1'], 4],
    [years, null, 'year', '=', ['1'], 4],
  );
  for (const [folders, hive, col, op, values, want] of cases) {
    assert.equal(count(folders, hive, col, op, ...values), want, `${col} ${op} ${values.join(', ')}`);
  }
});

test('PRUNE line: read after METRICS, stripped with it', () => {
  const text = '-- METRICS: n=1\n-- PRUNE: {"lake":[{"col":"year","op":"=","values":["2001"]}]}\nSELECT 1\n';
  assert.equal(sql.stripMetrics(text), 'SELECT 1\n');
  assert.deepEqual(sql.pruneSpec(text), { lake: [cond('year', '=', '2001')] });
  assert.equal(sql.pruneSpec('-- METRICS: n=1\nSELECT 1\n'), null);
  assert.equal(sql.pruneSpec('-- METRICS: n=1\n-- PRUNE: {bad\nSELECT 1\n'), null);
});

test('SQL literals as values', () => {
  assert.deepEqual(sql.parseSqlValue(' 2001 '), { kind: 'num', text: '2001' });
  assert.deepEqual(sql.parseSqlValue("'O''Brien'"), { kind: 'str', value: "O'Brien" });
  assert.deepEqual(sql.parseSqlValue("DATE '2024-01-31'"), { kind: 'date', value: '2024-01-31' });
  assert.deepEqual(sql.parseSqlValue('null'), { kind: 'null' });
  assert.deepEqual(sql.parseSqlValue("['a', 'b,c']"), { kind: 'list', items: [{ kind: 'str', value: 'a' }, { kind: 'str', value: 'b,c' }] });
  assert.equal(sql.parseSqlValue('2000 + 1'), null);
  assert.equal(sql.parseSqlValue('TRUE'), null);
});

test('file lists pruned by partition predicates', () => {
  assert.deepEqual(kept([]), ['a.parquet', 'b.parquet', 'c.parquet', 'd.parquet', 'e.parquet']);
  assert.deepEqual(kept([cond('year', '=', '2001')]), ['c.parquet']);
  assert.deepEqual(kept([cond('YEAR', '=', "'2001'")]), ['c.parquet'], 'a numeric string for a number column');
  assert.deepEqual(kept([cond('year', 'in', '2000', '2002')]), ['a.parquet', 'b.parquet', 'd.parquet']);
  assert.deepEqual(kept([cond('year', 'in', "['2000', '2002']")]), ['a.parquet', 'b.parquet', 'd.parquet']);
  assert.deepEqual(kept([cond('year', '>', '2001')]), ['d.parquet', 'e.parquet']);
  assert.deepEqual(kept([cond('year', '<=', '2001.5')]), ['a.parquet', 'b.parquet', 'c.parquet']);
  assert.deepEqual(kept([cond('year', 'between', '2001', '2002')]), ['c.parquet', 'd.parquet']);
  assert.deepEqual(kept([cond('year', '>=', '2001'), cond('day', '=', "'01'")]), ['d.parquet', 'e.parquet'],
    'an encoded folder value is never left out');
  assert.deepEqual(kept([cond('day', '=', '1')]), ['a.parquet', 'b.parquet', 'c.parquet', 'd.parquet', 'e.parquet'],
    'a number against a text column: unsure, kept');
  assert.deepEqual(kept([cond('day', '>', "'01'")]), ['a.parquet', 'b.parquet', 'c.parquet', 'd.parquet', 'e.parquet'],
    'text ranges are not pruned');
  assert.deepEqual(kept([cond('d', '>=', "DATE '2024-01-03'")]), ['d.parquet', 'e.parquet']);
  assert.deepEqual(kept([cond('d', '<', "'2024-01-02'")]), ['a.parquet', 'b.parquet']);
  assert.deepEqual(kept([cond('year', '=', '${inputs.y}')]), ['a.parquet', 'b.parquet', 'c.parquet', 'd.parquet', 'e.parquet'],
    'a value that is no literal prunes nothing');
  assert.deepEqual(kept([cond('month', '=', '1')]).length, 5, 'not a hive column');
  assert.deepEqual(kept([cond('year', '=', 'NULL')]), ['a.parquet'], 'nothing passes: the first file is kept to bind');
  assert.deepEqual(kept([cond('year', '=', '1999')]), ['a.parquet']);
});

test('placeholders put back as lists, with sizes', () => {
  const text = "WITH lake AS (SELECT * FROM read_parquet('ducksite:files/lake/0', hive_types = {'year': 'BIGINT'})) SELECT 'ducksite:files/lake/0' AS s FROM lake";
  assert.equal(sql.hasFileLists(text), true);
  assert.deepEqual(sql.fileListViews(text), ['lake']);
  assert.equal(sql.fileListUrl('lake'), '/sql/_files/lake.json');
  const out = sql.expandFileLists(text, new Map([['lake', LISTS]]), { lake: [cond('year', '=', '2000')] });
  assert.equal(out.sql, "WITH lake AS (SELECT * FROM read_parquet(['data/h/year=2000/day=01/d=2024-01-01/a.parquet', 'data/h/year=2000/day=01/d=2024-01-01/b.parquet'], hive_types = {'year': 'BIGINT'})) SELECT 'ducksite:files/lake/0' AS s FROM lake");
  assert.deepEqual(out.sizes, { 'data/h/year=2000/day=01/d=2024-01-01/a.parquet': 10, 'data/h/year=2000/day=01/d=2024-01-01/b.parquet': 11 });
  assert.deepEqual(sql.dataPaths(out.sql).length, 2);
  // A view without its document is left as it is (the engine then says which file it cannot find).
  assert.equal(sql.expandFileLists(text, new Map()).sql, text);
});

test('more listed files than a page can fetch: an error that says what to do', () => {
  const text = "SELECT * FROM read_parquet('ducksite:files/lake/0') UNION ALL SELECT * FROM read_parquet('ducksite:files/lake/0')";
  const docs = new Map([['lake', LISTS]]);
  assert.equal(sql.expandFileLists(text, docs, null, 5).files, 5, 'a list named twice counts once; at the limit it runs');
  assert.throws(() => sql.expandFileLists(text, docs, null, 4), (e) => {
    assert.equal(e.message, 'this query would read 5 files of lake in the browser, more than the 4 a page can fetch '
      + 'in a few seconds: filter it on a partition column of lake (year, day, d), e.g. WHERE year = …, or let the build store its result');
    assert.deepEqual([e.files, e.view], [5, 'lake']);
    return true;
  });
  assert.equal(sql.expandFileLists(text, docs, { lake: [cond('year', '=', '2000')] }, 4).files, 2, 'pruned under the limit');
  assert.equal(sql.FILE_LIST_BROWSER_MAX, 1000);
});

test('the advice names the partition columns that tell the files apart', () => {
  // A templated view's own column has one value: filtering on it keeps every file.
  const one = { hive: { kind: 'VARCHAR', n: 'BIGINT' }, lists: [[['data/l/kind=a/n=1/', ['x.parquet'], [1]], ['data/l/kind=a/n=2/', ['x.parquet'], [1]]]] };
  assert.deepEqual(sql.varyingHiveColumns(one), ['n']);
  assert.throws(() => sql.expandFileLists("SELECT * FROM read_parquet('ducksite:files/lake_a/0')", new Map([['lake_a', one]]), null, 1),
    /filter it on a partition column of lake_a \(n\), e\.g\. WHERE n = …/);
  assert.deepEqual(sql.varyingHiveColumns(LISTS), ['year', 'day', 'd'], 'every column varies');
  const flat = { hive: { kind: 'VARCHAR' }, lists: [[['data/l/kind=a/', ['x.parquet', 'y.parquet'], [1, 1]]]] };
  assert.deepEqual(sql.varyingHiveColumns(flat), ['kind'], 'none varies: all of them');
  assert.deepEqual(sql.varyingHiveColumns({ hive: null, lists: [] }), []);
  // No hive column: nothing to filter on; a templated view is not advised a templated view.
  const flatDoc = { hive: null, lists: [[['data/l/', ['a.parquet', 'b.parquet'], [1, 1]]]] };
  const tooMany = (view, doc) => {
    try {
      sql.expandFileLists(`SELECT * FROM read_parquet('ducksite:files/${view}/0')`, new Map([[view, doc]]), null, 1);
    } catch (e) {
      return e.message;
    }
    return null;
  };
  assert.match(tooMany('lake', flatDoc), /in a few seconds: read a part of lake \(a templated view\), or let the build store its result$/);
  assert.match(tooMany('lake_north', { ...flatDoc, templated: true }), /in a few seconds: let the build store its result$/);
});
