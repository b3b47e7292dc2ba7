/* valuecheck.c - the columns values and KPI cards name, against their
 * queries' results (see valuecheck.h). */
#include "valuecheck.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "memo.h"

/* The keys of a block that name a column of its query. */
static const char *const VALUE_COLUMNS[] = {"column"};
static const char *const KPI_COLUMNS[] = {"value", "comparison", "sparkline"};

typedef struct {
    char *name;     /* compiled query name */
    char **cols;    /* NULL: unknown (DESCRIBE failed) */
    size_t n;
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
        if ((c->kind == DS_KIND_PAGE_QUERY) == page_query && strcmp(c->name, name) == 0)
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
    *d = (described){ds_strdup(c->name), NULL, 0};
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
    free(phys);
    free(plain);
    return d;
}


static int check_part(vc_t *v, const ds_site_page *sp, const ds_part *p, ds_err *err)
{
    const ds_kv *q = ds_part_get(p, "query");
    const char *id = q ? q->value : p->id;
    if (strstr(id, "${"))
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
    const described *d = describe(v, c);
    if (!d->cols)
        return 0;
    bool kpi = p->kind == DS_PART_KPI;
    const char *const *keys = kpi ? KPI_COLUMNS : VALUE_COLUMNS;
    size_t n_keys = kpi ? DS_ARRAY_LEN(KPI_COLUMNS) : DS_ARRAY_LEN(VALUE_COLUMNS);
    for (size_t k = 0; k < n_keys; k++) {
        const ds_kv *kv = ds_part_get(p, keys[k]);
        if (!kv)
            continue;
        bool found = false;
        for (size_t i = 0; i < d->n && !found; i++)
            found = strcasecmp(d->cols[i], kv->value) == 0; /* as the runtime matches */
        if (found)
            continue;
        ds_buf m = {0};
        if (p->inline_ref)
            ds_buf_printf(&m, "%s:%d: value ${%s.%s}: ", sp->display, kv->line, id, kv->value);
        else
            ds_buf_printf(&m, "%s:%d: %s '%s': %s: ", sp->display, kv->line,
                          ds_part_kind_name(p->kind), p->id, kv->key);
        ds_buf_printf(&m, "query '%s' has no column '%s'", id, kv->value);
        const char *best = ds_suggest(kv->value, (const char *const *)d->cols, d->n);
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
            if (p->kind == DS_PART_VALUE || p->kind == DS_PART_KPI)
                rc = check_part(&v, &pages->items[i], p, err);
        }
    }
    for (size_t i = 0; i < v.n_cache; i++) {
        for (size_t k = 0; k < v.cache[i].n; k++)
            free(v.cache[i].cols[k]);
        free(v.cache[i].cols);
        free(v.cache[i].name);
    }
    free(v.cache);
    return rc;
}
