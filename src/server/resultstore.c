/* resultstore.c - the stored-results index and its freshness check (see
 * resultstore.h).
 *
 * An index version is immutable once loaded: results sorted by their 64-bit
 * hash (binary search), each a run of dependencies in one array, and every
 * physical path stored once (results computed from the same source share
 * its files, so a page with a hundred input states does not hold a hundred
 * copies of a thousand paths).  Publishing a new version follows mapstore.c:
 * the pointer is read and a reference taken under a tiny mutex, released
 * with an atomic decrement; the last holder frees. */
#include "resultstore.h"

#include <assert.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../site/resultindex.h"
#include "../util/fs.h"
#include "poller.h"

#define HASH_DIGITS 16

typedef struct {
    size_t path;      /* index into paths */
    int64_t size;     /* bytes (files only) */
    int64_t mtime_ns; /* st_mtim in nanoseconds since the epoch */
} dep;

typedef struct {
    uint64_t hash;
    size_t first;         /* its dependencies: deps[first ...] */
    size_t nfiles, ndirs; /* files first, then directories */
    _Atomic int64_t fresh_until_ms; /* a large result found fresh: until when
                                       it is not checked again */
} result;

/* A result that read more files than this is checked at most once per
 * RECHECK_MS: a stat of every file on every request would cost about 100 ms
 * for a dashboard over 100,000 files.  Smaller ones are checked every time. */
#define RECHECK_FILES 1000
#define RECHECK_MS 1000

static int64_t monotonic_ms(void)
{
    return (int64_t)(ds_monotonic() * 1e3);
}

typedef struct {
    result *results; /* sorted by hash */
    size_t n;
    dep *deps;
    size_t ndeps, deps_cap;
    const char **paths;
    size_t npaths, paths_cap;
    ds_arena strings;
    atomic_size_t refs;
} index_version;

typedef struct {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_id;

struct ds_resultstore {
    char *path;
    pthread_mutex_t lock; /* guards `current` against a concurrent swap */
    index_version *current;
    pthread_mutex_t check_lock; /* one check at a time (watcher, tests) */
    file_id seen;               /* the file version last loaded or rejected */

    ds_poller *poller;          /* rereads the file; NULL when not watching */
};

ds_result_path ds_resultstore_path(const char *rel, uint64_t *hash)
{
    if (strncmp(rel, "_results", 8) != 0 || (rel[8] != '/' && rel[8] != '\0'))
        return DS_RESULT_PATH_NONE;
    if (rel[8] == '\0')
        return DS_RESULT_PATH_REFUSED;
    const char *name = rel + 9;
    uint64_t h = 0;
    for (int i = 0; i < HASH_DIGITS; i++) {
        char c = name[i];
        if (c >= '0' && c <= '9')
            h = h << 4 | (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            h = h << 4 | (uint64_t)(c - 'a' + 10);
        else
            return DS_RESULT_PATH_REFUSED; /* also the end of a short name */
    }
    const char *ext = name + HASH_DIGITS;
    if (strcmp(ext, ".json") != 0 && strcmp(ext, ".json.gz") != 0)
        return DS_RESULT_PATH_REFUSED;
    if (hash)
        *hash = h;
    return DS_RESULT_PATH_RESULT;
}

/* ---- one index version ---- */

static index_version *version_new(void)
{
    index_version *v = ds_xcalloc(1, sizeof *v);
    atomic_init(&v->refs, 1);
    return v;
}

static void version_release(index_version *v)
{
    /* acq_rel: the freeing thread must see every other user's reads done. */
    size_t before = atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel);
    assert(before > 0); /* a reference was held */
    if (before != 1)
        return;
    free(v->results);
    free(v->deps);
    free(v->paths);
    ds_arena_free(&v->strings);
    free(v);
}

/* Path interning while loading: open addressing over path ids + 1. */
typedef struct {
    size_t *slots;
    size_t cap; /* a power of two */
} intern_table;

static uint64_t hash_string(const char *s)
{
    return ds_hash(s, strlen(s));
}

static size_t intern(index_version *v, intern_table *t, const char *path)
{
    if (2 * (v->npaths + 1) > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        size_t *slots = ds_xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i])
                continue;
            size_t j = hash_string(v->paths[t->slots[i] - 1]) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = slots;
        t->cap = cap;
    }
    size_t j = hash_string(path) & (t->cap - 1);
    for (; t->slots[j]; j = (j + 1) & (t->cap - 1))
        if (strcmp(v->paths[t->slots[j] - 1], path) == 0)
            return t->slots[j] - 1;
    if (v->npaths == v->paths_cap) {
        v->paths_cap = v->paths_cap ? v->paths_cap * 2 : 256;
        v->paths = ds_xrealloc(v->paths, v->paths_cap * sizeof *v->paths);
    }
    v->paths[v->npaths] = ds_arena_strdup(&v->strings, path);
    t->slots[j] = ++v->npaths;
    return v->npaths - 1;
}

