/* test_dialect.c - the browser engine's dialect: loading the captured file
 * and finding what a query uses that the engine lacks. */
#include <criterion/criterion.h>

#include "sql/dialect.h"
#include "sql/duck.h"
#include "testutil.h"

/* A tiny engine: a few functions and operators, as capture-dialect.mjs
 * writes them (one of them not lowercased, to check the comparison). */
static const char *const DIALECT =
    "{\n"
    "  \"duckdb_wasm\": \"1.28.0\",\n"
    "  \"duckdb_version\": \"v0.9.1\",\n"
    "  \"functions\": {\n"
    "    \"+\": [\"scalar\"], \">\": [\"scalar\"], \"*\": [\"scalar\"],\n"
    "    \"count_star\": [\"aggregate\"], \"sum\": [\"aggregate\"],\n"
    "    \"list_value\": [\"scalar\"], \"list_transform\": [\"scalar\"],\n"
    "    \"range\": [\"table\"], \"read_parquet\": [\"table\"],\n"
    "    \"Upper\": [\"scalar\"], \"arg_max\": [\"aggregate\"],\n"
    "    \"list_reduce\": [\"scalar\"], \"~~\": [\"scalar\"], \"list_extract\": [\"scalar\"],\n"
    "    \"row\": [\"scalar\"]\n"
    "  },\n"
    "  \"max_args\": {\"arg_max\": 2, \"sum\": 1, \"list_transform\": 2},\n"
    "  \"keywords\": [\"select\"],\n"
    "  \"settings\": []\n"
    "}\n";

static char *dir;
static ds_dialect *dialect;
static ds_duck *db;

static void setup(void)
{
    dir = test_tmpdir();
    test_write(dir, "duckdb-dialect.json", DIALECT);
    char *path = ds_path_join(dir, "duckdb-dialect.json");
    ds_err err;
    dialect = ds_dialect_load(path, &err);
    free(path);
    cr_assert_not_null(dialect, "%s", err.msg);
    db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
}

static void teardown(void)
{
    ds_duck_close(db);
    ds_dialect_free(dialect);
    test_rmtree(dir);
    free(dir);
}

/* Checks sql and compares the findings with want (NULL-terminated). */
static void expect(const char *sql, const char *const *want)
{
    ds_dialect_findings f;
    ds_err err;
    cr_assert_eq(ds_dialect_check(dialect, db, sql, &f, &err), 0, "%s: %s", sql, err.msg);
    size_t n = 0;
    while (want[n])
        n++;
    ds_buf got = {0};
    for (size_t i = 0; i < f.len; i++)
        ds_buf_printf(&got, "[%s]", f.items[i]);
    bool same = f.len == n;
    for (size_t i = 0; same && i < n; i++)
        same = strcmp(f.items[i], want[i]) == 0;
    ds_dialect_findings_free(&f);
    cr_expect(same, "%s: got %s", sql, ds_buf_str(&got));
    ds_buf_free(&got);
}

#define EXPECT(sql, ...)                                                                     \
    do {                                                                                     \
        const char *const want_[] = {__VA_ARGS__, NULL};                                     \
        expect(sql, want_);                                                                  \
    } while (0)
#define EXPECT_NONE(sql)                                                                     \
    do {                                                                                     \
        const char *const want_[] = {NULL};                                                  \
        expect(sql, want_);                                                                  \
    } while (0)

TestSuite(dialect, .init = setup, .fini = teardown);

Test(dialect, load_reads_version_and_functions)
{
    cr_expect_str_eq(ds_dialect_version(dialect), "0.9.1");
    cr_expect(ds_dialect_has_function(dialect, "sum"));
    cr_expect(ds_dialect_has_function(dialect, "SUM"));
    cr_expect(ds_dialect_has_function(dialect, "upper"));
    cr_expect(!ds_dialect_has_function(dialect, "sha1"));
}

Test(dialect, known_functions_are_fine)
{
    EXPECT_NONE("SELECT sum(a + 1), count(*), UPPER(b) FROM t WHERE a > 2");
    EXPECT_NONE("SELECT * FROM range(3)");
    EXPECT_NONE("SELECT list_transform([1, 2], x -> x * 2)");
}

Test(dialect, missing_functions_sorted_once_any_case)
{
    EXPECT("SELECT SHA1(a), sha1(b), countif(a > 1), upper(c) FROM t", "function 'countif'",
           "function 'sha1'");
}

Test(dialect, missing_table_function)
{
    EXPECT("SELECT * FROM read_json('x.json')", "function 'read_json'");
}

Test(dialect, missing_operator)
{
    EXPECT("SELECT a ->> 'b' FROM t", "operator '->>'");
}

Test(dialect, placeholders_read_as_null)
{
    EXPECT_NONE("SELECT sum(a) FROM t WHERE a > ${inputs.min} AND b = '${x}'");
    EXPECT("SELECT sha1(${inputs.name})", "function 'sha1'");
}

