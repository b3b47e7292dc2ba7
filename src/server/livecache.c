/* livecache.c - a byte-bounded LRU map for live query results (see
 * livecache.h): a chained hash table for lookups and a doubly linked list
 * in use order, under one mutex (lookups are short; the queries, not the
 * cache, are what takes time). */
#include "livecache.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

/* What an entry costs besides its key and value: the node and the slot. */
#define ENTRY_COST 64

typedef struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* use order */
    char *key;
    char *value;
    size_t len;
    uint64_t hash;
} entry;

struct ds_livecache {
    pthread_mutex_t lock;
    entry **buckets;
    size_t n_buckets, count, bytes, max_bytes;
    entry *newest, *oldest;
};

static uint64_t hash_of(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static size_t cost(const entry *e)
{
    return strlen(e->key) + e->len + ENTRY_COST;
}

ds_livecache *ds_livecache_new(size_t max_bytes)
{
    ds_livecache *c = ds_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->n_buckets = 64;
    c->buckets = ds_xcalloc(c->n_buckets, sizeof *c->buckets);
    c->max_bytes = max_bytes;
    return c;
}

void ds_livecache_free(ds_livecache *c)
{
    if (!c)
        return;
    for (entry *e = c->newest, *next; e; e = next) {
        next = e->older;
        free(e->key);
        free(e->value);
        free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry **slot_of(ds_livecache *c, const char *key, uint64_t h)
{
    entry **p = &c->buckets[h % c->n_buckets];
    while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->next_in_bucket;
    return p;
}

static void unlink_use(ds_livecache *c, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(ds_livecache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

static void drop(ds_livecache *c, entry *e)
{
    entry **p = slot_of(c, e->key, e->hash);
    assert(*p == e);
    *p = e->next_in_bucket;
    unlink_use(c, e);
    c->bytes -= cost(e);
    c->count--;
    free(e->key);
    free(e->value);
    free(e);
}

/* Twice the buckets once entries outnumber them: chains stay short. */
static void grow(ds_livecache *c)
{
    if (c->count < c->n_buckets)
        return;
    size_t n = c->n_buckets * 2;
    entry **b = ds_xcalloc(n, sizeof *b);
    for (size_t i = 0; i < c->n_buckets; i++)
        for (entry *e = c->buckets[i], *next; e; e = next) {
            next = e->next_in_bucket;
            e->next_in_bucket = b[e->hash % n];
            b[e->hash % n] = e;
        }
    free(c->buckets);
    c->buckets = b;
    c->n_buckets = n;
}

char *ds_livecache_get(ds_livecache *c, const char *key, size_t *len)
{
    assert(c && key && len);
    uint64_t h = hash_of(key);
    pthread_mutex_lock(&c->lock);
    entry *e = *slot_of(c, key, h);
    char *copy = NULL;
    if (e) {
        unlink_use(c, e);
        push_newest(c, e);
        copy = ds_xmalloc(e->len + 1);
        memcpy(copy, e->value, e->len);
        copy[e->len] = '\0';
        *len = e->len;
    }
    pthread_mutex_unlock(&c->lock);
    return copy;
}

void ds_livecache_put(ds_livecache *c, const char *key, const char *value, size_t len)
{
    assert(c && key && value);
    if (strlen(key) + len + ENTRY_COST > c->max_bytes)
        return;
    entry *e = ds_xcalloc(1, sizeof *e);
    e->key = ds_strdup(key);
    e->value = ds_xmalloc(len + 1);
    memcpy(e->value, value, len);
    e->value[len] = '\0';
    e->len = len;
    e->hash = hash_of(key);
    pthread_mutex_lock(&c->lock);
    entry *old = *slot_of(c, key, e->hash);
    if (old)
        drop(c, old);
    while (c->oldest && c->bytes + cost(e) > c->max_bytes)
        drop(c, c->oldest);
    grow(c);
    entry **p = &c->buckets[e->hash % c->n_buckets];
    e->next_in_bucket = *p;
    *p = e;
    push_newest(c, e);
    c->bytes += cost(e);
    c->count++;
    pthread_mutex_unlock(&c->lock);
}

size_t ds_livecache_bytes(ds_livecache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->bytes;
    pthread_mutex_unlock(&c->lock);
    return n;
}

size_t ds_livecache_count(ds_livecache *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
