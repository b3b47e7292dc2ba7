/* test_sqltext.c - SQL text helpers: quoting, ${...} placeholders, literal
 * rewriting that respects identifiers and comments, leading WITH, trim. */
#include <criterion/criterion.h>

#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

static char *quoted(const char *text)
{
    ds_buf b = {0};
    ds_sql_quote(&b, text);
    return ds_buf_take(&b);
}

Test(sqltext, quote_doubles_single_quotes)
{
    char *q = quoted("it's");
    cr_assert_str_eq(q, "'it''s'");
    free(q);
    q = quoted("");
    cr_assert_str_eq(q, "''");
    free(q);
    q = quoted("''");
    cr_assert_str_eq(q, "''''''");
    free(q);
    q = quoted("a \"b\" \\c");
    cr_assert_str_eq(q, "'a \"b\" \\c'");
    free(q);

    /* Appends to what is there. */
    ds_buf b = {0};
    ds_buf_puts(&b, "x = ");
    ds_sql_quote(&b, "O'Brien");
    cr_assert_str_eq(ds_buf_str(&b), "x = 'O''Brien'");
    ds_buf_free(&b);
}

/* The placeholder at TEXT as "inputs:NAME:LEN" / "params:NAME:LEN", or "-". */
static char *placeholder(const char *text)
{
    ds_placeholder_kind kind;
    const char *name;
    size_t n, len = ds_sql_placeholder(text, &kind, &name, &n);
    if (!len)
        return ds_strdup("-");
    return ds_asprintf("%s:%.*s:%zu", kind == DS_PH_INPUTS ? "inputs" : "params", (int)n, name,
                       len);
}

static void expect_placeholder(const char *text, const char *want)
{
    char *got = placeholder(text);
    cr_assert_str_eq(got, want, "for '%s'", text);
    free(got);
}

/* Exactly web/src/sql.js's /\$\{\s*(inputs|params)\.([A-Za-z0-9_]+)\s*\}/, \s
 * being JavaScript's white space, Unicode spaces included. */
Test(sqltext, placeholder_reads_what_the_runtime_fills)
{
    expect_placeholder("${inputs.r} AND", "inputs:r:11");
    expect_placeholder("${params.region_2}", "params:region_2:18");
    expect_placeholder("${ inputs.r }", "inputs:r:13");
    expect_placeholder("${\t\n\r\v\finputs.r\n}", "inputs:r:17");
    expect_placeholder("${\xC2\xA0inputs.r}", "inputs:r:13");                 /* U+00A0 */
    expect_placeholder("${inputs.r\xE3\x80\x80}", "inputs:r:14");             /* U+3000 */
    expect_placeholder("${\xEF\xBB\xBFparams.p\xE2\x80\xA8}", "params:p:17"); /* FEFF, 2028 */
    expect_placeholder("${\xE2\x80\x8Ainputs.r}", "inputs:r:14");             /* U+200A */
    /* Not placeholders: the runtime leaves them in the SQL. */
    expect_placeholder("${\xE2\x80\x8Binputs.r}", "-"); /* U+200B is no white space */
    expect_placeholder("${input.r}", "-");
    expect_placeholder("${inputs.}", "-");
    expect_placeholder("${inputs .r}", "-");
    expect_placeholder("${inputs. r}", "-");
    expect_placeholder("${Inputs.r}", "-");
    expect_placeholder("${inputs.r-x}", "-");
    expect_placeholder("${i}", "-");
    expect_placeholder("${inputs.r", "-");
    expect_placeholder("$inputs.r}", "-");
    expect_placeholder("${\xC2", "-");
}

/* Every "${" with where it stands: "C" code, "S" string, "I" identifier, "M" comment. */
static int note_brace(void *ctx, const char *at, ds_sql_at where)
{
    ds_buf *b = ctx;
    ds_buf_printf(b, "%c%c", "CSIM"[where], at[2]);
    return 0;
}

