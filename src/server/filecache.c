/* filecache.c - open-file cache (see filecache.h).
 *
 * The slots are grouped in sets of 8 (8-way set-associative): a key may sit
 * in any slot of its set, and a new key pushes out the set's least recently
 * used entry.  With 10,000 keys in 16,384 slots, a direct-mapped table (one
 * slot per key) loses about a quarter of them to collisions, 4 ways about
 * 6% (measured: misses per request), 8 ways under 1%.  One mutex guards the slot array; it is held only to
 * compare keys and take a reference, or to swap a slot, never across a
 * system call. */
#include "filecache.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../util/util.h"

struct ds_filecache {
    pthread_mutex_t lock;
    ds_filecache_entry **slots;
    size_t mask;     /* of a set's first slot: slots - 1 with the way bits clear */
    size_t ways;     /* slots per set: 4, or fewer in a smaller cache */
    uint64_t clock;  /* the last use stamp given (under the lock) */
    size_t small_max;
    size_t bytes_max;
    atomic_size_t bytes_kept; /* of the entries in the slots */
    void (*free_extra)(void *);
    atomic_uint generation; /* bumped by ds_filecache_revalidate */
};

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t); /* from the vDSO: no system call */
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static uint64_t hash_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

ds_filecache *ds_filecache_new(size_t slots, size_t small_max, size_t bytes_max,
                               void (*free_extra)(void *))
{
    ds_filecache *c = ds_xcalloc(1, sizeof *c);
    size_t n = 1;
    while (n * 2 <= slots) /* never more descriptors than SLOTS */
        n *= 2;
    c->slots = ds_xcalloc(n, sizeof *c->slots);
    c->ways = n < 8 ? n : 8;
    c->mask = (n - 1) & ~(c->ways - 1);
    c->small_max = small_max;
    c->bytes_max = bytes_max;
    atomic_init(&c->bytes_kept, 0);
    c->free_extra = free_extra;
    atomic_init(&c->generation, 0);
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void ds_filecache_release(ds_filecache_entry *e)
{
    if (!e)
        return;
    size_t before = atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel);
    assert(before > 0); /* a reference was held */
    if (before != 1)
        return;
    for (size_t i = 0; i < DS_FILECACHE_EXTRA; i++) {
        void *x = atomic_load(&e->extra[i]);
        if (x && e->free_extra)
            e->free_extra(x);
    }
    close(e->fd);
    free((char *)e->bytes);
    free(e->key);
    free(e);
}

/* Gives back the budget of an entry leaving its slot. */
static void leave(ds_filecache *c, ds_filecache_entry *e)
{
    if (e && e->bytes)
        atomic_fetch_sub(&c->bytes_kept, (size_t)e->st.st_size);
    ds_filecache_release(e);
}

void ds_filecache_free(ds_filecache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->mask + c->ways; i++)
        leave(c, c->slots[i]);
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    free(c);
}

