/* pathnorm.h - turns the path of an HTTP request into a safe path relative
 * to static/ (or a data-map key), or says why it must not be served.
 *
 * The path is percent-decoded exactly once.  Anything that could name a file
 * outside static/ or a hidden file is refused here, before anything is
 * opened: `..` and `.` segments, dot-files and dot-directories, encoded
 * slashes (%2F), backslashes (raw or %5C), NUL and other control bytes. */
#ifndef DS_PATHNORM_H
#define DS_PATHNORM_H

#include <stdbool.h>
#include <stddef.h>

/* The longest path segment served: NAME_MAX on Linux, longer names
 * cannot exist. */
#define DS_PATHNORM_SEGMENT_MAX 255

typedef enum {
    DS_PATHNORM_OK = 0,
    DS_PATHNORM_BAD_REQUEST = 400, /* not a path at all: no leading '/', broken %-escape */
    DS_PATHNORM_NOT_FOUND = 404,   /* a path we refuse to serve */
} ds_pathnorm_result;

/* Normalises RAW (LEN bytes, need not be NUL-terminated; stops at a '?' or
 * '#') into OUT (OUTSZ bytes, NUL-terminated): no leading '/', runs of '/'
 * collapsed, no trailing '/' ("" is the site root).  *DIR is set when the
 * path ended in '/' (the client asked for a directory). */
ds_pathnorm_result ds_pathnorm(const char *raw, size_t len, char *out, size_t outsz, bool *dir);

/* True when the last segment of a normalised path is a file the server never
 * serves because it reveals host paths: data_map.json, data_map_meta.json,
 * and any name that starts with either (temporary files, sidecars); and
 * _results/_index.json (and names starting with it). */
bool ds_pathnorm_is_private(const char *rel);

#endif
