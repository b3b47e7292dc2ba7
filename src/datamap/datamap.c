/* datamap.c - the virtual data map value and its two JSON files.
 *
 * Writing is hand-rolled (one pass over sorted entries, one buffer) because
 * maps reach hundreds of thousands of entries and the write sits on the
 * build's critical path; reading uses jansson. */
#include "datamap.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/fs.h"

const ds_datamap_entry *ds_datamap_add(ds_datamap *m, const char *key, const char *path,
                                       const char *row_filter)
{
    if (m->len == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->items = ds_xrealloc(m->items, m->cap * sizeof *m->items);
    }
    ds_datamap_entry *e = &m->items[m->len];
    e->key = ds_arena_strdup(&m->strings, key);
    e->path = ds_arena_strdup(&m->strings, path);
    e->row_filter = row_filter && *row_filter ? ds_arena_strdup(&m->strings, row_filter) : NULL;
    e->seq = m->len++;
    return e;
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

void ds_datamap_finish(ds_datamap *m)
{
    m->had_duplicates = false;
    if (m->len == 0)
        return;
    if (!is_sorted(m))
        qsort(m->items, m->len, sizeof *m->items, by_key_then_seq);
    size_t out = 0;
    for (size_t i = 0; i < m->len; i++) {
        if (out > 0 && strcmp(m->items[out - 1].key, m->items[i].key) == 0) {
            ds_datamap_entry *prev = &m->items[out - 1];
            m->had_duplicates = true;
            if (strcmp(prev->path, m->items[i].path) != 0)
                ds_warn("data map key %s is claimed twice: %s and %s; the later one wins",
                        prev->key, prev->path, m->items[i].path);
            *prev = m->items[i];
            continue;
        }
        m->items[out++] = m->items[i];
    }
    m->len = out;
}

const ds_datamap_entry *ds_datamap_get(const ds_datamap *m, const char *key)
{
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

int ds_datamap_write(const ds_datamap *m, const char *static_dir, ds_err *err)
{
    if (ds_mkdir_p(static_dir, err) != 0)
        return -1;
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
    char *path = ds_path_join(static_dir, DS_DATAMAP_FILE);
    int rc = ds_write_atomic(path, b.data, b.len, err);
    free(path);
    ds_buf_free(&b);
    if (rc != 0)
        return -1;

    char *meta = ds_path_join(static_dir, DS_DATAMAP_META_FILE);
    if (ds_datamap_has_row_filters(m)) {
        ds_buf_puts(&b, "{\n  \"row_filters\": {");
        bool first = true;
        for (size_t i = 0; i < m->len; i++) {
            if (!m->items[i].row_filter)
                continue;
            ds_buf_puts(&b, first ? "\n    " : ",\n    ");
            first = false;
            ds_buf_json_string(&b, m->items[i].key);
            ds_buf_puts(&b, ": ");
            ds_buf_json_string(&b, m->items[i].row_filter);
        }
        ds_buf_puts(&b, "\n  }\n}\n");
        rc = ds_write_atomic(meta, b.data, b.len, err);
        ds_buf_free(&b);
    } else if (unlink(meta) != 0 && errno != ENOENT) {
        rc = ds_err_set(err, "cannot remove stale %s: %s", meta, strerror(errno));
    }
    free(meta);
    return rc;
}

static json_t *load_json(const char *path, ds_err *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        ds_err_set(err, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    else if (!json_is_object(doc)) {
        ds_err_set(err, "%s: expected a JSON object", path);
        json_decref(doc);
        doc = NULL;
    }
    return doc;
}

int ds_datamap_load(const char *static_dir, ds_datamap *m, ds_err *err)
{
    memset(m, 0, sizeof *m);
    char *path = ds_path_join(static_dir, DS_DATAMAP_FILE);
    json_t *doc = load_json(path, err);
    int rc = doc ? 0 : -1;
    const char *key;
    json_t *value;
    json_object_foreach(doc, key, value)
    {
        if (!json_is_string(value)) {
            rc = ds_err_set(err, "%s: the value of %s is not a string", path, key);
            break;
        }
        ds_datamap_add(m, key, json_string_value(value), NULL);
    }
    json_decref(doc);
    free(path);
    if (rc == 0)
        ds_datamap_finish(m);

    char *meta_path = ds_path_join(static_dir, DS_DATAMAP_META_FILE);
    if (rc == 0 && ds_is_file(meta_path)) {
        json_t *meta = load_json(meta_path, err);
        json_t *filters = meta ? json_object_get(meta, "row_filters") : NULL;
        if (!meta)
            rc = -1;
        json_object_foreach(filters, key, value)
        {
            ds_datamap_entry *e = (ds_datamap_entry *)ds_datamap_get(m, key);
            if (e && json_is_string(value) && !e->row_filter)
                e->row_filter = ds_arena_strdup(&m->strings, json_string_value(value));
        }
        json_decref(meta);
    }
    free(meta_path);
    if (rc != 0)
        ds_datamap_free(m);
    return rc;
}

void ds_datamap_free(ds_datamap *m)
{
    ds_arena_free(&m->strings);
    free(m->items);
    memset(m, 0, sizeof *m);
}
