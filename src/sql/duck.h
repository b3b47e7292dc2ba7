/* duck.h - a build-time DuckDB session: one in-memory database and one
 * connection, with results copied into plain C strings so callers never
 * touch the DuckDB API. */
#ifndef DS_DUCK_H
#define DS_DUCK_H

#include <stddef.h>

#include "../util/util.h"

typedef struct ds_duck ds_duck;

/* A query result as text.  cells[r * cols + c] is NULL for SQL NULL. */
typedef struct {
    size_t rows, cols;
    char **names;
    int *types;        /* duckdb_type of each column */
    char **cells;
} ds_rows;

ds_duck *ds_duck_open(ds_err *err);
void ds_duck_close(ds_duck *db);

/* A second connection to the database of SHARED (its tables, settings set
 * with SET GLOBAL, one memory pool): the server's live queries run one per
 * connection.  Closed with ds_duck_close before SHARED is. */
ds_duck *ds_duck_connect(ds_duck *shared, ds_err *err);

/* Asks the query running on DB to stop (from another thread): it then
 * fails with DuckDB's "Interrupted" error. */
void ds_duck_interrupt(ds_duck *db);

/* Runs SQL and discards the result.  On failure err holds DuckDB's message. */
int ds_duck_exec(ds_duck *db, const char *sql, ds_err *err);

/* Runs SQL and copies the whole result into out. */
int ds_duck_query(ds_duck *db, const char *sql, ds_rows *out, ds_err *err);
const char *ds_rows_get(const ds_rows *rows, size_t row, size_t col);
void ds_rows_free(ds_rows *rows);

const char *ds_duck_version(void);

#endif
