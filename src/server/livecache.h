/* livecache.h - the results of live queries kept in memory (livequery.h):
 * key -> bytes, bounded in bytes, the least recently used entry dropped
 * first.  Safe to use from several threads at once. */
#ifndef DS_LIVECACHE_H
#define DS_LIVECACHE_H

#include <stddef.h>

typedef struct ds_livecache ds_livecache;

/* A cache holding at most MAX_BYTES (keys, values and a fixed cost per
 * entry); 0 keeps nothing. */
ds_livecache *ds_livecache_new(size_t max_bytes);
void ds_livecache_free(ds_livecache *c);

/* A copy of the value of KEY (its length in *LEN), or NULL; a hit makes
 * the entry the most recently used. */
char *ds_livecache_get(ds_livecache *c, const char *key, size_t *len);

/* Keeps VALUE under KEY (replacing one there); a value larger than the
 * whole cache is not kept. */
void ds_livecache_put(ds_livecache *c, const char *key, const char *value, size_t len);

/* What the cache holds now: bytes counted against its bound, and entries. */
size_t ds_livecache_bytes(ds_livecache *c);
size_t ds_livecache_count(ds_livecache *c);

#endif
