/* ds_sql.c - runs SQL with the build-time DuckDB engine, from a file named
 * on the command line or from stdin, and prints the last statement's result
 * as tab-separated text.  Tests use it to make Parquet files at test time
 * instead of committing binaries. */
#include <stdio.h>
#include <stdlib.h>

#include "sql/duck.h"
#include "util/fs.h"

int main(int argc, char **argv)
{
    ds_err err;
    const char *path = argc > 1 ? argv[1] : "/dev/stdin";
    char *sql = ds_read_file(path, NULL, &err);
    if (!sql) {
        fprintf(stderr, "ds-sql: %s\n", err.msg);
        return 1;
    }
    ds_duck *db = ds_duck_open(&err);
    ds_rows rows = {0};
    int rc = db && ds_duck_query(db, sql, &rows, &err) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "ds-sql: %s\n", err.msg);
    for (size_t r = 0; r < rows.rows; r++)
        for (size_t c = 0; c < rows.cols; c++) {
            const char *v = ds_rows_get(&rows, r, c);
            printf("%s%c", v ? v : "NULL", c + 1 < rows.cols ? '\t' : '\n');
        }
    ds_rows_free(&rows);
    ds_duck_close(db);
    free(sql);
    return rc;
}
