/* mapstore.c - atomic swap of the data map (see mapstore.h).
 *
 * Publishing: the current map is a pointer plus an atomic reference count
 * per map.  Reading the pointer and taking a reference happen under a tiny
 * mutex, because otherwise a reader could load the pointer, lose the CPU,
 * and increment the count of a map that was freed meanwhile.  Releasing is a
 * lock-free atomic decrement; the last one frees.  The store itself holds
 * one reference to the current map, dropped when the map is replaced. */
#include "mapstore.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../datamap/datamap.h"
#include "../util/fs.h"
#include "poller.h"

struct ds_mapref {
    ds_maptable *table;
    atomic_size_t refs;
};

typedef struct {
    bool exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
} file_id;

struct ds_mapstore {
    char *path;
    pthread_mutex_t lock; /* guards `current` against a concurrent swap */
    ds_mapref *current;
    pthread_mutex_t check_lock; /* one check at a time (watcher, tests) */
    file_id seen;               /* the file version last loaded or rejected */

    ds_poller *poller;          /* rereads the file; NULL when not watching */
};

static ds_mapref *ref_new(ds_maptable *t)
{
    ds_mapref *r = ds_xmalloc(sizeof *r);
    r->table = t;
    atomic_init(&r->refs, 1);
    return r;
}

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

ds_mapstore *ds_mapstore_open(const char *static_dir, ds_err *err)
{
    ds_mapstore *s = ds_xcalloc(1, sizeof *s);
    s->path = ds_datamap_path(static_dir);
    s->seen = identify(s->path);
    ds_maptable *t;
    if (s->seen.exists) {
        double t0 = ds_monotonic();
        t = ds_maptable_load(s->path, err);
        if (!t) {
            free(s->path);
            free(s);
            return NULL;
        }
        ds_info("data map: %zu keys loaded from %s in %.3f s", ds_maptable_count(t), s->path,
                ds_monotonic() - t0);
    } else {
        t = ds_maptable_empty();
        ds_info("data map: %s does not exist yet; serving static files only", s->path);
    }
    s->current = ref_new(t);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->check_lock, NULL);
    return s;
}

ds_mapref *ds_mapstore_acquire(ds_mapstore *s)
{
    pthread_mutex_lock(&s->lock);
    ds_mapref *r = s->current;
    atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->lock);
    return r;
}

const ds_maptable *ds_mapref_table(const ds_mapref *r)
{
    return r->table;
}

void ds_mapref_release(ds_mapref *r)
{
    /* acq_rel: the freeing thread must see every other user's reads done. */
    size_t before = atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel);
    assert(before > 0); /* a reference was held */
    if (before == 1) {
        ds_maptable_free(r->table);
        free(r);
    }
}

/* Makes T the current map; the old one is freed now, or by the last
 * request using it. */
static void swap(ds_mapstore *s, ds_maptable *t)
{
    ds_mapref *fresh = ref_new(t);
    pthread_mutex_lock(&s->lock);
    ds_mapref *old = s->current;
    s->current = fresh;
    pthread_mutex_unlock(&s->lock);
    ds_mapref_release(old);
}

static int check_locked(ds_mapstore *s)
{
    file_id id = identify(s->path);
    if (same_id(&id, &s->seen))
        return 0;
    s->seen = id;
    if (!id.exists) {
        /* `ducksite build --clean` empties static/ for a moment: keep
         * serving the last good map rather than breaking open pages. */
        ds_warn("%s disappeared; keeping the previous data map", s->path);
        return -1;
    }
    ds_err err;
    double t0 = ds_monotonic();
    ds_maptable *t = ds_maptable_load(s->path, &err);
    if (!t) {
        ds_warn("%s; keeping the previous data map", err.msg);
        return -1;
    }
    swap(s, t);
    ds_info("data map reloaded: %zu keys in %.3f s", ds_maptable_count(t), ds_monotonic() - t0);
    return 1;
}

void ds_mapstore_publish(ds_mapstore *s, ds_maptable *t)
{
    assert(s && t);
    size_t n = ds_maptable_count(t); /* T may be replaced once unlocked */
    pthread_mutex_lock(&s->check_lock);
    /* The build renamed the file into place before handing the map over;
     * if another process rewrote it since, the next check sees a version
     * newer than this one and loads that. */
    s->seen = identify(s->path);
    swap(s, t);
    pthread_mutex_unlock(&s->check_lock);
    ds_info("data map: %zu keys handed over by the rebuild", n);
}

int ds_mapstore_check(ds_mapstore *s)
{
    pthread_mutex_lock(&s->check_lock);
    int rc = check_locked(s);
    pthread_mutex_unlock(&s->check_lock);
    return rc;
}

static void check_now(void *arg)
{
    ds_mapstore_check(arg);
}

int ds_mapstore_watch(ds_mapstore *s, unsigned interval_ms, ds_err *err)
{
    s->poller = ds_poller_start(interval_ms, check_now, s, "the data map watcher", err);
    return s->poller ? 0 : -1;
}

void ds_mapstore_close(ds_mapstore *s)
{
    if (!s)
        return;
    ds_poller_stop(s->poller);
    /* Every request's reference was released: only the store's is left. */
    assert(atomic_load(&s->current->refs) == 1);
    ds_mapref_release(s->current);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->check_lock);
    free(s->path);
    free(s);
}
