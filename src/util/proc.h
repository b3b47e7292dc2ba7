/* proc.h - child processes with pipes: one-shot runs (write stdin, collect
 * stdout) and long-lived children spoken to line by line.  stderr is always
 * inherited, so what a child prints there reaches the user.
 *
 * Each child leads its own process group and starts with default signal
 * dispositions and an empty signal mask, whatever ours are.  Whenever we
 * stop it early (time limit, output limit, or SIGINT/SIGTERM/SIGHUP sent to
 * us while we wait for it), the whole group is killed, so nothing it
 * started outlives it; so is whatever is left of the group when it ends. */
#ifndef DS_PROC_H
#define DS_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* Why a child was stopped before it finished on its own. */
typedef enum {
    DS_PROC_RUNNING = 0,     /* not stopped by us */
    DS_PROC_TIMED_OUT,       /* its time limit passed */
    DS_PROC_TOO_MUCH_OUTPUT, /* it wrote more than its output limit */
    DS_PROC_INTERRUPTED,     /* we received SIGINT, SIGTERM or SIGHUP */
} ds_proc_stop;

typedef struct {
    pid_t pid;          /* also the id of its process group */
    int in_fd;          /* we write the child's stdin here */
    int out_fd;         /* we read the child's stdout here */
    ds_buf pending;     /* stdout read; bytes before `start` are consumed */
    size_t start;       /* where the next line begins in pending */
    size_t scanned;     /* pending[start, scanned) is known to hold no newline */
    double deadline;    /* CLOCK_MONOTONIC seconds; 0 means none */
    size_t max_output;  /* bytes of stdout allowed since ds_proc_limit; 0: any */
    size_t output;      /* bytes of stdout read since ds_proc_limit */
    ds_proc_stop stop;  /* set when we stopped it */
} ds_proc;

/* Starts argv[0] (searched in PATH when it has no '/') in cwd, with
 * extra_env ("NAME=value" strings, NULL-terminated; may be NULL) added to
 * the environment.  No limits apply until ds_proc_limit. */
int ds_proc_spawn(char *const argv[], const char *cwd, char *const extra_env[], ds_proc *p,
                  ds_err *err);

/* From now on the child has `seconds` (0: no limit) to do its work and may
 * write max_output more bytes (0: no limit); a wait beyond either kills its
 * process group and fails with p->stop saying why.  Called again, both
 * start afresh (one request of a long-lived child). */
void ds_proc_limit(ds_proc *p, double seconds, size_t max_output);

/* Writes all of data to the child's stdin.  -1 if the child has gone or
 * was stopped (p->stop). */
int ds_proc_write(ds_proc *p, const char *data, size_t len);

/* Reads one line (without the newline) from the child's stdout into *line
 * (caller frees).  Returns 0, or -1 at end of output or when the child was
 * stopped (p->stop). */
int ds_proc_read_line(ds_proc *p, char **line);

/* Closes the pipes and waits for the child until its deadline (if any),
 * then kills what is left of its process group.  Returns the wait status. */
int ds_proc_finish(ds_proc *p);

/* Limits of a one-shot run; `stop` is filled in. */
typedef struct {
    double seconds;     /* 0: no time limit */
    size_t max_output;  /* bytes of stdout; 0: no limit */
    ds_proc_stop stop;  /* out: why it was stopped, or DS_PROC_RUNNING */
} ds_proc_limits;

/* Runs a child to completion: writes input to its stdin while collecting
 * its stdout.  *status is the wait status.  lim may be NULL. */
int ds_proc_run(char *const argv[], const char *cwd, const char *input, ds_proc_limits *lim,
                ds_buf *out, int *status, ds_err *err);

/* From now on, in the calling thread, a child is also stopped (as by a
 * stop signal: DS_PROC_INTERRUPTED) once FD is readable; -1: never.
 * `ducksite serve` stops the background half of a rebuild this way when a
 * newer edit arrives (docs/serve.md, "Rebuild speed"). */
void ds_proc_cancel_on(int fd);

/* "exited with status 3", "was killed by signal 11 (Segmentation fault)". */
char *ds_proc_describe_status(int status);

#endif
