/* datamap.c - the virtual data map value and its file, data_map.json.
 *
 * Writing is hand-rolled (one pass over sorted entries, one buffer) because
 * maps reach hundreds of thousands of entries and the write sits on the
 * build's critical path; reading is maptable.c's. */
#include "datamap.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/fs.h"

const ds_datamap_entry *ds_datamap_add_ref(ds_datamap *m, const char *key, const char *path,
                                           const char *row_filter)
{
    assert(key && path);
    m->finished = false;
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->items = ds_xrealloc(m->items, m->cap * sizeof *m->items);
    }
    ds_datamap_entry *e = &m->items[m->len];
    e->key = key;
    e->path = path;
    e->row_filter = row_filter && *row_filter ? row_filter : NULL;
    e->seq = m->len++;
    e->size = -1;
    return e;
}

void ds_datamap_reserve(ds_datamap *m, size_t more)
{
    if (m->len + more > m->cap) {
        m->cap = m->len + more > 2 * m->cap ? m->len + more : 2 * m->cap;
        m->items = ds_xrealloc(m->items, m->cap * sizeof *m->items);
    }
}

const ds_datamap_entry *ds_datamap_add(ds_datamap *m, const char *key, const char *path,
                                       const char *row_filter)
{
    assert(key && path);
    return ds_datamap_add_ref(m, ds_arena_strdup(&m->strings, key),
                              ds_arena_strdup(&m->strings, path),
                              row_filter && *row_filter ? ds_arena_strdup(&m->strings, row_filter)
                                                        : NULL);
}

static int by_key_then_seq(const void *a, const void *b)
{
    const ds_datamap_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Scans arrive sorted, so sorting is usually unnecessary: check first. */
static bool is_sorted(const ds_datamap *m)
{
    for (size_t i = 1; i < m->len; i++)
        if (by_key_then_seq(&m->items[i - 1], &m->items[i]) > 0)
            return false;
    return true;
}

static void warn_claimed_twice(void *arg, const ds_datamap_entry *earlier,
                               const ds_datamap_entry *later)
{
    (void)arg;
    if (strcmp(earlier->path, later->path) != 0)
        ds_warn("data map key %s is claimed twice: %s and %s; the later one wins", earlier->key,
                earlier->path, later->path);
}

void ds_datamap_finish(ds_datamap *m)
{
    ds_datamap_finish_with(m, warn_claimed_twice, NULL);
}

void ds_datamap_finish_with(ds_datamap *m, ds_datamap_dup_fn on_dup, void *arg)
{
    m->had_duplicates = false;
    m->finished = true;
    if (m->len == 0)
        return;
    if (!is_sorted(m))
        qsort(m->items, m->len, sizeof *m->items, by_key_then_seq);
    size_t out = 0;
    for (size_t i = 0; i < m->len; i++) {
        if (out > 0 && strcmp(m->items[out - 1].key, m->items[i].key) == 0) {
            ds_datamap_entry *prev = &m->items[out - 1];
            m->had_duplicates = true;
            if (on_dup)
                on_dup(arg, prev, &m->items[i]);
            *prev = m->items[i];
            continue;
        }
        m->items[out++] = m->items[i];
    }
    m->len = out;
}

#ifndef NDEBUG
/* Sorted with one entry per key: finished (an empty map always is). */
static bool settled(const ds_datamap *m)
{
    return m->finished || m->len == 0;
}
#endif

const ds_datamap_entry *ds_datamap_get(const ds_datamap *m, const char *key)
{
    assert(settled(m) && key); /* a binary search */
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->items[mid].key, key);
        if (c == 0)
            return &m->items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool ds_datamap_has_row_filters(const ds_datamap *m)
{
    for (size_t i = 0; i < m->len; i++)
        if (m->items[i].row_filter)
            return true;
    return false;
}

char *ds_datamap_path(const char *static_dir)
{
    return ds_path_join(static_dir, DS_DATAMAP_FILE);
}

char *ds_datamap_text(const ds_datamap *m, size_t *len)
{
    assert(settled(m)); /* the file's keys are sorted and unique */
    /* One allocation of about the right size: maps reach many megabytes. */
    size_t estimate = 16;
    for (size_t i = 0; i < m->len; i++)
        estimate += strlen(m->items[i].key) + strlen(m->items[i].path) + 16;
    ds_buf b = {ds_xmalloc(estimate), 0, estimate};
    ds_buf_puts(&b, "{");
    for (size_t i = 0; i < m->len; i++) {
        ds_buf_puts(&b, i ? ",\n  " : "\n  ");
        ds_buf_json_string(&b, m->items[i].key);
        ds_buf_puts(&b, ": ");
        ds_buf_json_string(&b, m->items[i].path);
    }
    ds_buf_puts(&b, m->len ? "\n}\n" : "}\n");
    *len = b.len;
    return ds_buf_take(&b);
}

int ds_datamap_write(const ds_datamap *m, const char *static_dir, ds_err *err)
{
    if (ds_mkdir_p(static_dir, err) != 0)
        return -1;
    size_t len = 0;
    char *text = ds_datamap_text(m, &len);
    char *path = ds_datamap_path(static_dir);
    int rc = ds_write_atomic(path, text, len, err);
    free(path);
    free(text);
    if (rc != 0)
        return -1;

    /* Row filters were once written here; nothing read them. */
    char *meta = ds_path_join(static_dir, DS_DATAMAP_META_FILE);
    if (unlink(meta) != 0 && errno != ENOENT)
        rc = ds_err_set(err, "cannot remove stale %s: %s", meta, strerror(errno));
    free(meta);
    return rc;
}

void ds_datamap_free(ds_datamap *m)
{
    ds_arena_free(&m->strings);
    free(m->items);
    memset(m, 0, sizeof *m);
}
