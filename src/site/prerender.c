/* prerender.c - stored results (see prerender.h). */
#include "prerender.h"
#include "uptodate.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../config/layout.h"
#include "../sql/duckdb_api.h"
#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "assets.h"
#include "html.h"
#include "pagesql.h"
#include "resultindex.h"

/* ---- values as the runtime shows them ------------------------------------- */

/* The column kinds of web/src/duckdb.js (kindOf). */
static const char *kind_of(int type)
{
    switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT: return "int";
    /* The browser engine hands HUGEINT and DECIMAL over as DOUBLE. */
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE: return "float";
    case DUCKDB_TYPE_BOOLEAN: return "bool";
    case DUCKDB_TYPE_DATE: return "date";
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: return "timestamp";
    case DUCKDB_TYPE_TIME: return "time";
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_ENUM:
    case DUCKDB_TYPE_UUID: return "string";
    case DUCKDB_TYPE_BLOB: return "blob";
    default: return "other";
    }
}

static bool nested(int type)
{
    return type == DUCKDB_TYPE_LIST || type == DUCKDB_TYPE_STRUCT || type == DUCKDB_TYPE_MAP ||
           type == DUCKDB_TYPE_ARRAY || type == DUCKDB_TYPE_UNION;
}

/* Types the C API cannot hand over as text (duckdb_value_varchar gives
 * nothing for them, or crashes): those columns are cast in SQL. */
static bool needs_cast(int type)
{
    switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_DATE:
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_BLOB: return false;
    default: return true;
    }
}

/* The SQL expression that turns column ID of TYPE into text. */
static void put_cast(ds_buf *b, int type, const char *id)
{
    if (nested(type))
        ds_buf_printf(b, "CAST(to_json(%s) AS VARCHAR)", id);
    else if (type == DUCKDB_TYPE_TIMESTAMP_TZ || type == DUCKDB_TYPE_TIMESTAMP_S ||
             type == DUCKDB_TYPE_TIMESTAMP_MS || type == DUCKDB_TYPE_TIMESTAMP_NS)
        ds_buf_printf(b, "CAST(CAST(%s AS TIMESTAMP) AS VARCHAR)", id);
    else
        ds_buf_printf(b, "CAST(%s AS VARCHAR)", id);
}

/* A double as JSON: shortest digits; NaN and infinities as strings, which
 * the runtime turns back into numbers for float columns. */
static void put_double(ds_buf *b, double d)
{
    if (isnan(d)) {
        ds_buf_puts(b, "\"NaN\"");
    } else if (isinf(d)) {
        ds_buf_puts(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    } else {
        char num[40];
        ds_pagesql_js_number(d, num);
        ds_buf_puts(b, num);
    }
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]": at most microseconds, no trailing zeros,
 * no zone (TIMESTAMPTZ is read in UTC). */
static void put_timestamp(ds_buf *b, const char *text)
{
    size_t n = strcspn(text, "+");
    /* a zone offset after the time ("... 01:02:03+00") is dropped */
    const char *dot = memchr(text, '.', n);
    size_t keep = n;
    if (dot) {
        size_t frac = n - (size_t)(dot + 1 - text);
        if (frac > 6)
            keep = (size_t)(dot + 1 - text) + 6;
        while (keep > (size_t)(dot - text) && (text[keep - 1] == '0' || text[keep - 1] == '.'))
            if (text[--keep] == '.')
                break;
    }
    char *t = ds_strndup(text, keep);
    ds_buf_json_string(b, t);
    free(t);
}

static void put_value(ds_buf *b, int type, const char *text)
{
    if (!text) {
        ds_buf_puts(b, "null");
        return;
    }
    switch (type) {
    case DUCKDB_TYPE_BOOLEAN: ds_buf_puts(b, strcmp(text, "true") == 0 ? "true" : "false"); break;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT: {
        /* Beyond 2^53 a JSON number would round: such values travel as
         * strings and become BigInt in the runtime, as live ones do. */
        errno = 0;
        long long v = strtoll(text, NULL, 10);
        bool safe = errno == 0 && v <= 9007199254740991LL && v >= -9007199254740991LL;
        if (safe)
            ds_buf_printf(b, "%lld", v);
        else
            ds_buf_json_string(b, text);
        break;
    }
    case DUCKDB_TYPE_FLOAT: put_double(b, (double)strtof(text, NULL)); break;
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_DOUBLE: put_double(b, strtod(text, NULL)); break;
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
    case DUCKDB_TYPE_TIMESTAMP_TZ: put_timestamp(b, text); break;
    default: ds_buf_json_string(b, text);
    }
}

static bool names_unique(const ds_rows *r)
{
    for (size_t i = 0; i < r->cols; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->names[i], r->names[j]) == 0)
                return false;
    return true;
}

int ds_prerender_result_json(ds_duck *db, const char *sql, char **json, ds_err *err)
{
    bool over;
    return ds_prerender_result_json_max(db, sql, 0, json, &over, err);
}

int ds_prerender_result_json_max(ds_duck *db, const char *sql, size_t max_rows, char **json,
                                 bool *over, ds_err *err)
{
    *over = false;
    /* The column types first, from the query with no rows: the C API cannot
     * hand over some types as text (UUID, TIMESTAMP_NS, lists, ...) and must
     * not even be asked to, so those columns are cast in SQL before any row
     * is read. */
    ds_rows rows;
    char *probe = ds_asprintf("SELECT * FROM (%s) AS ducksite_result LIMIT 0", sql);
    int rc = ds_duck_query(db, probe, &rows, err);
    free(probe);
    if (rc != 0)
        return -1;
    bool any_cast = false;
    for (size_t c = 0; c < rows.cols; c++)
        any_cast = any_cast || needs_cast(rows.types[c]);
    int *types = ds_xcalloc(rows.cols + 1, sizeof *types);
    if (rows.cols)
        memcpy(types, rows.types, rows.cols * sizeof *types);
    if (any_cast && !names_unique(&rows)) {
        ds_rows_free(&rows);
        free(types);
        return ds_err_set(err, "its result has two columns with one name and a type that needs "
                               "converting; give the columns distinct names");
    }
    ds_buf q = {0};
    if (any_cast) {
        ds_buf_puts(&q, "SELECT ");
        for (size_t c = 0; c < rows.cols; c++) {
            ds_buf id = {0};
            ds_buf_putc(&id, '"');
            for (const char *p = rows.names[c]; *p; p++) {
                if (*p == '"')
                    ds_buf_putc(&id, '"');
                ds_buf_putc(&id, *p);
            }
            ds_buf_putc(&id, '"');
            ds_buf_puts(&q, c ? ", " : "");
            if (needs_cast(rows.types[c])) {
                put_cast(&q, rows.types[c], id.data);
                ds_buf_printf(&q, " AS %s", id.data);
            } else {
                ds_buf_puts(&q, id.data);
            }
            ds_buf_free(&id);
        }
        ds_buf_printf(&q, " FROM (%s) AS ducksite_result", sql);
    } else {
        ds_buf_puts(&q, sql);
    }
    ds_rows_free(&rows);
    /* One row past the limit tells a result over it from one at it, without
     * copying the rest. */
    if (max_rows) {
        char *limited = ds_asprintf("SELECT * FROM (%s) AS ducksite_limited LIMIT %zu", q.data,
                                    max_rows + 1);
        ds_buf_free(&q);
        ds_buf_puts(&q, limited);
        free(limited);
    }
    rc = ds_duck_query(db, q.data, &rows, err);
    ds_buf_free(&q);
    if (rc != 0) {
        free(types);
        return -1;
    }
    if (max_rows && rows.rows > max_rows) {
        *over = true;
        ds_rows_free(&rows);
        free(types);
        return ds_err_set(err, "its result has more than %zu rows", max_rows);
    }
    ds_buf b = {0};
    ds_buf_puts(&b, "{\"columns\":[");
    for (size_t c = 0; c < rows.cols; c++) {
        ds_buf_puts(&b, c ? ",{\"name\":" : "{\"name\":");
        ds_buf_json_string(&b, rows.names[c]);
        ds_buf_printf(&b, ",\"kind\":\"%s\"}", kind_of(types[c]));
    }
    ds_buf_puts(&b, "],\"rows\":[");
    for (size_t r = 0; r < rows.rows; r++) {
        ds_buf_puts(&b, r ? ",[" : "[");
        for (size_t c = 0; c < rows.cols; c++) {
            if (c)
                ds_buf_putc(&b, ',');
            /* types[] are the original ones: a nested column's cell is now
             * its JSON text, written as a string. */
            put_value(&b, needs_cast(types[c]) && strcmp(kind_of(types[c]), "timestamp") != 0
                              ? DUCKDB_TYPE_VARCHAR
                              : types[c],
                      ds_rows_get(&rows, r, c));
        }
        ds_buf_putc(&b, ']');
    }
    ds_buf_puts(&b, "]}\n");
    free(types);
    ds_rows_free(&rows);
    *json = ds_buf_take(&b);
    return 0;
}

