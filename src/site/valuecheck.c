/* valuecheck.c - the columns values, KPI cards, charts, tables and inputs
 * name, against their queries' results (see valuecheck.h). */
#include "valuecheck.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "memo.h"
#include "pagesql.h"

/* The keys of a block that name a column of its query; a key marked with
 * a trailing ',' holds a comma-separated list of columns (y: a, b). */
static const char *const VALUE_COLUMNS[] = {"column"};
static const char *const KPI_COLUMNS[] = {"value", "comparison", "sparkline"};
/* The runtime's chart builders (web/src/charts/) look each of these up with
 * Columns.need(), which fails on a name the result lacks. */
static const char *const ECHART_COLUMNS[] = {
    "x", "y,", "y2,", "series", "size", "name", "category", "value", "stage", "option_column",
    "facet", "source", "target", "date", "parent", "region", "lat", "lon"};
/* A table's click keys name the row's columns (page/inputs.js); one it
 * lacks makes a click set the clicked cell's value instead. */
static const char *const TABLE_COLUMNS[] = {"link_column",      "click_value",
                                            "click_column",     "click_anti_value",
                                            "click_anti_column", "click_action"};
static const char *const INPUT_COLUMNS[] = {"value_column", "value-column", "label_column",
                                            "label-column"};

typedef struct {
    char *name;     /* compiled query name */
    char **cols;    /* NULL: unknown (DESCRIBE failed) */
    size_t n;
    char *phys;     /* its SQL over the physical files, placeholders NULL */
} described;

typedef struct {
    const ds_compiled_list *compiled;
    const ds_collected *files;
    ds_duck *db;
    ds_memo *memo;
    described *cache;
    size_t n_cache;
} vc_t;

static const char *physical(void *ctx, const char *literal)
{
    return ds_collected_physical(ctx, literal);
}

static const ds_compiled *find_compiled(const vc_t *v, const char *name, bool page_query)
{
    for (size_t i = 0; i < v->compiled->len; i++) {
        const ds_compiled *c = &v->compiled->items[i];
        if ((c->kind == DS_KIND_PAGE_QUERY) == page_query && ds_query_name_eq(c->name, name))
            return c;
    }
    return NULL;
}

/* The result columns of compiled query C, as DuckDB binds it. */
static const described *describe(vc_t *v, const ds_compiled *c)
{
    for (size_t i = 0; i < v->n_cache; i++)
        if (strcmp(v->cache[i].name, c->name) == 0)
            return &v->cache[i];
    v->cache = ds_xrealloc(v->cache, (v->n_cache + 1) * sizeof *v->cache);
    described *d = &v->cache[v->n_cache++];
    *d = (described){ds_strdup(c->name), NULL, 0, NULL};
    char *full = ds_filelists_expand(v->files->lists, c->sql);
    char *plain = ds_sql_null_placeholders(full);
    free(full);
    char *phys = ds_sql_map_literals(plain, physical, (void *)v->files);
    char *sql = ds_asprintf("DESCRIBE %s", phys);
    json_t *known = v->memo ? ds_memo_columns_get(v->memo, sql) : NULL;
    ds_rows rows;
    ds_err err;
    if (known) {
        if (json_is_array(known)) {
            d->cols = ds_xcalloc(json_array_size(known) + 1, sizeof *d->cols);
            for (size_t r = 0; r < json_array_size(known); r++)
                d->cols[d->n++] = ds_strdup(json_string_value(json_array_get(known, r)));
        }
    } else if (ds_duck_query(v->db, sql, &rows, &err) == 0) {
        d->cols = ds_xcalloc(rows.rows + 1, sizeof *d->cols);
        json_t *names = json_array();
        for (size_t r = 0; r < rows.rows; r++) {
            const char *name = ds_rows_get(&rows, r, 0);
            d->cols[d->n++] = ds_strdup(name ? name : "");
            json_array_append_new(names, json_string(name ? name : ""));
        }
        ds_rows_free(&rows);
        if (v->memo)
            ds_memo_columns_put(v->memo, sql, names);
        else
            json_decref(names);
    } else if (v->memo) {
        ds_memo_columns_put(v->memo, sql, json_null());
    }
    free(sql);
    d->phys = phys;
    free(plain);
    return d;
}

