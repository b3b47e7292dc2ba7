/* events.h - GET /_ducksite/events: the server-sent event stream `ducksite
 * serve` gives open pages so they reload after a rebuild (docs/serve.md).
 * A listener holds no worker thread: its connection is suspended while
 * nothing is to be sent, and resumed to send an event or, every
 * DS_EVENTS_KEEPALIVE_MS, a comment that keeps proxies from cutting it. */
#ifndef DS_EVENTS_H
#define DS_EVENTS_H

#include <microhttpd.h>
#include <stdbool.h>

#include "../util/util.h"

#define DS_EVENTS_PATH "/_ducksite/events"
#define DS_EVENTS_MAX_LISTENERS 64
#define DS_EVENTS_KEEPALIVE_MS 15000

/* The header that tells a page's runtime the stream is there: an answer
 * for a page (CONTENT_TYPE text/html) gets "Server-Timing: ducksite-live",
 * which the page reads from its navigation timing without a request of its
 * own.  Pages served by any other server have no such entry, so they never
 * ask for the stream. */
#define DS_EVENTS_MARK "ducksite-live"
void ds_events_mark_page(struct MHD_Response *r, const char *content_type);

typedef struct ds_events ds_events;

ds_events *ds_events_start(ds_err *err);

/* Sends the server-sent event NAME with DATA (one line of JSON) to every
 * listener.  The last "build-error" is also sent to listeners that come later,
 * until an event of another name replaces it. */
void ds_events_send(ds_events *ev, const char *name, const char *data);

/* Answers a GET for DS_EVENTS_PATH on C: the stream, or 503 when
 * DS_EVENTS_MAX_LISTENERS already listen.  *status is what was sent. */
enum MHD_Result ds_events_answer(ds_events *ev, struct MHD_Connection *c, unsigned *status);

/* Ends every stream (before the daemon stops: suspended connections must
 * be resumed first); later answers are 503. */
void ds_events_close(ds_events *ev);

/* After the daemon stopped. */
void ds_events_free(ds_events *ev);

#endif