/* ---- what a result read ---------------------------------------------------- */

typedef struct {
    char *path;
    long long size;   /* -1 for folders */
    long long mtime_ns;
    long long ctime_ns; /* a file's; the server compares size and mtime, the
                           build all three (deps_ctimes) */
} dep;

typedef struct {
    dep *items;
    size_t n, cap;
} dep_list;

static long long mtime_ns(const struct stat *st)
{
    return (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

static long long ctime_ns(const struct stat *st)
{
    return (long long)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
}

/* Appends; repeats are removed once, by deps_finish (a query over a lake
 * names 100,000 files: no lookup per add). */
static void dep_add(dep_list *l, const char *path, bool folder)
{
    struct stat st;
    bool ok = stat(path, &st) == 0;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = (dep){ds_strdup(path), folder ? -1 : ok ? (long long)st.st_size : -2,
                             ok ? mtime_ns(&st) : -1, ok ? ctime_ns(&st) : -1};
}

/* A file whose size and mtime the build already knows (ds_source_file's
 * stamp): no second stat of every file of a lake. */
static void dep_add_known(dep_list *l, const char *path, ds_file_stamp st)
{
    if (st.size < 0) {
        dep_add(l, path, false);
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = (dep){ds_strdup(path), st.size, st.mtime_ns, st.ctime_ns};
}

static void deps_free(dep_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].path);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_dep(const void *a, const void *b)
{
    const dep *x = a, *y = b;
    if ((x->size == -1) != (y->size == -1))
        return x->size == -1 ? 1 : -1;
    return strcmp(x->path, y->path);
}

/* The ctimes of L's files (sorted), as 16 hex digits: the index keeps
 * them as one hash beside each file's size and mtime, so that bytes
 * copied over a file with its size and mtime put back (cp -p, touch -d)
 * run its results again. */
static void deps_ctimes(const dep_list *l, char out[17])
{
    long long *all = ds_xmalloc((l->n + 1) * sizeof *all);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].size != -1)
            all[n++] = l->items[i].ctime_ns;
    snprintf(out, 17, "%016llx", (unsigned long long)ds_hash(all, n * sizeof *all));
    free(all);
}

/* Sorted (files, then folders) without repeats. */
static void deps_finish(dep_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof *l->items, cmp_dep);
    size_t kept = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (cmp_dep(&l->items[i], &l->items[kept - 1]) == 0)
            free(l->items[i].path);
        else
            l->items[kept++] = l->items[i];
    }
    l->n = kept;
}

typedef struct {
    const ds_collected *files;
    char **bases;       /* upstream glob base folders */
    size_t n_bases;
    dep_list deps;
    char *last_dir;     /* the folder whose chain was added last */
    char *static_dir;   /* the live static/: files read from it are deps too */
} literal_ctx;

/* A file's folders up to its source's glob base: a new file there (or a
 * new partition folder) changes one of their mtimes. */
static void add_folders(literal_ctx *c, const char *path)
{
    char *dir = ds_path_dirname(path);
    /* Files come by folder: a folder's chain is added once per run. */
    if (c->last_dir && strcmp(c->last_dir, dir) == 0) {
        free(dir);
        return;
    }
    free(c->last_dir);
    c->last_dir = ds_strdup(dir);
    for (int depth = 0; depth < 16; depth++) {
        dep_add(&c->deps, dir, true);
        bool base = false, inside = false;
        for (size_t i = 0; i < c->n_bases; i++) {
            base = base || strcmp(dir, c->bases[i]) == 0;
            inside = inside || (ds_starts_with(dir, c->bases[i]) &&
                                dir[strlen(c->bases[i])] == '/');
        }
        if (base || !inside)
            break;
        char *up = ds_path_dirname(dir);
        free(dir);
        dir = up;
    }
    free(dir);
}

/* A file under static/ that is no data-map entry (a form's target CSV, a
 * CSV put there by hand): the query reads it by its relative path, and
 * its result is fresh only while the file is as it was. */
static void static_dep(literal_ctx *c, const char *literal)
{
    if (!c->static_dir || !*literal || literal[0] == '/' || strstr(literal, "..") ||
        strchr(literal, '*') || strstr(literal, "://"))
        return;
    char *path = ds_path_join(c->static_dir, literal);
    if (ds_is_file(path))
        dep_add(&c->deps, path, false);
    free(path);
}

static const char *to_physical(void *vctx, const char *literal)
{
    literal_ctx *c = vctx;
    const char *path = ds_collected_physical(c->files, literal);
    if (path) {
        dep_add(&c->deps, path, false);
        add_folders(c, path);
    } else {
        static_dep(c, literal);
    }
    return path;
}

/* The folder part of an upstream_glob before its first wildcard. */
static char *glob_base(const char *root, const char *glob)
{
    size_t n = strcspn(glob, "*?[{");
    char *head = ds_strndup(glob, n);
    char *slash = strrchr(head, '/');
    if (slash)
        *slash = '\0';
    else
        head[0] = '\0';
    char *joined = head[0] == '/' ? ds_strdup(head) : ds_path_join(root, head);
    char *abs = realpath(joined, NULL);
    free(head);
    if (abs) {
        free(joined);
        return abs;
    }
    return joined;
}

/* ---- row counts ------------------------------------------------------------ */

/* The number of rows of a result document ds_prerender_result_json wrote
 * ({"columns":[...],"rows":[[...],...]}: each row an array of scalars), or
 * -1 when TEXT is not one.  A scan, not a parse: strings are skipped with
 * their escapes, so no bracket inside a value counts. */
static long long result_rows(const char *text)
{
    const char *p = text ? strstr(text, "],\"rows\":[") : NULL;
    if (!p)
        return -1;
    p += strlen("],\"rows\":[");
    long long n = 0;
    int depth = 1;
    for (; *p && depth > 0; p++) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (!*p)
                return -1;
        } else if (*p == '[') {
            if (depth++ == 1)
                n++;
        } else if (*p == ']') {
            depth--;
        }
    }
    return depth == 0 ? n : -1;
}

/* ---- the stored set ----------------------------------------------------------- */

typedef struct {
    char hash[17];
    dep_list deps;
    size_t bytes;
    long long rows;     /* its row count, -1 until asked (rows_of) */
    bool used;          /* listed by some page (not left out by a budget) */
    bool kept;          /* the previous build's, its files unchanged */
} stored;

typedef struct {
    stored *items;
    size_t n, cap;
} stored_list;

/* The stored result at place AT of L, or NULL for -1. */
static stored *stored_at(stored_list *l, long at)
{
    return at < 0 ? NULL : &l->items[at];
}

static stored *stored_find(stored_list *l, const char *hash)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].hash, hash) == 0)
            return &l->items[i];
    return NULL;
}

typedef struct {
    const ds_compiled_list *compiled;
    const ds_collected *files;
    const ds_config *cfg;
    ds_duck *db;
    char *dir;              /* static/_results (the previous build's) */
    char *out;              /* the same in the staging folder */
    ds_publish *pub;
    bool write_failed;      /* a result could not be staged: werr says why */
    ds_err werr;
    json_t *old_index;      /* the previous build's "results", or NULL */
    stored_list all;        /* every result of this build */
    literal_ctx lc;
    json_t *sizes;          /* data path -> file size, across pages */
    json_t *sql_urls;       /* SQL file URL -> index in compiled */
    json_t *globs;          /* file list name -> the glob that reads it, or null */
    size_t ran;
    double run_ms;
    size_t globbed;         /* file lists read by their source's glob */
    bool to_run;            /* expanding SQL to run, not only for its files */
    ds_prerender_defer *defer; /* NULL: every result is run */
    ds_enginecheck *engine;    /* NULL: the browser's engine is not asked */
    json_t *deferred;          /* hashes left out (defer->defer) */
    bool left_out;             /* the last obtain() left its result out */
} run_ctx;

/* The compiled query behind a runtime SQL path, as the file's text minus
 * its METRICS line (what stripMetrics leaves). */
static char *sql_for_path(const run_ctx *r, const char *path, const ds_compiled **q)
{
    json_t *i = json_object_get(r->sql_urls, path);
    if (!i)
        return NULL;
    if (q)
        *q = &r->compiled->items[json_integer_value(i)];
    /* Copied, not printed: a view over a lake is megabytes. */
    const char *sql = r->compiled->items[json_integer_value(i)].sql;
    size_t n = strlen(sql);
    char *text = ds_xmalloc(n + 2);
    memcpy(text, sql, n);
    text[n] = '\n';
    text[n + 1] = '\0';
    return text;
}

