/* deadline.c - the header deadline and shrinking files (see deadline.h).
 *
 * Connections are kept in a doubly linked list under one mutex, taken only
 * when a connection opens or closes and by the checker; the per-request
 * marks are atomic stores.  The checker shuts the socket down rather than
 * closing it: the descriptor stays libmicrohttpd's, which sees the
 * connection end and cleans up through its usual path.  A connection is
 * removed (under the mutex) before libmicrohttpd closes its socket, so the
 * checker never touches a descriptor number that was reused. */
#include "deadline.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "poller.h"

struct ds_deadline_conn {
    ds_deadline_conn *prev, *next;
    int fd;
    /* When the current head began (ms, CLOCK_MONOTONIC); 0 while a head is
     * complete and its answer under way. */
    _Atomic int64_t head_since;
    bool shut; /* shut down already (under the mutex) */
    /* The body being sent from a file (under the mutex): -1 when none. */
    int body_fd;
    uint64_t body_end;
    _Atomic bool has_body; /* lets answer_done skip the mutex */
};

struct ds_deadline {
    pthread_mutex_t lock;
    ds_deadline_conn *head;
    int64_t limit_ms;
    _Atomic uint64_t expired, shrunk;
    ds_poller *poller;
};

static int64_t now_ms(void)
{
    int64_t ms = (int64_t)(ds_monotonic() * 1e3);
    return ms > 0 ? ms : 1; /* 0 means "no head under way" */
}

static void check(void *arg)
{
    ds_deadline *d = arg;
    int64_t now = now_ms();
    pthread_mutex_lock(&d->lock);
    for (ds_deadline_conn *c = d->head; c; c = c->next) {
        int64_t since = atomic_load_explicit(&c->head_since, memory_order_relaxed);
        if (c->shut)
            continue;
        /* Counted before the shutdown: whoever sees the connection close
         * (a client, a test) then also sees the count. */
        if (since != 0 && now - since > d->limit_ms) {
            atomic_fetch_add(&d->expired, 1);
            c->shut = true;
            shutdown(c->fd, SHUT_RDWR);
        }
        struct stat st;
        if (!c->shut && c->body_fd >= 0 && fstat(c->body_fd, &st) == 0 &&
            (uint64_t)st.st_size < c->body_end) {
            atomic_fetch_add(&d->shrunk, 1);
            c->shut = true;
            shutdown(c->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&d->lock);
}

ds_deadline *ds_deadline_start(unsigned limit_ms, unsigned check_ms, ds_err *err)
{
    ds_deadline *d = ds_xcalloc(1, sizeof *d);
    pthread_mutex_init(&d->lock, NULL);
    d->limit_ms = limit_ms;
    d->poller = ds_poller_start(check_ms, check, d, "the header deadline checker", err);
    if (!d->poller) {
        pthread_mutex_destroy(&d->lock);
        free(d);
        return NULL;
    }
    return d;
}

void ds_deadline_stop(ds_deadline *d)
{
    if (!d)
        return;
    ds_poller_stop(d->poller);
    for (ds_deadline_conn *c = d->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    pthread_mutex_destroy(&d->lock);
    free(d);
}

ds_deadline_conn *ds_deadline_add(ds_deadline *d, int fd)
{
    assert(d && fd >= 0);
    ds_deadline_conn *c = ds_xcalloc(1, sizeof *c);
    c->fd = fd;
    c->body_fd = -1;
    atomic_init(&c->head_since, now_ms());
    pthread_mutex_lock(&d->lock);
    c->next = d->head;
    if (d->head)
        d->head->prev = c;
    d->head = c;
    pthread_mutex_unlock(&d->lock);
    return c;
}

void ds_deadline_head_done(ds_deadline_conn *c)
{
    if (c)
        atomic_store_explicit(&c->head_since, 0, memory_order_relaxed);
}

void ds_deadline_body(ds_deadline *d, ds_deadline_conn *c, int fd, uint64_t end)
{
    if (!c)
        return;
    assert(fd >= 0);
    pthread_mutex_lock(&d->lock);
    c->body_fd = fd;
    c->body_end = end;
    atomic_store(&c->has_body, true);
    pthread_mutex_unlock(&d->lock);
}

void ds_deadline_answer_done(ds_deadline *d, ds_deadline_conn *c)
{
    if (!c)
        return;
    /* Before the descriptor is closed: the checker must not fstat a
     * number that another file may get next. */
    if (atomic_load(&c->has_body)) {
        pthread_mutex_lock(&d->lock);
        c->body_fd = -1;
        atomic_store(&c->has_body, false);
        pthread_mutex_unlock(&d->lock);
    }
    atomic_store_explicit(&c->head_since, now_ms(), memory_order_relaxed);
}

void ds_deadline_remove(ds_deadline *d, ds_deadline_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&d->lock);
    if (c->prev)
        c->prev->next = c->next;
    else
        d->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&d->lock);
    free(c);
}

uint64_t ds_deadline_expired(ds_deadline *d)
{
    return atomic_load(&d->expired);
}

uint64_t ds_deadline_shrunk(ds_deadline *d)
{
    return atomic_load(&d->shrunk);
}
