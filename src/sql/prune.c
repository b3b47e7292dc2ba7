/* prune.c - a query's predicates on the hive partition columns of views
 * whose file lists the browser fills in (see prune.h). */
#include "prune.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqltext.h"

/* What a ${...} placeholder becomes for the parser: a string constant that
 * says which placeholder it was. */
#define MARK "ducksite:placeholder:"

static char *mark_placeholders(const char *sql)
{
    ds_buf b = {0};
    const char *p = sql;
    while (*p) {
        const char *close = p[0] == '$' && p[1] == '{' ? strchr(p, '}') : NULL;
        if (close) {
            char *text = ds_asprintf(MARK "%.*s", (int)(close + 1 - p), p);
            ds_sql_quote(&b, text);
            free(text);
            p = close + 1;
            continue;
        }
        ds_buf_putc(&b, *p++);
    }
    return ds_buf_take(&b);
}

/* DuckDB's parse tree of sql, or NULL. */
static json_t *parse(ds_duck *db, const char *sql)
{
    char *marked = mark_placeholders(sql);
    ds_buf q = {0};
    ds_buf_puts(&q, "SELECT json_serialize_sql(");
    ds_sql_quote(&q, marked);
    ds_buf_puts(&q, ") AS ast");
    free(marked);
    ds_rows rows;
    ds_err err;
    int rc = ds_duck_query(db, q.data, &rows, &err);
    ds_buf_free(&q);
    if (rc != 0)
        return NULL;
    /* query_location is 2^64-1 where there is none, more than jansson's
     * integers hold; constants must stay exact integers. */
    ds_buf text = {0};
    const char *s = ds_rows_get(&rows, 0, 0), *at;
    static const char none[] = "18446744073709551615";
    while (s && (at = strstr(s, none))) {
        ds_buf_add(&text, s, (size_t)(at - s));
        ds_buf_puts(&text, "-1");
        s = at + strlen(none);
    }
    if (s)
        ds_buf_puts(&text, s);
    ds_rows_free(&rows);
    json_t *doc = text.data ? json_loads(text.data, 0, NULL) : NULL;
    ds_buf_free(&text);
    if (doc && json_is_true(json_object_get(doc, "error"))) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* ---- where the view is read ------------------------------------------------ */

typedef struct {
    const char *view;
    size_t refs;        /* BASE_TABLE references to the view */
    json_t *select;     /* the SELECT_NODE whose FROM is the view */
    json_t *table;      /* that FROM */
} refs_ctx;

static bool names_view(json_t *node, const char *view)
{
    return json_is_object(node) && strcmp(str(node, "type"), "BASE_TABLE") == 0 &&
           !*str(node, "schema_name") && !*str(node, "catalog_name") &&
           strcasecmp(str(node, "table_name"), view) == 0;
}

static void find_refs(json_t *node, refs_ctx *c)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v) find_refs(v, c);
        return;
    }
    if (!json_is_object(node))
        return;
    if (names_view(node, c->view))
        c->refs++;
    if (strcmp(str(node, "type"), "SELECT_NODE") == 0 &&
        names_view(json_object_get(node, "from_table"), c->view)) {
        c->select = node;
        c->table = json_object_get(node, "from_table");
    }
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) find_refs(v, c);
}

/* ---- the conjuncts ------------------------------------------------------------- */

/* The hive column a COLUMN_REF names (as the list names it), or NULL. */
static const char *hive_column(json_t *ref, json_t *table, json_t *hive)
{
    if (!json_is_object(ref) || strcmp(str(ref, "class"), "COLUMN_REF") != 0)
        return NULL;
    json_t *names = json_object_get(ref, "column_names");
    size_t n = json_array_size(names);
    if (n == 0 || n > 2)
        return NULL;
    if (n == 2) {
        const char *alias = str(table, "alias");
        const char *q = json_string_value(json_array_get(names, 0));
        if (!q || strcasecmp(q, *alias ? alias : str(table, "table_name")) != 0)
            return NULL;
    }
    const char *col = json_string_value(json_array_get(names, n - 1));
    const char *k;
    json_t *v;
    json_object_foreach(hive, k, v) if (col && strcasecmp(k, col) == 0) return k;
    return NULL;
}

/* A constant (or a placeholder's marker) as SQL text, or NULL. */
static char *value_text(json_t *e)
{
    const char *cls = str(e, "class");
    if (strcmp(cls, "CAST") == 0) {
        /* DATE '2024-01-01' */
        const char *type = str(json_object_get(e, "cast_type"), "id");
        json_t *child = json_object_get(e, "child");
        json_t *v = json_object_get(child, "value");
        const char *s = json_string_value(json_object_get(v, "value"));
        if (strcmp(type, "DATE") != 0 || strcmp(str(child, "class"), "CONSTANT") != 0 || !s ||
            json_is_true(json_object_get(v, "is_null")) || !strncmp(s, MARK, strlen(MARK)))
            return NULL;
        ds_buf b = {0};
        ds_buf_puts(&b, "DATE ");
        ds_sql_quote(&b, s);
        return ds_buf_take(&b);
    }
    if (strcmp(cls, "CONSTANT") != 0)
        return NULL;
    json_t *v = json_object_get(e, "value");
    if (json_is_true(json_object_get(v, "is_null")))
        return ds_strdup("NULL");
    json_t *type = json_object_get(v, "type");
    const char *id = str(type, "id");
    json_t *val = json_object_get(v, "value");
    if (strcmp(id, "VARCHAR") == 0 && json_is_string(val)) {
        const char *s = json_string_value(val);
        if (!strncmp(s, MARK, strlen(MARK)))
            return ds_strdup(s + strlen(MARK));
        ds_buf b = {0};
        ds_sql_quote(&b, s);
        return ds_buf_take(&b);
    }
    if (json_is_integer(val)) {
        json_int_t n = json_integer_value(val);
        if (strcmp(id, "DECIMAL") == 0) {
            json_int_t scale = json_integer_value(
                json_object_get(json_object_get(type, "type_info"), "scale"));
            if (scale < 0 || scale > 18)
                return NULL;
            json_int_t p10 = 1;
            for (json_int_t k = 0; k < scale; k++)
                p10 *= 10;
            json_int_t a = n < 0 ? -n : n;
            return scale ? ds_asprintf("%s%" PRId64 ".%0*" PRId64, n < 0 ? "-" : "",
                                       (int64_t)(a / p10), (int)scale, (int64_t)(a % p10))
                         : ds_asprintf("%" PRId64, (int64_t)n);
        }
        if (strstr(id, "INT"))
            return ds_asprintf("%" PRId64, (int64_t)n);
    }
    return NULL;
}