/* URL of each compiled query's SQL file -> its index, made once. */
static json_t *sql_url_index(const ds_compiled_list *l)
{
    json_t *o = json_object();
    for (size_t i = 0; i < l->len; i++) {
        ds_buf url = {0};
        ds_html_sql_url(&url, l->items[i].kind == DS_KIND_PAGE_QUERY, l->items[i].name);
        json_object_set_new(o, url.data, json_integer((json_int_t)i));
        ds_buf_free(&url);
    }
    return o;
}

/* Whether the Ith path-size-mtime entry of ARR is D. */
static bool entry_is(json_t *arr, size_t i, const dep *d)
{
    json_t *o = json_array_get(arr, i);
    json_t *path = json_object_get(o, "path");
    return json_is_string(path) && strcmp(json_string_value(path), d->path) == 0 &&
           json_integer_value(json_object_get(o, "mtime_ns")) == d->mtime_ns &&
           (d->size == -1 || json_integer_value(json_object_get(o, "size")) == d->size);
}

/* Whether the next line of a "files_text" (at *P, before END) is file D. */
static bool line_is(const char **p, const char *end, const dep *d)
{
    ds_resultindex_file f;
    return ds_resultindex_next(p, end, &f) == 0 && f.size == d->size &&
           f.mtime_ns == d->mtime_ns && f.path_len == strlen(d->path) &&
           memcmp(f.path, d->path, f.path_len) == 0;
}

/* Did the previous build store this result from exactly these files?  Its
 * files are "files" or, over many, the lines of "files_text"
 * (resultindex.h); both in the order of DEPS. */
static bool still_fresh(const run_ctx *r, const char *hash, const dep_list *deps)
{
    json_t *old = r->old_index ? json_object_get(r->old_index, hash) : NULL;
    if (!old)
        return false;
    json_t *files = json_object_get(old, "files"), *dirs = json_object_get(old, "dirs");
    json_t *text = json_object_get(old, "files_text");
    size_t n_files = 0, n_dirs = 0;
    for (size_t i = 0; i < deps->n; i++)
        deps->items[i].size == -1 ? n_dirs++ : n_files++;
    if ((text ? !json_is_string(text) : json_array_size(files) != n_files) ||
        json_array_size(dirs) != n_dirs)
        return false;
    const char *p = text ? json_string_value(text) : NULL;
    const char *end = text ? p + json_string_length(text) : NULL;
    size_t fi = 0, di = 0;
    for (size_t i = 0; i < deps->n; i++) {
        const dep *d = &deps->items[i];
        bool same = d->size == -1 ? entry_is(dirs, di++, d)
                    : text        ? line_is(&p, end, d)
                                  : entry_is(files, fi++, d);
        if (d->size == -2 || !same)
            return false;
    }
    if (p != end)
        return false; /* more lines than files */
    char ctimes[17];
    deps_ctimes(deps, ctimes);
    const char *was = json_string_value(json_object_get(old, "ctimes"));
    if (!was || strcmp(was, ctimes) != 0)
        return false;
    /* The result itself as it was written: one edited by hand is made
     * again. */
    char *file = ds_asprintf("%s/%s.json", r->dir, hash);
    struct stat st;
    bool ok = stat(file, &st) == 0 && S_ISREG(st.st_mode) &&
              (json_int_t)st.st_size == json_integer_value(json_object_get(old, "bytes")) &&
              mtime_ns(&st) == json_integer_value(json_object_get(old, "written_ns"));
    free(file);
    return ok;
}

/* Makes sure the result of SQL is stored.  Returns its entry, or NULL when
 * the query fails (why is set). */
/* S's row count; a result kept from the previous build is read once to
 * count them.  -1 when its file cannot be read. */
static long long rows_of(run_ctx *r, stored *s)
{
    if (s->rows >= 0)
        return s->rows;
    char *file = ds_asprintf("%s/%s.json", r->dir, s->hash);
    ds_err err = {0};
    char *text = ds_read_file(file, NULL, &err);
    free(file);
    s->rows = result_rows(text);
    free(text);
    return s->rows;
}

/* ---- a whole source read by its glob ----------------------------------------- */

/* ds_filelist_put_fn: a list that is a whole source becomes its glob.
 * DuckDB then expands the files itself instead of parsing and binding a
 * literal of every path (about 4 KB of memory a file), and the files are
 * still the result's dependencies. */
static bool put_glob(void *vctx, const ds_filelist *f, ds_buf *b)
{
    run_ctx *r = vctx;
    json_t *known = json_object_get(r->globs, f->name);
    const ds_source_set *s = ds_filelist_whole_source(r->files, f);
    if (s && !r->to_run) {
        /* Only its files, to tell whether a stored result is fresh: no
         * glob to check yet, the SQL is not run. */
        ds_buf_puts(b, "NULL");
        for (size_t k = 0; k < s->n_files; k++) {
            dep_add_known(&r->lc.deps, s->files[k].path, s->files[k].stamp);
            add_folders(&r->lc, s->files[k].path);
        }
        return true;
    }
    if (!known) {
        char *pattern = s ? ds_filelist_source_glob(r->db, r->cfg->root, s) : NULL;
        ds_buf lit = {0};
        if (pattern)
            ds_sql_quote(&lit, pattern);
        known = pattern ? json_string(lit.data) : json_null();
        r->globbed += pattern != NULL;
        json_object_set_new(r->globs, f->name, known);
        ds_buf_free(&lit);
        free(pattern);
    }
    if (!json_is_string(known) || !s)
        return false;
    ds_buf_puts(b, json_string_value(known));
    return true;
}

/* SQL with its file lists put back, the data paths made physical; the
 * files it reads are added to r->lc.deps.  TO_RUN: for DuckDB to run,
 * else only for the files. */
static char *physical_sql(run_ctx *r, const char *sql, bool to_run)
{
    free(r->lc.last_dir);
    r->lc.last_dir = NULL;
    r->to_run = to_run;
    char *full = ds_filelists_expand_with(r->files->lists, sql, put_glob, r);
    char *plain = ds_sql_map_literals(full, to_physical, &r->lc);
    free(full);
    return plain;
}

/* True once D's build is cancelled (a newer edit arrived): asks D's
 * cancel callback until it says so, then stays true. */
bool ds_prerender_cancelled(ds_prerender_defer *d)
{
    if (d && !d->cancelled && d->cancel && d->cancel(d->cancel_arg))
        d->cancelled = true;
    return d && d->cancelled;
}

/* True when R's result HASH is not to be run now: the build leaves it to
 * the browser for the moment (deferred), or was cancelled.  Sets
 * r->left_out. */
static bool leave_out(run_ctx *r, const char *hash)
{
    ds_prerender_defer *d = r->defer;
    if (!ds_prerender_cancelled(d) && d && d->defer)
        json_object_set_new(r->deferred, hash, json_true());
    r->left_out = d && (d->defer || d->cancelled);
    return r->left_out;
}

static stored *obtain(run_ctx *r, const char *sql, ds_err *why)
{
    char hash[17];
    ds_pagesql_hash(sql, hash);
    r->left_out = false;
    stored *s = stored_find(&r->all, hash);
    if (s)
        return s;
    if (r->defer && r->defer->cancelled) {
        r->left_out = true;
        return NULL;
    }
    deps_free(&r->lc.deps);
    /* The hash is the published text's (the browser's); the engine reads
     * the whole lists the placeholders stand for. */
    char *plain = physical_sql(r, sql, false);
    deps_finish(&r->lc.deps);
    stored fresh = {{0}, r->lc.deps, 0, -1, false, false};
    memcpy(fresh.hash, hash, sizeof hash);
    memset(&r->lc.deps, 0, sizeof r->lc.deps);
    char *file = ds_asprintf("%s/%s.json", r->dir, hash);
    if (still_fresh(r, hash, &fresh.deps)) {
        struct stat st;
        fresh.bytes = stat(file, &st) == 0 ? (size_t)st.st_size : 0;
        fresh.kept = true;
    } else if (leave_out(r, hash)) {
        ds_err_set(why, "left out for now");
        free(file);
        free(plain);
        deps_free(&fresh.deps);
        return NULL;
    } else {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* Now the SQL to run: a whole source by its glob once checked.
         * Its files are already in fresh.deps. */
        free(plain);
        plain = physical_sql(r, sql, true);
        deps_free(&r->lc.deps);
        char *json = NULL;
        int rc = ds_prerender_result_json(r->db, plain, &json, why);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        r->run_ms += (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        /* A query interrupted because a newer edit arrived is no failure. */
        if (rc != 0 && ds_prerender_cancelled(r->defer))
            r->left_out = true;
        if (rc != 0) {
            free(file);
            free(plain);
            deps_free(&fresh.deps);
            return NULL;
        }
        fresh.bytes = strlen(json);
        fresh.rows = result_rows(json);
        size_t gz_len;
        char *gz = ds_gzip(json, fresh.bytes, &gz_len);
        char *rel = ds_asprintf(DS_RESULTS_DIR "/%s.json", hash);
        char *gz_rel = ds_asprintf("%s.gz", rel);
        /* The .gz after its file: the server sends it only when it is not
         * older. */
        if (ds_publish_write(r->pub, rel, json, fresh.bytes, &r->werr) != 0 ||
            ds_publish_write(r->pub, gz_rel, gz, gz_len, &r->werr) != 0) {
            /* Not the query's fault: the build fails (ds_prerender). */
            r->write_failed = true;
            ds_err_set(why, "%s", r->werr.msg);
            free(gz_rel);
            free(rel);
            free(gz);
            free(json);
            free(file);
            free(plain);
            deps_free(&fresh.deps);
            return NULL;
        }
        free(gz_rel);
        free(rel);
        free(gz);
        free(json);
        r->ran++;
    }
    free(file);
    free(plain);
    if (r->all.n == r->all.cap) {
        r->all.cap = r->all.cap ? r->all.cap * 2 : 64;
        r->all.items = ds_xrealloc(r->all.items, r->all.cap * sizeof *r->all.items);
    }
    r->all.items[r->all.n] = fresh;
    return &r->all.items[r->all.n++];
}

/* ---- one page ------------------------------------------------------------------ */

typedef struct {
    const char *kind;       /* "chart", "table", "input", "value", "kpi" */
    const char *id;
    char *query_id;
    json_t *format;         /* borrowed from the config */
    int line;
    int input;              /* the input's index for "input", else -1 */
    bool failed;            /* warned once already */
    bool live;              /* some state the build looked at has no stored
                               result: the browser runs the query */
} component;

typedef struct {
    component *items;
    size_t n;
} component_list;

static void add_component(component_list *l, const char *kind, const char *id,
                          const char *query_id, json_t *format, int line, int input)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].kind, kind) == 0 && strcmp(l->items[i].id, id) == 0)
            return;
    l->items = ds_xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] =
        (component){kind, id, ds_strdup(query_id), format, line, input, false, false};
}

