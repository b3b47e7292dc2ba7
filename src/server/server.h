/* server.h - `ducksite serve`: an HTTP/1.1 file server (libmicrohttpd) for
 * static/ and the data map, with what DuckDB-Wasm needs: ranges, strong
 * validators, conditional requests, precompressed assets and a data map that
 * is reloaded while the server runs.  docs/server.md describes the
 * behaviour; this header only the calls. */
#ifndef DS_SERVER_H
#define DS_SERVER_H

#include <stdbool.h>

#include "../config/config.h"
#include "../datamap/datamap.h"
#include "../util/util.h"
#include "login.h"

/* The Content-Security-Policy of every answer but data files'.  The policy
 * fits the page runtime: scripts, workers, styles and fetches from this
 * server only; 'wasm-unsafe-eval' to compile DuckDB's WebAssembly; inline
 * styles, which ECharts sets in its tooltips; images from data: and blob:
 * URLs (chart exports).  Nothing may frame the site, and no Referer leaves
 * it.  `ducksite export --nginx` writes the same policy. */
#define DS_SERVER_CSP                                                                             \
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; "               \
    "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "       \
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "                \
    "frame-ancestors 'none'"

typedef struct {
    const char *root;   /* project directory; ROOT/static is served */
    const char *host;   /* address to bind (default 127.0.0.1) */
    unsigned port;      /* 0 picks a free port */
    bool access_log;    /* one line per request on stdout */
    unsigned threads;   /* worker threads; 0 = one per CPU */
    unsigned reload_ms; /* data map and results index check interval; 0 = 100 ms */
    /* Host names answered besides localhost, IP addresses and HOST
     * ([serve] allowed_hosts); any other Host header gets 421. */
    const char *const *allowed_hosts;
    size_t n_allowed_hosts;
    /* Site-wide sign-in ([auth] site = true); NULL serves everyone. */
    const ds_login_options *login;
    /* Serve GET /_ducksite/events, the live-reload stream (events.h). */
    bool live_reload;
    /* POST /api/live/query ([serve] live_*, livequery.h); NULL or not
     * enabled: off. */
    const ds_live_settings *live;
} ds_server_options;

typedef struct ds_server ds_server;

/* Binds, loads the data map and starts serving from worker threads.  The
 * caller decides how to wait (the CLI waits for SIGINT/SIGTERM). */
ds_server *ds_server_start(const ds_server_options *opt, ds_err *err);

/* "http://127.0.0.1:8080/" with the port actually bound. */
const char *ds_server_url(const ds_server *s);
unsigned ds_server_port(const ds_server *s);
const char *ds_server_static_dir(const ds_server *s);

/* Serves the finished map M from now on: a build in this process has just
 * published it (ds_build_options.on_map), so the file is not read back. */
void ds_server_publish_map(ds_server *s, const ds_datamap *m);

/* Sends the live-reload event NAME with DATA (JSON, serve/livemsg.h) to
 * every open page; nothing without live_reload. */
void ds_server_event(ds_server *s, const char *name, const char *data);

/* The sign-in of the server (NULL without [auth] site = true), for
 * ds_login_user: who sent a request. */
ds_login *ds_server_login(ds_server *s);

/* Closes the listening socket and every connection, then frees everything. */
void ds_server_stop(ds_server *s);

/* The Cache-Control value for a file NAME (path under static/ or a data-map
 * key): data files (MAPPED, or a data type such as .parquet/.csv/.json) and
 * HTML are revalidated every time ("no-cache", with a strong ETag); assets
 * whose URL carries a version (VERSIONED_QUERY: a non-empty ?v=, or a
 * content hash in the file name) are "public, max-age=31536000, immutable";
 * everything else is revalidated too, and so are stored results
 * (_results/...), whatever their URL says. */
const char *ds_server_cache_control(const char *name, bool mapped, bool versioned_query);

#endif
