/* prepare.c - form queries validated and target CSVs started at build time
 * (see prepare.h). */
#include "prepare.h"

#include <stdlib.h>
#include <string.h>

#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "csv.h"

static char *null_value(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return ds_strdup("NULL");
}

static void free_names(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

char **ds_form_query_columns(const ds_form *f, ds_duck *db, size_t *n, ds_err *err)
{
    char *bad = NULL;
    char *sql = ds_sql_fill_inputs(f->sql, null_value, NULL, &bad);
    if (!sql) {
        ds_err_set(err, "%s:%d: form '%s': sql_relation_query: %s", f->page, f->sql_line, f->id,
                   bad);
        free(bad);
        return NULL;
    }
    /* As a subquery: one SELECT, bound (names, types, files) but not run. */
    char *q = ds_asprintf("SELECT * FROM (\n%s\n) AS ds_form LIMIT 0", sql);
    free(sql);
    ds_rows rows;
    ds_err derr;
    int rc = ds_duck_query(db, q, &rows, &derr);
    free(q);
    if (rc != 0) {
        ds_err_set(err,
                   "%s:%d: form '%s': sql_relation_query does not run (inputs as NULL): %s",
                   f->page, f->sql_line, f->id, derr.msg);
        return NULL;
    }
    char **cols = ds_xcalloc(rows.cols + 1, sizeof *cols);
    *n = rows.cols;
    for (size_t c = 0; c < rows.cols; c++)
        cols[c] = ds_strdup(rows.names[c]);
    ds_rows_free(&rows);
    for (size_t c = 0; c < *n; c++) {
        const char *why = NULL;
        if (strcmp(cols[c], "submitted_by") == 0 || strcmp(cols[c], "submitted_at") == 0)
            why = "is written by the server (who and when); name the column otherwise";
        if (why) {
            ds_err_set(err, "%s:%d: form '%s': sql_relation_query: column '%s' %s", f->page,
                       f->sql_line, f->id, cols[c], why);
            free_names(cols, *n);
            return NULL;
        }
    }
    return cols;
}

int ds_forms_prepare(const ds_forms *forms, const char *root, ds_duck *db, ds_err *err)
{
    for (size_t i = 0; i < forms->len; i++) {
        const ds_form *f = &forms->items[i];
        size_t n_query = 0;
        char **query = ds_form_query_columns(f, db, &n_query, err);
        if (!query)
            return -1;
        char *path = ds_path_join(root, f->target);
        int rc = 0;
        if (!ds_exists(path)) {
            size_t n = 0;
            char **cols = ds_form_columns(f, query, n_query, &n);
            ds_buf b = {0};
            for (size_t c = 0; c < n; c++) {
                if (c)
                    ds_buf_putc(&b, ',');
                ds_csv_field(&b, cols[c]);
            }
            ds_buf_putc(&b, '\n');
            char *dir = ds_path_dirname(path);
            rc = ds_mkdir_p(dir, err);
            if (rc == 0)
                rc = ds_write_durable(path, b.data, b.len, 0644, err);
            if (rc == 0)
                ds_info("form '%s': started %s (header only)", f->id, f->target);
            free(dir);
            ds_buf_free(&b);
            free_names(cols, n);
        }
        free(path);
        free_names(query, n_query);
        if (rc != 0)
            return -1;
    }
    return 0;
}