/* page.js pick(): the first key with a non-blank string, trimmed. */
static char *pick_trimmed(json_t *spec, const char *a, const char *b)
{
    const char *keys[] = {a, b};
    for (int i = 0; i < 2; i++) {
        json_t *v = keys[i] ? json_object_get(spec, keys[i]) : NULL;
        if (!json_is_string(v))
            continue;
        const char *s = json_string_value(v);
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        size_t n = strlen(s);
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        if (n)
            return ds_strndup(s, n);
    }
    return NULL;
}

static int part_line(const ds_page *page, ds_part_kind kind, const char *id)
{
    const ds_part *p = ds_page_find(page, kind, id);
    if (p)
        return p->line;
    for (size_t i = 0; i < page->n_parts; i++)
        if (page->parts[i].kind == DS_PART_GRID)
            return page->parts[i].line;
    return 1;
}

/* The components the runtime mounts (page.js mountInputs/mountComponents). */
static void page_components(const ds_page *page, json_t *config, const ds_input_spec *specs,
                            size_t n_specs, component_list *out)
{
    /* inputs.js usesOptionsQuery(): the options of a dropdown or a button
     * group, a slider's bounds. */
    for (size_t i = 0; i < n_specs; i++)
        if (specs[i].options_query &&
            (strcmp(specs[i].mode, "dropdown") == 0 || strcmp(specs[i].mode, "buttons") == 0 ||
             strcmp(specs[i].mode, "slider") == 0))
            add_component(out, "input", specs[i].name, specs[i].options_query, NULL,
                          part_line(page, DS_PART_INPUT, specs[i].name), (int)i);
    json_t *charts = json_object_get(config, "charts"), *tables = json_object_get(config, "tables");
    const char *id;
    json_t *spec;
    json_object_foreach(charts, id, spec)
    {
        char *q = pick_trimmed(spec, "data_query", "dataQuery");
        add_component(out, "chart", id, q ? q : id, json_object_get(spec, "format"),
                      part_line(page, DS_PART_ECHART, id), -1);
        free(q);
    }
    /* Values (blocks and ${query.column} in prose) and KPI cards: a value
     * shows a cell of its query's result, so it shares the stored result
     * of a table of the same query. */
    const char *const value_kinds[][2] = {{"values", "value"}, {"kpis", "kpi"}};
    for (size_t k = 0; k < 2; k++) {
        json_object_foreach(json_object_get(config, value_kinds[k][0]), id, spec)
        {
            char *q = pick_trimmed(spec, "query", NULL);
            add_component(out, value_kinds[k][1], id, q ? q : id, NULL,
                          part_line(page, k ? DS_PART_KPI : DS_PART_VALUE, id), -1);
            free(q);
        }
    }
    /* Tables: table blocks, and grid cells naming neither a chart nor an input. */
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind == DS_PART_TABLE) {
            json_t *t = json_object_get(tables, p->id);
            char *q = pick_trimmed(t, "query", NULL);
            add_component(out, "table", p->id, q ? q : p->id, json_object_get(t, "format"),
                          p->line, -1);
            free(q);
        } else if (p->kind == DS_PART_GRID) {
            for (size_t r = 0; r < p->n_rows; r++)
                for (size_t k = 0; k < p->rows[r].n_cells; k++) {
                    const char *cid = p->rows[r].cells[k].id;
                    if (ds_page_find(page, DS_PART_ECHART, cid) ||
                        ds_page_find(page, DS_PART_INPUT, cid) ||
                        ds_page_find(page, DS_PART_KPI, cid) ||
                        ds_page_find(page, DS_PART_VALUE, cid) ||
                        ds_page_find(page, DS_PART_TABLE, cid))
                        continue;
                    add_component(out, "table", cid, cid, NULL, p->line, -1);
                }
        }
    }
}

typedef struct {
    run_ctx *r;
    const ds_site_page *sp;
    json_t *config;
    ds_input_spec *specs;
    size_t n_specs;
    component_list comps;
    json_t *page_stored;    /* hash -> bytes */
    json_t *page_files;     /* data path -> size, of every file the page reads */
    json_t *preload;        /* URLs a first visit fetches: SQL files, results */
    bool store;             /* false: only the files are listed */
    long long max_bytes, bytes;
    char **over;            /* components left live for the byte budget */
    size_t n_over;
    char *state;            /* which state other than the default is stored
                               ("input 'x' is 'a'"), for the browser's engine */
} page_ctx;

static void note_over(page_ctx *p, const component *c)
{
    char *what = ds_asprintf("%d: %s '%s'", c->line, c->kind, c->id);
    for (size_t i = 0; i < p->n_over; i++)
        if (strcmp(p->over[i], what) == 0) {
            free(what);
            return;
        }
    p->over = ds_xrealloc(p->over, (p->n_over + 1) * sizeof *p->over);
    p->over[p->n_over++] = what;
}

/* A single dropdown's or button group's default that its options_query
 * does not give (now: the data may change): the page opens filtered on a
 * value no choice shows, most likely on no rows. */
static void warn_default_not_an_option(const ds_site_page *sp, const component *c,
                                       const ds_input_spec *in, char **opts, size_t n)
{
    if (in->def.kind != DS_VAL_STR || !*in->def.s || strcmp(in->def.s, in->all_label) == 0 ||
        (*in->all_value && strcmp(in->def.s, in->all_value) == 0))
        return;
    for (size_t k = 0; k < n; k++)
        if (strcmp(opts[k], in->def.s) == 0)
            return;
    const char *best = ds_suggest(in->def.s, (const char *const *)opts, n);
    ds_warn("%s:%d: input '%s': default '%s' is not among the %zu options its options_query "
            "'%s' gives%s%s%s; the page opens filtered on it",
            sp->display, c->line, in->name, in->def.s, n, in->options_query,
            best ? " (did you mean '" : "", best ? best : "", best ? "'?)" : "");
}

/* The SQL component C runs in the state VALUES, or NULL when the runtime
 * would fail before running anything (unknown query). */
static char *component_sql(page_ctx *p, const component *c, const ds_val *values,
                           const ds_compiled **q)
{
    ds_env env;
    ds_pagesql_env(p->specs, p->n_specs, values, &env);
    char *path = ds_pagesql_resolve(c->query_id, &env, json_object_get(p->config, "queries"));
    char *raw = path ? sql_for_path(p->r, path, q) : NULL;
    if (raw && !values)
        json_object_set_new(p->preload, path, json_true());
    char *sql = NULL;
    if (raw) {
        char *wrapped = ds_pagesql_wrap_format(raw, c->format, c->kind);
        sql = ds_pagesql_substitute(wrapped, &env);
        free(wrapped);
    }
    free(raw);
    free(path);
    ds_pagesql_env_free(&env);
    return sql;
}