Test(dialect, window_functions)
{
    /* row_number is an expression type, not a catalog function. */
    EXPECT_NONE("SELECT row_number() OVER (), sum(a) OVER (ORDER BY b) FROM t");
    EXPECT("SELECT countif(a) OVER () FROM t", "function 'countif'");
    EXPECT("SELECT fill(a) OVER (ORDER BY b) FROM t", "window function 'fill'");
    EXPECT("SELECT sum(DISTINCT a) OVER () FROM t", "DISTINCT in window functions");
    EXPECT("SELECT sum(a ORDER BY b) OVER () FROM t",
           "ORDER BY inside window function arguments");
    EXPECT("SELECT sum(a) OVER (ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW "
           "EXCLUDE CURRENT ROW) FROM t",
           "EXCLUDE in window frames");
}

Test(dialect, syntax_newer_than_the_engine)
{
    EXPECT("SELECT list_transform([1], lambda x: x + 1)",
           "lambda keyword syntax (write 'x -> ...' instead of 'lambda x: ...')");
    EXPECT("SELECT try(1 + 1)", "function 'try'");
    EXPECT("SELECT * RENAME (a AS b) FROM t", "SELECT * RENAME");
    EXPECT("SELECT * EXCLUDE (t.a) FROM t", "qualified column names in SELECT * EXCLUDE");
    EXPECT_NONE("SELECT * EXCLUDE (a) FROM t");
    EXPECT("WITH RECURSIVE r(x) USING KEY (x) AS (SELECT 1 UNION SELECT x + 1 FROM r "
           "WHERE x > 2) SELECT * FROM r",
           "USING KEY in recursive CTEs");
}

Test(dialect, unparsable_sql_is_an_error)
{
    ds_dialect_findings f;
    ds_err err;
    cr_assert_eq(ds_dialect_check(dialect, db, "SELEC nope", &f, &err), -1);
    cr_expect_eq(f.len, 0);
    cr_expect(strstr(err.msg, "syntax error") != NULL, "%s", err.msg);
    ds_dialect_findings_free(&f);
}

Test(dialect, load_errors_name_the_file)
{
    ds_err err;
    char *missing = ds_path_join(dir, "nope.json");
    cr_expect_null(ds_dialect_load(missing, &err));
    cr_expect(strstr(err.msg, missing) != NULL, "%s", err.msg);
    free(missing);

    test_write(dir, "bad.json", "{\"functions\": {}}");
    char *bad = ds_path_join(dir, "bad.json");
    cr_expect_null(ds_dialect_load(bad, &err));
    cr_expect(strstr(err.msg, bad) != NULL && strstr(err.msg, "not a dialect file"), "%s",
              err.msg);
    free(bad);

    test_write(dir, "broken.json", "{\"functions\": ");
    char *broken = ds_path_join(dir, "broken.json");
    cr_expect_null(ds_dialect_load(broken, &err));
    cr_expect(strstr(err.msg, broken) != NULL, "%s", err.msg);
    free(broken);
}

Test(dialect, newer_call_shapes_and_types)
{
    EXPECT("SELECT arg_max(a, b, 2) FROM t", "function 'arg_max' with 3 arguments (it takes at most 2)");
    EXPECT_NONE("SELECT arg_max(a, b), sum(a) FROM t");
    EXPECT("SELECT list_transform([1, 2], (x, i) -> x + i)",
           "lambda with an index parameter ((x, i) -> ...)");
    EXPECT_NONE("SELECT list_reduce([1, 2], (x, y) -> x + y)");
    EXPECT("SELECT * LIKE 'a%' FROM t", "* LIKE (write COLUMNS('regex') instead)");
    EXPECT_NONE("SELECT a FROM t WHERE b LIKE 'a%'");
    EXPECT("SELECT sum(a) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
           "GROUPS window frames");
    EXPECT("SELECT [1, 2, 3][1]", "indexing a list literal ([1, 2][1]; use list_extract)");
    EXPECT_NONE("SELECT l[1], list_extract([1, 2], 1) FROM t");
    EXPECT("SELECT '{}'::JSON", "type 'JSON'");
    EXPECT("SELECT * FROM (SUMMARIZE SELECT 1 AS a)", "SUMMARIZE or DESCRIBE inside a query");
}

/* Each finding knows the line of the SQL where it first stands (placeholders
 * read as NULL keep the line count). */
Test(dialect, findings_know_their_line)
{
    ds_dialect_findings f;
    ds_err err;
    const char *sql = "SELECT upper(${inputs.r}),\n"
                      "  sha1(a),\n"
                      "  sum(a) OVER (ORDER BY a\n"
                      "    GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW),\n"
                      "  sha1(b)\n"
                      "FROM t";
    cr_assert_eq(ds_dialect_check(dialect, db, sql, &f, &err), 0, "%s", err.msg);
    cr_assert_eq(f.len, 2);
    cr_assert_str_eq(f.items[0], "GROUPS window frames");
    cr_assert_eq(f.lines[0], 3, "the window expression starts on line 3: %d", f.lines[0]);
    cr_assert_str_eq(f.items[1], "function 'sha1'");
    cr_assert_eq(f.lines[1], 2, "the first sha1 is on line 2: %d", f.lines[1]);
    ds_dialect_findings_free(&f);
}
