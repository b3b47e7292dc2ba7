/* filecache.h - the server's open-file cache: open descriptors, stat data,
 * validators and (for small files) the bytes themselves, keyed by path.
 *
 * Like nginx's open_file_cache, but with a bound on staleness instead of
 * nginx's 60 s: an entry is used only when the file's identity (device,
 * inode, size, mtime, ctime, all to the nanosecond) is unchanged, and a
 * changed file is a miss, opened again.  Two ways to look an entry up:
 * ds_filecache_get compares it with a stat the caller just made of the
 * path (a replaced file is seen at once); ds_filecache_get_path fstat()s
 * the cached descriptor (a file rewritten in place is seen at once) and
 * stats the path only when the entry was last checked by path more than a
 * given window ago, or before ds_filecache_revalidate (a file replaced by
 * rename is seen within the window).
 *
 * Entries are reference-counted: a request holds one while it builds its
 * answer, and an entry pushed out of its slot is freed by the last holder.
 * The cache has a fixed number of slots in sets of eight (a new key pushes
 * out the least recently used entry of its set), which bounds its size
 * with little bookkeeping. */
#ifndef DS_FILECACHE_H
#define DS_FILECACHE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "http.h"

#define DS_FILECACHE_EXTRA 4

typedef struct ds_filecache ds_filecache;

typedef struct ds_filecache_entry {
    int fd; /* read-only; dup() it to hand it to a response */
    struct stat st;
    const char *bytes;              /* the whole file when it is small, else NULL */
    char etag[DS_HTTP_ETAG_LEN];    /* of the file as is */
    char etag_gz[DS_HTTP_ETAG_LEN]; /* of the file as a gzip sidecar */
    char modified[DS_HTTP_DATE_LEN];
    /* Objects the server derives from the entry (ready-made responses),
     * set once with ds_filecache_set_extra, freed with the entry. */
    _Atomic(void *) extra[DS_FILECACHE_EXTRA];
    /* private */
    char *key;
    uint64_t hash;              /* of key */
    uint64_t used;              /* the cache's clock at the last use (under its lock) */
    atomic_size_t refs;
    _Atomic int64_t checked_ns; /* CLOCK_MONOTONIC of the last check by path */
    atomic_uint generation;     /* the cache's generation then */
    void (*free_extra)(void *);
} ds_filecache_entry;

/* SLOTS (rounded down to a power of two) entries, so as many descriptors,
 * at most; files of at most SMALL_MAX bytes are kept in memory, BYTES_MAX
 * bytes in all (the entries in the cache; past it, no more bytes are
 * kept until entries leave).  FREE_EXTRA frees extra[] objects. */
ds_filecache *ds_filecache_new(size_t slots, size_t small_max, size_t bytes_max,
                               void (*free_extra)(void *));
void ds_filecache_free(ds_filecache *c);

/* The entry for KEY if it describes the same file as ST (a stat the caller
 * just made), with a reference taken; NULL on a miss. */
ds_filecache_entry *ds_filecache_get(ds_filecache *c, const char *key, const struct stat *st);

/* The entry for KEY, whose file is at PATH, with a reference taken, if its
 * descriptor still holds the same file version (fstat) and, when it was
 * last checked by path TRUST_NS nanoseconds ago or more (or before the
 * last ds_filecache_revalidate), if PATH still names it (stat, which
 * follows links); NULL on a miss. */
ds_filecache_entry *ds_filecache_get_path(ds_filecache *c, const char *key, const char *path,
                                          int64_t trust_ns);

/* Makes every entry's next ds_filecache_get_path check its path. */
void ds_filecache_revalidate(ds_filecache *c);

/* Makes an entry for KEY from FD (ownership passes to the cache, also on
 * failure) whose fstat is ST, publishes it, and returns it with a reference
 * taken.  Never NULL.  KEEP_BYTES: read a small file into memory (for files
 * answered whole, such as pages; data files, read by ranges, are not). */
ds_filecache_entry *ds_filecache_put(ds_filecache *c, const char *key, int fd,
                                     const struct stat *st, bool keep_bytes);

/* Sets extra[i] if it is still unset; returns the object that is set now
 * (OBJ, or the one another thread set first, in which case OBJ is freed). */
void *ds_filecache_set_extra(ds_filecache_entry *e, size_t i, void *obj);

void ds_filecache_release(ds_filecache_entry *e);

#endif
