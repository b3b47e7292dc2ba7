/* deadline.h - watches over connections for two things libmicrohttpd
 * cannot see.
 *
 * The header deadline: a connection must deliver a complete
 * request head (request line and headers) within a fixed time of opening,
 * or of the previous answer being sent, however slowly its bytes trickle in.
 * libmicrohttpd's own timeout restarts with every byte, so a client that
 * drips one byte every few seconds would otherwise hold a connection for
 * ever; many such clients exhaust the server.
 *
 * The server registers each connection when libmicrohttpd accepts it and
 * tells when its head is complete and when its answer is done; a poller
 * thread shuts down the sockets of the connections that are late, and
 * libmicrohttpd then closes them as it would any broken connection. */
#ifndef DS_DEADLINE_H
#define DS_DEADLINE_H

#include <stdint.h>

#include "../util/util.h"

typedef struct ds_deadline ds_deadline;
typedef struct ds_deadline_conn ds_deadline_conn;

/* Starts the checker: a late head is one not complete LIMIT_MS after it
 * began (checked every CHECK_MS). */
ds_deadline *ds_deadline_start(unsigned limit_ms, unsigned check_ms, ds_err *err);

/* Stops the checker and frees what is left; NULL is fine.  Call after the
 * daemon is stopped (it removes every connection first). */
void ds_deadline_stop(ds_deadline *d);

/* A new connection on socket FD; its head starts now. */
ds_deadline_conn *ds_deadline_add(ds_deadline *d, int fd);

/* The head of the current request is complete: no deadline until the
 * answer is done. */
void ds_deadline_head_done(ds_deadline_conn *c);

/* The answer's body is sent from file descriptor FD (owned by the answer)
 * and needs the file to be at least END bytes long.  A file shrunk in
 * place meanwhile (`cp` over it) would stall the answer: sendfile finds
 * the end early and libmicrohttpd waits for bytes that never come, until
 * its idle timeout.  The checker then shuts the connection down instead, so
 * the client sees an incomplete answer at once and retries. */
void ds_deadline_body(ds_deadline *d, ds_deadline_conn *c, int fd, uint64_t end);

/* The answer is sent; the next request's head starts now (keep-alive).
 * Call before the answer (and its descriptor) is freed. */
void ds_deadline_answer_done(ds_deadline *d, ds_deadline_conn *c);

/* The connection is closing (before its socket is closed): forget it. */
void ds_deadline_remove(ds_deadline *d, ds_deadline_conn *c);

/* How many connections were shut down for being late (for tests, logs). */
uint64_t ds_deadline_expired(ds_deadline *d);

/* How many answers were cut because their file shrank. */
uint64_t ds_deadline_shrunk(ds_deadline *d);

#endif
