/* datamap.h - the virtual data map: logical HTTP paths ("data/sales/a.parquet")
 * mapped to physical files anywhere on the host, with optional per-file row
 * filters.  The builder fills it and writes static/data_map.json; the server
 * reads that file with maptable.h, the one reader.  This module owns the
 * on-disk format: the file names below are typed nowhere else.
 *
 * Row filters live only in the value: the build applies them in the SQL it
 * compiles (src/sql/sources.c), so nothing after the build needs them and
 * they are not written. */
#ifndef DS_DATAMAP_H
#define DS_DATAMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

#define DS_DATAMAP_FILE "data_map.json"
/* Written by earlier versions (the row filters); ds_datamap_write removes a
 * stale one, and the server never serves a file of that name. */
#define DS_DATAMAP_META_FILE "data_map_meta.json"

/* STATIC_DIR/data_map.json (caller frees). */
char *ds_datamap_path(const char *static_dir);

/* Entry strings live in the map's arena: valid until ds_datamap_free, and
 * never freed one by one. */
typedef struct {
    const char *key;        /* HTTP path without the leading '/' */
    const char *path;       /* absolute physical path */
    const char *row_filter; /* SQL predicate, or NULL */
    size_t seq;         /* insertion order, so the later of two claims wins */
    long long size;     /* the file's size when known (ds_collected_index), else -1 */
} ds_datamap_entry;

/* Build with ds_datamap_add, then ds_datamap_finish before lookups. */
typedef struct {
    ds_datamap_entry *items;
    size_t len, cap;
    bool had_duplicates;    /* set by ds_datamap_finish */
    bool finished;          /* set by ds_datamap_finish, cleared by ds_datamap_add;
                               lookups and writes assert it */
    ds_arena strings;
} ds_datamap;

/* Adds an entry (strings are copied) and returns it; the pointer is valid
 * until the next add. */
const ds_datamap_entry *ds_datamap_add(ds_datamap *m, const char *key, const char *path,
                                       const char *row_filter);

/* The same without copying: KEY, PATH and ROW_FILTER must outlive the map
 * (an index over strings another map or arena holds). */
const ds_datamap_entry *ds_datamap_add_ref(ds_datamap *m, const char *key, const char *path,
                                           const char *row_filter);

/* Makes room for MORE entries at once: a scan that knows how many files it
 * found adds them without the array being copied as it grows. */
void ds_datamap_reserve(ds_datamap *m, size_t more);

/* Sorts by key and settles keys claimed more than once: the later claim
 * wins, and a warning names both targets when they differ. */
void ds_datamap_finish(ds_datamap *m);

/* The same, calling ON_DUP (when not NULL) instead of warning, once for
 * every later claim of a key, with the claim that held the key until then
 * (EARLIER) and the one that takes it (LATER), in the order they were
 * added.  The build names the sources and plugin entries behind them
 * (collect.c), which the map does not know. */
typedef void (*ds_datamap_dup_fn)(void *arg, const ds_datamap_entry *earlier,
                                  const ds_datamap_entry *later);
void ds_datamap_finish_with(ds_datamap *m, ds_datamap_dup_fn on_dup, void *arg);

/* Lookup in a finished map (binary search). */
const ds_datamap_entry *ds_datamap_get(const ds_datamap *m, const char *key);

bool ds_datamap_has_row_filters(const ds_datamap *m);

/* Writes STATIC/data_map.json ({key: path}, keys sorted; atomically) and
 * removes a data_map_meta.json left by an earlier version. */
/* The text of data_map.json for M (*len bytes; caller frees). */
char *ds_datamap_text(const ds_datamap *m, size_t *len);
int ds_datamap_write(const ds_datamap *m, const char *static_dir, ds_err *err);

void ds_datamap_free(ds_datamap *m);

#endif
