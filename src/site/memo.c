/* memo.c - what `ducksite serve` keeps between rebuilds (see memo.h). */
#include "memo.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../config/layout.h"

/* Query texts whose findings are kept at most. */
#define DS_MEMO_DIALECT_MAX 20000

struct ds_memo {
    bool has_front;
    ds_memo_front front;
    ds_compile_memo *compile;
    json_t *dialect; /* query text -> findings */
    json_t *columns; /* SQL -> DESCRIBE's column names, or null */
    json_t *outputs; /* static/ path -> key (ds_memo_output_put) */
    json_t *docs;    /* name -> {"key": ..., "doc": ...} */
    bool has_painter;
    ds_proc painter; /* the drawing process (firstpaint.c), started as: */
    char *painter_what;
};

/* Seconds a drawing process has to end once its input is closed. */
#define DS_MEMO_PAINTER_EXIT 5.0

static void stop_painter(ds_memo *m)
{
    if (m->has_painter) {
        ds_proc_limit(&m->painter, DS_MEMO_PAINTER_EXIT, 0);
        ds_proc_finish(&m->painter); /* its input closed: it ends */
    }
    m->has_painter = false;
    free(m->painter_what);
    m->painter_what = NULL;
}

ds_memo *ds_memo_new(void)
{
    ds_memo *m = ds_xcalloc(1, sizeof *m);
    m->compile = ds_compile_memo_new();
    m->dialect = json_object();
    m->columns = json_object();
    m->outputs = json_object();
    m->docs = json_object();
    return m;
}

void ds_memo_front_free(ds_memo_front *f)
{
    ds_duck_close(f->db);
    ds_keyset_free(&f->unreadable);
    ds_query_list_free(&f->views);
    ds_filelists_free(&f->lists);
    ds_collected_free(&f->files);
    ds_config_free(&f->cfg);
    memset(f, 0, sizeof *f);
}

/* Drops the front and all that was learnt from its data. */
static void drop_front(ds_memo *m)
{
    if (m->has_front)
        ds_memo_front_free(&m->front);
    m->has_front = false;
    ds_compile_memo_forget_data(m->compile);
    /* The findings read the runtime's dialect file, which a full build
     * reads again. */
    json_object_clear(m->dialect);
    json_object_clear(m->columns); /* DESCRIBE read the data's schemas */
}

void ds_memo_free(ds_memo *m)
{
    if (!m)
        return;
    drop_front(m);
    ds_compile_memo_free(m->compile);
    json_decref(m->dialect);
    json_decref(m->columns);
    json_decref(m->outputs);
    json_decref(m->docs);
    stop_painter(m);
    free(m);
}

/* A page or a model: what the front never reads.  A folder (of pages)
 * appearing or going is not one: it may be anything. */
static bool front_free(const char *path)
{
    size_t nc = strlen(DS_CONTENT_DIR), ns = strlen(DS_SOURCES_SQL_DIR);
    if (strncmp(path, DS_CONTENT_DIR, nc) == 0 && path[nc] == '/')
        return ds_ends_with(path, ".md");
    if (strncmp(path, DS_SOURCES_SQL_DIR, ns) == 0 && path[ns] == '/')
        return ds_ends_with(path, ".sql") && !strchr(path + ns + 1, '/');
    return false;
}

bool ds_memo_changed(ds_memo *m, const char *const *paths, size_t n)
{
    assert(m && (paths || n == 0));
    for (size_t i = 0; i < n; i++)
        if (!front_free(paths[i])) {
            drop_front(m);
            break;
        }
    return m->has_front;
}

ds_memo_front *ds_memo_front_get(ds_memo *m)
{
    return m->has_front ? &m->front : NULL;
}

void ds_memo_front_set(ds_memo *m, ds_memo_front *f)
{
    assert(m && f && f->db);
    drop_front(m);
    m->front = *f;
    m->has_front = true;
    memset(f, 0, sizeof *f);
}

ds_compile_memo *ds_memo_compile(ds_memo *m)
{
    return m->compile;
}

const char *ds_memo_dialect_get(const ds_memo *m, const char *sql)
{
    return json_string_value(json_object_get(m->dialect, sql));
}

void ds_memo_dialect_put(ds_memo *m, const char *sql, const char *findings)
{
    if (json_object_size(m->dialect) >= DS_MEMO_DIALECT_MAX)
        json_object_clear(m->dialect); /* a long session of edits: start again */
    json_object_set_new(m->dialect, sql, json_string(findings));
}

json_t *ds_memo_columns_get(const ds_memo *m, const char *sql)
{
    assert(m && sql);
    return m->has_front ? json_object_get(m->columns, sql) : NULL;
}

void ds_memo_columns_put(ds_memo *m, const char *sql, json_t *cols)
{
    assert(m && sql && cols);
    if (json_object_size(m->columns) >= DS_MEMO_DIALECT_MAX)
        json_object_clear(m->columns); /* a long session of edits: start again */
    json_object_set_new(m->columns, sql, cols);
}

bool ds_memo_file_id(const char *path, ds_buf *b)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    ds_buf_printf(b, "%llu:%llu:%lld:%lld.%09ld", (unsigned long long)st.st_dev,
                  (unsigned long long)st.st_ino, (long long)st.st_size,
                  (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return true;
}

const char *ds_memo_output_get(const ds_memo *m, const char *rel)
{
    assert(m && rel);
    return json_string_value(json_object_get(m->outputs, rel));
}

void ds_memo_output_put(ds_memo *m, const char *rel, const char *key)
{
    assert(m && rel);
    if (key)
        json_object_set_new(m->outputs, rel, json_string(key));
    else
        json_object_del(m->outputs, rel);
}

json_t *ds_memo_doc_get(const ds_memo *m, const char *name, const char *key)
{
    assert(m && name && key);
    json_t *e = json_object_get(m->docs, name);
    const char *had = json_string_value(json_object_get(e, "key"));
    return had && strcmp(had, key) == 0 ? json_object_get(e, "doc") : NULL;
}

void ds_memo_doc_put(ds_memo *m, const char *name, const char *key, json_t *doc)
{
    assert(m && name);
    if (doc && key)
        json_object_set_new(m->docs, name, json_pack("{s:s, s:O}", "key", key, "doc", doc));
    else
        json_object_del(m->docs, name);
}

ds_proc *ds_memo_painter(ds_memo *m, const char *what)
{
    assert(m && what);
    if (m->has_painter && strcmp(m->painter_what, what) != 0)
        stop_painter(m); /* a new script, or another node */
    return m->has_painter ? &m->painter : NULL;
}

void ds_memo_painter_set(ds_memo *m, const ds_proc *p, const char *what)
{
    assert(m);
    if (p && m->has_painter && p == &m->painter)
        return; /* the one it has */
    stop_painter(m);
    if (p) {
        m->painter = *p;
        m->painter_what = ds_strdup(what);
        m->has_painter = true;
    }
}