static void push_dep(index_version *v, dep d)
{
    if (v->ndeps == v->deps_cap) {
        v->deps_cap = v->deps_cap ? v->deps_cap * 2 : 1024;
        v->deps = ds_xrealloc(v->deps, v->deps_cap * sizeof *v->deps);
    }
    v->deps[v->ndeps++] = d;
}

/* One {"path", "size", "mtime_ns"} (files) or {"path", "mtime_ns"} (dirs). */
static int add_dep(index_version *v, intern_table *t, json_t *item, bool dir)
{
    json_t *path = json_object_get(item, "path");
    json_t *size = json_object_get(item, "size");
    json_t *mtime = json_object_get(item, "mtime_ns");
    if (!json_is_string(path) || !json_is_integer(mtime) || (!dir && !json_is_integer(size)))
        return -1;
    push_dep(v, (dep){intern(v, t, json_string_value(path)),
                      dir ? 0 : (int64_t)json_integer_value(size),
                      (int64_t)json_integer_value(mtime)});
    return 0;
}

/* The files of a "files_text" (resultindex.h), one line each.  Returns
 * the number of files, or 0 with *BAD_LINE set to the first malformed line
 * (counted from 1). */
static size_t add_lines(index_version *v, intern_table *t, json_t *text, size_t *bad_line)
{
    const char *p = json_string_value(text), *end = p + json_string_length(text);
    ds_buf path = {0};
    size_t n = 0;
    while (p < end) {
        ds_resultindex_file f;
        if (ds_resultindex_next(&p, end, &f) != 0) {
            *bad_line = n + 1;
            n = 0;
            break;
        }
        path.len = 0;
        ds_buf_add(&path, f.path, f.path_len);
        push_dep(v, (dep){intern(v, t, ds_buf_str(&path)), f.size, f.mtime_ns});
        n++;
    }
    ds_buf_free(&path);
    return n;
}

static int cmp_result(const void *a, const void *b)
{
    uint64_t x = ((const result *)a)->hash, y = ((const result *)b)->hash;
    return x < y ? -1 : x > y;
}

