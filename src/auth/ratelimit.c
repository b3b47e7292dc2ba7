/* ratelimit.c - failed attempts per key in a fixed table (see
 * ratelimit.h).  Open addressing over SLOTS entries, probing PROBE slots; a
 * key that finds no room takes the probed slot whose window began first. */
#include "ratelimit.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#define SLOTS 4096
#define PROBE 8

typedef struct {
    uint64_t key; /* 0: empty */
    time_t since; /* start of the window the failures count in */
    unsigned failures;
} slot;

struct ds_ratelimit {
    pthread_mutex_t lock;
    unsigned max;
    unsigned window;
    slot slots[SLOTS];
};

ds_ratelimit *ds_ratelimit_new(unsigned max_failures, unsigned window_seconds)
{
    ds_ratelimit *r = ds_xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    r->max = max_failures ? max_failures : 1;
    r->window = window_seconds ? window_seconds : 1;
    return r;
}

void ds_ratelimit_free(ds_ratelimit *r)
{
    if (!r)
        return;
    pthread_mutex_destroy(&r->lock);
    free(r);
}

static uint64_t key_hash(const char *key)
{
    uint64_t h = ds_hash(key, strlen(key));
    return h ? h : 1;
}

/* KEY's slot, or NULL; with CREATE, a slot for it (an empty one, one whose
 * window is over, or the oldest) reset to no failures. */
static slot *find(ds_ratelimit *r, uint64_t h, time_t now, bool create)
{
    slot *victim = NULL;
    bool victim_reusable = false;
    for (unsigned i = 0; i < PROBE; i++) {
        slot *s = &r->slots[(h + i) % SLOTS];
        if (s->key == h)
            return s;
        bool reusable = s->key == 0 || now - s->since >= (time_t)r->window;
        if (reusable && !victim_reusable) {
            victim = s;
            victim_reusable = true;
        } else if (!victim_reusable && (!victim || s->since < victim->since)) {
            victim = s;
        }
    }
    if (!create)
        return NULL;
    *victim = (slot){.key = h, .since = now, .failures = 0};
    return victim;
}

bool ds_ratelimit_allowed(ds_ratelimit *r, const char *key, time_t now, unsigned *retry_after)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key_hash(key), now, false);
    bool ok = true;
    if (s && s->failures >= r->max) {
        time_t left = s->since + (time_t)r->window - now;
        if (left > 0) {
            ok = false;
            if (retry_after)
                *retry_after = (unsigned)left;
        }
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}

void ds_ratelimit_failed(ds_ratelimit *r, const char *key, time_t now)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key_hash(key), now, true);
    if (now - s->since >= (time_t)r->window) {
        s->since = now;
        s->failures = 0;
    }
    s->failures++;
    pthread_mutex_unlock(&r->lock);
}

void ds_ratelimit_succeeded(ds_ratelimit *r, const char *key)
{
    pthread_mutex_lock(&r->lock);
    slot *s = find(r, key_hash(key), 0, false);
    if (s)
        *s = (slot){0};
    pthread_mutex_unlock(&r->lock);
}
