/* servable.h - can the server ever serve a given path?
 *
 * The build publishes files under paths (data-map keys, static/ files,
 * pages) that the browser then asks for.  A path the server refuses or
 * reads differently (dot-files, data_map.json, '?', '#', '%', ...) would
 * be a dead link found only in the browser, so the build asks here first
 * and fails naming the source or page instead. */
#ifndef DS_SERVABLE_H
#define DS_SERVABLE_H

#include <stdbool.h>

/* NULL when a GET for "/" + rel reaches exactly rel, else why not (a
 * static string, e.g. "a path segment starts with '.'"). */
const char *ds_servable_why(const char *rel);

/* Why a file whose key or physical path holds "${" cannot be read by
 * queries (the end of a message: "... holds \"${\", which ..."). */
#define DS_PLACEHOLDER_IN_NAME                                                              \
    "which the SQL that reads files by their names takes for the start of a placeholder "  \
    "(${inputs.x})"

/* Whether KEY or PATH holds "${" (DS_PLACEHOLDER_IN_NAME). */
bool ds_servable_has_placeholder(const char *key, const char *path);

#endif
