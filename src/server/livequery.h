/* livequery.h - POST /api/live/query: a page's component answered by the
 * server with libduckdb over the physical files (docs/server.md, "Live
 * queries").
 *
 * The request names a page, one of its components ("chart:sales"), the
 * compiled query that component runs (its SQL path, "/sql/_global/x.sql")
 * and the values of the page's inputs.  No SQL comes from the client: the
 * server takes the component's compiled SQL from what the build wrote
 * (livespec.h), puts each input value in as the browser would (pagesql.h:
 * quoted or typed literals), runs it with at most live_max_concurrent
 * queries at once (more wait in a bounded queue, live_max_queued and
 * live_queue_ms), each interrupted past live_timeout_ms and refused past
 * live_max_rows or live_max_bytes, and answers the result in the format of
 * the stored results.  Results are cached by the SQL text (query and
 * inputs) and the size and mtime of every file it reads. */
#ifndef DS_LIVEQUERY_H
#define DS_LIVEQUERY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "mapstore.h"

#define DS_LIVEQUERY_PATH "/api/live/query"
/* The Server-Timing entry on pages when the endpoint is on: the runtime
 * asks it only then (web/src/live.js servedQueries). */
#define DS_LIVEQUERY_MARK "ducksite-queries"

typedef struct ds_livequery ds_livequery;

/* The answer: STATUS, the JSON BODY (a result, or {"error", "limit"?}),
 * RETRY_AFTER seconds (503 only), and CACHE ("hit", "miss" or "shared" for a result). */
typedef struct {
    unsigned status;
    char *body;
    unsigned retry_after;
    const char *cache;
} ds_live_reply;

/* Live queries for the project ROOT (its .ducksite/live_queries.json,
 * reloaded when a build rewrites it) with the limits of SET.  NULL when
 * the engine cannot start. */
ds_livequery *ds_livequery_open(const char *root, const ds_live_settings *set);
void ds_livequery_close(ds_livequery *lq);

/* A request in two steps, so that the server's threads never wait for a
 * query: ds_livequery_begin answers at once what needs no query (a refusal,
 * a cache hit, 503 when live_max_concurrent queries run and
 * live_max_queued requests wait already) and returns NULL; else it has
 * reserved a worker thread, a place in the queue, or a place after an
 * identical request waiting or running (whose reply it gets a copy of, its
 * cache "shared"), and returns the job, which the caller hands to
 * ds_livequery_submit.  *OUT is filled, then DONE(CTX) called, from a
 * worker, the watchdog (503 past live_queue_ms), ds_livequery_stop (503)
 * or ds_livequery_submit itself. */
typedef struct ds_live_job ds_live_job;
typedef void (*ds_live_done_fn)(void *ctx);
ds_live_job *ds_livequery_begin(ds_livequery *lq, const char *body, size_t len,
                                ds_live_reply *out);
void ds_livequery_submit(ds_livequery *lq, ds_live_job *job, ds_live_done_fn done, void *ctx);

/* Before submitting: GONE(CTX) tells whether the request's client went
 * away; a job that waited in the queue and that nobody else shares is
 * then not run when its turn comes (a client that gave up waiting no
 * longer delays those behind it). */
typedef bool (*ds_live_gone_fn)(void *ctx);
void ds_livequery_watch(ds_live_job *job, ds_live_gone_fn gone);

/* Both steps, waiting for the answer (tests). */
void ds_livequery_answer(ds_livequery *lq, const char *body, size_t len, ds_live_reply *out);

/* Interrupts the queries running (their callers get 504), waits for the
 * workers to end; afterwards every query is refused.  The server calls it
 * before stopping its daemon, so no connection is left waiting. */
void ds_livequery_stop(ds_livequery *lq);
void ds_live_reply_free(ds_live_reply *r);

/* The file lists a query left as placeholders (livespec.h: a list that
 * is no glob, in a query that would name more than DS_LIVESPEC_FILES_MAX
 * files) are put back per request: the published list documents under
 * STATIC_DIR (sql/_files/<view>.json, read again when their file changes)
 * pruned by the query's partition predicates with the request's values,
 * as the browser prunes them (ds_filelist_keep), each kept key mapped to
 * its physical file by MAPS, the server's data map. */
typedef struct ds_live_lists ds_live_lists;
ds_live_lists *ds_live_lists_new(const char *static_dir, ds_mapstore *maps);
void ds_live_lists_free(ds_live_lists *ll);

/* The server's data map, for the lists' keys (before the first request). */
void ds_livequery_set_maps(ds_livequery *lq, ds_mapstore *maps);

/* The binding alone, without running anything: SPEC is the build's
 * live_queries.json document, REQ the request, LISTS (may be NULL when no
 * query has list placeholders) puts back the file lists.  On success
 * returns 0, sets *SQL (the SQL to run, physical paths, values as
 * literals), *FILES (the physical files it reads, the list documents it
 * used among them) and *NAMES (the data path of each, for messages), both
 * new references; else returns the HTTP status (400, 404; 413 for a query
 * the build described as refused, livespec.h, or one whose lists keep more
 * than DS_LIVESPEC_FILES_MAX files with these values; 500 for a list
 * document missing) and sets *WHY. */
unsigned ds_livequery_bind(json_t *spec, json_t *req, ds_live_lists *lists, char **sql,
                           json_t **files, json_t **names, char **why);

/* Counters since open (tests and the bench): queries run, cache hits,
 * refusals for concurrency (queue full, waited too long, stopping), time,
 * and rows or bytes, requests that waited in the queue, and requests
 * answered with the reply of an identical one (single flight). */
typedef struct {
    size_t ran, hits, busy, timeouts, too_large, waited, shared;
} ds_livequery_stats;
ds_livequery_stats ds_livequery_counters(ds_livequery *lq);

#endif
