/* templates.c - templated views (see templates.h): the template's values,
 * sampled, read from hive paths or seeded, and one view per value. */
#include "templates.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "duckdb_api.h"
#include "sqltext.h"
#include "timewindow.h"

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
        if (isdigit((unsigned char)text[text[0] == '-'])) /* not inf, -inf, nan */
            ds_buf_puts(&b, text);
        else
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

/* Walks a template, counting its ?s outside quoted strings; with b, copies
 * it there with each ? replaced by the next literal, or by the only one
 * when n is 1. */
static size_t walk_template(const char *tmpl, ds_buf *b, char *const *literals, size_t n)
{
    size_t holes = 0;
    char quote = 0;
    for (const char *p = tmpl; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            if (b && (n == 1 || holes < n))
                ds_buf_puts(b, literals[n == 1 ? 0 : holes]);
            holes++;
            continue;
        }
        if (b)
            ds_buf_putc(b, *p);
    }
    return holes;
}

/* The ?s of row_filter_template, quoted text left out. */
static size_t count_holes(const char *tmpl)
{
    return walk_template(tmpl, NULL, NULL, 0);
}

/* row_filter_template with its ?s filled by the literals, in order (a
 * single value fills every ?).  A '?' inside a quoted string of the
 * template is left alone. */
static char *fill_template(const char *tmpl, char *const *literals, size_t n)
{
    ds_buf b = {0};
    walk_template(tmpl, &b, literals, n);
    return ds_buf_take(&b);
}

/* One level's part of the sampling query: its files grouped by row filter
 * only (union_by_name unifies the schemas here, in the build-time engine).
 * LEVEL (or -1: no level column) is told apart in the rows. */
static void put_level_sampling(ds_buf *b, const ds_source_set *set, const ds_sv_schema *sc,
                               const ds_sv_level *lev, long level, const char *expr,
                               const char *window, size_t *parts)
{
    bool by_name = set->fs->union_mode == DS_UNION_ALL_BY_NAME;
    const ds_source_file **files = ds_xcalloc(set->n_files + 1, sizeof *files);
    size_t n = 0;
    for (size_t i = 0; i < set->n_files; i++)
        if (ds_sv_level_has(lev, set, &set->files[i]))
            files[n++] = &set->files[i];
    ds_sv_groups groups;
    ds_sv_group_files(set, NULL, files, n, &groups);
    for (size_t i = 0; i < groups.n; i++) {
        if ((*parts)++)
            ds_buf_puts(b, " UNION ALL ");
        ds_buf_printf(b, "SELECT (%s) AS v, " DS_SV_FILE_COLUMN " AS f", expr);
        if (level >= 0)
            ds_buf_printf(b, ", %ld AS l", level);
        ds_buf_puts(b, " FROM ");
        ds_sv_put_read_parquet(b, &groups.items[i], true, by_name, sc->hive_option,
                               "filename = '" DS_SV_FILE_COLUMN "'");
        ds_sv_preds p = {0};
        ds_sv_pred_add(&p, set->fs->row_filter);
        ds_sv_pred_add(&p, lev->filter);
        ds_sv_pred_add(&p, window);
        ds_sv_pred_add(&p, groups.items[i].row_filter);
        ds_sv_put_where(b, &p);
    }
    ds_sv_groups_free(&groups);
    free(files);
}

/* The sampling query: distinct (value, physical file) pairs under the
 * base predicate, per-file filters included, in one pass over the files;
 * with a hierarchy, (value, file, level) under each level's predicate. */