Test(sqltext, each_brace_says_where_it_stands)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    cr_assert_eq(ds_sql_each_brace("SELECT ${a}, '${b}', \"${c}\" -- ${d}\n"
                                   "/* ${e} */ $$ ${f} $$, $t$${g}$t$, 'it''s ${h}', ${i}",
                                   note_brace, &b),
                 0);
    cr_assert_str_eq(ds_buf_str(&b), "CaSbIcMdMeSfSgShCi");
    ds_buf_free(&b);
}

static int stop_at_second(void *ctx, const char *at, ds_sql_at where)
{
    (void)at, (void)where;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

Test(sqltext, each_brace_stops_at_an_answer)
{
    int calls = 0;
    cr_assert_eq(ds_sql_each_brace("${a} ${b} ${c}", stop_at_second, &calls), 7);
    cr_assert_eq(calls, 2);
    calls = 0;
    cr_assert_eq(ds_sql_each_brace("SELECT 1 -- no braces", stop_at_second, &calls), 0);
    cr_assert_eq(calls, 0);
}

Test(sqltext, null_placeholders)
{
    char *s = ds_sql_null_placeholders("SELECT * FROM t WHERE a = ${a} AND b > ${ b.c }");
    cr_assert_str_eq(s, "SELECT * FROM t WHERE a = NULL AND b > NULL");
    free(s);
    s = ds_sql_null_placeholders("${x}${y}");
    cr_assert_str_eq(s, "NULLNULL");
    free(s);
    s = ds_sql_null_placeholders("SELECT 1");
    cr_assert_str_eq(s, "SELECT 1");
    free(s);
    s = ds_sql_null_placeholders("");
    cr_assert_str_eq(s, "");
    free(s);
    /* Not placeholders: a lone $, $1, ${ without a closing brace. */
    s = ds_sql_null_placeholders("SELECT $1, '$', {x} ${unterminated");
    cr_assert_str_eq(s, "SELECT $1, '$', {x} ${unterminated");
    free(s);
    s = ds_sql_null_placeholders("a ${p} b ${");
    cr_assert_str_eq(s, "a NULL b ${");
    free(s);
}

/* Literal callback: upper-cases literals starting with "data/", records
 * every literal it was shown. */
typedef struct {
    ds_buf seen;
    char out[256];
} lit_ctx;

static const char *rewrite(void *vctx, const char *literal)
{
    lit_ctx *c = vctx;
    ds_buf_printf(&c->seen, "[%s]", literal);
    if (!ds_starts_with(literal, "data/"))
        return NULL;
    snprintf(c->out, sizeof c->out, "/phys/%s", literal + 5);
    return c->out;
}

static char *map(const char *sql, lit_ctx *c)
{
    memset(c, 0, sizeof *c);
    return ds_sql_map_literals(sql, rewrite, c);
}

Test(sqltext, map_literals_replaces_single_quoted_only)
{
    lit_ctx c;
    char *s = map("SELECT * FROM read_parquet('data/a.parquet') WHERE x = 'keep'", &c);
    cr_assert_str_eq(s, "SELECT * FROM read_parquet('/phys/a.parquet') WHERE x = 'keep'");
    cr_assert_str_eq(ds_buf_str(&c.seen), "[data/a.parquet][keep]");
    free(s);
    ds_buf_free(&c.seen);

    s = map("SELECT ['data/a', 'data/b']", &c);
    cr_assert_str_eq(s, "SELECT ['/phys/a', '/phys/b']");
    free(s);
    ds_buf_free(&c.seen);
}

Test(sqltext, map_literals_skips_identifiers_and_comments)
{
    lit_ctx c;
    const char *sql = "SELECT \"data/x\", 'data/y' -- 'data/comment'\n"
                      "/* 'data/block' \n 'data/more' */ FROM \"it's 'data/id'\"";
    char *s = map(sql, &c);
    cr_assert_str_eq(s, "SELECT \"data/x\", '/phys/y' -- 'data/comment'\n"
                        "/* 'data/block' \n 'data/more' */ FROM \"it's 'data/id'\"");
    cr_assert_str_eq(ds_buf_str(&c.seen), "[data/y]");
    free(s);
    ds_buf_free(&c.seen);
}

Test(sqltext, map_literals_handles_doubled_quotes)
{
    lit_ctx c;
    /* The callback sees the unquoted text; the replacement is re-quoted. */
    char *s = map("SELECT 'data/it''s', 'a''b', ''''", &c);
    cr_assert_str_eq(s, "SELECT '/phys/it''s', 'a''b', ''''");
    cr_assert_str_eq(ds_buf_str(&c.seen), "[data/it's][a'b][']");
    free(s);
    ds_buf_free(&c.seen);

    s = map("SELECT '', 'data/e'", &c);
    cr_assert_str_eq(s, "SELECT '', '/phys/e'");
    cr_assert_str_eq(ds_buf_str(&c.seen), "[][data/e]");
    free(s);
    ds_buf_free(&c.seen);

    /* A quote inside a literal does not start a comment or identifier. */
    s = map("SELECT '-- not a comment', '\"', 'data/z'", &c);
    cr_assert_str_eq(s, "SELECT '-- not a comment', '\"', '/phys/z'");
    cr_assert_str_eq(ds_buf_str(&c.seen), "[-- not a comment][\"][data/z]");
    free(s);
    ds_buf_free(&c.seen);
}

/* The empty literal '' must reach the callback as "", whatever literal came
 * before it (and must not be rewritten as that earlier literal). */
Test(sqltext, map_literals_empty_literal_after_another)
{
    lit_ctx c;
    char seen1[128], out1[128], seen2[128], out2[128];
    char *s = map("SELECT 'data/a.parquet', '' AS empty", &c);
    snprintf(seen1, sizeof seen1, "%s", ds_buf_str(&c.seen));
    snprintf(out1, sizeof out1, "%s", s);
    free(s);
    ds_buf_free(&c.seen);
    s = map("SELECT 'abc', ''", &c);
    snprintf(seen2, sizeof seen2, "%s", ds_buf_str(&c.seen));
    snprintf(out2, sizeof out2, "%s", s);
    free(s);
    ds_buf_free(&c.seen);

    cr_assert_str_eq(seen1, "[data/a.parquet][]");
    cr_assert_str_eq(out1, "SELECT '/phys/a.parquet', '' AS empty");
    cr_assert_str_eq(seen2, "[abc][]");
    cr_assert_str_eq(out2, "SELECT 'abc', ''");
}

Test(sqltext, map_literals_unterminated_left_alone)
{
    lit_ctx c;
    char *s = map("SELECT 'data/open", &c);
    cr_assert_str_eq(s, "SELECT 'data/open");
    cr_assert_str_eq(ds_buf_str(&c.seen), "");
    free(s);
    ds_buf_free(&c.seen);
    s = map("SELECT 1 /* 'data/x'", &c);
    cr_assert_str_eq(s, "SELECT 1 /* 'data/x'");
    cr_assert_str_eq(ds_buf_str(&c.seen), "");
    free(s);
    ds_buf_free(&c.seen);
}

Test(sqltext, leading_with)
{
    bool rec = true;
    const char *sql = "WITH a AS (SELECT 1) SELECT * FROM a";
    const char *p = ds_sql_leading_with(sql, &rec);
    cr_assert_eq(p, sql + 5);
    cr_assert(!rec);

    sql = "  with\n\trecursive r(n) AS (SELECT 1) SELECT * FROM r";
    p = ds_sql_leading_with(sql, &rec);
    cr_assert_not_null(p);
    cr_assert_str_eq(p, "r(n) AS (SELECT 1) SELECT * FROM r");
    cr_assert(rec);

    sql = "-- a comment\n/* block\n */ With x AS (SELECT 2) SELECT 3";
    p = ds_sql_leading_with(sql, &rec);
    cr_assert_not_null(p);
    cr_assert_str_eq(p, "x AS (SELECT 2) SELECT 3");
    cr_assert(!rec);

    sql = "WITH /* c */ RECURSIVE -- c\n t AS (SELECT 1) SELECT 1";
    p = ds_sql_leading_with(sql, &rec);
    cr_assert_not_null(p);
    cr_assert_str_eq(p, "t AS (SELECT 1) SELECT 1");
    cr_assert(rec);

    /* "recursive" must be a whole word too. */
    sql = "WITH recursive_t AS (SELECT 1) SELECT 1";
    p = ds_sql_leading_with(sql, &rec);
    cr_assert_not_null(p);
    cr_assert_str_eq(p, "recursive_t AS (SELECT 1) SELECT 1");
    cr_assert(!rec);
}

Test(sqltext, leading_with_non_matches)
{
    bool rec = true;
    cr_assert_null(ds_sql_leading_with("SELECT 1", &rec));
    cr_assert(!rec, "*recursive is reset");
    cr_assert_null(ds_sql_leading_with("WITHIN GROUP", &rec));
    cr_assert_null(ds_sql_leading_with("without AS (SELECT 1) SELECT 1", &rec));
    cr_assert_null(ds_sql_leading_with("with_x", &rec));
    cr_assert_null(ds_sql_leading_with("-- WITH a AS (SELECT 1)\nSELECT 1", &rec));
    cr_assert_null(ds_sql_leading_with("SELECT 1 WITH", &rec));
    cr_assert_null(ds_sql_leading_with("", &rec));
    cr_assert_null(ds_sql_leading_with("'WITH'", &rec));
}

Test(sqltext, trim)
{
    char *s = ds_sql_trim("  \n SELECT 1 ; \n ;; \t");
    cr_assert_str_eq(s, "SELECT 1");
    free(s);
    s = ds_sql_trim("SELECT 'a;b'");
    cr_assert_str_eq(s, "SELECT 'a;b'");
    free(s);
    s = ds_sql_trim(" ; ");
    cr_assert_str_eq(s, "");
    free(s);
    s = ds_sql_trim("");
    cr_assert_str_eq(s, "");
    free(s);
    s = ds_sql_trim("SELECT\n  1\n");
    cr_assert_str_eq(s, "SELECT\n  1");
    free(s);
}

Test(sqltext, is_identifier)
{
    cr_assert(ds_sql_is_identifier("a"));
    cr_assert(ds_sql_is_identifier("_"));
    cr_assert(ds_sql_is_identifier("_x1"));
    cr_assert(ds_sql_is_identifier("Sales_2024"));
    cr_assert(!ds_sql_is_identifier(""));
    cr_assert(!ds_sql_is_identifier("1abc"));
    cr_assert(!ds_sql_is_identifier("a-b"));
    cr_assert(!ds_sql_is_identifier("a b"));
    cr_assert(!ds_sql_is_identifier("a.b"));
    cr_assert(!ds_sql_is_identifier("\"a\""));
    cr_assert(!ds_sql_is_identifier("caf\xc3\xa9"));
}

Test(sqltext, ident_bare_when_plain_quoted_otherwise)
{
    const char *cases[][2] = {
        {"day", "day"},
        {"Order_Date2", "Order_Date2"},
        {"order", "\"order\""},
        {"END", "\"END\""},
        {"timestamp", "\"timestamp\""},
        {"order date", "\"order date\""},
        {"2024", "\"2024\""},
        {"a\"b", "\"a\"\"b\""},
        {"x); DROP TABLE t; --", "\"x); DROP TABLE t; --\""},
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(cases); i++) {
        ds_buf b = {0};
        ds_sql_ident(&b, cases[i][0]);
        cr_expect_str_eq(ds_buf_str(&b), cases[i][1], "%s", cases[i][0]);
        ds_buf_free(&b);
    }
}

/* The keywords ds_sql_ident quotes are exactly the engine's keywords that
 * are not "unreserved", so a DuckDB upgrade that adds one fails here. */
Test(sqltext, keywords_are_the_engines)
{
    size_t n;
    const char *const *kw = ds_sql_keywords(&n);
    for (size_t i = 1; i < n; i++)
        cr_assert_lt(strcmp(kw[i - 1], kw[i]), 0, "not sorted at %s", kw[i]);
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db,
                               "SELECT keyword_name FROM duckdb_keywords() WHERE "
                               "keyword_category <> 'unreserved' ORDER BY keyword_name",
                               &rows, &err),
                 0, "%s", err.msg);
    ds_buf ours = {0}, engine = {0};
    for (size_t i = 0; i < n; i++)
        ds_buf_printf(&ours, "%s\n", kw[i]);
    for (size_t r = 0; r < rows.rows; r++)
        ds_buf_printf(&engine, "%s\n", ds_rows_get(&rows, r, 0));
    cr_expect_str_eq(ds_buf_str(&ours), ds_buf_str(&engine));
    ds_buf_free(&ours);
    ds_buf_free(&engine);
    ds_rows_free(&rows);
    ds_duck_close(db);
}

