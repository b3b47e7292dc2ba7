/* poller.c - a thread calling one function at an interval (see poller.h).
 * It sleeps on a condition variable rather than in sleep(), so stopping
 * does not wait out the interval. */
#include "poller.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ds_poller {
    pthread_t thread;
    unsigned interval_ms;
    void (*fn)(void *);
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
};

static void *loop(void *vp)
{
    ds_poller *p = vp;
    pthread_mutex_lock(&p->lock);
    while (!p->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)(p->interval_ms % 1000) * 1000000L;
        until.tv_sec += p->interval_ms / 1000 + until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->stop)
            break;
        pthread_mutex_unlock(&p->lock);
        p->fn(p->arg);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

ds_poller *ds_poller_start(unsigned interval_ms, void (*fn)(void *), void *arg, const char *what,
                           ds_err *err)
{
    ds_poller *p = ds_xcalloc(1, sizeof *p);
    p->interval_ms = interval_ms ? interval_ms : 100;
    p->fn = fn;
    p->arg = arg;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    int rc = pthread_create(&p->thread, NULL, loop, p);
    if (rc != 0) {
        ds_err_set(err, "cannot start %s: %s", what, strerror(rc));
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->wake);
        free(p);
        return NULL;
    }
    return p;
}

void ds_poller_stop(ds_poller *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->wake);
    free(p);
}
