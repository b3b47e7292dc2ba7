/* proc.c - child processes with pipes (see proc.h).  Uses fork + execvp so
 * the child can chdir first; the child only calls async-signal-safe
 * functions before exec. */
#define _GNU_SOURCE /* pipe2 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int ds_proc_spawn(char *const argv[], const char *cwd, char *const extra_env[], ds_proc *p,
                  ds_err *err)
{
    memset(p, 0, sizeof *p);
    int in[2], out[2], report[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return ds_err_set(err, "cannot create a pipe: %s", strerror(errno));
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return ds_err_set(err, "cannot create a pipe: %s", strerror(errno));
    }
    /* The child's environment is prepared before fork. */
    size_t n_env = 0, n_extra = 0;
    while (environ[n_env])
        n_env++;
    while (extra_env && extra_env[n_extra])
        n_extra++;
    char **env = ds_xcalloc(n_env + n_extra + 1, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n_extra; i++)
        env[k++] = extra_env[i];
    for (size_t i = 0; i < n_env; i++) {
        bool overridden = false;
        for (size_t j = 0; j < n_extra && !overridden; j++) {
            const char *eq = strchr(extra_env[j], '=');
            size_t len = eq ? (size_t)(eq - extra_env[j]) + 1 : strlen(extra_env[j]);
            overridden = strncmp(environ[i], extra_env[j], len) == 0;
        }
        if (!overridden)
            env[k++] = environ[i];
    }

    pid_t pid = fork();
    if (pid == 0) {
        /* Ducksite ignores SIGPIPE; its children must not inherit that
         * (a shell pipeline in a plugin would print "Broken pipe"). */
        signal(SIGPIPE, SIG_DFL);
        dup2(in[0], 0);
        dup2(out[1], 1);
        int code = 0;
        if (cwd && chdir(cwd) != 0)
            code = errno;
        if (!code) {
            environ = env;
            execvp(argv[0], argv);
            code = errno;
        }
        /* Tell the parent why exec failed, then leave without cleanup. */
        ssize_t ignored = write(report[1], &code, sizeof code);
        (void)ignored;
        _exit(127);
    }
    free(env);
    close(in[0]);
    close(out[1]);
    close(report[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        close(report[0]);
        return ds_err_set(err, "cannot start %s: %s", argv[0], strerror(errno));
    }
    int code = 0;
    ssize_t got = read(report[0], &code, sizeof code);
    close(report[0]);
    if (got == (ssize_t)sizeof code) {
        close(in[1]);
        close(out[0]);
        waitpid(pid, NULL, 0);
        return ds_err_set(err, "cannot run %s: %s", argv[0], strerror(code));
    }
    p->pid = pid;
    p->in_fd = in[1];
    p->out_fd = out[0];
    return 0;
}

int ds_proc_write(ds_proc *p, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(p->in_fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int ds_proc_read_line(ds_proc *p, char **line)
{
    for (;;) {
        /* Only new bytes are searched, and consumed lines are skipped over
         * rather than moved: a manifest can be 100,000 lines. */
        size_t from = p->scanned > p->start ? p->scanned : p->start;
        char *nl = p->pending.data ? memchr(p->pending.data + from, '\n', p->pending.len - from)
                                   : NULL;
        if (nl) {
            size_t end = (size_t)(nl - p->pending.data);
            *line = ds_strndup(p->pending.data + p->start, end - p->start);
            p->start = p->scanned = end + 1;
            return 0;
        }
        p->scanned = p->pending.len;
        if (p->start > 0) { /* drop consumed bytes before reading more */
            memmove(p->pending.data, p->pending.data + p->start, p->pending.len - p->start);
            p->pending.len -= p->start;
            p->scanned -= p->start;
            p->start = 0;
        }
        char chunk[65536];
        ssize_t n = read(p->out_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        ds_buf_add(&p->pending, chunk, (size_t)n);
    }
}

int ds_proc_finish(ds_proc *p)
{
    int status = 0;
    if (p->in_fd > 0)
        close(p->in_fd);
    if (p->out_fd > 0)
        close(p->out_fd);
    p->in_fd = p->out_fd = -1;
    if (p->pid > 0)
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
        }
    p->pid = 0;
    ds_buf_free(&p->pending);
    return status;
}

int ds_proc_run(char *const argv[], const char *cwd, const char *input, ds_buf *out,
                int *status, ds_err *err)
{
    ds_proc p;
    if (ds_proc_spawn(argv, cwd, NULL, &p, err) != 0)
        return -1;
    /* Write and read at the same time so neither side can fill a pipe and
     * wait forever for the other. */
    size_t left = input ? strlen(input) : 0;
    if (left == 0) {
        close(p.in_fd);
        p.in_fd = -1;
    }
    if (p.in_fd >= 0)
        fcntl(p.in_fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        struct pollfd fds[2] = {{p.out_fd, POLLIN, 0}, {p.in_fd, POLLOUT, 0}};
        int n = poll(fds, left > 0 ? 2 : 1, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (left > 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(p.in_fd, input, left);
            if (w > 0) {
                input += w;
                left -= (size_t)w;
            }
            if (w < 0 && errno != EAGAIN && errno != EINTR)
                left = 0; /* the child stopped reading: fine */
            if (left == 0) {
                close(p.in_fd);
                p.in_fd = -1;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            char chunk[65536];
            ssize_t r = read(p.out_fd, chunk, sizeof chunk);
            if (r > 0)
                ds_buf_add(out, chunk, (size_t)r);
            else if (r == 0 || errno != EINTR)
                break;
        }
    }
    *status = ds_proc_finish(&p);
    return 0;
}

char *ds_proc_describe_status(int status)
{
    if (WIFEXITED(status))
        return ds_asprintf("exited with status %d", WEXITSTATUS(status));
    if (WIFSIGNALED(status))
        return ds_asprintf("was killed by signal %d (%s)", WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
    return ds_strdup("stopped");
}