static char *sampling_sql(const ds_source_set *set, const ds_sv_schema *sc,
                          const ds_sv_levels *lv, const char *expr)
{
    char *window = ds_sql_time_window(set->fs);
    bool plain = ds_sv_levels_plain(lv);
    ds_buf b = {0};
    ds_buf_puts(&b, plain ? "SELECT DISTINCT v, f FROM (" : "SELECT DISTINCT v, f, l FROM (");
    size_t parts = 0;
    for (size_t l = 0; l < lv->n; l++)
        put_level_sampling(&b, set, sc, &lv->items[l], plain ? -1 : (long)l, expr, window,
                           &parts);
    ds_buf_puts(&b, plain ? ") WHERE v IS NOT NULL ORDER BY v, f"
                          : ") WHERE v IS NOT NULL ORDER BY v, f, l");
    free(window);
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

/* The template's values, each with the files that hold it, in value order. */
typedef struct {
    const char *value;               /* the value as DuckDB prints it */
    const ds_source_file **files;    /* in the set's order (per level, by level) */
    unsigned *levels;                /* each file's level, or NULL: every level's */
    size_t n;
} tvalue;

typedef struct {
    tvalue *items;
    size_t n;
    int type;                        /* DUCKDB_TYPE_* of the values */
    ds_rows rows;                    /* sampled rows, when sampled */
    ds_arena strings;                /* values taken from paths */
} tvalue_list;

static void tvalues_free(tvalue_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].files);
        free(l->items[i].levels);
    }
    free(l->items);
    if (l->rows.rows || l->rows.cols)
        ds_rows_free(&l->rows);
    ds_arena_free(&l->strings);
    memset(l, 0, sizeof *l);
}

typedef struct {
    const char *path;
    size_t file;
} path_file;

static int cmp_path_file(const void *a, const void *b)
{
    return strcmp(((const path_file *)a)->path, ((const path_file *)b)->path);
}

typedef struct {
    const ds_source_file *file;
    unsigned level;
} level_file;

static int cmp_level_file(const void *a, const void *b)
{
    const level_file *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return x->file < y->file ? -1 : x->file > y->file;
}

/* A value's (file, level) pairs sorted by level, then in the set's order,
 * as the view lists them; the levels are kept only with a hierarchy. */
static void put_value_files(tvalue *t, level_file *pairs, size_t n, bool levelled)
{
    qsort(pairs, n, sizeof *pairs, cmp_level_file);
    t->files = ds_xcalloc(n + 1, sizeof *t->files);
    t->levels = levelled ? ds_xcalloc(n + 1, sizeof *t->levels) : NULL;
    for (size_t k = 0; k < n; k++) {
        t->files[k] = pairs[k].file;
        if (levelled)
            t->levels[k] = pairs[k].level;
    }
    t->n = n;
}

/* Groups the sampled (value, physical file[, level]) rows, ordered by
 * value, into values with their files; files are found by path in one
 * sorted index. */
static void group_sampled(const ds_source_set *set, const ds_sv_levels *lv, tvalue_list *l)
{
    bool levelled = l->rows.cols == 3;
    path_file *idx = ds_xcalloc(set->n_files + 1, sizeof *idx);
    for (size_t i = 0; i < set->n_files; i++)
        idx[i] = (path_file){set->files[i].path, i};
    qsort(idx, set->n_files, sizeof *idx, cmp_path_file);
    l->items = ds_xcalloc(l->rows.rows + 1, sizeof *l->items);
    for (size_t r = 0; r < l->rows.rows;) {
        tvalue *t = &l->items[l->n++];
        t->value = ds_rows_get(&l->rows, r, 0);
        size_t end = r;
        while (end < l->rows.rows && strcmp(ds_rows_get(&l->rows, end, 0), t->value) == 0)
            end++;
        /* Rows are DISTINCT (value, file[, level]); a file published under
         * two keys is in the index twice, and both keys read it (in the
         * levels whose patterns match them). */
        size_t cap = end - r + 1, n = 0;
        level_file *pairs = ds_xcalloc(cap, sizeof *pairs);
        for (size_t k = r; k < end; k++) {
            path_file key = {ds_rows_get(&l->rows, k, 1), 0};
            unsigned level = levelled ? (unsigned)atol(ds_rows_get(&l->rows, k, 2)) : 0;
            path_file *hit = bsearch(&key, idx, set->n_files, sizeof *idx, cmp_path_file);
            if (!hit)
                continue;
            while (hit > idx && strcmp(hit[-1].path, key.path) == 0)
                hit--;
            for (; hit < idx + set->n_files && strcmp(hit->path, key.path) == 0; hit++) {
                const ds_source_file *f = &set->files[hit->file];
                if (!ds_sv_level_has(&lv->items[level], set, f))
                    continue;
                if (n == cap) {
                    cap *= 2;
                    pairs = ds_xrealloc(pairs, cap * sizeof *pairs);
                }
                pairs[n++] = (level_file){f, level};
            }
        }
        put_value_files(t, pairs, n, levelled);
        free(pairs);
        r = end;
    }
    free(idx);
}

