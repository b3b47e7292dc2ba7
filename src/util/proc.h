/* proc.h - child processes with pipes: one-shot runs (write stdin, collect
 * stdout) and long-lived children spoken to line by line.  stderr is always
 * inherited, so what a child prints there reaches the user. */
#ifndef DS_PROC_H
#define DS_PROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

typedef struct {
    pid_t pid;
    int in_fd;          /* we write the child's stdin here */
    int out_fd;         /* we read the child's stdout here */
    ds_buf pending;     /* stdout read; bytes before `start` are consumed */
    size_t start;       /* where the next line begins in pending */
    size_t scanned;     /* pending[start, scanned) is known to hold no newline */
} ds_proc;

/* Starts argv[0] (searched in PATH when it has no '/') in cwd, with
 * extra_env ("NAME=value" strings, NULL-terminated; may be NULL) added to
 * the environment. */
int ds_proc_spawn(char *const argv[], const char *cwd, char *const extra_env[], ds_proc *p,
                  ds_err *err);

/* Writes all of data to the child's stdin.  -1 if the child has gone. */
int ds_proc_write(ds_proc *p, const char *data, size_t len);

/* Reads one line (without the newline) from the child's stdout into *line
 * (caller frees).  Returns 0, or -1 at end of output. */
int ds_proc_read_line(ds_proc *p, char **line);

/* Closes the pipes and waits.  Returns the wait status. */
int ds_proc_finish(ds_proc *p);

/* Runs a child to completion: writes input to its stdin while collecting
 * its stdout.  *status is the wait status. */
int ds_proc_run(char *const argv[], const char *cwd, const char *input, ds_buf *out,
                int *status, ds_err *err);

/* "exited with status 3", "was killed by signal 11 (Segmentation fault)". */
char *ds_proc_describe_status(int status);

#endif
