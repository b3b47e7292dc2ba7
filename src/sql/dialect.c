/* dialect.c - the browser engine's functions and what a query needs of
 * them (see dialect.h). */
#include "../util/fs.h"
#include "dialect.h"

#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqltext.h"

struct ds_dialect {
    json_t *functions;   /* lowercased name -> true */
    json_t *max_args;    /* lowercased name -> the most arguments it takes */
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
    /* Absent from files written before it was recorded: no count checked. */
    json_t *max_args = json_object_get(doc, "max_args");
    d->max_args = json_is_object(max_args) ? json_incref(max_args) : json_object();
    d->version = ds_strdup(version + (version[0] == 'v'));
    json_decref(doc);
    return d;
}

void ds_dialect_free(ds_dialect *d)
{
    if (!d)
        return;
    json_decref(d->functions);
    json_decref(d->max_args);
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
    json_t *found;       /* phrase -> its first line (0: not known) */
    double loc;          /* the offset of the node being walked, or its
                            nearest ancestor's that has one; -1: none */
} walk_ctx;

/* The line of offset LOC of the SQL, 1-based; 0 when LOC is not in it.
 * Placeholders were read as NULL, which changes offsets on their line but
 * never the line count. */
static int line_at(const walk_ctx *c, double loc)
{
    if (loc < 0 || loc >= (double)c->sql_len)
        return 0;
    int line = 1;
    for (size_t i = 0; i < (size_t)loc; i++)
        line += c->sql[i] == '\n';
    return line;
}

static void found(walk_ctx *c, const char *phrase)
{
    int line = line_at(c, c->loc);
    json_t *known = json_object_get(c->found, phrase);
    if (!known || (line && (!json_integer_value(known) || line < json_integer_value(known))))
        json_object_set_new(c->found, phrase, json_integer(line));
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

/* Parameters of a LAMBDA node: "(x, i) -> ..." has a row of two on its
 * left. */
static size_t lambda_params(json_t *lambda)
{
    json_t *lhs = json_object_get(lambda, "lhs");
    const char *fn = json_string_value(json_object_get(lhs, "function_name"));
    return is(fn, "row") ? json_array_size(json_object_get(lhs, "children")) : 1;
}

static void check_function(walk_ctx *c, json_t *node)
{
    const char *name = json_string_value(json_object_get(node, "function_name"));
    if (!name)
        return;
    bool op = json_is_true(json_object_get(node, "is_operator"));
    if (!ds_dialect_has_function(c->d, name)) {
        found_name(c, op ? "operator" : "function", name);
        return;
    }
    json_t *children = json_object_get(node, "children");
    size_t n = json_array_size(children);
    char *low = lower(name);
    json_t *max = json_object_get(c->d->max_args, low);
    if (!op && json_is_integer(max) && (json_int_t)n > json_integer_value(max)) {
        char *phrase = ds_asprintf("function '%s' with %zu arguments (it takes at most %d)", name,
                                   n, (int)json_integer_value(max));
        found(c, phrase);
        free(phrase);
    }
    /* Lambdas take one parameter, list_reduce's two: an index parameter
     * ("(x, i) -> ...") is newer than DuckDB 0.9. */
    bool reduce = strstr(low, "reduce") != NULL;
    size_t i;
    json_t *child;
    json_array_foreach(children, i, child)
    {
        const char *cls = json_string_value(json_object_get(child, "class"));
        if (is(cls, "LAMBDA") && lambda_params(child) > (reduce ? 2u : 1u))
            found(c, "lambda with an index parameter ((x, i) -> ...)");
        /* "* LIKE 'a%'" picks columns by name: newer than DuckDB 0.9. */
        if (op && is(cls, "STAR") && !json_is_true(json_object_get(child, "columns")))
            found(c, "* LIKE (write COLUMNS('regex') instead)");
    }
    free(low);
}

/* Types DuckDB 0.9 in the browser lacks (JSON is an extension it cannot
 * load offline). */
static void check_cast(walk_ctx *c, json_t *node)
{
    json_t *info = json_object_get(json_object_get(node, "cast_type"), "type_info");
    const char *name = json_string_value(json_object_get(info, "name"));
    static const char *const newer[] = {"json", "varint", "bignum", "uhugeint", "time_ns"};
    for (size_t i = 0; name && i < DS_ARRAY_LEN(newer); i++)
        if (strcasecmp(name, newer[i]) == 0)
            found_name(c, "type", name);
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
    /* Expressions carry their offset in the text (query_location; 2^64-1
     * when unknown): findings are placed at the nearest one. */
    double outer = c->loc;
    json_t *where = json_object_get(node, "query_location");
    if (json_is_number(where) && json_number_value(where) >= 0 &&
        json_number_value(where) < (double)c->sql_len)
        c->loc = json_number_value(where);
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
        const char *start = json_string_value(json_object_get(node, "start"));
        const char *end = json_string_value(json_object_get(node, "end"));
        if ((start && strstr(start, "GROUPS")) || (end && strstr(end, "GROUPS")))
            found(c, "GROUPS window frames");
    } else if (is(cls, "OPERATOR") && is(type, "OPERATOR_TRY")) {
        found_name(c, "function", "try");
    } else if (is(cls, "OPERATOR") && (is(type, "ARRAY_EXTRACT") || is(type, "ARRAY_SLICE"))) {
        /* "[1, 2, 3][1]": DuckDB 0.9's grammar indexes names and calls,
         * not a list literal. */
        json_t *first = json_array_get(json_object_get(node, "children"), 0);
        const char *fn = json_string_value(json_object_get(first, "function_name"));
        double loc = json_number_value(json_object_get(first, "query_location"));
        if (is(fn, "list_value") && loc >= 1 && loc < (double)c->sql_len &&
            c->sql[(size_t)loc - 1] == '[')
            found(c, "indexing a list literal ([1, 2][1]; use list_extract)");
    } else if (is(cls, "CAST")) {
        check_cast(c, node);
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
    if (is(type, "SHOW_REF"))
        found(c, "SUMMARIZE or DESCRIBE inside a query");
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) walk(c, v);
    c->loc = outer;
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
    walk_ctx c = {d, plain, strlen(plain), json_object(), -1};
    walk(&c, json_object_get(doc, "statements"));
    out->items = ds_xcalloc(json_object_size(c.found) + 1, sizeof *out->items);
    out->lines = ds_xcalloc(json_object_size(c.found) + 1, sizeof *out->lines);
    const char *phrase;
    json_t *v;
    json_object_foreach(c.found, phrase, v) out->items[out->len++] = ds_strdup(phrase);
    qsort(out->items, out->len, sizeof *out->items, cmp_str);
    for (size_t i = 0; i < out->len; i++)
        out->lines[i] = (int)json_integer_value(json_object_get(c.found, out->items[i]));
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
    free(f->lines);
    memset(f, 0, sizeof *f);
}
