/* servable.h - can the server ever serve a given path?
 *
 * The build publishes files under paths (data-map keys, static/ files,
 * pages) that the browser then asks for.  A path the server refuses or
 * reads differently (dot-files, data_map.json, '?', '#', '%', ...) would
 * be a dead link found only in the browser, so the build asks here first
 * and fails naming the source or page instead. */
#ifndef DS_SERVABLE_H
#define DS_SERVABLE_H

/* NULL when a GET for "/" + rel reaches exactly rel, else why not (a
 * static string, e.g. "a path segment starts with '.'"). */
const char *ds_servable_why(const char *rel);

#endif