/* Notes a data path the page reads, with its file's size. */
static const char *note_file(void *vctx, const char *literal)
{
    page_ctx *p = vctx;
    /* Past the limit the list is not published: no need to stat a lake. */
    if (json_object_size(p->page_files) > DS_PAGE_FILES_MAX ||
        json_object_get(p->page_files, literal))
        return NULL;
    json_t *known = json_object_get(p->r->sizes, literal);
    if (!known) {
        const char *path = ds_collected_physical(p->r->files, literal);
        struct stat st;
        if (!path || stat(path, &st) != 0)
            return NULL;
        known = json_integer((json_int_t)st.st_size);
        json_object_set_new(p->r->sizes, literal, known);
    }
    json_object_set(p->page_files, literal, known);
    return NULL;
}

/* Stores the result of C in state VALUES; returns it (NULL when failed,
 * over budget, or when the page stores nothing). */
static stored *store_component(page_ctx *p, component *c, const ds_val *values)
{
    const ds_compiled *q = NULL;
    char *sql = component_sql(p, c, values, &q);
    if (!sql)
        return NULL;
    free(ds_sql_map_literals(sql, note_file, p));
    /* The browser's engine is asked about the default state's SQL, and
     * about the other states' when they make another query (enginecheck.h). */
    size_t checked = SIZE_MAX;
    if (!values && q && p->r->engine)
        checked = ds_enginecheck_add(p->r->engine, sql, q, p->sp->display, c->line, c->kind,
                                     c->id);
    else if (values && p->state && q && p->r->engine)
        checked = ds_enginecheck_add_state(p->r->engine, sql, q, p->sp->display, c->line,
                                           c->kind, c->id, p->state);
    if (!p->store) {
        c->live = true;
        free(sql);
        return NULL;
    }
    char hash[17];
    ds_pagesql_hash(sql, hash);
    stored *s = stored_find(&p->r->all, hash);
    if (s && json_object_get(p->page_stored, hash)) {
        free(sql);
        if (checked != SIZE_MAX)
            ds_enginecheck_stored(p->r->engine, checked);
        return s;
    }
    ds_err why;
    s = obtain(p->r, sql, &why);
    free(sql);
    if (!s) {
        if (p->r->left_out)
            return NULL; /* the runtime queries meanwhile, as for any result not stored */
        if (!c->failed && !p->r->write_failed && values && p->state)
            ds_warn("%s:%d: %s '%s': the query fails when %s: %s; the page will show this "
                    "error in that state",
                    p->sp->display, c->line, c->kind, c->id, p->state, why.msg);
        else if (!c->failed && !p->r->write_failed)
            ds_warn("%s:%d: %s '%s': the query fails when run with the page's default inputs: "
                    "%s; the page will show this error",
                    p->sp->display, c->line, c->kind, c->id, why.msg);
        if (checked != SIZE_MAX)
            ds_enginecheck_drop(p->r->engine, checked); /* said once, here */
        ds_uptodate_incomplete(); /* a failure may not last: the next build runs it again */
        c->failed = true;
        c->live = true;
        return NULL;
    }
    if (p->bytes + (long long)s->bytes > p->max_bytes) {
        note_over(p, c);
        c->live = true;
        return NULL;
    }
    p->bytes += (long long)s->bytes;
    s->used = true;
    if (checked != SIZE_MAX)
        ds_enginecheck_stored(p->r->engine, checked);
    json_object_set_new(p->page_stored, hash, json_integer((json_int_t)s->bytes));
    if (!values) {
        char *url = ds_asprintf("/" DS_RESULTS_DIR "/%s.json", hash);
        json_object_set_new(p->preload, url, json_true());
        free(url);
    }
    return s;
}

/* formatPlain() of a stored JSON value. */
static char *plain_text(json_t *v)
{
    if (json_is_string(v))
        return ds_strdup(json_string_value(v));
    if (json_is_true(v))
        return ds_strdup("true");
    if (json_is_false(v))
        return ds_strdup("false");
    if (json_is_integer(v))
        return ds_asprintf("%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) {
        char num[40];
        ds_pagesql_js_number(json_real_value(v), num);
        return ds_strdup(num);
    }
    return NULL;
}

/* The option values of a dropdown, from its stored options result
 * (InputView.render: value_column, else the first column). */
static char **option_values(page_ctx *p, const ds_input_spec *in, const stored *s, size_t *n)
{
    *n = 0;
    /* Staged by this build, else kept from the previous one. */
    char *file = ds_asprintf("%s/%s.json", p->r->out, s->hash);
    if (!ds_is_file(file)) {
        free(file);
        file = ds_asprintf("%s/%s.json", p->r->dir, s->hash);
    }
    json_t *doc = ds_json_load_path(file, 0, NULL);
    free(file);
    json_t *cols = json_object_get(doc, "columns"), *rows = json_object_get(doc, "rows");
    long vi = json_array_size(cols) ? 0 : -1;
    if (in->value_column) {
        vi = -1;
        for (size_t i = 0; i < json_array_size(cols); i++)
            if (strcasecmp(json_string_value(json_object_get(json_array_get(cols, i), "name")),
                           in->value_column) == 0) {
                vi = (long)i;
                break;
            }
    }
    char **out = NULL;
    for (size_t r = 0; vi >= 0 && r < json_array_size(rows); r++) {
        char *v = plain_text(json_array_get(json_array_get(rows, r), (size_t)vi));
        if (!v)
            continue;
        bool dup = false;
        for (size_t k = 0; k < *n && !dup; k++)
            dup = strcmp(out[k], v) == 0;
        if (dup) {
            free(v);
            continue;
        }
        out = ds_xrealloc(out, (*n + 1) * sizeof *out);
        out[(*n)++] = v;
    }
    json_decref(doc);
    return out;
}

/* ---- queries the browser cannot finish ---------------------------------------- */

/* The input whose value SQL's first ${inputs.NAME} / ${params.NAME} takes
 * and whose states the build did not all store, or NULL. */
static const ds_input_spec *unstored_input(const page_ctx *p, const char *sql,
                                           const bool *all_stored)
{
    for (const char *at = strstr(sql, "${"); at; at = strstr(at + 2, "${")) {
        bool param = strncmp(at + 2, "params.", 7) == 0;
        if (!param && strncmp(at + 2, "inputs.", 7) != 0)
            continue;
        const char *name = at + 9;
        size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
        for (size_t i = 0; i < p->n_specs; i++) {
            const char *own = param ? p->specs[i].param_name : p->specs[i].name;
            if (!all_stored[i] && own && strlen(own) == len && strncmp(own, name, len) == 0)
                return &p->specs[i];
        }
    }
    return NULL;
}

/* Tells the author when C's query, run in the browser (no stored result
 * for some state), reads more files of published lists than a browser can
 * fetch (DS_FILELIST_BROWSER_MAX): no partition predicate narrows them
 * enough, so DuckDB-Wasm would request every one (the runtime refuses
 * instead).  The files are counted as the runtime prunes them. */
static void warn_whole_lake(const page_ctx *p, const component *c, const bool *all_stored)
{
    const ds_filelists *lists = p->r->files->lists;
    if (!lists || !lists->len)
        return;
    ds_env env;
    ds_pagesql_env(p->specs, p->n_specs, NULL, &env);
    char *path = ds_pagesql_resolve(c->query_id, &env, json_object_get(p->config, "queries"));
    ds_pagesql_env_free(&env);
    json_t *at = path ? json_object_get(p->r->sql_urls, path) : NULL;
    free(path);
    if (!at)
        return;
    const ds_compiled *q = &p->r->compiled->items[json_integer_value(at)];
    const ds_input_spec *in = unstored_input(p, q->sql, all_stored);
    if (!c->live && !in)
        return;
    ds_filelist_reads r = ds_filelists_reads(lists, q->sql, q->prune);
    if (r.files <= DS_FILELIST_BROWSER_MAX) {
        ds_filelist_reads_free(&r);
        return;
    }
    const char *view = r.view;
    size_t n = r.files;
    char *why = !p->store ? ds_strdup("--no-prerender, or prerender: false on the page")
                : in      ? ds_asprintf("it depends on input '%s', whose values the build does "
                                        "not all store",
                                        in->name)
                          : ds_strdup("the build did not store all its states");
    /* What it reads: every file, or what its predicates keep. */
    char *kept = !r.where ? NULL
                 : r.view_files == r.view_all
                     ? ds_asprintf("its WHERE %s keeps all %zu files of view '%s'", r.where,
                                   r.view_all, view)
                     : ds_asprintf("its WHERE %s keeps %zu of the %zu files of view '%s'",
                                   r.where, r.view_files, r.view_all, view);
    char *reads = !kept               ? ds_asprintf("reads all %zu files of view '%s'", n, view)
                  : n == r.view_files ? ds_strdup(kept)
                                      : ds_asprintf("reads %zu files, and %s", n, kept);
    free(kept);
    char *cols = ds_filelists_hive_columns(lists, view);
    /* Without hive columns nothing prunes the lists: no filter to advise. */
    char *filter = cols ? ds_asprintf("filter the query %son a hive column of '%s' (%s), e.g. "
                                      "WHERE %.*s = ... or = ${inputs.x} (a predicate on an "
                                      "input counts), ",
                                      r.where ? "more narrowly " : "", view, cols,
                                      (int)strcspn(cols, ","), cols)
                        : ds_strdup("");
    const char *name = strrchr(q->name, '/');
    name = name ? name + 1 : q->name;
    if (p->r->cfg->serve.live.enabled)
        ds_info("%s:%d: %s '%s': query '%s' has no stored result (%s) and %s: only "
                "`ducksite serve` (live_queries) can answer it; on any other host the page "
                "refuses to run it in the browser (more than %d files)",
                p->sp->display, c->line, c->kind, c->id, name, why, reads,
                DS_FILELIST_BROWSER_MAX);
    else
        ds_warn("%s:%d: %s '%s': query '%s' has no stored result (%s) and %s: the browser "
                "would request every one, more than the %d it can fetch in a few seconds, so "
                "the page will show an error instead; %s%slet the build store the result, or "
                "turn on [serve] live_queries",
                p->sp->display, c->line, c->kind, c->id, name, why, reads,
                DS_FILELIST_BROWSER_MAX, filter,
                ds_filelists_templated(lists, view) ? "" : "query a templated view, ");
    free(filter);
    free(cols);
    free(reads);
    free(why);
    ds_filelist_reads_free(&r);
}