/* The slot of KEY (hashed H) in its set, or -1 (under the lock). */
static ptrdiff_t find(const ds_filecache *c, const char *key, uint64_t h)
{
    size_t set = h & c->mask;
    for (size_t i = set; i < set + c->ways; i++)
        if (c->slots[i] && c->slots[i]->hash == h && strcmp(c->slots[i]->key, key) == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* The entry for KEY with a reference taken, whatever file it holds. */
static ds_filecache_entry *take(ds_filecache *c, const char *key)
{
    uint64_t h = hash_key(key);
    ds_filecache_entry *e = NULL;
    pthread_mutex_lock(&c->lock);
    ptrdiff_t i = find(c, key, h);
    if (i >= 0) {
        e = c->slots[i];
        e->used = ++c->clock;
        atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
    }
    pthread_mutex_unlock(&c->lock);
    return e;
}

ds_filecache_entry *ds_filecache_get(ds_filecache *c, const char *key, const struct stat *st)
{
    ds_filecache_entry *e = take(c, key);
    if (e && !same_file(&e->st, st)) {
        ds_filecache_release(e);
        return NULL;
    }
    return e;
}

ds_filecache_entry *ds_filecache_get_path(ds_filecache *c, const char *key, const char *path,
                                          int64_t trust_ns)
{
    ds_filecache_entry *e = take(c, key);
    if (!e)
        return NULL;
    unsigned generation = atomic_load(&c->generation);
    int64_t now = now_ns();
    bool trusted = atomic_load(&e->generation) == generation &&
                   now - atomic_load_explicit(&e->checked_ns, memory_order_relaxed) < trust_ns;
    struct stat st;
    /* The path's stat names the same inode as the descriptor's when the
     * file was not replaced, so it checks an in-place change as well. */
    if (trusted ? fstat(e->fd, &st) != 0 : stat(path, &st) != 0) {
        ds_filecache_release(e);
        return NULL;
    }
    if (!same_file(&e->st, &st)) {
        ds_filecache_release(e);
        return NULL;
    }
    if (!trusted) {
        atomic_store_explicit(&e->checked_ns, now, memory_order_relaxed);
        atomic_store(&e->generation, generation);
    }
    return e;
}

void ds_filecache_revalidate(ds_filecache *c)
{
    atomic_fetch_add(&c->generation, 1);
}

/* Reads a small file whole; NULL if it cannot, or if it changed meanwhile
 * (then the bytes might not match the validators). */
static char *read_small(int fd, const struct stat *st)
{
    size_t size = (size_t)st->st_size, got = 0;
    char *buf = ds_xmalloc(size ? size : 1);
    while (got < size) {
        ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    struct stat again;
    if (got != size || fstat(fd, &again) != 0 || !same_file(st, &again)) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* read_small within the cache's byte budget (given back when the entry
 * leaves its slot). */
static char *keep_small(ds_filecache *c, int fd, const struct stat *st)
{
    size_t size = (size_t)st->st_size;
    if (atomic_fetch_add(&c->bytes_kept, size) + size > c->bytes_max) {
        atomic_fetch_sub(&c->bytes_kept, size);
        return NULL;
    }
    char *bytes = read_small(fd, st);
    if (!bytes)
        atomic_fetch_sub(&c->bytes_kept, size);
    return bytes;
}

ds_filecache_entry *ds_filecache_put(ds_filecache *c, const char *key, int fd,
                                     const struct stat *st, bool keep_bytes)
{
    assert(key && fd >= 0 && st);
    ds_filecache_entry *e = ds_xcalloc(1, sizeof *e);
    e->fd = fd;
    e->st = *st;
    e->key = ds_strdup(key);
    e->free_extra = c->free_extra;
    if (keep_bytes && S_ISREG(st->st_mode) && (uint64_t)st->st_size <= c->small_max)
        e->bytes = keep_small(c, fd, st);
    uint64_t ino = (uint64_t)st->st_ino, size = (uint64_t)st->st_size;
    ds_http_etag(e->etag, ino, size, (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, "");
    ds_http_etag(e->etag_gz, ino, size, (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, "gz");
    ds_http_date_format(st->st_mtim.tv_sec, e->modified);
    for (size_t i = 0; i < DS_FILECACHE_EXTRA; i++)
        atomic_init(&e->extra[i], NULL);
    atomic_init(&e->refs, 2); /* the cache's and the caller's */
    atomic_init(&e->checked_ns, now_ns()); /* the caller's stat is just made */
    atomic_init(&e->generation, atomic_load(&c->generation));

    e->hash = hash_key(key);
    pthread_mutex_lock(&c->lock);
    ptrdiff_t i = find(c, key, e->hash);
    if (i < 0) { /* the set's empty or least recently used slot */
        size_t set = e->hash & c->mask;
        i = (ptrdiff_t)set;
        for (size_t j = set; j < set + c->ways && c->slots[i]; j++)
            if (!c->slots[j] || c->slots[j]->used < c->slots[i]->used)
                i = (ptrdiff_t)j;
    }
    e->used = ++c->clock;
    ds_filecache_entry *old = c->slots[i];
    c->slots[i] = e;
    pthread_mutex_unlock(&c->lock);
    leave(c, old);
    return e;
}

void *ds_filecache_set_extra(ds_filecache_entry *e, size_t i, void *obj)
{
    assert(i < DS_FILECACHE_EXTRA && obj);
    void *expected = NULL;
    if (atomic_compare_exchange_strong(&e->extra[i], &expected, obj))
        return obj;
    if (e->free_extra)
        e->free_extra(obj);
    return expected;
}
