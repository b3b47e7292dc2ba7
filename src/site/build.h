/* build.h - `ducksite build`: the whole pipeline from ducksite.toml to
 * static/.  Every stage runs in memory first; outputs are written only when
 * all of them succeeded, staged and then published all at once (publish.h),
 * so a failed build, even one that fails while writing, leaves the previous
 * one intact. */
#ifndef DS_BUILD_H
#define DS_BUILD_H

#include <stdbool.h>

#include "../datamap/datamap.h"
#include "../util/util.h"

typedef struct {
    bool clean;          /* also remove every other file in static/ (but static/forms/
                            and pattern sources' files) when publishing */
    bool no_prerender;   /* no stored results: every query runs in the browser */
    bool strict;         /* SQL the browser engine cannot run fails the build */
    bool force;          /* build even when nothing changed since the last build
                            (uptodate.h); --clean implies it */
    /* Called with the finished data map once the build is published
     * (`ducksite serve` hands it to its server); may be NULL. */
    void (*on_map)(const ds_datamap *map, void *arg);
    void *on_map_arg;
    /* Called (after on_map) with the outputs the build wrote, paths
     * inside static/; outputs left as they were are not in it.  NULL:
     * not told.  `ducksite serve` reloads the open pages from it. */
    void (*on_changed)(const char *const *changed, size_t n, void *arg);
    void *on_changed_arg;
    /* What `ducksite serve` keeps between its rebuilds (memo.h), used and
     * updated by this build; NULL: everything is made afresh. */
    struct ds_memo *memo;
    /* Stored results left out now and run by a second build (prerender.h);
     * NULL: every result is run. */
    struct ds_prerender_defer *defer;
} ds_build_options;

int ds_build(const char *root, const ds_build_options *opt, ds_err *err);

#endif
