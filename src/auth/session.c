/* session.c - the session table (see session.h).
 *
 * CAPACITY slots and a chained hash over them: a bucket holds the index of
 * its first slot, each slot the index of the next one.  Ids are random, so
 * their first 16 hex digits are the hash.  Ids are compared with
 * CRYPTO_memcmp, so how long a comparison takes says nothing about how
 * much of a guessed id was right.  A full table looks for a slot to reuse
 * with a scan: creating a session follows a password check that costs far
 * more (PBKDF2, 310,000 iterations). */
#include "session.h"

#include <assert.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

#define NONE (-1)

typedef struct {
    bool used;
    char id[DS_SESSION_ID_SIZE];
    char email[DS_SESSION_EMAIL_SIZE];
    uint64_t tag;
    double created, last;
    long next; /* next slot in the bucket's chain, or NONE */
} slot;

struct ds_sessions {
    pthread_mutex_t lock;
    double absolute, idle;
    size_t capacity, count;
    slot *slots;
    long *buckets;
    size_t mask; /* buckets - 1, a power of two minus one */
};

ds_sessions *ds_sessions_new(size_t capacity, double absolute_seconds, double idle_seconds)
{
    assert(capacity > 0 && absolute_seconds > 0 && idle_seconds > 0);
    ds_sessions *t = ds_xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->absolute = absolute_seconds;
    t->idle = idle_seconds;
    t->capacity = capacity;
    t->slots = ds_xcalloc(capacity, sizeof *t->slots);
    size_t n = 1;
    while (n < 2 * capacity)
        n *= 2;
    t->buckets = ds_xmalloc(n * sizeof *t->buckets);
    for (size_t i = 0; i < n; i++)
        t->buckets[i] = NONE;
    t->mask = n - 1;
    return t;
}

void ds_sessions_free(ds_sessions *t)
{
    if (!t)
        return;
    /* Nothing of a session outlives the table in freed memory. */
    OPENSSL_cleanse(t->slots, t->capacity * sizeof *t->slots);
    pthread_mutex_destroy(&t->lock);
    free(t->slots);
    free(t->buckets);
    free(t);
}

static bool is_id(const char *id)
{
    for (size_t i = 0; i < DS_SESSION_ID_LEN; i++)
        if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
            return false;
    return id[DS_SESSION_ID_LEN] == '\0';
}

static size_t bucket_of(const ds_sessions *t, const char *id)
{
    uint64_t h = 0;
    for (size_t i = 0; i < 16; i++)
        h = h << 4 | (uint64_t)(id[i] <= '9' ? id[i] - '0' : id[i] - 'a' + 10);
    return (size_t)h & t->mask;
}

static bool expired(const ds_sessions *t, const slot *s, double now)
{
    return now - s->created >= t->absolute || now - s->last >= t->idle;
}

/* Takes slot I out of its chain and empties it (the lock is held). */
static void drop(ds_sessions *t, long i)
{
    slot *s = &t->slots[i];
    long *link = &t->buckets[bucket_of(t, s->id)];
    while (*link != i)
        link = &t->slots[*link].next;
    *link = s->next;
    OPENSSL_cleanse(s, sizeof *s);
    t->count--;
}

/* The slot whose id is ID, or NONE (the lock is held). */
static long find(const ds_sessions *t, const char *id)
{
    for (long i = t->buckets[bucket_of(t, id)]; i != NONE; i = t->slots[i].next)
        if (CRYPTO_memcmp(t->slots[i].id, id, DS_SESSION_ID_LEN) == 0)
            return i;
    return NONE;
}

/* A free slot: an empty one, else an expired one, else the one used least
 * recently (the lock is held). */
static long free_slot(ds_sessions *t, double now)
{
    long oldest = NONE;
    for (size_t i = 0; i < t->capacity; i++) {
        slot *s = &t->slots[i];
        if (!s->used)
            return (long)i;
        if (oldest == NONE || s->last < t->slots[oldest].last)
            oldest = (long)i;
    }
    for (size_t i = 0; i < t->capacity; i++)
        if (expired(t, &t->slots[i], now)) {
            drop(t, (long)i);
            return (long)i;
        }
    drop(t, oldest);
    return oldest;
}

bool ds_sessions_create(ds_sessions *t, const char *email, uint64_t tag, double now,
                        char id[DS_SESSION_ID_SIZE])
{
    assert(t && email && id);
    unsigned char raw[DS_SESSION_ID_LEN / 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return false;
    for (size_t i = 0; i < sizeof raw; i++) {
        id[2 * i] = "0123456789abcdef"[raw[i] >> 4];
        id[2 * i + 1] = "0123456789abcdef"[raw[i] & 15];
    }
    id[DS_SESSION_ID_LEN] = '\0';
    OPENSSL_cleanse(raw, sizeof raw);
    pthread_mutex_lock(&t->lock);
    long i = free_slot(t, now);
    slot *s = &t->slots[i];
    s->used = true;
    memcpy(s->id, id, DS_SESSION_ID_SIZE);
    snprintf(s->email, sizeof s->email, "%s", email);
    s->tag = tag;
    s->created = s->last = now;
    size_t b = bucket_of(t, id);
    s->next = t->buckets[b];
    t->buckets[b] = i;
    t->count++;
    pthread_mutex_unlock(&t->lock);
    return true;
}

bool ds_sessions_lookup(ds_sessions *t, const char *id, double now,
                        char email[DS_SESSION_EMAIL_SIZE])
{
    assert(t && id && email);
    if (!is_id(id))
        return false;
    pthread_mutex_lock(&t->lock);
    long i = find(t, id);
    bool live = i != NONE && !expired(t, &t->slots[i], now);
    if (live) {
        t->slots[i].last = now;
        memcpy(email, t->slots[i].email, DS_SESSION_EMAIL_SIZE);
    } else if (i != NONE) {
        drop(t, i);
    }
    pthread_mutex_unlock(&t->lock);
    return live;
}

bool ds_sessions_end(ds_sessions *t, const char *id)
{
    assert(t && id);
    if (!is_id(id))
        return false;
    pthread_mutex_lock(&t->lock);
    long i = find(t, id);
    if (i != NONE)
        drop(t, i);
    pthread_mutex_unlock(&t->lock);
    return i != NONE;
}

void ds_sessions_retain(ds_sessions *t, bool (*keep)(const char *email, uint64_t tag, void *ctx),
                        void *ctx)
{
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->capacity; i++)
        if (t->slots[i].used && !keep(t->slots[i].email, t->slots[i].tag, ctx))
            drop(t, (long)i);
    pthread_mutex_unlock(&t->lock);
}

size_t ds_sessions_count(ds_sessions *t)
{
    pthread_mutex_lock(&t->lock);
    size_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

bool ds_session_cookie(const char *header, const char *name, char id[DS_SESSION_ID_SIZE])
{
    if (!header)
        return false;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = p + strcspn(p, ";");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == nl && memcmp(p, name, nl) == 0) {
            const char *v = eq + 1, *ve = end;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            if (ve - v >= 2 && *v == '"' && ve[-1] == '"') { /* RFC 6265 allows quotes */
                v++;
                ve--;
            }
            if (ve - v != DS_SESSION_ID_LEN)
                return false;
            memcpy(id, v, DS_SESSION_ID_LEN);
            id[DS_SESSION_ID_LEN] = '\0';
            return is_id(id);
        }
        p = end;
    }
    return false;
}
