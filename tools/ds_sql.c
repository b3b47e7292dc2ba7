/* ds_sql.c - runs SQL with the build-time DuckDB engine, from a file named
 * on the command line or from stdin.  Tests use it to make Parquet files at
 * test time instead of committing binaries. */
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
    int rc = db && ds_duck_exec(db, sql, &err) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "ds-sql: %s\n", err.msg);
    ds_duck_close(db);
    free(sql);
    return rc;
}
