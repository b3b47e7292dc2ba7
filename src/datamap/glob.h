/* glob.h - finding upstream Parquet files for `upstream_glob`.
 *
 * Pattern language: within one path segment `*` matches any run of
 * characters, `?` one character, `[abc]`, `[a-z]` and `[!a-z]` (or `[^a-z]`)
 * one character of a set; a whole segment `**` matches zero or more
 * directories.  `*` and `?` never match '/'.  Dot-files match like any other
 * name.  Symlinked directories are not followed (a symlink to a file is
 * matched as a file); only regular files (or links to them) are returned.
 *
 * The "base" of a pattern is its longest leading run of segments without
 * wildcards: for "lake/orders/ ** / *.parquet" it is "lake/orders".  Matches
 * are reported relative to it, which is how data-map keys are formed. */
#ifndef DS_GLOB_H
#define DS_GLOB_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

typedef struct {
    char *rel;      /* path relative to the base, '/'-separated */
    char *abs;      /* absolute physical path (base + "/" + rel) */
} ds_glob_match;

typedef struct {
    char *base;             /* absolute, lexically normalised base directory */
    ds_glob_match *items;   /* sorted by rel (bytewise) */
    size_t len, cap;
    /* Holds every item's abs string; each rel points into its abs (just
     * past base + "/").  Owned by the result: items' strings are never freed
     * one by one. */
    ds_arena strings;
} ds_glob_result;

/* Expands pattern (absolute, or relative to root).  A base directory that
 * does not exist gives an empty result, not an error; unreadable
 * directories below it are skipped with a warning.  *out is overwritten
 * (it need not be initialised); release it with ds_glob_result_free.  On
 * error (an empty pattern, or ".." after a wildcard) -1 is returned and
 * *out holds nothing that needs freeing. */
int ds_glob_scan(const char *pattern, const char *root, ds_glob_result *out, ds_err *err);
void ds_glob_result_free(ds_glob_result *r);

/* The base directory ds_glob_scan would walk for pattern (absolute, or
 * relative to root), without walking it: `ducksite serve` watches it.
 * Caller frees; NULL with err set for the patterns ds_glob_scan refuses. */
char *ds_glob_base(const char *pattern, const char *root, ds_err *err);

/* Does one path segment match one pattern segment (no '/', no '**')? */
bool ds_glob_match_segment(const char *pattern, const char *name);

/* Does a whole '/'-separated path (a data-map key) match pattern, with the
 * rules above: each segment by ds_glob_match_segment, a segment '**' for
 * zero or more segments?  What hierarchy levels select files with. */
bool ds_glob_match_path(const char *pattern, const char *path);

#endif
