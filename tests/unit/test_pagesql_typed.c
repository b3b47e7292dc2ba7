/* test_pagesql_typed.c - typed inputs (date, date_range, slider, checkbox,
 * toggle, buttons) substituted by the C twin of web/src/sql.js exactly as
 * the runtime does: the cases are tests/data/typed_inputs.json, which
 * tests/e2e/typed_inputs.test.mjs holds sql.js to. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "site/pagesql.h"
#include "testutil.h"

static json_t *cases(void)
{
    const char *src = getenv("DS_SOURCE_DIR");
    char *path = ds_asprintf("%s/tests/data/typed_inputs.json", src ? src : ".");
    json_error_t e;
    json_t *doc = json_load_file(path, JSON_PRESERVE_ORDER, &e);
    cr_assert_not_null(doc, "%s: %s", path, e.text);
    free(path);
    return doc;
}

Test(pagesql_typed, same_sql_and_ids_as_the_runtime)
{
    json_t *doc = cases();
    size_t n;
    ds_input_spec *specs = ds_pagesql_inputs(doc, &n);
    cr_assert_eq(n, 6);
    const char *today = json_string_value(json_object_get(doc, "today"));
    const char *sql = json_string_value(json_object_get(doc, "sql"));
    const char *ids = json_string_value(json_object_get(doc, "ids"));
    json_t *queries = json_object();
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cases"), i, c)
    {
        ds_val *values = ds_xcalloc(n, sizeof *values);
        json_t *given = json_object_get(c, "values");
        for (size_t k = 0; k < n; k++) {
            json_t *v = json_object_get(given, specs[k].name);
            if (v)
                values[k] = (ds_val){DS_VAL_STR, (char *)json_string_value(v), NULL, 0};
        }
        ds_env env;
        ds_pagesql_env_at(specs, n, values, today, &env);
        char *got = ds_pagesql_substitute(sql, &env);
        cr_assert_str_eq(got, json_string_value(json_object_get(c, "sql")), "case %zu", i);
        free(got);
        /* An id is resolved only when it is a plain name: compare through
         * the global path, which keeps the substituted text. */
        char *id = ds_asprintf("global:%s", ids);
        char *path = ds_pagesql_resolve(id, &env, queries);
        const char *want = json_string_value(json_object_get(c, "id"));
        bool plain = strspn(want, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                     strlen(want);
        if (plain) {
            char *expect = ds_asprintf("/sql/_global/%s.sql", want);
            cr_assert_str_eq(path, expect, "case %zu", i);
            free(expect);
        } else {
            cr_assert_null(path, "case %zu: '%s' is not a plain id", i, want);
        }
        free(path);
        free(id);
        ds_pagesql_env_free(&env);
        free(values);
    }
    json_decref(queries);
    ds_pagesql_inputs_free(specs, n);
    json_decref(doc);
}

Test(pagesql_typed, dates_and_numbers_are_validated)
{
    cr_assert(ds_pagesql_valid_date("2024-02-29"));
    cr_assert(ds_pagesql_valid_date(" 2000-02-29 "));
    cr_assert_not(ds_pagesql_valid_date("2023-02-29"));
    cr_assert_not(ds_pagesql_valid_date("1900-02-29"));
    cr_assert_not(ds_pagesql_valid_date("2024-1-01"));
    cr_assert_not(ds_pagesql_valid_date("2024-01-01' OR 1=1"));
    cr_assert(ds_pagesql_valid_number("-2.50"));
    cr_assert(ds_pagesql_valid_number("7"));
    cr_assert_not(ds_pagesql_valid_number("1e3"));
    cr_assert_not(ds_pagesql_valid_number("1."));
    cr_assert_not(ds_pagesql_valid_number("1; DROP TABLE x"));
    cr_assert_not(ds_pagesql_valid_number(""));
}