/* The value of hive folder NAME in a key, or NULL (it is in every key:
 * source_hive_names). */
static const char *hive_value(const char *key, const char *name, size_t *len)
{
    size_t n = strlen(name);
    for (const char *seg = key, *slash; (slash = strchr(seg, '/')) != NULL; seg = slash + 1)
        if (strncmp(seg, name, n) == 0 && seg[n] == '=') {
            *len = (size_t)(slash - seg - (ptrdiff_t)n - 1);
            return seg + n + 1;
        }
    return NULL;
}

/* Is TEXT a value the build-time engine prints the same way it is spelled
 * in a folder name, for the column's type?  Anything else (an encoded
 * character, an empty or NULL partition, a timestamp) is sampled. */
static bool plain_partition_value(const char *text, int type)
{
    if (!*text || strchr(text, '%') || strcasecmp(text, "null") == 0 ||
        strcmp(text, "__HIVE_DEFAULT_PARTITION__") == 0)
        return false;
    if (type == DUCKDB_TYPE_BIGINT) {
        char *end;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        char back[32];
        snprintf(back, sizeof back, "%lld", v);
        return errno == 0 && !*end && strcmp(back, text) == 0;
    }
    if (type == DUCKDB_TYPE_DATE) {
        int y, m, d;
        char tail;
        return strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3;
    }
    return type == DUCKDB_TYPE_VARCHAR;
}

typedef struct {
    const char *value;
    long long number;
    size_t file;
} value_file;

static int cmp_value_file(const void *a, const void *b)
{
    const value_file *x = a, *y = b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    int c = strcmp(x->value, y->value);
    if (c)
        return c;
    return x->file < y->file ? -1 : x->file > y->file;
}

/* When the template is a hive partition column and nothing filters rows,
 * the values and their files are in the paths: no file is read.  Files
 * with no rows hold no value, as sampling would find.  Returns false when
 * this does not apply (the caller samples). */
static bool values_from_paths(const ds_sv_ctx *v, const char *expr, tvalue_list *l)
{
    const ds_source_set *set = v->set;
    const ds_sv_schema *sc = v->schema;
    if (set->fs->row_filter || set->fs->has_time_window || !sc->rows || !sc->hive_types)
        return false;
    /* A level's filter picks rows: its values must be sampled. */
    for (size_t i = 0; i < v->levels->n; i++)
        if (v->levels->items[i].filter)
            return false;
    for (size_t i = 0; i < set->n_files; i++)
        if (set->files[i].row_filter || sc->rows[i] < 0)
            return false;
    /* The expression must be the column itself, bare or quoted. */
    char *name = ds_strdup(expr);
    char *b = name, *e = name + strlen(name);
    while (isspace((unsigned char)*b))
        b++;
    while (e > b && isspace((unsigned char)e[-1]))
        *--e = '\0';
    if (*b == '"' && e - b >= 2 && e[-1] == '"' && !memchr(b + 1, '"', (size_t)(e - b - 2))) {
        e[-1] = '\0';
        b++;
    }
    size_t h = 0;
    while (sc->hive_names[h] && strcmp(sc->hive_names[h], b) != 0)
        h++;
    const char *type = sc->hive_names[h] ? sc->hive_types[h] : NULL;
    free(name);
    if (!type)
        return false;
    l->type = strcmp(type, "BIGINT") == 0    ? DUCKDB_TYPE_BIGINT
              : strcmp(type, "DATE") == 0    ? DUCKDB_TYPE_DATE
              : strcmp(type, "VARCHAR") == 0 ? DUCKDB_TYPE_VARCHAR
                                             : DUCKDB_TYPE_INVALID;
    if (l->type == DUCKDB_TYPE_INVALID)
        return false;

    value_file *vf = ds_xcalloc(set->n_files + 1, sizeof *vf);
    size_t n = 0;
    bool plain = true;
    const char *prev = NULL;
    for (size_t i = 0; i < set->n_files && plain; i++) {
        if (sc->rows[i] == 0)
            continue;
        size_t len;
        const char *at = hive_value(set->files[i].key, sc->hive_names[h], &len);
        if (!at) {
            plain = false;
            break;
        }
        /* Keys are sorted, so a value mostly repeats the previous one. */
        const char *value = prev && strlen(prev) == len && strncmp(prev, at, len) == 0
                                ? prev
                                : ds_arena_strndup(&l->strings, at, len);
        plain = value == prev || plain_partition_value(value, l->type);
        prev = value;
        vf[n++] = (value_file){value, l->type == DUCKDB_TYPE_BIGINT ? atoll(value) : 0, i};
    }
    if (!plain) {
        free(vf);
        ds_arena_free(&l->strings);
        return false;
    }
    /* Keys sorted by folder usually give the values in order already. */
    ds_sort_unless_sorted(vf, n, sizeof *vf, cmp_value_file);
    l->items = ds_xcalloc(n + 1, sizeof *l->items);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && strcmp(vf[end].value, vf[i].value) == 0)
            end++;
        tvalue *t = &l->items[l->n++];
        t->value = vf[i].value;
        t->files = ds_xcalloc(end - i + 1, sizeof *t->files);
        for (size_t k = i; k < end; k++)
            t->files[t->n++] = &set->files[vf[k].file];
        i = end;
    }
    free(vf);
    return true;
}