/* Per-file filters of one shape are validated once (sources.c), so the
 * shape hides only the values compared with something: names, quoted
 * identifiers, comments and the literals the binder checks (a function's
 * or a type's) tell filters apart. */
Test(sqltext, shape_hides_literals_only)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"name = 'a'", "name = ''"},
        {"name = 'it''s' OR name = ''", "name = '' OR name = ''"},
        {"id = 12", "id = 0"},
        {"x > 1.5 AND y < 1e-3 AND z = 2E+10", "x > 0 AND y < 0 AND z = 0"},
        {"id=7", "id=0"},
        {"col1 = 2", "col1 = 0"},
        {"t2.x = 3", "t2.x = 0"},
        {"x_9 + 1 - 2", "x_9 + 1 - 2"},
        {"date_part('year', d) > 2020", "date_part('year', d) > 0"},
        {"CAST(id AS DECIMAL(10,2)) >= 1.5", "CAST(id AS DECIMAL(10,2)) >= 0"},
        {"a <> 'x' AND b != 3 AND c <= 4", "a <> '' AND b != 0 AND c <= 0"},
        {"\"col 9\" = 'v'", "\"col 9\" = ''"},
        {"\"a\"\"5\" = 5", "\"a\"\"5\" = 0"},
        {"x = 1 -- 42 'q'\nAND y = 2", "x = 0 -- 42 'q'\nAND y = 0"},
        {"x = 1 /* 'q' 7 */", "x = 0 /* 'q' 7 */"},
        {"", ""},
        {"12", "12"},
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(cases); i++) {
        char *s = ds_sql_shape(cases[i].in);
        cr_assert_str_eq(s, cases[i].out, "shape of '%s'", cases[i].in);
        free(s);
    }
    /* Same shape for filters that differ in their literals only, not for
     * filters on other columns. */
    char *a = ds_sql_shape("id = 1"), *b = ds_sql_shape("id = 20"), *c = ds_sql_shape("id2 = 1");
    cr_assert_str_eq(a, b);
    cr_assert_str_neq(a, c);
    free(a);
    free(b);
    free(c);
}

