/* test_pagesql.c - the runtime's SQL text rules in C must give the very
 * text web/src/sql.js gives (the expected strings below were produced by
 * sql.js itself): input defaults and templates, placeholders, query ids,
 * format columns, the result hash and JavaScript's number text. */
#include <criterion/criterion.h>

#include "site/pagesql.h"
#include "testutil.h"

static const char *CONFIG =
    "{\"queries\": {\"by_month\": {\"sql_path\": \"/sql/pages/a/by_month.sql\"}},"
    " \"inputs\": {"
    "  \"region\": {\"visual_mode\": \"dropdown\", \"expression_template\": \"region = ?\","
    "              \"all_label\": \"All regions\"},"
    "  \"tags\": {\"visual_mode\": \"dropdown\", \"multiple\": \"true\", \"default\": \"a, b ,\","
    "            \"expression_template\": \"tag IN ?\"},"
    "  \"q\": {\"visual_mode\": \"text\", \"default\": \"it's\", \"param_name\": \"q_prefix\","
    "         \"param_template\": \"left(?, 3)\"}}}";

static const char *SQL = "SELECT ${inputs.region}, ${params.region}, ${ inputs.tags }, "
                         "${params.tags}, ${inputs.q}, ${params.q_prefix}, ${inputs.q_prefix}, "
                         "${params.none}, ${inputs.none}";

static char *fill(json_t *config, const char *region, bool no_tags)
{
    size_t n;
    ds_input_spec *specs = ds_pagesql_inputs(config, &n);
    cr_assert_eq(n, 3);
    ds_val values[3] = {{0}};
    if (region)
        values[0] = (ds_val){DS_VAL_STR, (char *)region, NULL, 0};
    if (no_tags)
        values[1] = (ds_val){DS_VAL_LIST, NULL, NULL, 0};
    ds_env env;
    ds_pagesql_env(specs, n, values, &env);
    char *out = ds_pagesql_substitute(SQL, &env);
    ds_pagesql_env_free(&env);
    ds_pagesql_inputs_free(specs, n);
    return out;
}

Test(pagesql, substitute_like_the_runtime)
{
    json_t *config = json_loads(CONFIG, 0, NULL);
    cr_assert_not_null(config);
    char *s = fill(config, NULL, false);
    cr_assert_str_eq(s, "SELECT NULL, TRUE, ['a', 'b'], tag IN ('a', 'b'), 'it''s', "
                        "left('it''s', 3), 'it''', NULL, NULL");
    free(s);
    s = fill(config, "North", false);
    cr_assert_str_eq(s, "SELECT 'North', region = 'North', ['a', 'b'], tag IN ('a', 'b'), "
                        "'it''s', left('it''s', 3), 'it''', NULL, NULL");
    free(s);
    s = fill(config, "", false);
    cr_assert_str_eq(s, "SELECT NULL, TRUE, ['a', 'b'], tag IN ('a', 'b'), 'it''s', "
                        "left('it''s', 3), 'it''', NULL, NULL");
    free(s);
    /* A multiple input set to [] is not "missing": it stays empty. */
    s = fill(config, "All regions", true);
    cr_assert_str_eq(s, "SELECT 'All regions', TRUE, NULL, TRUE, 'it''s', left('it''s', 3), "
                        "'it''', NULL, NULL");
    free(s);
    json_decref(config);
}

Test(pagesql, resolve_query_ids)
{
    json_t *config = json_loads(CONFIG, 0, NULL);
    json_t *queries = json_object_get(config, "queries");
    ds_env env = {0};
    char *p = ds_pagesql_resolve("by_month", &env, queries);
    cr_assert_str_eq(p, "/sql/pages/a/by_month.sql");
    free(p);
    p = ds_pagesql_resolve(" global:by_month ", &env, queries);
    cr_assert_str_eq(p, "/sql/_global/by_month.sql");
    free(p);
    p = ds_pagesql_resolve("orders", &env, queries);
    cr_assert_str_eq(p, "/sql/_global/orders.sql");
    free(p);
    cr_assert_null(ds_pagesql_resolve("not a name", &env, queries));
    json_decref(config);
}