/* ---- template candidates ---------------------------------------------- */

/* A value a templated view is made for: sampled (or read from paths),
 * a row of template_values_sql or an item of template_values. */
typedef struct {
    char **literals;                    /* one typed SQL literal per part */
    size_t n;
    bool tuple;
    char *label;                        /* the parts' text joined with "_": the slug's source */
    char *literal_list;                 /* the literals joined with ", " */
    char *shown;                        /* how messages name it */
    const ds_source_file *const *files; /* the files its view reads */
    size_t n_files;
    const unsigned *levels;             /* each file's level (sampled), or NULL */
} candidate;

typedef struct {
    candidate *items;
    size_t n, cap;
    json_t *seen;                       /* literal text -> 1, to drop repeats */
} candidate_list;

/* Adds a value unless an earlier one has the same literals; takes the
 * arrays. */
static void candidate_add(candidate_list *c, char **literals, char **texts, size_t n,
                          bool tuple, const ds_source_file *const *files, size_t n_files)
{
    ds_buf key = {0}, label = {0};
    for (size_t i = 0; i < n; i++) {
        ds_buf_printf(&key, "%s%s", i ? ", " : "", literals[i]);
        ds_buf_printf(&label, "%s%s", i ? "_" : "", texts[i]);
    }
    ds_sv_free_strv(texts, n);
    if (json_object_get(c->seen, ds_buf_str(&key))) {
        ds_sv_free_strv(literals, n);
        ds_buf_free(&key);
        ds_buf_free(&label);
        return;
    }
    json_object_set_new(c->seen, ds_buf_str(&key), json_true());
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->items = ds_xrealloc(c->items, c->cap * sizeof *c->items);
    }
    char *shown = tuple ? ds_asprintf("(%s)", ds_buf_str(&key)) : ds_strdup(ds_buf_str(&label));
    c->items[c->n++] = (candidate){literals, n, tuple, ds_buf_take(&label), ds_buf_take(&key),
                                   shown, files, n_files, NULL};
}

static void candidates_free(candidate_list *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ds_sv_free_strv(c->items[i].literals, c->items[i].n);
        free(c->items[i].label);
        free(c->items[i].literal_list);
        free(c->items[i].shown);
    }
    free(c->items);
    json_decref(c->seen);
    memset(c, 0, sizeof *c);
}

/* A template_values part as an SQL literal of its TOML type: the type
 * DuckDB would give it, by ds_seed_kind. */
static char *seed_literal(const ds_seed_part *p)
{
    static const int types[] = {
        [DS_SEED_STRING] = DUCKDB_TYPE_VARCHAR,
        [DS_SEED_INTEGER] = DUCKDB_TYPE_BIGINT,
        [DS_SEED_FLOAT] = DUCKDB_TYPE_DOUBLE,
        [DS_SEED_BOOL] = DUCKDB_TYPE_BOOLEAN,
        [DS_SEED_DATE] = DUCKDB_TYPE_DATE,
        [DS_SEED_TIMESTAMP] = DUCKDB_TYPE_TIMESTAMP,
        [DS_SEED_TIMESTAMPTZ] = DUCKDB_TYPE_TIMESTAMP_TZ,
        [DS_SEED_TIME] = DUCKDB_TYPE_TIME,
    };
    return typed_literal(types[p->kind], p->text);
}

