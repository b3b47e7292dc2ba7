/* prerender.h - stored results: every page component's query run at build
 * time, so a page paints without the DuckDB-Wasm engine.
 *
 * For each page the build computes, exactly as the browser would
 * (pagesql.h), the SQL of every chart, table and dropdown's options for the
 * page's default state, and for each choice of a single dropdown with an
 * options query.  Each distinct SQL text is run once with the build-time
 * DuckDB and written as static/_results/<hash>.json (+ .gz), where <hash> is
 * the FNV-1a 64 of the SQL text; the page config lists the hashes it may
 * ask for.  static/_results/_index.json records what each result read
 * (physical files with size and mtime, and their folders), so the next build
 * reruns only results whose data changed and the server withholds a result
 * whose files changed since.  The format is described in docs/pages.md. */
#ifndef DS_PRERENDER_H
#define DS_PRERENDER_H

#include <stdbool.h>

#include "../config/config.h"
#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../sql/duck.h"
#include "enginecheck.h"
#include "livespec.h"
#include "pages.h"
#include "publish.h"

#define DS_RESULTS_DIR "_results"
#define DS_RESULTS_INDEX "_index.json"
/* Pages reading more files than this list none (the runtime then reads
 * every file by ranges). */
#define DS_PAGE_FILES_MAX 5000

/* The two-step publish of `ducksite serve` (docs/serve.md, "Rebuild
 * speed"): a first build leaves out the results it would have to run, so
 * its pages are published at once and their components query meanwhile as
 * for any result not stored; a second build runs them, and can be stopped
 * when a newer edit arrives. */
typedef struct ds_prerender_defer {
    bool defer;                /* in: results not stored yet are left out */
    bool (*cancel)(void *arg); /* in: asked before each result is run (NULL: never);
                                  true stops the build (nothing is published) */
    void *cancel_arg;
    size_t deferred;           /* out: results left out (distinct SQL texts) */
    size_t engine_pending;     /* out: queries the browser's engine has not
                                  prepared yet, left out too (enginecheck.h) */
    bool cancelled;            /* out: cancel said stop */
} ds_prerender_defer;

/* True when D (may be NULL) has been cancelled, asking its cancel now;
 * records it in d->cancelled. */
bool ds_prerender_cancelled(ds_prerender_defer *d);

typedef struct {
    bool enabled;              /* false: --no-prerender */
    ds_livespec *live;         /* given each page's components (NULL: none) */
    ds_prerender_defer *defer; /* NULL: every result is run */
    ds_enginecheck *engine;    /* given the SQL of each component's default
                                  state (NULL: none), enginecheck.h */
} ds_prerender_options;

/* Runs and writes the stored results of every page and sets each page's
 * page.stored, and page.files (the data paths it reads, with sizes) even
 * when nothing is stored.  Results are staged in pub and published with
 * the rest of the build.  Queries that fail when run are warnings (the page
 * will show the error); only failures to write are errors, and a build
 * cancelled (opt->defer) fails with "cancelled". */
int ds_prerender(ds_pages *pages, const ds_compiled_list *compiled, const ds_collected *files,
                 const ds_config *cfg, ds_duck *db, ds_publish *pub,
                 const ds_prerender_options *opt, ds_err *err);

/* One query's result as the stored JSON text ({"columns": [...], "rows":
 * [...]}, values as the runtime shows them).  Exposed for tests. */
int ds_prerender_result_json(ds_duck *db, const char *sql, char **json, ds_err *err);

/* The same with at most MAX_ROWS rows (0: no limit): a result with more is
 * not read past the first MAX_ROWS + 1; *OVER is then set and -1 returned
 * (the server's live queries, livequery.h). */
int ds_prerender_result_json_max(ds_duck *db, const char *sql, size_t max_rows, char **json,
                                 bool *over, ds_err *err);

#endif
