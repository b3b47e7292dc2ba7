/* sources.c - file-source views and templated views (see sources.h). */
#include "sources.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/fs.h"
#include "duckdb_api.h"
#include "sqltext.h"

/* The column DuckDB adds with the file each row came from while sampling;
 * an unusual name so it cannot clash with a real column. */
#define FILE_COLUMN "__ducksite_file"

/* Keys arrive in bulk (a plugin may publish 100,000 files that do not
 * exist yet), so adding is a plain append and lookups wait for one sort. */
void ds_keyset_add(ds_keyset *s, const char *key)
{
    if (s->len == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->keys = ds_xrealloc(s->keys, s->cap * sizeof *s->keys);
    }
    s->keys[s->len++] = ds_strdup(key);
    s->sorted = false;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void ds_keyset_finish(ds_keyset *s)
{
    if (s->len > 1)
        qsort(s->keys, s->len, sizeof *s->keys, cmp_key);
    size_t out = 0;
    for (size_t i = 0; i < s->len; i++) {
        if (out > 0 && strcmp(s->keys[out - 1], s->keys[i]) == 0)
            free(s->keys[i]);
        else
            s->keys[out++] = s->keys[i];
    }
    s->len = out;
    s->sorted = true;
}

bool ds_keyset_has(const ds_keyset *s, const char *key)
{
    if (s->sorted)
        return s->len && bsearch(&key, s->keys, s->len, sizeof *s->keys, cmp_key);
    for (size_t i = 0; i < s->len; i++)
        if (strcmp(s->keys[i], key) == 0)
            return true;
    return false;
}

void ds_keyset_free(ds_keyset *s)
{
    for (size_t i = 0; i < s->len; i++)
        free(s->keys[i]);
    free(s->keys);
    memset(s, 0, sizeof *s);
}

char *ds_slug(const char *value)
{
    ds_buf b = {0};
    bool gap = false;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (isalnum(*p) || *p == '_') {
            if (gap && b.len > 0)
                ds_buf_putc(&b, '_');
            gap = false;
            ds_buf_putc(&b, (char)*p);
        } else {
            gap = true;
        }
    }
    while (b.len > 0 && b.data[b.len - 1] == '_')
        b.data[--b.len] = '\0';
    size_t lead = 0;
    while (lead < b.len && b.data[lead] == '_')
        lead++;
    if (lead == b.len) {
        /* FNV-1a: a short, stable name for values with no usable character. */
        uint64_t h = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)value; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        ds_buf_free(&b);
        return ds_asprintf("%08x", (unsigned)(h >> 32));
    }
    char *out = ds_strdup(b.data + lead);
    ds_buf_free(&b);
    return out;
}

/* ---- building SELECTs ------------------------------------------------ */

/* Predicates ANDed together; single ones stay bare. */
typedef struct {
    const char *parts[4];
    size_t n;
} pred_list;

static void pred_add(pred_list *p, const char *pred)
{
    if (pred && *pred)
        p->parts[p->n++] = pred;
}

static void put_where(ds_buf *b, const pred_list *p)
{
    for (size_t i = 0; i < p->n; i++) {
        ds_buf_puts(b, i ? " AND " : " WHERE ");
        ds_buf_printf(b, p->n > 1 ? "(%s)" : "%s", p->parts[i]);
    }
}

/* Files with the same per-file row filter are read by one read_parquet. */
typedef struct {
    const char *row_filter;      /* NULL for files without one */
    const ds_source_file **files;
    size_t n;
} file_group;

typedef struct {
    file_group *items;
    size_t n;
} group_list;

static void group_files(const ds_source_file *const *files, size_t n, group_list *out)
{
    out->items = ds_xcalloc(n ? n : 1, sizeof *out->items);
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rf = files[i]->row_filter;
        file_group *g = NULL;
        for (size_t j = 0; j < out->n && !g; j++) {
            const char *other = out->items[j].row_filter;
            if ((!rf && !other) || (rf && other && strcmp(rf, other) == 0))
                g = &out->items[j];
        }
        if (!g) {
            g = &out->items[out->n++];
            g->row_filter = rf;
            g->files = ds_xcalloc(n, sizeof *g->files);
        }
        g->files[g->n++] = files[i];
    }
}