/* Appends {"col", "op", "values"} for conjunct e when it is one of ours. */
static void add_condition(json_t *out, json_t *e, json_t *table, json_t *hive)
{
    const char *cls = str(e, "class"), *type = str(e, "type");
    static const struct {
        const char *type, *op, *flipped;
    } cmp[] = {
        {"COMPARE_EQUAL", "=", "="},
        {"COMPARE_LESSTHAN", "<", ">"},
        {"COMPARE_LESSTHANOREQUALTO", "<=", ">="},
        {"COMPARE_GREATERTHAN", ">", "<"},
        {"COMPARE_GREATERTHANOREQUALTO", ">=", "<="},
    };
    const char *col = NULL, *op = NULL;
    json_t *operands[64];
    size_t n = 0;
    if (strcmp(cls, "COMPARISON") == 0) {
        json_t *l = json_object_get(e, "left"), *r = json_object_get(e, "right");
        for (size_t i = 0; i < DS_ARRAY_LEN(cmp) && !op; i++) {
            if (strcmp(type, cmp[i].type) != 0)
                continue;
            if ((col = hive_column(l, table, hive))) {
                op = cmp[i].op;
                operands[n++] = r;
            } else if ((col = hive_column(r, table, hive))) {
                op = cmp[i].flipped;
                operands[n++] = l;
            }
        }
    } else if (strcmp(cls, "OPERATOR") == 0 && strcmp(type, "COMPARE_IN") == 0) {
        json_t *kids = json_object_get(e, "children");
        size_t m = json_array_size(kids);
        if (m >= 2 && m - 1 <= DS_ARRAY_LEN(operands) &&
            (col = hive_column(json_array_get(kids, 0), table, hive))) {
            op = "in";
            for (size_t i = 1; i < m; i++)
                operands[n++] = json_array_get(kids, i);
        }
    } else if (strcmp(cls, "BETWEEN") == 0 &&
               (col = hive_column(json_object_get(e, "input"), table, hive))) {
        op = "between";
        operands[n++] = json_object_get(e, "lower");
        operands[n++] = json_object_get(e, "upper");
    }
    if (!op)
        return;
    json_t *values = json_array();
    for (size_t i = 0; i < n; i++) {
        char *v = value_text(operands[i]);
        if (!v) {
            json_decref(values);
            return;
        }
        json_array_append_new(values, json_string(v));
        free(v);
    }
    json_array_append_new(out, json_pack("{s:s, s:s, s:o}", "col", col, "op", op, "values",
                                         values));
}

static void conjuncts(json_t *e, json_t *out, json_t *table, json_t *hive)
{
    if (!json_is_object(e))
        return;
    if (strcmp(str(e, "class"), "CONJUNCTION") == 0 &&
        strcmp(str(e, "type"), "CONJUNCTION_AND") == 0) {
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(e, "children"), i, c) conjuncts(c, out, table, hive);
        return;
    }
    add_condition(out, e, table, hive);
}

char *ds_prune_spec(ds_duck *db, const char *sql, const ds_filelists *lists)
{
    if (!lists || !ds_filelists_named(sql))
        return NULL;
    json_t *doc = parse(db, sql);
    if (!doc)
        return NULL;
    json_t *spec = json_object();
    /* Only the views the query's SQL names lists of: a lake may have
     * thousands of templated views with lists. */
    const char **views = ds_filelists_views_named(lists, sql);
    for (size_t i = 0; views[i]; i++) {
        const char *types = ds_filelists_hive(lists, views[i]);
        json_t *hive = types ? json_loads(types, 0, NULL) : NULL;
        refs_ctx c = {views[i], 0, NULL, NULL};
        if (hive)
            find_refs(json_object_get(doc, "statements"), &c);
        /* Read once, by a SELECT of its own: its WHERE holds for every row
         * the view gives this query. */
        if (c.refs == 1 && c.select) {
            json_t *conds = json_array();
            conjuncts(json_object_get(c.select, "where_clause"), conds, c.table, hive);
            if (json_array_size(conds))
                json_object_set(spec, views[i], conds);
            json_decref(conds);
        }
        json_decref(hive);
    }
    free(views);
    json_decref(doc);
    char *text = json_object_size(spec) ? json_dumps(spec, JSON_COMPACT) : NULL;
    json_decref(spec);
    return text;
}