Test(pagesql, wrap_format_like_the_runtime)
{
    json_t *f = json_loads("{\"b \xc3\xa9\": {\"color_expr\": \"a > 0\", \"highlight_expr\": \" \"},"
                           " \"2\": {\"label_color_expr\": \"'red'\"}}",
                           JSON_PRESERVE_ORDER, NULL);
    char *s = ds_pagesql_wrap_format("SELECT 1 AS a; -- done\n", f, "chart");
    cr_assert_str_eq(s, "WITH base AS (\nSELECT 1 AS a\n)\nSELECT base.*, ('red') AS "
                        "\"__fmt_chart_2_label_color\", (a > 0) AS \"__fmt_chart_b___color\" "
                        "FROM base");
    free(s);
    json_decref(f);
    f = json_loads("{\"a\": {\"bg_color_expr\": \"'x'\", \"highlight_expr\": \"a = 1\"}}", 0, NULL);
    s = ds_pagesql_wrap_format("SELECT 1 AS a\n", f, "table");
    cr_assert_str_eq(s, "WITH base AS (\nSELECT 1 AS a\n)\nSELECT base.*, ('x') AS "
                        "\"__fmt_tbl_a_bg\", (a = 1) AS \"__fmt_tbl_a_hl\" FROM base");
    free(s);
    /* Inputs have no format columns; nothing to add leaves the text alone. */
    s = ds_pagesql_wrap_format("SELECT 1\n", f, "input");
    cr_assert_str_eq(s, "SELECT 1\n");
    free(s);
    json_decref(f);
}

Test(pagesql, hash_is_fnv1a_64)
{
    char h[17];
    ds_pagesql_hash("hello", h);
    cr_assert_str_eq(h, "a430d84680aabd0b");
    ds_pagesql_hash("SELECT \xc3\xa9 1", h);
    cr_assert_str_eq(h, "7c73d5983e08f7c4");
}

Test(pagesql, numbers_as_javascript_writes_them)
{
    const struct {
        double x;
        const char *js;
    } cases[] = {{0.1, "0.1"},         {123456789012345680000.0, "123456789012345680000"},
                 {1e21, "1e+21"},       {1.5e-7, "1.5e-7"},
                 {0.000001, "0.000001"}, {-2.5, "-2.5"},
                 {1.0 / 3, "0.3333333333333333"}, {100, "100"},
                 {0, "0"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[40];
        ds_pagesql_js_number(cases[i].x, out);
        cr_assert_str_eq(out, cases[i].js);
    }
}

/* Titles show the inputs' defaults as sql.js fillTitle does (the same
 * page and title in tests/e2e/sql.test.mjs give the same text). */
Test(pagesql, titles_show_defaults_like_the_runtime)
{
    json_t *config = json_loads(CONFIG, 0, NULL);
    size_t n;
    ds_input_spec *specs = ds_pagesql_inputs(config, &n);
    char *t = ds_pagesql_fill_title("Sales in ${inputs.region} for ${ inputs.tags }, q=${inputs.q} "
                                    "${inputs.none} ${params.region} ${inputs.",
                                    specs, n);
    cr_assert_str_eq(t, "Sales in All regions for a, b, q=it's ${inputs.none} ${params.region} "
                        "${inputs.");
    free(t);
    ds_pagesql_inputs_free(specs, n);
    json_decref(config);
}

/* A date range's ${inputs.NAME_start} and _end in a title are its days. */
Test(pagesql, titles_show_a_date_ranges_days)
{
    json_t *config = json_loads("{\"inputs\": {\"p\": {\"visual_mode\": \"date_range\", "
                                "\"default\": \"2024-01-01..2024-06-30\"}, \"q\": {\"type\": "
                                "\"date_range\", \"default\": \"2024-03-01..\"}}}",
                                0, NULL);
    size_t n;
    ds_input_spec *specs = ds_pagesql_inputs(config, &n);
    char *t = ds_pagesql_fill_title("${inputs.p_start} to ${inputs.p_end}, from ${inputs.q_start}"
                                    "[${inputs.q_end}] ${inputs.p}",
                                    specs, n);
    cr_assert_str_eq(t, "2024-01-01 to 2024-06-30, from 2024-03-01[] 2024-01-01..2024-06-30");
    free(t);
    ds_pagesql_inputs_free(specs, n);
    json_decref(config);
}
