/* serveloop.h - `ducksite serve` as one call: the first build, the HTTP
 * server over ROOT/static, and a rebuild whenever the project changes,
 * until SIGINT or SIGTERM. */
#ifndef DS_SERVELOOP_H
#define DS_SERVELOOP_H

#include <stdbool.h>

#include "../util/util.h"

typedef struct {
    const char *root;     /* the project; ROOT/static is served */
    const char *host;     /* address to listen on */
    unsigned port;        /* 0: any free port */
    bool access_log;      /* one line per request on stdout */
    bool no_build;        /* serve static/ as it is: no build, no rebuilds */
    bool no_watch;        /* build once, then no rebuilds */
} ds_serveloop_options;

/* Builds (when ROOT holds a ducksite.toml and no_build is off), starts the
 * server, prints "serving DIR at URL" on stdout, rebuilds on changes and
 * stops on SIGINT or SIGTERM.  Errors serving goes on after (a failed
 * rebuild, a failed first build with a previous one to serve) are printed
 * here.  Returns 0 once stopped by a signal, or -1 with err when serving
 * cannot start: a failed first build with nothing to serve, unreadable
 * [serve] settings without a build, a server that cannot listen. */
int ds_serveloop_run(const ds_serveloop_options *opt, ds_err *err);

#endif
