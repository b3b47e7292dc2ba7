/* maptable.h - the one reader of static/data_map.json (the format
 * datamap.h writes): a read-only hash table from HTTP key
 * ("data/x/a.parquet") to physical path.  The server serves from it; tests
 * and the fuzz target read written maps back with it.
 *
 * Built for maps of millions of entries: the file is read once into one
 * buffer, strings are unescaped in place so that buffer becomes the arena
 * holding every key and value, and the table is an open-addressing array of
 * entry indices.  A fast parser handles the shape the builder writes (one
 * object of string values); anything it does not expect falls back to
 * jansson, which also produces the error message for a malformed file. */
#ifndef DS_MAPTABLE_H
#define DS_MAPTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"
#include "datamap.h"

typedef struct ds_maptable ds_maptable;

/* A map with no entries. */
ds_maptable *ds_maptable_empty(void);

/* Parses TEXT (LEN bytes followed by a NUL; malloc'd) and takes ownership
 * of it, also on failure.  NAME is used in error messages. */
ds_maptable *ds_maptable_parse(char *text, size_t len, const char *name, ds_err *err);

/* Reads and parses the file at PATH (ds_datamap_path gives a site's). */
ds_maptable *ds_maptable_load(const char *path, ds_err *err);

/* The table of a finished map value (strings are copied): what a build
 * just wrote, handed to a server in the same process without reading the
 * file back. */
ds_maptable *ds_maptable_from_datamap(const ds_datamap *m);

/* The physical path for KEY (KEYLEN bytes), or NULL. */
const char *ds_maptable_get(const ds_maptable *t, const char *key, size_t keylen);

size_t ds_maptable_count(const ds_maptable *t);

/* Every key in file order (the builder writes them sorted): entry I for I
 * below ds_maptable_slots(T).  False for an earlier duplicate of a key,
 * which the table ignores; otherwise *KEY (NUL-terminated, *KEYLEN bytes)
 * and *PATH are set.  `ducksite export` walks the whole map with it. */
size_t ds_maptable_slots(const ds_maptable *t);
bool ds_maptable_at(const ds_maptable *t, size_t i, const char **key, size_t *keylen,
                    const char **path);

/* True when the last parse needed the jansson fallback (for tests). */
bool ds_maptable_used_fallback(const ds_maptable *t);

void ds_maptable_free(ds_maptable *t);

#endif