/* The rows of template_values_sql, each a scalar (one column) or a tuple.
 * A seeded value reads all the source's files: its predicate picks its
 * rows, if any ever arrive. */
static int add_sql_seeds(const ds_sv_ctx *v, candidate_list *c,
                         const ds_source_file *const *all, ds_err *err)
{
    const ds_file_source *fs = v->set->fs;
    ds_rows rows = {0};
    ds_err qerr;
    if (ds_duck_query(v->db, fs->template_values_sql, &rows, &qerr) != 0)
        return ds_err_set(err, "%s:%d: file source '%s': template_values_sql failed: %s",
                          v->cfg->display_path, fs->line, fs->name, qerr.msg);
    int rc = 0;
    for (size_t r = 0; r < rows.rows && rc == 0; r++) {
        char **literals = ds_xcalloc(rows.cols + 1, sizeof *literals);
        char **texts = ds_xcalloc(rows.cols + 1, sizeof *texts);
        for (size_t k = 0; k < rows.cols; k++) {
            const char *cell = ds_rows_get(&rows, r, k);
            if (!cell) {
                rc = ds_err_set(err,
                                "%s:%d: file source '%s': template_values_sql row %zu has a "
                                "NULL in column %zu; template values cannot be NULL",
                                v->cfg->display_path, fs->line, fs->name, r + 1, k + 1);
                cell = "";
            }
            literals[k] = typed_literal(rows.types[k], cell);
            texts[k] = ds_strdup(cell);
        }
        if (rc == 0)
            candidate_add(c, literals, texts, rows.cols, rows.cols > 1, all, v->set->n_files);
        else {
            ds_sv_free_strv(literals, rows.cols);
            ds_sv_free_strv(texts, rows.cols);
        }
    }
    ds_rows_free(&rows);
    return rc;
}

/* The items of template_values. */
static void add_config_seeds(const ds_sv_ctx *v, candidate_list *c,
                             const ds_source_file *const *all)
{
    const ds_seed_list *l = &v->set->fs->template_values;
    for (size_t i = 0; i < l->n; i++) {
        const ds_seed *seed = &l->items[i];
        char **literals = ds_xcalloc(seed->n + 1, sizeof *literals);
        char **texts = ds_xcalloc(seed->n + 1, sizeof *texts);
        for (size_t k = 0; k < seed->n; k++) {
            literals[k] = seed_literal(&seed->parts[k]);
            texts[k] = ds_strdup(seed->parts[k].text);
        }
        candidate_add(c, literals, texts, seed->n, seed->tuple, all, v->set->n_files);
    }
}

/* A tuple fills the template's ?s in order, so it must have one part per
 * ?; a single value fills every ? (as sampled values always have). */
static int check_arity(const ds_sv_ctx *v, const char *tmpl, const candidate_list *c,
                       ds_err *err)
{
    const ds_file_source *fs = v->set->fs;
    size_t holes = count_holes(tmpl);
    for (size_t i = 0; i < c->n && holes > 0; i++)
        if (c->items[i].tuple && c->items[i].n != holes)
            return ds_err_set(err,
                              "%s:%d: file source '%s': row_filter_template '%s' has %zu ? "
                              "but template value (%s) has %zu part%s",
                              v->cfg->display_path, fs->line, fs->name, tmpl, holes,
                              c->items[i].literal_list, c->items[i].n,
                              c->items[i].n == 1 ? "" : "s");
    return 0;
}

/* " (from the manifest of plugin P)" when a template setting the source's
 * own key (OWN) does not give came from its plugin, else "": messages name
 * where to fix it. */
static const char *template_origin(const ds_source_set *set, const char *own, ds_buf *b)
{
    if (set->fs->plugin && !own)
        ds_buf_printf(b, " (from the manifest of plugin %s)", set->fs->plugin);
    return ds_buf_str(b);
}

