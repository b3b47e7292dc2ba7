/* models.c - sources_sql/ *.sql files -> named model queries (see models.h). */
#include "models.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../config/layout.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "sqltext.h"

/* If line (without its newline) is a "-- name: x" marker, returns the
 * trimmed name; else NULL. */
static char *marker_name(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (end - p < 2 || p[0] != '-' || p[1] != '-')
        return NULL;
    p += 2;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (end - p < 5 || strncmp(p, "name:", 5) != 0)
        return NULL;
    p += 5;
    while (p < end && isspace((unsigned char)*p))
        p++;
    while (end > p && isspace((unsigned char)end[-1]))
        end--;
    return ds_strndup(p, (size_t)(end - p));
}

static bool is_comment_or_blank(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p == end || (end - p >= 2 && p[0] == '-' && p[1] == '-');
}

static int finish_block(const char *display, char *name, int line, ds_buf *body,
                        ds_query_list *out, ds_err *err)
{
    char *sql = ds_sql_trim(ds_buf_str(body));
    int rc = 0;
    const ds_query *clash = ds_query_find(out, name);
    if (!ds_sql_is_identifier(name))
        rc = ds_err_set(err,
                        "%s:%d: model name '%s' is not an SQL identifier (letters, digits "
                        "and _, not starting with a digit)",
                        display, line, name);
    else if (clash && clash->kind == DS_KIND_MODEL)
        rc = ds_err_set(err, "%s:%d: model '%s' is defined twice: here and at %s:%d", display,
                        line, name, clash->file, clash->line);
    else if (clash)
        rc = ds_err_set(err,
                        "%s:%d: model '%s' has the name of a file-source view defined at "
                        "%s:%d",
                        display, line, name, clash->file, clash->line);
    else if (!*sql)
        rc = ds_err_set(err, "%s:%d: model '%s' has no SQL", display, line, name);
    else {
        ds_query_add(out, name, DS_KIND_MODEL, sql, display, line);
        /* The query's first line in the file: after the marker and the
         * blank lines trimmed off, so errors and findings name file lines. */
        int first = line + 1;
        for (const char *b = ds_buf_str(body); isspace((unsigned char)*b); b++)
            first += *b == '\n';
        out->items[out->len - 1].text_line = first;
    }
    free(sql);
    free(name);
    ds_buf_free(body);
    return rc;
}

int ds_models_parse(const char *text, const char *display, ds_query_list *out, ds_err *err)
{
    char *name = NULL;
    int name_line = 0, line_no = 0, stray_line = 0;
    ds_buf body = {0};
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        line_no++;
        char *marker = marker_name(p, len);
        if (marker) {
            if (name && finish_block(display, name, name_line, &body, out, err) != 0) {
                free(marker);
                return -1;
            }
            name = marker;
            name_line = line_no;
        } else if (name) {
            ds_buf_add(&body, p, len);
            ds_buf_putc(&body, '\n');
        } else if (!stray_line && !is_comment_or_blank(p, len)) {
            stray_line = line_no;
        }
        p += nl ? len + 1 : len;
    }
    if (stray_line)
        ds_warn("%s:%d: text before the first '-- name: <id>' line is ignored", display,
                stray_line);
    if (name)
        return finish_block(display, name, name_line, &body, out, err);
    return 0;
}

int ds_models_load(const ds_config *cfg, ds_query_list *out, ds_err *err)
{
    char *dir = ds_path_join(cfg->root, DS_SOURCES_SQL_DIR);
    ds_walk_listing l;
    if (ds_walk_list(dir, DS_WALK_NO_HIDDEN, &l) != 0) {
        free(dir);
        return 0; /* no models */
    }
    int rc = 0;
    for (size_t i = 0; i < l.n; i++) {
        const char *name = l.items[i].name;
        if (!ds_ends_with(name, ".sql"))
            continue;
        char *path = ds_path_join(dir, name);
        char *display = ds_asprintf("sources_sql/%s", name);
        char *text = rc == 0 && ds_is_file(path) ? ds_read_file(path, NULL, err) : NULL;
        if (text)
            rc = ds_models_parse(text, display, out, err);
        else if (rc == 0 && ds_is_file(path))
            rc = -1;
        free(text);
        free(display);
        free(path);
    }
    ds_walk_list_free(&l);
    free(dir);
    return rc;
}
