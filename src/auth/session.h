/* session.h - who is signed in to `ducksite serve`: a table of sessions in
 * the server's memory, each a random 128-bit id (OpenSSL RAND_bytes, sent
 * as 32 hex digits in a cookie) with the email it belongs to.
 *
 * A session ends ABSOLUTE seconds after sign-in, or IDLE seconds after its
 * last use, whichever comes first; the table holds at most CAPACITY
 * sessions, and a new one when it is full takes the place of an expired
 * one, else of the one used least recently.  Thread-safe.  Times are
 * seconds on the caller's clock (the server uses ds_monotonic), so the
 * tests can pass any time they like. */
#ifndef DS_SESSION_H
#define DS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hex digits of an id, and the buffer that holds one with its NUL. */
#define DS_SESSION_ID_LEN 32
#define DS_SESSION_ID_SIZE (DS_SESSION_ID_LEN + 1)
/* The longest email a session holds (DS_USERS_MAX_EMAIL) and its buffer. */
#define DS_SESSION_EMAIL_SIZE 255

typedef struct ds_sessions ds_sessions;

ds_sessions *ds_sessions_new(size_t capacity, double absolute_seconds, double idle_seconds);
void ds_sessions_free(ds_sessions *t);

/* A new session for EMAIL at NOW; its id is written to ID.  TAG is kept
 * with it for ds_sessions_retain (the server keeps a hash of the user's
 * stored password, so changing it ends the user's sessions).  False only
 * when the system has no randomness to give (then there is no session). */
bool ds_sessions_create(ds_sessions *t, const char *email, uint64_t tag, double now,
                        char id[DS_SESSION_ID_SIZE]);

/* True when ID names a live session at NOW: its email is copied to EMAIL
 * (DS_SESSION_EMAIL_SIZE bytes) and its last use becomes NOW.  An expired
 * session is removed and gives false. */
bool ds_sessions_lookup(ds_sessions *t, const char *id, double now,
                        char email[DS_SESSION_EMAIL_SIZE]);

/* Ends the session ID; false when there was none. */
bool ds_sessions_end(ds_sessions *t, const char *id);

/* Ends every session for which KEEP(email, tag, ctx) is false. */
void ds_sessions_retain(ds_sessions *t, bool (*keep)(const char *email, uint64_t tag, void *ctx),
                        void *ctx);

/* Live and expired sessions still held. */
size_t ds_sessions_count(ds_sessions *t);

/* The id in cookie NAME of a Cookie header ("a=1; NAME=ID; b=2"): true
 * and ID filled when the cookie is there and holds a well-formed id
 * (DS_SESSION_ID_LEN lower-case hex digits); a cookie sent twice counts
 * the first time (the browser sends the most specific path first). */
bool ds_session_cookie(const char *header, const char *name, char id[DS_SESSION_ID_SIZE]);

#endif