static void groups_free(group_list *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->items[i].files);
    free(g->items);
}

/* read_parquet(['a', 'b'], union_by_name = true), with HTTP-visible keys or
 * physical paths. */
static void put_read_parquet(ds_buf *b, const file_group *g, bool physical, bool by_name,
                             const char *extra_option)
{
    ds_buf_puts(b, "read_parquet([");
    for (size_t i = 0; i < g->n; i++) {
        if (i)
            ds_buf_puts(b, ", ");
        ds_sql_quote(b, physical ? g->files[i]->path : g->files[i]->key);
    }
    ds_buf_puts(b, "]");
    if (by_name)
        ds_buf_puts(b, ", union_by_name = true");
    if (extra_option)
        ds_buf_printf(b, ", %s", extra_option);
    ds_buf_puts(b, ")");
}

/* The view over some files: one SELECT per row-filter group, joined. */
static char *view_sql(const ds_file_source *fs, const ds_source_file *const *files, size_t n,
                      const char *extra_pred)
{
    char *window = ds_time_window_predicate(fs);
    bool by_name = fs->union_mode == DS_UNION_ALL_BY_NAME;
    group_list groups;
    group_files(files, n, &groups);
    ds_buf b = {0};
    for (size_t i = 0; i < groups.n; i++) {
        if (i)
            ds_buf_puts(&b, by_name ? "\nUNION ALL BY NAME\n" : "\nUNION ALL\n");
        ds_buf_puts(&b, "SELECT * FROM ");
        put_read_parquet(&b, &groups.items[i], false, by_name, NULL);
        pred_list p = {0};
        pred_add(&p, fs->row_filter);
        pred_add(&p, window);
        pred_add(&p, groups.items[i].row_filter);
        pred_add(&p, extra_pred);
        put_where(&b, &p);
    }
    groups_free(&groups);
    free(window);
    return ds_buf_take(&b);
}

/* ---- templates -------------------------------------------------------- */

typedef struct {
    char *prefix, *expr, *suffix;
} template_parts;

static void template_split(const char *tn, template_parts *t)
{
    const char *open = strchr(tn, '[');
    const char *close = strchr(open, ']');
    t->prefix = ds_strndup(tn, (size_t)(open - tn));
    t->expr = ds_strndup(open + 1, (size_t)(close - open - 1));
    t->suffix = ds_strdup(close + 1);
}

static void template_free(template_parts *t)
{
    free(t->prefix);
    free(t->expr);
    free(t->suffix);
}

/* A sampled value as an SQL literal of its type. */
static char *typed_literal(int type, const char *text)
{
    ds_buf b = {0};
    switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_DECIMAL:
        ds_buf_puts(&b, text);
        break;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
        if (isdigit((unsigned char)text[0]) || text[0] == '-')
            ds_buf_puts(&b, text);
        else /* inf, nan */
            ds_buf_printf(&b, "'%s'::DOUBLE", text);
        break;
    case DUCKDB_TYPE_BOOLEAN:
        ds_buf_puts(&b, strcmp(text, "true") == 0 ? "TRUE" : "FALSE");
        break;
    case DUCKDB_TYPE_DATE:
        ds_buf_puts(&b, "DATE ");
        ds_sql_quote(&b, text);
        break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
        ds_buf_puts(&b, "TIMESTAMP ");
        ds_sql_quote(&b, text);
        break;
    case DUCKDB_TYPE_TIMESTAMP_TZ:
        ds_buf_puts(&b, "TIMESTAMPTZ ");
        ds_sql_quote(&b, text);
        break;
    case DUCKDB_TYPE_TIME:
        ds_buf_puts(&b, "TIME ");
        ds_sql_quote(&b, text);
        break;
    default:
        ds_sql_quote(&b, text);
    }
    return ds_buf_take(&b);
}

/* row_filter_template with every ? replaced by the literal.  A '?' inside
 * a quoted string of the template is left alone. */
static char *fill_template(const char *tmpl, const char *literal)
{
    ds_buf b = {0};
    char quote = 0;
    for (const char *p = tmpl; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            ds_buf_puts(&b, literal);
            continue;
        }
        ds_buf_putc(&b, *p);
    }
    return ds_buf_take(&b);
}