/* A chart's or table's format expressions (color_expr, bg_color_expr, ...)
 * bound over the query's result, as the runtime adds them to its SELECT
 * (web/src/sql.js wrapFormat): a mistake there would otherwise show only
 * as the component's error in the browser, and not at all where the
 * build stores no result. */
static int check_format_exprs(vc_t *v, const ds_site_page *sp, const ds_part *p, const char *id,
                              const described *d, ds_err *err)
{
    for (size_t t = 0; t < p->n_formats; t++)
        for (size_t i = 0; i < p->formats[t].n_items; i++) {
            const ds_kv *kv = &p->formats[t].items[i];
            if (!ds_ends_with(kv->key, "_expr") || !*kv->value)
                continue;
            char *expr = ds_sql_null_placeholders(kv->value);
            char *body = ds_sql_trim(d->phys); /* without its ';' */
            char *sql = ds_asprintf("DESCRIBE WITH base AS (\n%s\n)\nSELECT base.*, (%s) AS "
                                    "ds_format_value FROM base",
                                    body, expr);
            free(body);
            free(expr);
            json_t *known = v->memo ? ds_memo_columns_get(v->memo, sql) : NULL;
            int rc = 0;
            if (!known || json_is_null(known)) {
                ds_rows rows;
                ds_err qerr;
                if (ds_duck_query(v->db, sql, &rows, &qerr) == 0) {
                    ds_rows_free(&rows);
                    if (v->memo)
                        ds_memo_columns_put(v->memo, sql, json_array());
                } else {
                    rc = ds_err_set(err,
                                    "%s:%d: %s '%s': format %s.%s: '%s' fails over the rows "
                                    "of query '%s': %s",
                                    sp->display, kv->line, ds_part_kind_name(p->kind), p->id,
                                    p->formats[t].target, kv->key, kv->value, id, qerr.msg);
                }
            }
            free(sql);
            if (rc != 0)
                return rc;
        }
    return 0;
}


/* The query a block reads, as the runtime picks it: a chart's data_query,
 * an input's options_query (none: no columns to check), otherwise query;
 * charts, tables, values and KPI cards default to their own id. */
static const char *part_query(const ds_part *p)
{
    const ds_kv *q = NULL;
    if (p->kind == DS_PART_ECHART)
        q = ds_part_get(p, "data_query");
    else if (p->kind == DS_PART_INPUT)
        return (q = ds_part_get(p, "options_query")) || (q = ds_part_get(p, "options-query"))
                   ? q->value
                   : NULL;
    else
        q = ds_part_get(p, "query");
    return q ? q->value : p->id;
}

/* "'name' is not a column of the query": file:line, the block, a
 * did-you-mean and the columns there are. */
static int no_column(const ds_site_page *sp, const ds_part *p, const ds_kv *kv, const char *id,
                     const char *name, const described *d, ds_err *err)
{
    ds_buf m = {0};
    if (p->inline_ref)
        ds_buf_printf(&m, "%s:%d: value ${%s.%s}: ", sp->display, kv->line, id, name);
    else
        ds_buf_printf(&m, "%s:%d: %s '%s': %s: ", sp->display, kv->line,
                      ds_part_kind_name(p->kind), p->id, kv->key);
    ds_buf_printf(&m, "query '%s' has no column '%s'", id, name);
    const char *best = ds_suggest(name, (const char *const *)d->cols, d->n);
    if (best)
        ds_buf_printf(&m, "; did you mean '%s'?", best);
    ds_buf_puts(&m, " (its columns: ");
    for (size_t i = 0; i < d->n; i++)
        ds_buf_printf(&m, "%s%s", i ? ", " : "", d->cols[i]);
    ds_buf_puts(&m, ")");
    ds_err_set(err, "%s", ds_buf_str(&m));
    ds_buf_free(&m);
    return -1;
}

static bool has_column(const described *d, const char *name, size_t len)
{
    for (size_t i = 0; i < d->n; i++) /* as the runtime matches: no case */
        if (strlen(d->cols[i]) == len && strncasecmp(d->cols[i], name, len) == 0)
            return true;
    return false;
}