/* row_filter_template filled with the first value, over that value's
 * first file: a mistake in it names the template and where it comes from
 * (the views' validation would name a view).  Over drifting schemas the
 * views read a column some files lack as NULL, which one file cannot
 * show: skipped there. */
static int check_template(const ds_sv_ctx *v, const char *tmpl, const candidate_list *c,
                          ds_err *err)
{
    const ds_source_set *set = v->set;
    if (!c->n || !c->items[0].n_files || (v->schema && v->schema->n_schemas > 1))
        return 0;
    char *pred = fill_template(tmpl, c->items[0].literals, c->items[0].n);
    const char *hive = v->schema ? v->schema->hive_option : NULL;
    ds_buf sql = {0};
    ds_buf_puts(&sql, "EXPLAIN SELECT * FROM read_parquet([");
    ds_sql_quote(&sql, c->items[0].files[0]->path);
    ds_buf_printf(&sql, "]%s%s) WHERE (%s)", hive ? ", " : "", hive ? hive : "", pred);
    ds_err qerr;
    int rc = 0;
    if (ds_duck_exec(v->db, sql.data, &qerr) != 0) {
        ds_buf origin = {0};
        rc = ds_err_set(err,
                        "%s:%d: file source '%s': row_filter_template '%s'%s fails for the "
                        "template value %s (%s): %s",
                        v->cfg->display_path, set->fs->line, set->fs->name, tmpl,
                        template_origin(set, set->fs->row_filter_template, &origin), c->items[0].shown, pred, qerr.msg);
        ds_buf_free(&origin);
    }
    ds_buf_free(&sql);
    free(pred);
    return rc;
}

/* Samples the template's values (or reads them from the paths) into c.
 * Returns 1 when a file cannot be read (warned: no templated views). */
static int add_sampled(ds_sv_ctx *v, const template_parts *t, const char *template_name,
                       candidate_list *c, tvalue_list *values, ds_err *err)
{
    const ds_source_set *set = v->set;
    const ds_file_source *fs = set->fs;
    if (!values_from_paths(v, t->expr, values)) {
        char *sql = sampling_sql(set, v->schema, v->levels, t->expr);
        ds_err qerr;
        int rc = ds_duck_query(v->db, sql, &values->rows, &qerr);
        free(sql);
        if (rc != 0) {
            ds_err why;
            const ds_source_file *bad = unreadable_file(set, v->db, &why);
            if (!bad) {
                ds_buf origin = {0};
                rc = ds_err_set(err,
                                "%s:%d: file source '%s': sampling template_name '%s'%s "
                                "failed: %s",
                                v->cfg->display_path, fs->line, fs->name, template_name,
                                template_origin(set, fs->template_name, &origin), qerr.msg);
                ds_buf_free(&origin);
                return rc;
            }
            ds_warn("file source '%s': cannot read %s (%s) to sample template values: %s; "
                    "no templated views for this source",
                    fs->name, bad->path, bad->key, why.msg);
            ds_keyset_add(v->unreadable, bad->key);
            return 1;
        }
        values->type = values->rows.types[0];
        group_sampled(set, v->levels, values);
    }
    for (size_t i = 0; i < values->n; i++) {
        const tvalue *tv = &values->items[i];
        char **literals = ds_xcalloc(2, sizeof *literals);
        char **texts = ds_xcalloc(2, sizeof *texts);
        literals[0] = typed_literal(values->type, tv->value);
        texts[0] = ds_strdup(tv->value);
        size_t before = c->n;
        candidate_add(c, literals, texts, 1, false, tv->files, tv->n);
        if (c->n > before)
            c->items[before].levels = tv->levels;
    }
    return 0;
}

/* Makes one view per template value: sampled, then template_values_sql's
 * rows, then template_values, the first of equal values kept.  Returns -1
 * only for real errors; unreadable files give a warning and no templated
 * views. */
