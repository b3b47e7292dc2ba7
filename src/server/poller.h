/* poller.h - a background thread that calls one function at a fixed
 * interval until stopped.  The data map and the stored-results index are
 * both reloaded this way when a build by another process replaces them. */
#ifndef DS_POLLER_H
#define DS_POLLER_H

#include "../util/util.h"

typedef struct ds_poller ds_poller;

/* Calls fn(arg) every interval_ms (0 means 100) on a thread of its own;
 * what names the thread in an error ("the data map watcher"). */
ds_poller *ds_poller_start(unsigned interval_ms, void (*fn)(void *), void *arg, const char *what,
                           ds_err *err);

/* Stops the thread (waiting for a call under way to end); NULL is fine. */
void ds_poller_stop(ds_poller *p);

#endif