static int check_part(vc_t *v, const ds_site_page *sp, const ds_part *p, ds_err *err)
{
    const char *id = part_query(p);
    if (!id || strstr(id, "${"))
        return 0;
    const ds_compiled *c = NULL;
    char *name = NULL;
    if (strncmp(id, "global:", 7) == 0) {
        c = find_compiled(v, id + 7, false);
    } else if (ds_page_find(&sp->page, DS_PART_SQL, id)) {
        name = ds_asprintf("%s/%s", sp->rel, id);
        c = find_compiled(v, name, true);
    } else {
        c = find_compiled(v, id, false);
    }
    free(name);
    if (!c)
        return 0; /* the page check named it already */
    const char *const *keys;
    size_t n_keys;
    switch (p->kind) {
    case DS_PART_KPI:
        keys = KPI_COLUMNS, n_keys = DS_ARRAY_LEN(KPI_COLUMNS);
        break;
    case DS_PART_ECHART:
        keys = ECHART_COLUMNS, n_keys = DS_ARRAY_LEN(ECHART_COLUMNS);
        break;
    case DS_PART_TABLE:
        keys = TABLE_COLUMNS, n_keys = DS_ARRAY_LEN(TABLE_COLUMNS);
        break;
    case DS_PART_INPUT:
        keys = INPUT_COLUMNS, n_keys = DS_ARRAY_LEN(INPUT_COLUMNS);
        break;
    default:
        keys = VALUE_COLUMNS, n_keys = DS_ARRAY_LEN(VALUE_COLUMNS);
        break;
    }
    const described *d = NULL;
    if ((p->kind == DS_PART_ECHART || p->kind == DS_PART_TABLE) && p->n_formats) {
        d = describe(v, c);
        if (d->cols && check_format_exprs(v, sp, p, id, d, err) != 0)
            return -1;
    }
    for (size_t k = 0; k < n_keys; k++) {
        size_t klen = strcspn(keys[k], ",");
        bool list = keys[k][klen] == ',';
        char *key = ds_asprintf("%.*s", (int)klen, keys[k]);
        const ds_kv *kv = ds_part_get(p, key);
        free(key);
        if (!kv)
            continue;
        if (!d)
            d = describe(v, c); /* only for blocks that name a column */
        if (!d->cols)
            return 0;
        const char *s = kv->value;
        do {
            size_t len = list ? strcspn(s, ",") : strlen(s);
            const char *a = s, *b = s + len;
            while (a < b && (*a == ' ' || *a == '\t'))
                a++;
            while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                b--;
            if (b > a && !has_column(d, a, (size_t)(b - a))) {
                char *col = ds_asprintf("%.*s", (int)(b - a), a);
                int rc = no_column(sp, p, kv, id, col, d, err);
                free(col);
                return rc;
            }
            s += len + (s[len] == ',');
        } while (list && *s);
    }
    /* A gauge's min and max are numbers or columns of its first row
     * (charts/gauge.js); another word falls back to its default. */
    const ds_kv *type = p->kind == DS_PART_ECHART ? ds_part_get(p, "type") : NULL;
    for (size_t k = 0; type && strcasecmp(type->value, "gauge") == 0 && k < 2; k++) {
        const ds_kv *kv = ds_part_get(p, k ? "max" : "min");
        if (!kv || ds_pagesql_valid_number(kv->value))
            continue;
        if (!d)
            d = describe(v, c);
        if (d->cols && !has_column(d, kv->value, strlen(kv->value)))
            return no_column(sp, p, kv, id, kv->value, d, err);
    }
    return 0;
}

int ds_valuecheck(const ds_pages *pages, const ds_compiled_list *compiled,
                  const ds_collected *files, ds_duck *db, ds_memo *memo, ds_err *err)
{
    vc_t v = {compiled, files, db, memo, NULL, 0};
    int rc = 0;
    for (size_t i = 0; i < pages->len && rc == 0; i++) {
        const ds_page *page = &pages->items[i].page;
        for (size_t k = 0; k < page->n_parts && rc == 0; k++) {
            const ds_part *p = &page->parts[k];
            if (p->kind == DS_PART_VALUE || p->kind == DS_PART_KPI || p->kind == DS_PART_ECHART ||
                p->kind == DS_PART_TABLE || p->kind == DS_PART_INPUT)
                rc = check_part(&v, &pages->items[i], p, err);
        }
    }
    for (size_t i = 0; i < v.n_cache; i++) {
        for (size_t k = 0; k < v.cache[i].n; k++)
            free(v.cache[i].cols[k]);
        free(v.cache[i].cols);
        free(v.cache[i].name);
        free(v.cache[i].phys);
    }
    free(v.cache);
    return rc;
}
