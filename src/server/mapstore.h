/* mapstore.h - the live data map: the server's current ds_maptable, swapped
 * for a new one when a build rewrites static/data_map.json, while requests
 * keep using the map they started with.
 *
 * A request takes a reference (ds_mapstore_acquire), looks up its key, and
 * drops the reference (ds_mapref_release); a replaced map is freed by
 * whoever drops its last reference.  A rebuild inside `ducksite serve` hands
 * its map over directly (ds_mapstore_publish); for builds run by another
 * process, a watcher thread checks the file's identity (inode, size, mtime,
 * ctime) every interval and loads a changed file off the request path.  A
 * file that fails to parse, or is missing, keeps the current map and logs
 * why. */
#ifndef DS_MAPSTORE_H
#define DS_MAPSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "../datamap/maptable.h"
#include "../util/util.h"

typedef struct ds_mapstore ds_mapstore;
typedef struct ds_mapref ds_mapref;

/* Loads STATIC_DIR/data_map.json (a missing file is an empty map; a
 * malformed one is an error).  No thread is started yet. */
ds_mapstore *ds_mapstore_open(const char *static_dir, ds_err *err);

/* Starts the watcher thread, checking every INTERVAL_MS milliseconds. */
int ds_mapstore_watch(ds_mapstore *s, unsigned interval_ms, ds_err *err);

/* Checks the file once and swaps in a new map when it changed.  Returns 1
 * when a new map was published, 0 when nothing changed, -1 when the new file
 * was rejected (logged, old map kept).  The watcher calls this; tests call
 * it directly to avoid waiting. */
int ds_mapstore_check(ds_mapstore *s);

/* Swaps in T (taking ownership), the map a build in this process has just
 * written to the file, and notes the file's current version as seen so the
 * watcher does not load the same map again.  The watcher remains for
 * builds run by another process. */
void ds_mapstore_publish(ds_mapstore *s, ds_maptable *t);

ds_mapref *ds_mapstore_acquire(ds_mapstore *s);
const ds_maptable *ds_mapref_table(const ds_mapref *r);
void ds_mapref_release(ds_mapref *r);

/* Stops the watcher and drops the store's reference to the current map.
 * Every acquired reference must have been released. */
void ds_mapstore_close(ds_mapstore *s);

#endif
