/* dialect.c - the browser engine's functions and what a query needs of
 * them (see dialect.h). */
#include "../util/fs.h"
#include "dialect.h"

#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sqltext.h"

struct ds_dialect {
    json_t *functions;   /* lowercased name -> true */
    char *version;
};

static char *lower(const char *s)
{
    char *out = ds_strdup(s);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

ds_dialect *ds_dialect_load(const char *path, ds_err *err)
{
    json_error_t jerr;
    json_t *doc = ds_json_load_path(path, 0, &jerr);
    if (!doc) {
        /* jansson gives no line when the file cannot be opened at all. */
        if (jerr.line > 0)
            ds_err_set(err, "%s:%d: cannot read the browser engine's dialect: %s", path,
                       jerr.line, jerr.text);
        else
            ds_err_set(err, "%s: cannot read the browser engine's dialect: %s", path, jerr.text);
        return NULL;
    }
    json_t *fns = json_object_get(doc, "functions");
    const char *version = json_string_value(json_object_get(doc, "duckdb_version"));
    if (!json_is_object(fns) || json_object_size(fns) == 0 || !version) {
        ds_err_set(err, "%s: not a dialect file (no \"functions\" or \"duckdb_version\")",
                   path);
        json_decref(doc);
        return NULL;
    }
    ds_dialect *d = ds_xcalloc(1, sizeof *d);
    d->functions = json_object();
    const char *name;
    json_t *v;
    json_object_foreach(fns, name, v)
    {
        char *low = lower(name);
        json_object_set_new(d->functions, low, json_true());
        free(low);
    }
    d->version = ds_strdup(version + (version[0] == 'v'));
    json_decref(doc);
    return d;
}

void ds_dialect_free(ds_dialect *d)
{
    if (!d)
        return;
    json_decref(d->functions);
    free(d->version);
    free(d);
}

const char *ds_dialect_version(const ds_dialect *d)
{
    return d->version;
}

bool ds_dialect_has_function(const ds_dialect *d, const char *name)
{
    char *low = lower(name);
    bool has = json_object_get(d->functions, low) != NULL;
    free(low);
    return has;
}

/* ---- the parse tree ---------------------------------------------------- */

typedef struct {
    const ds_dialect *d;
    const char *sql;     /* the text the tree was made from (for locations) */
    size_t sql_len;
    json_t *found;       /* phrase -> true */
} walk_ctx;

static void found(walk_ctx *c, const char *phrase)
{
    json_object_set_new(c->found, phrase, json_true());
}

static void found_name(walk_ctx *c, const char *what, const char *name)
{
    char *phrase = ds_asprintf("%s '%s'", what, name);
    found(c, phrase);
    free(phrase);
}

static bool is(const char *s, const char *want)
{
    return s && strcmp(s, want) == 0;
}

static bool nonempty(json_t *node, const char *key)
{
    return json_array_size(json_object_get(node, key)) > 0;
}

/* Window functions that are not aggregates are expression types of their
 * own, not catalog functions; these are the ones DuckDB 0.9 knows.  Newer
 * types (WINDOW_FILL, ...) are reported by name. */
static bool old_window_type(const char *type)
{
    static const char *const known[] = {
        "WINDOW_AGGREGATE", "WINDOW_RANK",        "WINDOW_RANK_DENSE", "WINDOW_NTILE",
        "WINDOW_PERCENT_RANK", "WINDOW_CUME_DIST", "WINDOW_ROW_NUMBER", "WINDOW_FIRST_VALUE",
        "WINDOW_LAST_VALUE", "WINDOW_LEAD",       "WINDOW_LAG",        "WINDOW_NTH_VALUE",
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(known); i++)
        if (strcmp(type, known[i]) == 0)
            return true;
    return false;
}

static void check_function(walk_ctx *c, json_t *node)
{
    const char *name = json_string_value(json_object_get(node, "function_name"));
    if (!name || ds_dialect_has_function(c->d, name))
        return;
    found_name(c, json_is_true(json_object_get(node, "is_operator")) ? "operator" : "function",
               name);
}

static void walk(walk_ctx *c, json_t *node)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *item;
        json_array_foreach(node, i, item) walk(c, item);
        return;
    }
    if (!json_is_object(node))
        return;
    const char *cls = json_string_value(json_object_get(node, "class"));
    const char *type = json_string_value(json_object_get(node, "type"));
    /* Scalar, aggregate and table functions, and operators, are all
     * FUNCTION expressions in the parse tree. */
    if (is(cls, "FUNCTION")) {
        check_function(c, node);
    } else if (is(cls, "WINDOW") && type) {
        if (strcmp(type, "WINDOW_AGGREGATE") == 0)
            check_function(c, node);
        else if (!old_window_type(type)) {
            const char *name = json_string_value(json_object_get(node, "function_name"));
            found_name(c, "window function", name ? name : type);
        }
        /* Each of these is a parser error in DuckDB 0.9 (checked there). */
        if (json_is_true(json_object_get(node, "distinct")))
            found(c, "DISTINCT in window functions");
        if (nonempty(node, "arg_orders"))
            found(c, "ORDER BY inside window function arguments");
        const char *exclude = json_string_value(json_object_get(node, "exclude_clause"));
        if (exclude && strcmp(exclude, "NO_OTHER") != 0)
            found(c, "EXCLUDE in window frames");
    } else if (is(cls, "OPERATOR") && is(type, "OPERATOR_TRY")) {
        found_name(c, "function", "try");
    } else if (is(cls, "LAMBDA")) {
        /* The tree does not say which syntax was used, but the location
         * does: an arrow lambda points at its "->", a keyword lambda
         * ("lambda x: ...", newer than DuckDB 0.9) at its first name. */
        double loc = json_number_value(json_object_get(node, "query_location"));
        if (loc >= 0 && loc < (double)c->sql_len && strncmp(c->sql + (size_t)loc, "->", 2) != 0)
            found(c, "lambda keyword syntax (write 'x -> ...' instead of 'lambda x: ...')");
    } else if (is(cls, "STAR")) {
        if (nonempty(node, "rename_list"))
            found(c, "SELECT * RENAME");
        if (nonempty(node, "qualified_exclude_list"))
            found(c, "qualified column names in SELECT * EXCLUDE");
    }
    if (nonempty(node, "key_targets"))
        found(c, "USING KEY in recursive CTEs");
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) walk(c, v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int ds_dialect_check(const ds_dialect *d, ds_duck *db, const char *sql,
                     ds_dialect_findings *out, ds_err *err)
{
    assert(d && db && sql && out);
    memset(out, 0, sizeof *out);
    char *plain = ds_sql_null_placeholders(sql);
    ds_buf q = {0};
    ds_buf_puts(&q, "SELECT json_serialize_sql(");
    ds_sql_quote(&q, plain);
    ds_buf_puts(&q, ")");
    ds_rows rows;
    int rc = ds_duck_query(db, q.data, &rows, err);
    ds_buf_free(&q);
    if (rc != 0) {
        free(plain);
        return -1;
    }
    json_error_t jerr;
    /* query_location can be 2^64-1, more than jansson's integers hold. */
    json_t *doc = json_loads(ds_rows_get(&rows, 0, 0), JSON_DECODE_INT_AS_REAL, &jerr);
    ds_rows_free(&rows);
    if (!doc) {
        free(plain);
        return ds_err_set(err, "cannot read DuckDB's parse tree: %s", jerr.text);
    }
    if (json_is_true(json_object_get(doc, "error"))) {
        const char *msg = json_string_value(json_object_get(doc, "error_message"));
        rc = ds_err_set(err, "%s", msg ? msg : "DuckDB cannot parse it");
        json_decref(doc);
        free(plain);
        return rc;
    }
    walk_ctx c = {d, plain, strlen(plain), json_object()};
    walk(&c, json_object_get(doc, "statements"));
    out->items = ds_xcalloc(json_object_size(c.found) + 1, sizeof *out->items);
    const char *phrase;
    json_t *v;
    json_object_foreach(c.found, phrase, v) out->items[out->len++] = ds_strdup(phrase);
    qsort(out->items, out->len, sizeof *out->items, cmp_str);
    json_decref(c.found);
    json_decref(doc);
    free(plain);
    return 0;
}

void ds_dialect_findings_free(ds_dialect_findings *f)
{
    for (size_t i = 0; i < f->len; i++)
        free(f->items[i]);
    free(f->items);
    memset(f, 0, sizeof *f);
}