/* Every component stored for each choice of input IN (OPTS[0, N), and
 * "", the all choice), up to MAX_OPTIONS choices; ALL_STORED[IN] says
 * whether every one is.  VALUES: the page's input values, IN's put back. */
static void store_choices(page_ctx *p, int in, char *const *opts, size_t n, int line,
                          long long max_options, ds_val *values, bool *all_stored)
{
    const ds_input_spec *spec = &p->specs[in];
    size_t use = n;
    all_stored[in] = (long long)n <= max_options;
    if ((long long)n > max_options) {
        use = (size_t)max_options;
        if (use)
            ds_info("%s:%d: input '%s' has %zu options, over prerender_max_options (%lld): "
                    "the first %zu are stored, other choices run in the browser engine",
                    p->sp->display, line, spec->name, n, max_options, use);
        else
            ds_info("%s:%d: input '%s' has %zu options; with prerender_max_options = 0 "
                    "only the page's default state is stored, its choices run in the "
                    "browser engine",
                    p->sp->display, line, spec->name, n);
    }
    for (size_t k = 0; k <= use; k++) {
        values[in] = (ds_val){DS_VAL_STR, k == 0 ? (char *)"" : opts[k - 1], NULL, 0};
        p->state = k == 0 ? ds_asprintf("input '%s' is on its all choice ('%s')", spec->name,
                                        spec->all_label)
                          : ds_asprintf("input '%s' is '%s'", spec->name, opts[k - 1]);
        for (size_t j = 0; j < p->comps.n; j++)
            store_component(p, &p->comps.items[j], values);
        free(p->state);
        p->state = NULL;
    }
    values[in] = (ds_val){0};
}

/* ---- states the build does not store ----------------------------------------- */

/* Whether the build-time engine binds SQL as a page runs it (EXPLAIN:
 * nothing is read but the footers binding needs; each published list
 * stands for its first file, as for the browser's engine). */
static bool binds(run_ctx *r, const char *sql, ds_err *why)
{
    char *full = ds_filelists_expand_with(r->files->lists, sql, ds_filelist_put_first, NULL);
    free(r->lc.last_dir);
    r->lc.last_dir = NULL;
    char *plain = ds_sql_map_literals(full, to_physical, &r->lc);
    free(full);
    deps_free(&r->lc.deps);
    char *explain = ds_asprintf("EXPLAIN %s", plain);
    free(plain);
    bool ok = ds_duck_exec(r->db, explain, why) == 0;
    free(explain);
    return ok;
}

/* Asks the browser's engine about each component of P in the state where
 * input IN has value V (STATE says which), for SQL of a shape not asked
 * yet (enginecheck.h), once the build-time engine binds it: SQL it cannot
 * bind was said when the input's template was compiled, or comes from a
 * stand-in value.  Nothing is stored or run. */
static void ask_state(page_ctx *p, ds_val *values, size_t in, ds_val v, const char *state)
{
    values[in] = v;
    for (size_t j = 0; j < p->comps.n; j++) {
        component *c = &p->comps.items[j];
        const ds_compiled *q = NULL;
        char *sql = component_sql(p, c, values, &q);
        ds_err why;
        if (sql && q && !c->failed &&
            (!ds_enginecheck_is_new(p->r->engine, sql, p->sp->display, c->line, c->kind, c->id) ||
             binds(p->r, sql, &why)))
            ds_enginecheck_add_state(p->r->engine, sql, q, p->sp->display, c->line, c->kind,
                                     c->id, state);
        free(sql);
    }
    values[in] = (ds_val){0};
}

/* Stand-ins for a value the build does not know (a text input's, an
 * options query's with --no-prerender): a number, a word and a date, so
 * that a template casting its value binds with one of them.  The first
 * the build-time engine binds is asked of the browser's. */
static const char *const STAND_INS[] = {"1", "x", "2000-01-01"};

/* The inputs whose every state the build does not store (ALL_STORED):
 * a text or hidden input, a multi-select, a dropdown past
 * prerender_max_options or with --no-prerender.  Each is asked once
 * empty (its all choice) and once with a value: its first option
 * (FIRST[in], or the first written), else each stand-in.  Typed inputs
 * (dates, sliders) change only literals, asked with their default. */
static void ask_unstored(page_ctx *p, ds_val *values, const bool *all_stored,
                         char *const *first)
{
    if (!p->r->engine)
        return;
    for (size_t i = 0; i < p->n_specs; i++) {
        const ds_input_spec *in = &p->specs[i];
        bool choice = strcmp(in->mode, "dropdown") == 0 || strcmp(in->mode, "buttons") == 0;
        if (all_stored[i] ||
            (!choice && strcmp(in->mode, "text") != 0 && strcmp(in->mode, "hidden") != 0))
            continue;
        char *state = in->multiple ? ds_asprintf("input '%s' has nothing selected", in->name)
                      : choice ? ds_asprintf("input '%s' is on its all choice ('%s')", in->name,
                                             in->all_label)
                               : ds_asprintf("input '%s' is empty", in->name);
        ds_val empty = in->multiple ? (ds_val){DS_VAL_LIST, NULL, NULL, 0}
                                    : (ds_val){DS_VAL_STR, (char *)"", NULL, 0};
        ask_state(p, values, i, empty, state);
        free(state);
        const char *known = first[i] ? first[i] : in->options.n ? in->options.items[0] : NULL;
        size_t n_tries = known ? 1 : DS_ARRAY_LEN(STAND_INS);
        for (size_t k = 0; k < n_tries; k++) {
            char *one = (char *)(known ? known : STAND_INS[k]);
            ds_val v = in->multiple ? (ds_val){DS_VAL_LIST, NULL, &one, 1}
                                    : (ds_val){DS_VAL_STR, one, NULL, 0};
            if (!known)
                state = ds_asprintf("input '%s' has a value (asked with '%s')", in->name, one);
            else if (in->multiple)
                state = ds_asprintf("input '%s' has '%s' selected", in->name, one);
            else
                state = ds_asprintf("input '%s' is '%s'", in->name, one);
            ask_state(p, values, i, v, state);
            free(state);
        }
    }
}

/* What the server needs to run the components of a page live. */
static void add_live_page(ds_livespec *live, const ds_site_page *sp, json_t *config,
                          const component_list *comps)
{
    json_t *all = json_object();
    for (size_t i = 0; i < comps->n; i++) {
        const component *c = &comps->items[i];
        char *key = ds_asprintf("%s:%s", c->kind, c->id);
        json_object_set_new(all, key,
                            json_pack("{s:s, s:s, s:O}", "query", c->query_id, "kind", c->kind,
                                      "format", c->format ? c->format : json_null()));
        free(key);
    }
    ds_livespec_add_page(live, sp->rel, config, all);
}

