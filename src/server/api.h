/* api.h - the server's POST endpoints under /api/ (docs/forms.md):
 * POST /api/forms/submit and POST /api/auth/update_password, and
 * POST /api/live/query (livequery.h).
 *
 * server.c hands a request whose path is under /api/ to ds_api_begin once
 * its head is in (method, path, Origin, Content-Type and Content-Length are
 * checked there), feeds its body to ds_api_continue, which answers when the
 * body is whole, and frees it with ds_api_done when libmicrohttpd is done
 * with it.  The work itself (specs, sign-in, query, append) is
 * src/forms/submit.c. */
#ifndef DS_API_H
#define DS_API_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "../auth/session.h"
#include "login.h"

/* Body limits: JSON requests, and multipart ones (the image limit of
 * src/forms/submit.h plus room for the other fields). */
#define DS_API_MAX_JSON (1024 * 1024)
#define DS_API_MAX_MULTIPART_EXTRA (64 * 1024)
/* A body without a length (chunked) that grows past its limit is read and
 * dropped up to this much more, then answered 413 (the client reads the
 * answer); past it, answered at once and the connection closed. */
#define DS_API_MAX_DROPPED (16 * 1024 * 1024)

typedef struct ds_api ds_api;
typedef struct ds_api_request ds_api_request;

/* ROOT is the project (its .ducksite/forms.json, auth/users.json). */
ds_api *ds_api_new(const char *root);
void ds_api_free(ds_api *a);

/* True for "/api" and every path under "/api/". */
bool ds_api_path(const char *url);

/* The request's state, or NULL when it was answered at once (*STATUS is
 * the answer's status, *RET what the handler returns). */
ds_api_request *ds_api_begin(ds_api *a, struct MHD_Connection *c, const char *url,
                             const char *method, unsigned *status, enum MHD_Result *ret);

/* One call of the handler with body bytes (or none: the body is whole);
 * *STATUS is set (non-zero) when an answer was queued. */
enum MHD_Result ds_api_continue(ds_api_request *r, const char *data, size_t *size,
                                unsigned *status);

void ds_api_done(ds_api_request *r);

/* With site-wide sign-in ([auth] site = true, login.h): LOGIN, whose
 * sessions the endpoints ask for (NULL: no site sign-in). */
void ds_api_set_login(ds_api *a, ds_login *login);

/* Live queries (POST /api/live/query, livequery.h); NULL: they are off
 * and the endpoint answers 404. */
typedef struct ds_livequery ds_livequery;
void ds_api_set_live(ds_api *a, ds_livequery *live);

/* The email of the signed-in site user of connection C, if any (true and
 * EMAIL filled): a submission then uses it, verified, instead of an email
 * and password in the request.  False without site sign-in. */
bool ds_api_session_email(ds_api *a, struct MHD_Connection *c,
                          char email[DS_SESSION_EMAIL_SIZE]);

/* What a Content-Type header says the body is. */
typedef enum { DS_API_BODY_OTHER, DS_API_BODY_JSON, DS_API_BODY_MULTIPART } ds_api_body;
ds_api_body ds_api_body_kind(const char *content_type);

#endif