/* The sampling query: distinct (value, physical file) pairs under the
 * base predicate, per-file filters included, in one pass over the files. */
static char *sampling_sql(const ds_source_set *set, const char *expr)
{
    char *window = ds_time_window_predicate(set->fs);
    bool by_name = set->fs->union_mode == DS_UNION_ALL_BY_NAME;
    const ds_source_file **files = ds_xcalloc(set->n_files, sizeof *files);
    for (size_t i = 0; i < set->n_files; i++)
        files[i] = &set->files[i];
    group_list groups;
    group_files(files, set->n_files, &groups);
    ds_buf b = {0};
    ds_buf_printf(&b, "SELECT DISTINCT v, f FROM (");
    for (size_t i = 0; i < groups.n; i++) {
        if (i)
            ds_buf_puts(&b, " UNION ALL ");
        ds_buf_printf(&b, "SELECT (%s) AS v, " FILE_COLUMN " AS f FROM ", expr);
        put_read_parquet(&b, &groups.items[i], true, by_name, "filename = '" FILE_COLUMN "'");
        pred_list p = {0};
        pred_add(&p, set->fs->row_filter);
        pred_add(&p, window);
        pred_add(&p, groups.items[i].row_filter);
        put_where(&b, &p);
    }
    ds_buf_puts(&b, ") WHERE v IS NOT NULL ORDER BY v, f");
    groups_free(&groups);
    free(window);
    free(files);
    return ds_buf_take(&b);
}

/* After a failed sampling query: which file cannot be read?  Each file is
 * asked on its own, so the blame is exact (DuckDB's message quotes the whole
 * query, every path included).  why gets that file's error. */
static const ds_source_file *unreadable_file(const ds_source_set *set, ds_duck *db, ds_err *why)
{
    for (size_t i = 0; i < set->n_files; i++) {
        ds_buf sql = {0};
        ds_buf_puts(&sql, "SELECT count(*) FROM read_parquet(");
        ds_sql_quote(&sql, set->files[i].path);
        ds_buf_puts(&sql, ")");
        int rc = ds_duck_exec(db, sql.data, why);
        ds_buf_free(&sql);
        if (rc != 0)
            return &set->files[i];
    }
    return NULL;
}

typedef struct {
    const ds_config *cfg;
    const ds_source_set *set;
    ds_duck *db;
    ds_query_list *out;
    ds_keyset *unreadable;
    const char *first_missing;  /* a file of the set that does not exist */
} view_ctx;

/* Makes one view per sampled value.  Returns -1 only for real errors;
 * unreadable files give a warning and no templated views. */