static void prerender_page(run_ctx *r, ds_site_page *sp, long long max_options,
                           long long max_bytes, bool store, ds_livespec *live)
{
    char *text = ds_html_page_config(&sp->page, sp->rel);
    page_ctx p = {r,     sp,    json_loads(text, 0, NULL), NULL, 0, {0}, json_object(),
                  json_object(), json_object(), store, max_bytes, 0, NULL, 0, NULL};
    free(text);
    p.specs = ds_pagesql_inputs(p.config, &p.n_specs);
    page_components(&sp->page, p.config, p.specs, p.n_specs, &p.comps);
    if (live)
        add_live_page(live, sp, p.config, &p.comps);

    /* The default state: what a first visit without URL parameters sees.
     * Kept as places in r->all, -1 for none: storing more results moves
     * its items (realloc), so a pointer would not stay valid. */
    long *def_at = ds_xcalloc(p.comps.n + 1, sizeof *def_at);
    for (size_t i = 0; i < p.comps.n; i++) {
        stored *s = store_component(&p, &p.comps.items[i], NULL);
        def_at[i] = s ? (long)(s - r->all.items) : -1;
    }

    /* Each choice of a single dropdown with an options query.  ALL_STORED
     * marks the inputs every state of which the build stores. */
    ds_val *values = ds_xcalloc(p.n_specs + 1, sizeof *values);
    bool *all_stored = ds_xcalloc(p.n_specs + 1, sizeof *all_stored);
    char **first = ds_xcalloc(p.n_specs + 1, sizeof *first); /* an options query's first value */
    for (size_t i = 0; i < p.comps.n; i++) {
        component *c = &p.comps.items[i];
        if (c->input < 0 || !stored_at(&r->all, def_at[i]))
            continue;
        const ds_input_spec *in = &p.specs[c->input];
        if (strcmp(in->mode, "slider") == 0)
            continue;
        size_t n_opts;
        char **opts = option_values(&p, in, stored_at(&r->all, def_at[i]), &n_opts);
        /* A multi-select's choices are not stored (ask_unstored). */
        if (!in->multiple) {
            warn_default_not_an_option(sp, c, in, opts, n_opts);
            store_choices(&p, c->input, opts, n_opts, c->line, max_options, values, all_stored);
        }
        if (n_opts && !first[c->input])
            first[c->input] = ds_strdup(opts[0]);
        for (size_t k = 0; k < n_opts; k++)
            free(opts[k]);
        free(opts);
    }
    /* Each choice of a single dropdown or button group whose options are
     * written in its block (options: a, b, c), the "all" choice included,
     * as for an options query. */
    for (size_t i = 0; i < p.n_specs; i++) {
        const ds_input_spec *in = &p.specs[i];
        if (in->options_query || !in->options.n || in->multiple ||
            (strcmp(in->mode, "dropdown") != 0 && strcmp(in->mode, "buttons") != 0))
            continue;
        store_choices(&p, (int)i, in->options.items, in->options.n,
                      part_line(&sp->page, DS_PART_INPUT, in->name), max_options, values,
                      all_stored);
    }
    /* A checkbox or toggle has two states: the other one is stored too. */
    for (size_t i = 0; i < p.n_specs; i++) {
        const ds_input_spec *in = &p.specs[i];
        if (strcmp(in->mode, "checkbox") != 0 && strcmp(in->mode, "toggle") != 0)
            continue;
        all_stored[i] = true;
        bool on = in->def.kind == DS_VAL_STR && strcasecmp(in->def.s, "true") == 0;
        values[i] = (ds_val){DS_VAL_STR, on ? (char *)"false" : (char *)"true", NULL, 0};
        p.state = ds_asprintf("input '%s' is %s", in->name, on ? "off" : "on");
        for (size_t j = 0; j < p.comps.n; j++)
            store_component(&p, &p.comps.items[j], values);
        free(p.state);
        p.state = NULL;
        values[i] = (ds_val){0};
    }
    /* The states it does not store are asked of the browser's engine. */
    ask_unstored(&p, values, all_stored, first);
    for (size_t i = 0; i < p.n_specs; i++)
        free(first[i]);
    free(first);
    for (size_t i = 0; i < p.comps.n; i++)
        warn_whole_lake(&p, &p.comps.items[i], all_stored);
    free(all_stored);
    for (size_t i = 0; i < p.n_over; i++) {
        ds_info("%s:%s is left to the browser engine for some states: its results would "
                "pass prerender_max_bytes (%lld bytes for this page)",
                sp->display, p.over[i], max_bytes);
        free(p.over[i]);
    }
    free(p.over);
    /* Each chart's default result, for the build's first-paint pictures,
     * and each value's and KPI card's ("value:ID", "kpi:ID"), for the text
     * written into the page: only those the page lists (a result over the
     * budget is not). */
    json_t *chart_results = json_object();
    for (size_t i = 0; i < p.comps.n; i++) {
        const component *c = &p.comps.items[i];
        if (!stored_at(&r->all, def_at[i]) || !json_object_get(p.page_stored, stored_at(&r->all, def_at[i])->hash))
            continue;
        if (strcmp(c->kind, "chart") == 0) {
            json_object_set_new(chart_results, c->id, json_string(stored_at(&r->all, def_at[i])->hash));
        } else if (strcmp(c->kind, "value") == 0 || strcmp(c->kind, "kpi") == 0) {
            char *key = ds_asprintf("%s:%s", c->kind, c->id);
            json_object_set_new(chart_results, key, json_string(stored_at(&r->all, def_at[i])->hash));
            free(key);
        }
    }
    /* Each table's default row count: the page holds the table's final
     * height while its rows are on their way (html.c, web/src/table.js). */
    json_t *table_rows = json_object();
    for (size_t i = 0; i < p.comps.n; i++)
        if (stored_at(&r->all, def_at[i]) && strcmp(p.comps.items[i].kind, "table") == 0 &&
            json_object_get(p.page_stored, stored_at(&r->all, def_at[i])->hash) && rows_of(p.r, stored_at(&r->all, def_at[i])) >= 0)
            json_object_set_new(table_rows, p.comps.items[i].id, json_integer((json_int_t)stored_at(&r->all, def_at[i])->rows));
    free(sp->page.table_rows);
    sp->page.table_rows = json_object_size(table_rows)
                              ? json_dumps(table_rows, JSON_SORT_KEYS | JSON_COMPACT)
                              : NULL;
    json_decref(table_rows);
    free(sp->page.chart_results);
    sp->page.chart_results = json_object_size(chart_results)
                                 ? json_dumps(chart_results, JSON_SORT_KEYS | JSON_COMPACT)
                                 : NULL;
    json_decref(chart_results);
    free(values);
    free(def_at);
    free(sp->page.stored);
    sp->page.stored = json_object_size(p.page_stored)
                          ? json_dumps(p.page_stored, JSON_SORT_KEYS | JSON_COMPACT)
                          : NULL;
    json_decref(p.page_stored);
    /* The runtime reads small files whole (docs/runtime.md); a page reading
     * more files than is worth listing gets ranged reads only. */
    free(sp->page.files);
    sp->page.files = json_object_size(p.page_files) &&
                             json_object_size(p.page_files) <= DS_PAGE_FILES_MAX
                         ? json_dumps(p.page_files, JSON_SORT_KEYS | JSON_COMPACT)
                         : NULL;
    json_decref(p.page_files);
    /* What a first visit fetches, announced in the page's head so it is
     * fetched alongside the scripts instead of after them. */
    free(sp->page.preload);
    sp->page.preload = NULL;
    if (json_object_size(p.preload)) {
        ds_buf b = {0};
        const char *url;
        json_t *v;
        json_object_foreach(p.preload, url, v)
        {
            ds_buf_puts(&b, url);
            ds_buf_putc(&b, '\n');
        }
        sp->page.preload = ds_buf_take(&b);
    }
    json_decref(p.preload);
    for (size_t i = 0; i < p.comps.n; i++)
        free(p.comps.items[i].query_id);
    free(p.comps.items);
    ds_pagesql_inputs_free(p.specs, p.n_specs);
    json_decref(p.config);
}

/* ---- the index and stale files ------------------------------------------------ */

/* Whether the previous index says exactly what this build's would: the
 * same results, each kept with its files unchanged (still_fresh compared
 * them) and its size.  Over a lake the index names every file, and making
 * it again to find it unchanged cost as much memory as the rest of the
 * build. */
static bool index_unchanged(const run_ctx *r)
{
    if (!r->old_index)
        return false;
    size_t used = 0;
    for (size_t i = 0; i < r->all.n; i++) {
        const stored *s = &r->all.items[i];
        if (!s->used)
            continue;
        json_t *old = json_object_get(r->old_index, s->hash);
        /* An index from before "files_text" is written again in it. */
        if (!s->kept || !old ||
            json_integer_value(json_object_get(old, "bytes")) != (json_int_t)s->bytes ||
            json_array_size(json_object_get(old, "files")) > DS_RESULTS_FILES_INLINE_MAX)
            return false;
        used++;
    }
    return used == json_object_size(r->old_index);
}

/* DEPS' files as one "files_text" string when they are more than
 * DS_RESULTS_FILES_INLINE_MAX and every path can be a line, else NULL
 * (they are written as "files"). */