Test(sqltext, a_row_filter_is_one_expression)
{
    /* What a WHERE in parentheses can hold beside others. */
    const char *ok[] = {"amount > 0", "(a OR b) AND c", "name = 'it''s (x'",
                        "\"we)ird\" = 1", "note <> E'O\\'Brien )'", "s = $$it's ) $$",
                        "s = $t$ -- $t$", "j->>'k' = 'v'", "re ~ '^(a|b)$'", "d = '2024-01-01'"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        cr_assert_null(ds_sql_expression_why(ok[i]), "%s: %s", ok[i],
                       ds_sql_expression_why(ok[i]));
    cr_assert_str_eq(ds_sql_expression_why("id = 1) OR (TRUE"),
                     "a ')' closes a '(' it does not open");
    cr_assert_str_eq(ds_sql_expression_why("(id = 1"), "a '(' is not closed");
    cr_assert_str_eq(ds_sql_expression_why("name = 'x"), "a quote is not closed");
    cr_assert_str_eq(ds_sql_expression_why("s = $$x"), "a quote is not closed");
    cr_assert_str_eq(ds_sql_expression_why("TRUE; DROP TABLE t"), "it holds ';'");
    cr_assert_str_eq(ds_sql_expression_why("TRUE -- x"), "it holds a comment ('--' or '/*')");
    cr_assert_str_eq(ds_sql_expression_why("TRUE /* x */"), "it holds a comment ('--' or '/*')");
}
