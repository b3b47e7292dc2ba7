/* duck.c - the build-time DuckDB session (see duck.h). */
#include "duck.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "duckdb_api.h"

struct ds_duck {
    duckdb_database db;
    duckdb_connection con;
    bool owns_db; /* false for a second connection (ds_duck_connect) */
};

ds_duck *ds_duck_open(ds_err *err)
{
    ds_duck *d = ds_xcalloc(1, sizeof *d);
    if (duckdb_open(NULL, &d->db) != DuckDBSuccess) {
        free(d);
        ds_err_set(err, "cannot start the build-time DuckDB engine");
        return NULL;
    }
    if (duckdb_connect(d->db, &d->con) != DuckDBSuccess) {
        duckdb_close(&d->db);
        free(d);
        ds_err_set(err, "cannot connect to the build-time DuckDB engine");
        return NULL;
    }
    d->owns_db = true;
    return d;
}

ds_duck *ds_duck_connect(ds_duck *shared, ds_err *err)
{
    assert(shared);
    ds_duck *d = ds_xcalloc(1, sizeof *d);
    d->db = shared->db;
    if (duckdb_connect(d->db, &d->con) != DuckDBSuccess) {
        free(d);
        ds_err_set(err, "cannot connect to the DuckDB engine");
        return NULL;
    }
    return d;
}

void ds_duck_interrupt(ds_duck *d)
{
    assert(d);
    duckdb_interrupt(d->con);
}

void ds_duck_close(ds_duck *d)
{
    if (!d)
        return;
    duckdb_disconnect(&d->con);
    if (d->owns_db)
        duckdb_close(&d->db);
    free(d);
}

static int run(ds_duck *d, const char *sql, duckdb_result *res, ds_err *err)
{
    assert(d && sql);
    memset(res, 0, sizeof *res);
    if (duckdb_query(d->con, sql, res) != DuckDBSuccess) {
        const char *msg = duckdb_result_error(res);
        ds_err_set(err, "%s", msg ? msg : "unknown DuckDB error");
        duckdb_destroy_result(res);
        return -1;
    }
    return 0;
}

int ds_duck_exec(ds_duck *d, const char *sql, ds_err *err)
{
    duckdb_result res;
    if (run(d, sql, &res, err) != 0)
        return -1;
    duckdb_destroy_result(&res);
    return 0;
}

int ds_duck_query(ds_duck *d, const char *sql, ds_rows *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    duckdb_result res;
    if (run(d, sql, &res, err) != 0)
        return -1;
    out->cols = (size_t)duckdb_column_count(&res);
    out->rows = (size_t)duckdb_row_count(&res);
    out->names = ds_xcalloc(out->cols, sizeof *out->names);
    out->types = ds_xcalloc(out->cols, sizeof *out->types);
    out->cells = ds_xcalloc(out->rows * out->cols, sizeof *out->cells);
    for (size_t c = 0; c < out->cols; c++) {
        out->names[c] = ds_strdup(duckdb_column_name(&res, c));
        out->types[c] = (int)duckdb_column_type(&res, c);
    }
    /* The C API's value functions crash on UUID columns: refuse rather than
     * read them (cast them to VARCHAR in SQL instead). */
    for (size_t c = 0; c < out->cols; c++)
        if (out->types[c] == DUCKDB_TYPE_UUID && out->rows > 0) {
            ds_err_set(err, "column \"%s\" is a UUID, which cannot be read as text here; "
                            "CAST it to VARCHAR",
                       out->names[c]);
            duckdb_destroy_result(&res);
            ds_rows_free(out);
            return -1;
        }
    for (size_t r = 0; r < out->rows; r++) {
        for (size_t c = 0; c < out->cols; c++) {
            if (duckdb_value_is_null(&res, c, r))
                continue;
            char *v = duckdb_value_varchar(&res, c, r);
            out->cells[r * out->cols + c] = ds_strdup(v ? v : "");
            duckdb_free(v);
        }
    }
    duckdb_destroy_result(&res);
    return 0;
}

const char *ds_rows_get(const ds_rows *rows, size_t row, size_t col)
{
    if (row >= rows->rows || col >= rows->cols)
        return NULL;
    return rows->cells[row * rows->cols + col];
}

void ds_rows_free(ds_rows *rows)
{
    for (size_t c = 0; c < rows->cols; c++)
        free(rows->names[c]);
    for (size_t i = 0; i < rows->rows * rows->cols; i++)
        free(rows->cells[i]);
    free(rows->names);
    free(rows->types);
    free(rows->cells);
    memset(rows, 0, sizeof *rows);
}

const char *ds_duck_version(void)
{
    return duckdb_library_version();
}