/* Parses the index at PATH into a new version, or NULL with err set. */
static index_version *version_load(const char *path, ds_err *err)
{
    json_error_t jerr;
    json_t *root = ds_json_load_path(path, 0, &jerr);
    if (!root) {
        ds_err_set(err, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    json_t *version = json_object_get(root, "version");
    json_t *results = json_object_get(root, "results");
    if (!json_is_integer(version) || json_integer_value(version) != 1 || !json_is_object(results)) {
        ds_err_set(err, "%s: expected {\"version\": 1, \"results\": {...}}", path);
        json_decref(root);
        return NULL;
    }
    index_version *v = version_new();
    intern_table t = {NULL, 0};
    v->results = ds_xmalloc((json_object_size(results) + 1) * sizeof *v->results);
    const char *key;
    json_t *value;
    json_object_foreach(results, key, value)
    {
        char rel[64];
        snprintf(rel, sizeof rel, "_results/%s.json", key);
        result *r = &v->results[v->n];
        json_t *files = json_object_get(value, "files");
        json_t *text = json_object_get(value, "files_text");
        json_t *dirs = json_object_get(value, "dirs");
        bool ok = strlen(key) == HASH_DIGITS &&
                  ds_resultstore_path(rel, &r->hash) == DS_RESULT_PATH_RESULT &&
                  (text ? json_is_string(text) && !files : json_is_array(files)) &&
                  (!dirs || json_is_array(dirs));
        r->first = v->ndeps;
        atomic_init(&r->fresh_until_ms, 0);
        size_t i, bad_line = 0;
        json_t *item;
        json_array_foreach(files, i, item)
        {
            if (ok && add_dep(v, &t, item, false) != 0)
                ok = false;
        }
        size_t nfiles = ok && text ? add_lines(v, &t, text, &bad_line) : json_array_size(files);
        json_array_foreach(dirs, i, item)
        {
            if (ok && !bad_line && add_dep(v, &t, item, true) != 0)
                ok = false;
        }
        if (bad_line)
            ds_err_set(err,
                       "%s: results.\"%s\".files_text, line %zu: expected "
                       "\"<size>\\t<mtime_ns>\\t<path>\\n\"",
                       path, key, bad_line);
        else if (!ok)
            ds_err_set(err,
                       "%s: results.\"%s\": expected a 16-digit lowercase hex key and "
                       "{\"files\": [{\"path\", \"size\", \"mtime_ns\"}, ...] or "
                       "\"files_text\": \"<size>\\t<mtime_ns>\\t<path>\\n...\", "
                       "\"dirs\": [{\"path\", \"mtime_ns\"}, ...]}",
                       path, key);
        if (!ok || bad_line) {
            free(t.slots);
            version_release(v);
            json_decref(root);
            return NULL;
        }
        r->nfiles = nfiles;
        r->ndirs = json_array_size(dirs);
        v->n++;
    }
    free(t.slots);
    json_decref(root);
    qsort(v->results, v->n, sizeof *v->results, cmp_result);
    return v;
}

/* ---- the store ---- */

static file_id identify(const char *path)
{
    file_id id = {0};
    struct stat st;
    if (stat(path, &st) == 0) {
        id.exists = true;
        id.dev = st.st_dev;
        id.ino = st.st_ino;
        id.size = st.st_size;
        id.mtime = st.st_mtim;
        id.ctime = st.st_ctim;
    }
    return id;
}

static bool same_id(const file_id *a, const file_id *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* The index for the file as it is now: a missing or malformed file gives an
 * empty index, because serving no stored result is always correct (the
 * browser queries live), while an older index might name results the new
 * build has rewritten. */
static index_version *load_or_empty(const char *path, bool exists)
{
    if (!exists)
        return version_new();
    ds_err err;
    index_version *v = version_load(path, &err);
    if (!v) {
        ds_warn("%s; serving no stored results until the next build", err.msg);
        return version_new();
    }
    return v;
}

ds_resultstore *ds_resultstore_open(const char *static_dir)
{
    ds_resultstore *s = ds_xcalloc(1, sizeof *s);
    s->path = ds_path_join(static_dir, "_results/_index.json");
    s->seen = identify(s->path);
    s->current = load_or_empty(s->path, s->seen.exists);
    if (s->current->n)
        ds_info("stored results: %zu in %s", s->current->n, s->path);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->check_lock, NULL);
    return s;
}

static index_version *acquire(ds_resultstore *s)
{
    pthread_mutex_lock(&s->lock);
    index_version *v = s->current;
    atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->lock);
    return v;
}

int ds_resultstore_check(ds_resultstore *s)
{
    pthread_mutex_lock(&s->check_lock);
    file_id id = identify(s->path);
    if (same_id(&id, &s->seen)) {
        pthread_mutex_unlock(&s->check_lock);
        return 0;
    }
    s->seen = id;
    index_version *fresh = load_or_empty(s->path, id.exists);
    pthread_mutex_lock(&s->lock);
    index_version *old = s->current;
    s->current = fresh;
    pthread_mutex_unlock(&s->lock);
    version_release(old); /* freed now, or by the last request using it */
    pthread_mutex_unlock(&s->check_lock);
    return 1;
}

size_t ds_resultstore_count(ds_resultstore *s)
{
    index_version *v = acquire(s);
    size_t n = v->n;
    version_release(v);
    return n;
}

static bool dep_unchanged(const index_version *v, const dep *d, bool dir)
{
    struct stat st;
    if (stat(v->paths[d->path], &st) != 0)
        return false; /* gone or unreadable now: changed, even if it was missing then */
    int64_t mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (dir)
        return S_ISDIR(st.st_mode) && mtime_ns == d->mtime_ns;
    return S_ISREG(st.st_mode) && (int64_t)st.st_size == d->size && mtime_ns == d->mtime_ns;
}

ds_result_state ds_resultstore_state(ds_resultstore *s, uint64_t hash)
{
    index_version *v = acquire(s);
    result key = {.hash = hash};
    /* An empty index has no array at all (bsearch must not see NULL). */
    result *r = v->n ? bsearch(&key, v->results, v->n, sizeof *v->results, cmp_result) : NULL;
    ds_result_state state = r ? DS_RESULT_FRESH : DS_RESULT_UNKNOWN;
    bool large = r && r->nfiles + r->ndirs > RECHECK_FILES;
    int64_t now = large ? monotonic_ms() : 0;
    if (large && atomic_load_explicit(&r->fresh_until_ms, memory_order_relaxed) > now) {
        version_release(v);
        return DS_RESULT_FRESH;
    }
    for (size_t i = 0; r && i < r->nfiles + r->ndirs && state == DS_RESULT_FRESH; i++)
        if (!dep_unchanged(v, &v->deps[r->first + i], i >= r->nfiles))
            state = DS_RESULT_CHANGED;
    if (large && state == DS_RESULT_FRESH)
        atomic_store_explicit(&r->fresh_until_ms, now + RECHECK_MS, memory_order_relaxed);
    version_release(v);
    return state;
}

static void check_now(void *arg)
{
    ds_resultstore_check(arg);
}

int ds_resultstore_watch(ds_resultstore *s, unsigned interval_ms, ds_err *err)
{
    s->poller = ds_poller_start(interval_ms, check_now, s, "the stored-results watcher", err);
    return s->poller ? 0 : -1;
}

void ds_resultstore_close(ds_resultstore *s)
{
    if (!s)
        return;
    ds_poller_stop(s->poller);
    version_release(s->current);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->check_lock);
    free(s->path);
    free(s);
}
