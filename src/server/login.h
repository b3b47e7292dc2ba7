/* login.h - site-wide sign-in for `ducksite serve` ([auth] site = true,
 * docs/server.md "Sign-in"): the login page (GET /login), POST /login and
 * POST /logout, and the gate every other request passes through: without
 * a live session a page asked for as HTML is redirected (303) to
 * /login?next=PATH and anything else is refused with 401.  Only /assets/
 * (the runtime's scripts, styles and fonts, the same for every site) stays
 * public, so the login page is styled.
 *
 * Sessions are src/auth/session.h, users src/auth/users.h, failed
 * attempts src/auth/ratelimit.h.  The server calls ds_login_gate before it
 * serves a GET or HEAD and hands the bodies of the POSTs it takes here. */
#ifndef DS_LOGIN_H
#define DS_LOGIN_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "../auth/session.h"

/* The session cookie's name. */
#define DS_LOGIN_COOKIE "ducksite_session"
/* Sessions held at most (the least recently used gives way). */
#define DS_LOGIN_MAX_SESSIONS 10000
/* The largest POST /login body accepted (413 beyond). */
#define DS_LOGIN_MAX_BODY 8192

typedef struct {
    const char *root;       /* the project: ROOT/auth/users.json holds the users */
    double session_seconds; /* a session ends this long after sign-in */
    double idle_seconds;    /* or this long after its last use */
    unsigned max_failures;  /* failed sign-ins per email and per address */
    unsigned lockout_seconds; /* within this window; then 429 until it is over */
    bool tls_proxy;         /* behind a TLS proxy: Secure cookies, https origins,
                               X-Forwarded-For from a loopback peer */
    size_t max_sessions;    /* 0: DS_LOGIN_MAX_SESSIONS */
} ds_login_options;

typedef struct ds_login ds_login;

ds_login *ds_login_new(const ds_login_options *o);
void ds_login_free(ds_login *l);

/* True for the requests with a body this module answers: POST /login and
 * POST /logout (URL as the server receives it, not decoded). */
bool ds_login_takes_post(const char *method, const char *url);

/* A POST body as it arrives (at most DS_LOGIN_MAX_BODY bytes are kept). */
typedef struct ds_login_body ds_login_body;
ds_login_body *ds_login_body_new(void);
void ds_login_body_add(ds_login_body *b, const char *data, size_t n);
void ds_login_body_free(ds_login_body *b);

/* Answers a whole POST /login or /logout; *STATUS is the status sent. */
enum MHD_Result ds_login_post(ds_login *l, struct MHD_Connection *c, const char *url,
                              const ds_login_body *b, unsigned *status);

/* For a GET or HEAD: answers it (true, *RET and *STATUS set) when it is the
 * login page or when it needs a session it does not have; false when the
 * server may serve it. */
bool ds_login_gate(ds_login *l, struct MHD_Connection *c, const char *method, const char *url,
                   enum MHD_Result *ret, unsigned *status);

/* The signed-in user of a request: true and EMAIL filled when its session
 * cookie names a live session (for the forms: `submitted_by`). */
/* The scheme users reach the site by: "https" with [auth] tls_proxy, else
 * "http"; a POST's Origin must have it (ds_http_same_origin). */
const char *ds_login_scheme(const ds_login *l);

bool ds_login_user(ds_login *l, struct MHD_Connection *c, char email[DS_SESSION_EMAIL_SIZE]);

/* --- pure functions, for the tests --- */


/* True when NEXT may be redirected to after sign-in: a local path
 * ("/x/y?z"): one leading '/' not followed by '/' or '\', no backslash, no
 * control byte, at most 2048 bytes.  Anything else goes to "/". */
bool ds_login_next_ok(const char *next);

/* The value of field NAME in an application/x-www-form-urlencoded BODY,
 * decoded ('+' is a space, %XX a byte) into OUT (N bytes): false when it is
 * absent, badly escaped, holds a NUL, or does not fit. */
bool ds_login_form_value(const char *body, size_t len, const char *name, char *out, size_t n);

/* True when the normalised path REL may be served without a session:
 * under assets/, and not a data type. */
bool ds_login_public_path(const char *rel);

/* True when an Accept header asks for HTML (a browser opening a page). */
bool ds_login_wants_html(const char *accept);

#endif
