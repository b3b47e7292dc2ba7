/* livemsg.h - what `ducksite serve` tells open pages after a rebuild
 * (docs/serve.md): which pages to reload, or the error of a failed build.
 * Pure text in, JSON text out; the server streams it (server/events.h). */
#ifndef DS_LIVEMSG_H
#define DS_LIVEMSG_H

#include <stdbool.h>
#include <stddef.h>

/* The "reload" event for a rebuild whose changed outputs (paths inside
 * static/) are CHANGED: {"pages":["index.html",...],"all":false}.  A page
 * reloads when its HTML changed; "all" when the runtime (assets/) did,
 * which every page runs.  NULL when no open page needs to reload. */
char *ds_livemsg_reload(const char *const *changed, size_t n);

/* The "error" event for a failed build whose message (as the CLI prints
 * it) is MSG: {"file":"content/a.md","line":12,"message":"...","text":MSG}.
 * A message that names no FILE:LINE: at its start gives file "" and line 0. */
char *ds_livemsg_error(const char *msg);

/* One server-sent event: "event: NAME\ndata: LINE\n...\n\n" (DATA split
 * at newlines, as the format requires). */
char *ds_livemsg_frame(const char *name, const char *data);

#endif
