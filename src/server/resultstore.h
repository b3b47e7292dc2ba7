/* resultstore.h - stored query results (static/_results/<hash>.json) and
 * their freshness check, for the server.
 *
 * The build writes static/_results/_index.json: for each result hash, the
 * physical files the result read (path, size, mtime in ns) and the
 * directories whose listing it depends on (path, mtime in ns).  A result is
 * served only while every one of them is exactly as recorded; otherwise the
 * server answers 404 and the browser runs the query live, which is always
 * correct.  The index is loaded once per version of the file and reloaded
 * by a watcher thread (like the data map, see mapstore.h); a request takes a
 * reference to the current index for its check only.  docs/server.md
 * describes the behaviour. */
#ifndef DS_RESULTSTORE_H
#define DS_RESULTSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* What a normalised request path (see pathnorm.h) is to the results store. */
typedef enum {
    DS_RESULT_PATH_NONE,    /* not under _results/: an ordinary file */
    DS_RESULT_PATH_RESULT,  /* _results/<16 hex>.json or .json.gz */
    DS_RESULT_PATH_REFUSED, /* anything else under _results/, _index.json included */
} ds_result_path;

/* Classifies REL; for a result, *HASH (when not NULL) is its hash. */
ds_result_path ds_resultstore_path(const char *rel, uint64_t *hash);

typedef enum {
    DS_RESULT_FRESH,   /* every file and directory is as the build saw it */
    DS_RESULT_UNKNOWN, /* the hash is not in the index */
    DS_RESULT_CHANGED, /* some file or directory changed or disappeared */
} ds_result_state;

typedef struct ds_resultstore ds_resultstore;

/* Loads STATIC_DIR/_results/_index.json.  Never fails: a missing index
 * means no stored results, and a malformed one is logged and means none
 * too (every result is then answered 404, i.e. queried live). */
ds_resultstore *ds_resultstore_open(const char *static_dir);

/* Starts the watcher thread, checking the index every INTERVAL_MS
 * milliseconds (0 = 100). */
int ds_resultstore_watch(ds_resultstore *s, unsigned interval_ms, ds_err *err);

/* Checks the index file once and loads it when it changed.  Returns 1 when
 * a new index was published (an empty one for a missing or malformed
 * file), 0 when nothing changed. */
int ds_resultstore_check(ds_resultstore *s);

/* Number of results in the current index. */
size_t ds_resultstore_count(ds_resultstore *s);

/* The freshness check: one stat() per file and directory of the result. */
ds_result_state ds_resultstore_state(ds_resultstore *s, uint64_t hash);

/* Stops the watcher and frees the store (no check may be running). */
void ds_resultstore_close(ds_resultstore *s);

#endif
