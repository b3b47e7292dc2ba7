/* test_duck.c - the hand-written DuckDB C API declarations against the real
 * libduckdb: open, COPY ... TO Parquet, read it back, errors, NULLs. */
#include <criterion/criterion.h>

#include "sql/duck.h"
#include "sql/duckdb_api.h"
#include "testutil.h"

Test(duck, version_is_reported)
{
    const char *v = ds_duck_version();
    cr_assert_not_null(v);
    cr_assert(v[0] == 'v', "unexpected version %s", v);
}

Test(duck, parquet_round_trip)
{
    char *dir = test_tmpdir();
    char *file = ds_path_join(dir, "t.parquet");
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);

    char *copy = ds_asprintf("COPY (SELECT range AS id, 'item ' || range AS label, "
                             "DATE '2024-01-01' + range::INT AS day FROM range(1000)) "
                             "TO '%s' (FORMAT parquet)",
                             file);
    cr_assert_eq(ds_duck_exec(db, copy, &err), 0, "%s", err.msg);
    cr_assert(ds_is_file(file));

    char *sel = ds_asprintf("SELECT count(*), sum(id), max(label), min(day) FROM "
                            "read_parquet('%s')",
                            file);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, sel, &rows, &err), 0, "%s", err.msg);
    cr_assert_eq(rows.rows, 1);
    cr_assert_eq(rows.cols, 4);
    cr_assert_str_eq(ds_rows_get(&rows, 0, 0), "1000");
    cr_assert_str_eq(ds_rows_get(&rows, 0, 1), "499500");
    cr_assert_str_eq(ds_rows_get(&rows, 0, 2), "item 999");
    cr_assert_str_eq(ds_rows_get(&rows, 0, 3), "2024-01-01");
    cr_assert_eq(rows.types[0], DUCKDB_TYPE_BIGINT);
    cr_assert_eq(rows.types[3], DUCKDB_TYPE_DATE);
    ds_rows_free(&rows);

    free(sel);
    free(copy);
    free(file);
    ds_duck_close(db);
    test_rmtree(dir);
    free(dir);
}

Test(duck, column_names_and_nulls)
{
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, "SELECT 1 AS a, NULL AS b UNION ALL SELECT 2, 'x' ORDER BY a",
                               &rows, &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(rows.names[0], "a");
    cr_assert_str_eq(rows.names[1], "b");
    cr_assert_null(ds_rows_get(&rows, 0, 1));
    cr_assert_str_eq(ds_rows_get(&rows, 1, 1), "x");
    cr_assert_null(ds_rows_get(&rows, 5, 0), "out of range reads give NULL");
    ds_rows_free(&rows);
    ds_duck_close(db);
}

Test(duck, errors_carry_duckdb_message)
{
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, "SELECT * FROM no_such_table", &rows, &err), -1);
    cr_assert(strstr(err.msg, "no_such_table") != NULL, "message: %s", err.msg);
    cr_assert_eq(ds_duck_exec(db, "SELEC 1", &err), -1);
    cr_assert(strstr(err.msg, "syntax error") != NULL, "message: %s", err.msg);
    ds_duck_close(db);
}
