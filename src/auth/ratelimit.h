/* ratelimit.h - failed sign-in attempts counted per key ("user:EMAIL",
 * "addr:IP"), so guessing passwords is slow: after MAX failures within
 * WINDOW seconds a key is refused until the window has passed.  A success
 * clears the key.  Thread-safe; the table has a fixed size (keys are kept
 * as 64-bit hashes, the oldest entry gives way), so an attacker cycling
 * through addresses cannot make it grow. */
#ifndef DS_RATELIMIT_H
#define DS_RATELIMIT_H

#include <stdbool.h>
#include <time.h>

typedef struct ds_ratelimit ds_ratelimit;

ds_ratelimit *ds_ratelimit_new(unsigned max_failures, unsigned window_seconds);
void ds_ratelimit_free(ds_ratelimit *r);

/* True when KEY may try now; otherwise *RETRY_AFTER (if not NULL) is set to
 * the seconds until it may. */
bool ds_ratelimit_allowed(ds_ratelimit *r, const char *key, time_t now, unsigned *retry_after);

/* Counts a failed attempt of KEY at NOW. */
void ds_ratelimit_failed(ds_ratelimit *r, const char *key, time_t now);

/* Forgets KEY's failures (it signed in). */
void ds_ratelimit_succeeded(ds_ratelimit *r, const char *key);

#endif