static json_t *files_text(const dep_list *deps)
{
    size_t n = 0;
    for (size_t k = 0; k < deps->n; k++) {
        if (deps->items[k].size == -1)
            continue;
        if (!ds_resultindex_text_ok(deps->items[k].path))
            return NULL;
        n++;
    }
    if (n <= DS_RESULTS_FILES_INLINE_MAX)
        return NULL;
    ds_buf b = {0};
    for (size_t k = 0; k < deps->n; k++)
        if (deps->items[k].size != -1)
            ds_resultindex_put(&b, deps->items[k].size, deps->items[k].mtime_ns,
                               deps->items[k].path);
    json_t *text = json_stringn(b.data, b.len); /* NULL if not UTF-8: then "files" */
    ds_buf_free(&b);
    return text;
}

/* The mtime of result HASH's file as this build leaves it: staged now,
 * else kept from the previous build (-1 when neither). */
static long long written_ns(const run_ctx *r, const char *hash)
{
    char *file = ds_asprintf("%s/%s.json", r->out, hash);
    struct stat st;
    bool ok = stat(file, &st) == 0;
    free(file);
    if (!ok) {
        file = ds_asprintf("%s/%s.json", r->dir, hash);
        ok = stat(file, &st) == 0;
        free(file);
    }
    return ok ? mtime_ns(&st) : -1;
}

static int write_index(run_ctx *r, ds_err *err)
{
    if (index_unchanged(r)) {
        ds_publish_keep(r->pub, DS_RESULTS_DIR "/" DS_RESULTS_INDEX);
        return 0;
    }
    json_t *results = json_object();
    for (size_t i = 0; i < r->all.n; i++) {
        const stored *s = &r->all.items[i];
        if (!s->used)
            continue;
        json_t *text = files_text(&s->deps);
        json_t *files = text ? NULL : json_array(), *dirs = json_array();
        for (size_t k = 0; k < s->deps.n; k++) {
            const dep *d = &s->deps.items[k];
            if (d->size == -1)
                json_array_append_new(dirs, json_pack("{s:s, s:I}", "path", d->path, "mtime_ns",
                                                      (json_int_t)d->mtime_ns));
            else if (!text)
                json_array_append_new(files, json_pack("{s:s, s:I, s:I}", "path", d->path,
                                                       "size", (json_int_t)d->size, "mtime_ns",
                                                       (json_int_t)d->mtime_ns));
        }
        char ctimes[17];
        deps_ctimes(&s->deps, ctimes);
        json_object_set_new(results, s->hash,
                            json_pack("{s:o, s:o, s:I, s:s, s:I}", text ? "files_text" : "files",
                                      text ? text : files, "dirs", dirs, "bytes",
                                      (json_int_t)s->bytes, "ctimes", ctimes, "written_ns",
                                      (json_int_t)written_ns(r, s->hash)));
    }
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "results", results);
    char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(1));
    json_decref(doc);
    /* An unchanged index is left alone: a build with nothing new touches
     * no file. */
    int rc = ds_publish_write_if_changed(r->pub, DS_RESULTS_DIR "/" DS_RESULTS_INDEX, text,
                                         strlen(text), NULL, err);
    free(text);
    return rc;
}

/* Records the stored results pages refer to as outputs, and unstages
 * those no page refers to (left out by a budget).  The previous build's
 * results no page refers to any more are removed when the build is
 * published: they are not outputs of this one. */
static void keep_used(run_ctx *r)
{
    for (size_t i = 0; i < r->all.n; i++) {
        if (!r->all.items[i].used)
            continue;
        char *rel = ds_asprintf(DS_RESULTS_DIR "/%s.json", r->all.items[i].hash);
        char *gz = ds_asprintf("%s.gz", rel);
        ds_publish_keep(r->pub, rel);
        ds_publish_keep(r->pub, gz);
        free(gz);
        free(rel);
    }
    ds_walk_listing l;
    ds_walk_list(r->out, 0, &l);
    for (size_t i = 0; i < l.n; i++) {
        const char *name = l.items[i].name;
        if (l.items[i].len < 21 || strcmp(name, DS_RESULTS_INDEX) == 0)
            continue;
        char hash[17];
        memcpy(hash, name, 16);
        hash[16] = '\0';
        const char *rest = name + 16;
        const stored *s = stored_find(&r->all, hash);
        if ((strcmp(rest, ".json") != 0 && strcmp(rest, ".json.gz") != 0) || (s && s->used))
            continue;
        char *path = ds_path_join(r->out, name);
        unlink(path);
        free(path);
    }
    ds_walk_list_free(&l);
}

int ds_prerender(ds_pages *pages, const ds_compiled_list *compiled, const ds_collected *files,
                 const ds_config *cfg, ds_duck *db, ds_publish *pub,
                 const ds_prerender_options *opt, ds_err *err)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_ctx r = {compiled,
                 files,
                 cfg,
                 db,
                 ds_path_join(ds_publish_live_dir(pub), DS_RESULTS_DIR),
                 ds_path_join(ds_publish_stage_dir(pub), DS_RESULTS_DIR),
                 pub,
                 false,
                 {{0}},
                 NULL,
                 {0},
                 {files, NULL, 0, {0}, NULL, NULL},
                 json_object(),
                 sql_url_index(compiled),
                 json_object(),
                 0,
                 0,
                 0,
                 false,
                 opt->defer,
                 opt->engine,
                 json_object(),
                 false};
    /* A site that never stored anything gets no _results/ folder. */
    bool any = false;
    for (size_t i = 0; opt->enabled && i < pages->len && !any; i++)
        any = pages->items[i].page.settings.prerender != 0;
    bool results = any || ds_is_dir(r.dir);
    char *index_path = ds_asprintf("%s/" DS_RESULTS_INDEX, r.dir);
    json_t *old = results ? ds_json_load_path(index_path, 0, NULL) : NULL;
    free(index_path);
    if (json_integer_value(json_object_get(old, "version")) == 1)
        r.old_index = json_object_get(old, "results");
    r.lc.static_dir = ds_path_join(cfg->root, DS_STATIC_DIR);
    r.lc.bases = ds_xcalloc(cfg->n_sources + 1, sizeof *r.lc.bases);
    for (size_t i = 0; i < cfg->n_sources; i++)
        if (cfg->sources[i].upstream_glob)
            r.lc.bases[r.lc.n_bases++] = glob_base(cfg->root, cfg->sources[i].upstream_glob);

    /* TIMESTAMPTZ values are stored in UTC, as the browser shows them. */
    ds_err ignore;
    ds_duck_exec(db, "SET TimeZone = 'UTC'", &ignore);

    size_t n_stored = 0;
    for (size_t i = 0; i < pages->len; i++) {
        ds_site_page *sp = &pages->items[i];
        const ds_page_settings *st = &sp->page.settings;
        free(sp->page.stored);
        sp->page.stored = NULL;
        long long max_options = st->prerender_max_options >= 0 ? st->prerender_max_options
                                                               : cfg->build.prerender_max_options;
        long long max_bytes = st->prerender_max_bytes >= 0 ? st->prerender_max_bytes
                                                           : cfg->build.prerender_max_bytes;
        prerender_page(&r, sp, max_options, max_bytes, opt->enabled && st->prerender != 0,
                       opt->live);
    }
    /* "Unchanged" counts the results pages list: one kept from the last
     * build and then left out by a page's budget is not stored at all. */
    size_t n_kept = 0;
    for (size_t i = 0; i < r.all.n; i++) {
        n_stored += r.all.items[i].used;
        n_kept += r.all.items[i].used && r.all.items[i].kept;
    }
    int rc = 0;
    if (opt->defer)
        opt->defer->deferred = json_object_size(r.deferred);
    if (opt->defer && opt->defer->cancelled)
        rc = ds_err_set(err, "cancelled: a newer edit arrived");
    else if (r.write_failed)
        rc = ds_err_set(err, "%s", r.werr.msg);
    else if (results)
        rc = write_index(&r, err);
    if (rc == 0 && results)
        keep_used(&r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (opt->enabled) {
        char globs[96] = "";
        if (r.globbed)
            snprintf(globs, sizeof globs, "; %zu of %zu file lists read by their upstream_glob",
                     r.globbed, json_object_size(r.globs));
        char later[64] = "";
        if (json_object_size(r.deferred))
            snprintf(later, sizeof later, ", %zu left for later", json_object_size(r.deferred));
        ds_info("stored results: %zu (%zu run, %zu unchanged%s) in %.0f ms%s", n_stored, r.ran,
                n_kept, later,
                (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
                globs);
    }
    for (size_t i = 0; i < r.all.n; i++)
        deps_free(&r.all.items[i].deps);
    free(r.all.items);
    deps_free(&r.lc.deps);
    free(r.lc.last_dir);
    for (size_t i = 0; i < r.lc.n_bases; i++)
        free(r.lc.bases[i]);
    free(r.lc.bases);
    free(r.lc.static_dir);
    json_decref(old);
    json_decref(r.sizes);
    json_decref(r.sql_urls);
    json_decref(r.globs);
    json_decref(r.deferred);
    free(r.out);
    free(r.dir);
    return rc;
}