static int template_views(view_ctx *v, const char *template_name, ds_err *err)
{
    const ds_source_set *set = v->set;
    const ds_file_source *fs = set->fs;
    if (v->first_missing) {
        ds_warn("file source '%s': template values cannot be sampled while %s is "
                "missing; no templated views for this source",
                fs->name, v->first_missing);
        return 0;
    }
    const char *open = strchr(template_name, '[');
    if (!open || !strchr(open, ']'))
        return ds_err_set(err, "%s:%d: file source '%s': template_name '%s' has no "
                               "[expression] part",
                          v->cfg->display_path, fs->line, fs->name, template_name);
    template_parts t;
    template_split(template_name, &t);
    char *sql = sampling_sql(set, t.expr);
    ds_rows rows;
    ds_err qerr;
    int rc = 0;
    if (ds_duck_query(v->db, sql, &rows, &qerr) != 0) {
        ds_err why;
        const ds_source_file *bad = unreadable_file(set, v->db, &why);
        if (bad) {
            ds_warn("file source '%s': cannot read %s (%s) to sample template values: %s; "
                    "no templated views for this source",
                    fs->name, bad->path, bad->key, why.msg);
            ds_keyset_add(v->unreadable, bad->key);
        } else {
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': sampling template_name '%s' failed: %s",
                            v->cfg->display_path, fs->line, fs->name, template_name, qerr.msg);
        }
        free(sql);
        template_free(&t);
        return rc;
    }
    free(sql);

    const char *tmpl = set->row_filter_template;
    char *default_tmpl = ds_asprintf("%s = ?", t.expr);
    if (!tmpl)
        tmpl = default_tmpl;
    size_t first_view = v->out->len;
    const ds_source_file **subset = ds_xcalloc(set->n_files, sizeof *subset);
    for (size_t r = 0; r < rows.rows && rc == 0;) {
        const char *value = ds_rows_get(&rows, r, 0);
        size_t n = 0;
        /* Rows are ordered by value: gather this value's files. */
        size_t end = r;
        while (end < rows.rows && strcmp(ds_rows_get(&rows, end, 0), value) == 0)
            end++;
        for (size_t i = 0; i < set->n_files; i++)
            for (size_t k = r; k < end; k++)
                if (strcmp(set->files[i].path, ds_rows_get(&rows, k, 1)) == 0) {
                    subset[n++] = &set->files[i];
                    break;
                }
        char *slug = ds_slug(value);
        char *name = ds_asprintf("%s%s%s", t.prefix, slug, t.suffix);
        const ds_query *clash = ds_query_find(v->out, name);
        if (clash && (size_t)(clash - v->out->items) >= first_view) {
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': template values '%s' and '%s' both "
                            "make the view name '%s'",
                            v->cfg->display_path, fs->line, fs->name,
                            ds_rows_get(&rows, r - 1, 0), value, name);
        } else if (clash) {
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': template value '%s' makes the view name "
                            "'%s', which %s:%d already defines",
                            v->cfg->display_path, fs->line, fs->name, value, name, clash->file,
                            clash->line);
        } else {
            char *literal = typed_literal(rows.types[0], value);
            char *pred = fill_template(tmpl, literal);
            char *view = view_sql(fs, subset, n, pred);
            ds_query_add(v->out, name, DS_KIND_FILE_SOURCE_TEMPLATE, view,
                         v->cfg->display_path, fs->line);
            free(view);
            free(pred);
            free(literal);
        }
        free(name);
        free(slug);
        r = end;
    }
    free(subset);
    free(default_tmpl);
    ds_rows_free(&rows);
    template_free(&t);
    return rc;
}

/* Files that do not exist (yet): a warning each (up to a few), and their
 * keys are remembered so queries reading them skip validation. */
static const char *note_missing_files(const ds_source_set *set, ds_keyset *unreadable)
{
    const char *first = NULL;
    size_t missing = 0;
    for (size_t i = 0; i < set->n_files; i++) {
        if (ds_is_file(set->files[i].path))
            continue;
        if (++missing <= 5)
            ds_warn("file source '%s': %s does not exist (published as %s); queries that "
                    "read it are not validated",
                    set->fs->name, set->files[i].path, set->files[i].key);
        ds_keyset_add(unreadable, set->files[i].key);
        if (!first)
            first = set->files[i].path;
    }
    if (missing > 5)
        ds_warn("file source '%s': %zu more files do not exist", set->fs->name, missing - 5);
    return first;
}

int ds_source_views(const ds_config *cfg, const ds_collected *c, ds_duck *db,
                    ds_query_list *out, ds_keyset *unreadable, ds_err *err)
{
    for (size_t s = 0; s < c->n_sets; s++) {
        const ds_source_set *set = &c->sets[s];
        const ds_file_source *fs = set->fs;
        if (!fs->name || set->n_files == 0)
            continue;
        const ds_query *clash = ds_query_find(out, fs->name);
        if (clash)
            return ds_err_set(err, "%s:%d: file source '%s': the view name is already defined "
                                   "at %s:%d",
                              cfg->display_path, fs->line, fs->name, clash->file, clash->line);
        const char *first_missing = note_missing_files(set, unreadable);
        const ds_source_file **files = ds_xcalloc(set->n_files, sizeof *files);
        for (size_t i = 0; i < set->n_files; i++)
            files[i] = &set->files[i];
        char *sql = view_sql(fs, files, set->n_files, NULL);
        ds_query_add(out, fs->name, DS_KIND_FILE_SOURCE, sql, cfg->display_path, fs->line);
        free(sql);
        free(files);

        int rc = 0;
        if (set->template_name) {
            view_ctx v = {cfg, set, db, out, unreadable, first_missing};
            rc = template_views(&v, set->template_name, err);
        }
        if (rc != 0)
            return -1;
    }
    ds_keyset_finish(unreadable);
    return 0;
}
