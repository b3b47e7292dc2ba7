/* users.h - the people who may sign in to a site: <root>/auth/users.json,
 * a JSON object {"email": "pbkdf2_sha256$ITERATIONS$SALT$KEY"} (the format
 * of the original Ducksite, so its users files keep working).
 *
 * Passwords are hashed with PBKDF2-HMAC-SHA256 from OpenSSL, 310,000
 * iterations, a random 16-byte salt, and compared in constant time.  The
 * file is replaced atomically and durably (ds_write_durable, mode 0600);
 * changes hold an exclusive lock (flock on users.json.lock), so the CLI and
 * a running server, or two threads of it, can change it at the same time
 * without losing each other's changes.  Emails are compared lower-cased. */
#ifndef DS_USERS_H
#define DS_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"

#define DS_USERS_FILE "auth/users.json"
#define DS_USERS_ITERATIONS 310000
/* The shortest password accepted when one is set or changed. */
#define DS_USERS_MIN_PASSWORD 8
/* The longest email and password accepted (longer is refused, not cut). */
#define DS_USERS_MAX_EMAIL 254
#define DS_USERS_MAX_PASSWORD 1024

typedef enum {
    DS_USERS_OK,      /* known user, right password (or the change is done) */
    DS_USERS_CREATED, /* first sign-in: the user was unknown and is now stored */
    DS_USERS_UNKNOWN, /* no such user */
    DS_USERS_WRONG,   /* wrong or empty password */
    DS_USERS_WEAK,    /* a new password shorter than DS_USERS_MIN_PASSWORD */
    DS_USERS_BAD,     /* not an email address (err says why) */
    DS_USERS_ERROR    /* the file could not be read or written (err says why) */
} ds_users_result;

/* ROOT/auth/users.json; the caller frees. */
char *ds_users_path(const char *root);

/* The lower-cased EMAIL, or NULL with err set when it is not an address
 * (no '@', spaces or control characters, longer than DS_USERS_MAX_EMAIL). */
char *ds_users_normal_email(const char *email, ds_err *err);

/* A new stored hash of PASSWORD with a fresh random salt; NULL with err set
 * when the system has no randomness to give.  The caller frees. */
char *ds_users_hash(const char *password, ds_err *err);

/* True when PASSWORD matches a stored hash (constant-time comparison); a
 * malformed stored value never matches. */
bool ds_users_hash_matches(const char *stored, const char *password);

/* Signs EMAIL in with PASSWORD.  A known user: OK or WRONG.  An unknown
 * user: UNKNOWN, or with CREATE (the first-submission sign-in of forms) the
 * password is stored and the answer is CREATED (WEAK when too short).
 * Unknown users cost as much time as known ones. */
ds_users_result ds_users_check(const char *path, const char *email, const char *password,
                               bool create, ds_err *err);

/* Adds EMAIL or replaces its password (`ducksite user add|passwd`).  WEAK,
 * BAD, ERROR or OK; with MUST_EXIST an unknown user is UNKNOWN, with
 * MUST_BE_NEW a known one is WRONG. */
ds_users_result ds_users_set(const char *path, const char *email, const char *password,
                             bool must_exist, bool must_be_new, ds_err *err);

/* Changes EMAIL's password when OLD matches: OK, UNKNOWN, WRONG, WEAK. */
ds_users_result ds_users_change(const char *path, const char *email, const char *old_password,
                                const char *new_password, ds_err *err);

/* Removes EMAIL: OK, or UNKNOWN when there was no such user. */
ds_users_result ds_users_remove(const char *path, const char *email, ds_err *err);

/* The stored emails, sorted; *N set.  An absent file is no users.  The
 * caller frees each and the array. */
char **ds_users_list(const char *path, size_t *n, ds_err *err);

#endif