int ds_template_views(ds_sv_ctx *v, const char *template_name, ds_err *err)
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
    tvalue_list values = {0};
    candidate_list cands = {.seen = json_object()};
    const ds_source_file **all = ds_xcalloc(set->n_files + 1, sizeof *all);
    for (size_t i = 0; i < set->n_files; i++)
        all[i] = &set->files[i];
    const char *tmpl = set->row_filter_template;
    char *default_tmpl = ds_asprintf("%s = ?", t.expr);
    if (!tmpl)
        tmpl = default_tmpl;

    int rc = add_sampled(v, &t, template_name, &cands, &values, err);
    if (rc == 0 && fs->template_values_sql)
        rc = add_sql_seeds(v, &cands, all, err);
    if (rc == 0) {
        add_config_seeds(v, &cands, all);
        rc = check_arity(v, tmpl, &cands, err);
    }
    if (rc == 0 && set->row_filter_template)
        rc = check_template(v, tmpl, &cands, err);

    size_t first_view = v->out->len;
    /* View names so far -> their query's position: one lookup per value,
     * not a scan of every view (a partition may have 100,000 values). */
    json_t *names = json_object();
    size_t *view_value = ds_xcalloc(cands.n + 1, sizeof *view_value); /* view -> value */
    for (size_t q = 0; q < v->out->len && rc == 0; q++)
        json_object_set_new(names, v->out->items[q].name, json_integer((json_int_t)q));
    for (size_t i = 0; i < cands.n && rc == 0; i++) {
        const candidate *cv = &cands.items[i];
        char *slug = ds_slug(cv->label);
        char *name = ds_asprintf("%s%s%s", t.prefix, slug, t.suffix);
        json_t *at = json_object_get(names, name);
        size_t pos = at ? (size_t)json_integer_value(at) : 0;
        const ds_query *clash = at ? &v->out->items[pos] : NULL;
        if (strlen(name) > DS_VIEW_NAME_MAX) {
            /* It names a file of the site (sql/_global/<name>.sql). */
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': template value '%.40s...' makes a view "
                            "name of %zu bytes, over the %d a view name may have: template on "
                            "a shorter expression (a code or id column)",
                            v->cfg->display_path, fs->line, fs->name, cv->shown, strlen(name),
                            DS_VIEW_NAME_MAX);
        } else if (clash && pos >= first_view) {
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': template values '%s' and '%s' both "
                            "make the view name '%s'",
                            v->cfg->display_path, fs->line, fs->name,
                            cands.items[view_value[pos - first_view]].shown, cv->shown, name);
        } else if (clash) {
            /* A manifest that re-publishes another source's files
             * (manifest_from_file_source) brings that source's template
             * too, and with it its view names. */
            ds_buf hint = {0};
            if (fs->plugin && !fs->template_name)
                ds_buf_printf(&hint, "; the template_name '%s' comes from the manifest of plugin "
                                     "%s: give file source '%s' a template_name of its own in "
                                     "%s (the configuration's wins)",
                              template_name, fs->plugin, fs->name, v->cfg->display_path);
            rc = ds_err_set(err,
                            "%s:%d: file source '%s': template value '%s' makes the view name "
                            "'%s', which %s:%d already defines%s",
                            v->cfg->display_path, fs->line, fs->name, cv->shown, name,
                            clash->file, clash->line, ds_buf_str(&hint));
            ds_buf_free(&hint);
        } else {
            char *pred = fill_template(tmpl, cv->literals, cv->n);
            ds_sv_lists to = {v->lists, name, true};
            char *view = ds_sv_view_sql(set, v->schema, v->levels, cv->files, cv->n_files,
                                        cv->levels, pred, false, v->lists ? &to : NULL);
            json_object_set_new(names, name, json_integer((json_int_t)v->out->len));
            view_value[v->out->len - first_view] = i;
            ds_query_add(v->out, name, DS_KIND_FILE_SOURCE_TEMPLATE, view,
                         v->cfg->display_path, fs->line);
            /* Kept for pages per value (values_from_source:). */
            v->out->items[v->out->len - 1].source = ds_strdup(fs->name);
            v->out->items[v->out->len - 1].value = ds_strdup(cv->label);
            ds_sv_set_check_sql(v->out, set, v->schema, v->levels, cv->files, cv->n_files,
                                cv->levels, pred, v->first_missing != NULL);
            free(view);
            free(pred);
        }
        free(name);
        free(slug);
    }
    json_decref(names);
    free(view_value);
    free(default_tmpl);
    free(all);
    candidates_free(&cands);
    tvalues_free(&values);
    template_free(&t);
    return rc < 0 ? -1 : 0;
}
