/* events.c - the live-reload event stream (see events.h).
 *
 * Each listener has a queue of text to send.  The response's reader sends
 * what is queued; with nothing queued it suspends its connection (and
 * returns 0), and ds_events_send / the keep-alive timer queue text and
 * resume it.  Suspending and resuming happen under one lock, so an event
 * queued while a reader is about to suspend is never missed. */
#include "events.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../serve/livemsg.h"
#include "poller.h"

typedef struct listener {
    ds_events *ev;
    struct MHD_Connection *conn;
    ds_buf queue;
    size_t sent; /* bytes of queue already sent */
    bool suspended;
} listener;

struct ds_events {
    pthread_mutex_t lock;
    listener *items[DS_EVENTS_MAX_LISTENERS];
    size_t n;
    bool closed;
    char *last_error; /* the frame of the last "error", until cleared */
    ds_poller *keepalive;
};

/* Under the lock: queue TEXT for L and wake its connection. */
static void queue_locked(listener *l, const char *text)
{
    ds_buf_puts(&l->queue, text);
    if (l->suspended) {
        l->suspended = false;
        MHD_resume_connection(l->conn);
    }
}

static void keepalive(void *arg)
{
    ds_events *ev = arg;
    pthread_mutex_lock(&ev->lock);
    for (size_t i = 0; i < ev->n; i++)
        queue_locked(ev->items[i], ": keep-alive\n\n");
    pthread_mutex_unlock(&ev->lock);
}

void ds_events_mark_page(struct MHD_Response *r, const char *content_type)
{
    if (strncmp(content_type, "text/html", 9) == 0)
        MHD_add_response_header(r, "Server-Timing", DS_EVENTS_MARK);
}

ds_events *ds_events_start(ds_err *err)
{
    ds_events *ev = ds_xcalloc(1, sizeof *ev);
    pthread_mutex_init(&ev->lock, NULL);
    ev->keepalive = ds_poller_start(DS_EVENTS_KEEPALIVE_MS, keepalive, ev,
                                    "the live-reload keep-alive", err);
    if (!ev->keepalive) {
        pthread_mutex_destroy(&ev->lock);
        free(ev);
        return NULL;
    }
    return ev;
}

void ds_events_send(ds_events *ev, const char *name, const char *data)
{
    char *frame = ds_livemsg_frame(name, data);
    pthread_mutex_lock(&ev->lock);
    free(ev->last_error);
    ev->last_error = strcmp(name, "build-error") == 0 ? ds_strdup(frame) : NULL;
    for (size_t i = 0; i < ev->n; i++)
        queue_locked(ev->items[i], frame);
    pthread_mutex_unlock(&ev->lock);
    free(frame);
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
    listener *l = cls;
    (void)pos;
    ds_events *ev = l->ev;
    ssize_t n = 0;
    pthread_mutex_lock(&ev->lock);
    size_t left = l->queue.len - l->sent;
    if (left > 0) {
        n = (ssize_t)(left < max ? left : max);
        memcpy(buf, l->queue.data + l->sent, (size_t)n);
        l->sent += (size_t)n;
        if (l->sent == l->queue.len) {
            l->queue.len = 0;
            l->sent = 0;
        }
    } else if (ev->closed) {
        n = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        l->suspended = true;
        MHD_suspend_connection(l->conn);
    }
    pthread_mutex_unlock(&ev->lock);
    return n;
}

static void drop_listener(void *cls)
{
    listener *l = cls;
    ds_events *ev = l->ev;
    pthread_mutex_lock(&ev->lock);
    for (size_t i = 0; i < ev->n; i++)
        if (ev->items[i] == l) {
            ev->items[i] = ev->items[--ev->n];
            break;
        }
    pthread_mutex_unlock(&ev->lock);
    ds_buf_free(&l->queue);
    free(l);
}

static enum MHD_Result refuse(struct MHD_Connection *c, unsigned *status)
{
    static const char msg[] = "too many live-reload listeners\n";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "15");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_SERVICE_UNAVAILABLE, r);
    MHD_destroy_response(r);
    *status = MHD_HTTP_SERVICE_UNAVAILABLE;
    return ret;
}

enum MHD_Result ds_events_answer(ds_events *ev, struct MHD_Connection *c, unsigned *status)
{
    listener *l = ds_xcalloc(1, sizeof *l);
    l->ev = ev;
    l->conn = c;
    /* The browser retries a second after a lost stream (a restarted
     * serve); the error of a build that is still broken comes first. */
    ds_buf_puts(&l->queue, "retry: 1000\n\n");
    pthread_mutex_lock(&ev->lock);
    bool room = !ev->closed && ev->n < DS_EVENTS_MAX_LISTENERS;
    if (room) {
        if (ev->last_error)
            ds_buf_puts(&l->queue, ev->last_error);
        ev->items[ev->n++] = l;
    }
    pthread_mutex_unlock(&ev->lock);
    if (!room) {
        ds_buf_free(&l->queue);
        free(l);
        return refuse(c, status);
    }
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, read_events, l, drop_listener);
    if (!r) {
        drop_listener(l);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    /* nginx would otherwise buffer the stream. */
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    *status = MHD_HTTP_OK;
    return ret;
}

void ds_events_close(ds_events *ev)
{
    if (!ev)
        return;
    ds_poller_stop(ev->keepalive);
    ev->keepalive = NULL;
    pthread_mutex_lock(&ev->lock);
    ev->closed = true;
    for (size_t i = 0; i < ev->n; i++)
        queue_locked(ev->items[i], "");
    pthread_mutex_unlock(&ev->lock);
}

void ds_events_free(ds_events *ev)
{
    if (!ev)
        return;
    ds_poller_stop(ev->keepalive);
    free(ev->last_error);
    pthread_mutex_destroy(&ev->lock);
    free(ev);
}
