/* proc.c - child processes with pipes (see proc.h).  Uses fork + execvp so
 * the child can chdir first; the child only calls async-signal-safe
 * functions before exec.
 *
 * Every wait for a child goes through one place (wait_ready, or the loops
 * of ds_proc_run and ds_proc_finish) that knows the child's deadline and
 * watches for stop signals.  Those signals are blocked only while we wait
 * and watched through a signalfd, so that we can kill the child's process
 * group first; when the wait ends the old mask comes back and the signal
 * takes its usual course: `ducksite build` dies of it, `ducksite serve`
 * (which blocks them for good) reads it from its own signalfd. */
#define _GNU_SOURCE /* pipe2, signalfd */
#include "proc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* How long a child whose deadline has passed (or that has none left) may
 * take to exit after we closed its stdin, before its group is killed. */
#define EXIT_GRACE_SECONDS 2.0

/* ---- stop signals -------------------------------------------------------- */

static void stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}

typedef struct {
    sigset_t old; /* the mask to restore */
    int fd;       /* readable while a stop signal is pending; -1 if none */
} stop_watch;

static void watch_begin(stop_watch *w)
{
    sigset_t set;
    stop_signals(&set);
    pthread_sigmask(SIG_BLOCK, &set, &w->old);
    w->fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The signal itself is left pending (never read from the signalfd): its
 * owner acts on it once the wait is over. */
static void watch_end(stop_watch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    pthread_sigmask(SIG_SETMASK, &w->old, NULL);
}

/* ds_proc_cancel_on's descriptor, per thread. */
static _Thread_local int cancel_fd = -1;

void ds_proc_cancel_on(int fd)
{
    cancel_fd = fd;
}

/* A stop signal is pending, or the thread's cancel descriptor is readable
 * (looked at whenever the child writes, exits or a slice of the wait ends). */
static bool stop_pending(void)
{
    struct pollfd c = {cancel_fd, POLLIN, 0};
    if (cancel_fd >= 0 && poll(&c, 1, 0) > 0 && (c.revents & POLLIN))
        return true;
    sigset_t pending, set;
    stop_signals(&set);
    if (sigpending(&pending) != 0)
        return false;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1 ||
           sigismember(&pending, SIGHUP) == 1;
}

/* Poll timeout until the deadline: -1 for none, 0 once it has passed.
 * Without a signalfd, waits are cut into slices to look for signals. */
static int remaining_ms(double deadline, const stop_watch *w)
{
    int ms = -1;
    if (deadline > 0) {
        double left = deadline - ds_monotonic();
        ms = left <= 0 ? 0 : left > 86400.0 ? 86400000 : (int)(left * 1000.0) + 1;
    }
    if (w->fd < 0 && (ms < 0 || ms > 100))
        ms = 100;
    return ms;
}

/* Kills the child's whole process group (and the child, should it have left
 * the group). */
static void stop_child(ds_proc *p, ds_proc_stop why)
{
    if (!p->stop)
        p->stop = why;
    if (p->pid <= 0)
        return; /* kill(0) or kill(-1) would hit us or everything */
    kill(-p->pid, SIGKILL);
    kill(p->pid, SIGKILL);
}

/* Waits until fd is ready for events.  -1 when the child had to be stopped
 * (deadline passed, stop signal) or was stopped before. */
static int wait_ready(ds_proc *p, int fd, short events)
{
    if (p->stop)
        return -1;
    stop_watch w;
    watch_begin(&w);
    int rc = -1;
    for (;;) {
        if (stop_pending()) {
            stop_child(p, DS_PROC_INTERRUPTED);
            break;
        }
        if (p->deadline > 0 && ds_monotonic() >= p->deadline) {
            stop_child(p, DS_PROC_TIMED_OUT);
            break;
        }
        struct pollfd f[2] = {{fd, events, 0}, {w.fd, POLLIN, 0}};
        if (poll(f, 2, remaining_ms(p->deadline, &w)) > 0 && f[0].revents) {
            rc = 0;
            break;
        }
    }
    watch_end(&w);
    return rc;
}

/* Counts output read; stops the child past its limit. */
static int count_output(ds_proc *p, size_t n)
{
    p->output += n;
    if (p->max_output && p->output > p->max_output) {
        stop_child(p, DS_PROC_TOO_MUCH_OUTPUT);
        return -1;
    }
    return 0;
}

/* ---- the child ---------------------------------------------------------- */

int ds_proc_spawn(char *const argv[], const char *cwd, char *const extra_env[], ds_proc *p,
                  ds_err *err)
{
    assert(argv && argv[0] && p);
    memset(p, 0, sizeof *p);
    int in[2], out[2], report[2];
    if (pipe2(in, O_CLOEXEC) != 0)
        return ds_err_set(err, "cannot create a pipe: %s", strerror(errno));
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return ds_err_set(err, "cannot create a pipe: %s", strerror(errno));
    }
    /* The child's environment and signal mask are prepared before fork. */
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
    sigset_t no_signals;
    sigemptyset(&no_signals);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;

    pid_t pid = fork();
    if (pid == 0) {
        /* Its own process group, so that it and everything it starts can
         * be killed together, and a terminal's Ctrl-C reaches only us
         * (we then kill the group).  Ignored signals and the signal mask
         * survive exec: ducksite ignores SIGPIPE (a shell pipeline in a
         * plugin would print "Broken pipe") and `serve` blocks SIGTERM (the
         * plugin could not be stopped); the child gets the defaults. */
        setpgid(0, 0);
        for (int sig = 1; sig < NSIG; sig++)
            sigaction(sig, &dfl, NULL); /* fails harmlessly for KILL, STOP */
        sigprocmask(SIG_SETMASK, &no_signals, NULL);
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
    /* Also here, so that the group exists before we can need to kill it
     * (fails harmlessly once the child has exec'd). */
    setpgid(pid, pid);
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
    /* Writes wait in poll, where the deadline and stop signals are seen. */
    fcntl(p->in_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

void ds_proc_limit(ds_proc *p, double seconds, size_t max_output)
{
    assert(p->pid > 0 && seconds >= 0);
    p->deadline = seconds > 0 ? ds_monotonic() + seconds : 0;
    p->max_output = max_output;
    p->output = 0;
}

int ds_proc_write(ds_proc *p, const char *data, size_t len)
{
    assert(p->pid > 0 && (data || len == 0)); /* a spawned child */
    while (len > 0) {
        if (p->stop || p->in_fd < 0)
            return -1;
        ssize_t n = write(p->in_fd, data, len);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EAGAIN) {
            if (wait_ready(p, p->in_fd, POLLOUT) != 0)
                return -1;
        } else if (!(n < 0 && errno == EINTR)) {
            return -1;
        }
    }
    return 0;
}

int ds_proc_read_line(ds_proc *p, char **line)
{
    assert(p->pid > 0 && line);
    /* Lines are consumed from pending[start..], never past its end. */
    assert(p->start <= p->pending.len && p->scanned <= p->pending.len);
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
        if (p->out_fd < 0 || wait_ready(p, p->out_fd, POLLIN) != 0)
            return -1;
        char chunk[65536];
        ssize_t n = read(p->out_fd, chunk, sizeof chunk);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0 || count_output(p, (size_t)n) != 0)
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
    if (p->pid > 0) {
        /* Wait for it to exit without reaping it, so that its group id
         * cannot be reused before we kill what is left of the group. */
        double deadline = p->deadline;
        if (deadline > 0 && deadline < ds_monotonic() + EXIT_GRACE_SECONDS)
            deadline = ds_monotonic() + EXIT_GRACE_SECONDS;
        stop_watch w;
        watch_begin(&w);
        for (;;) {
            siginfo_t si;
            memset(&si, 0, sizeof si);
            int r = waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT);
            if (r != 0 && errno == EINTR)
                continue;
            if (r != 0 || si.si_pid == p->pid)
                break;
            if (!p->stop && stop_pending())
                stop_child(p, DS_PROC_INTERRUPTED);
            else if (!p->stop && deadline > 0 && ds_monotonic() >= deadline)
                stop_child(p, DS_PROC_TIMED_OUT);
            /* Sleeps 10 ms, or less when a stop signal comes. */
            struct pollfd f = {w.fd, POLLIN, 0};
            poll(&f, w.fd >= 0 ? 1 : 0, 10);
        }
        kill(-p->pid, SIGKILL); /* whatever it started and left running */
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
        }
        watch_end(&w);
    }
    p->pid = 0;
    ds_buf_free(&p->pending);
    return status;
}

/* Has the child exited (it is left unreaped)? */
static bool child_exited(const ds_proc *p)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == p->pid;
}

int ds_proc_run(char *const argv[], const char *cwd, const char *input, ds_proc_limits *lim,
                ds_buf *out, int *status, ds_err *err)
{
    ds_proc p;
    if (ds_proc_spawn(argv, cwd, NULL, &p, err) != 0)
        return -1;
    /* Readable once the child exits: a process it left running may keep
     * its stdout open, and its output is complete when it exits anyway.
     * Without pidfds (Linux < 5.3) the wait is cut into 100 ms slices. */
    int exit_fd = (int)syscall(SYS_pidfd_open, p.pid, 0);
    fcntl(p.out_fd, F_SETFL, O_NONBLOCK);
    if (lim)
        ds_proc_limit(&p, lim->seconds, lim->max_output);
    /* Write and read at the same time so neither side can fill a pipe and
     * wait forever for the other. */
    size_t left = input ? strlen(input) : 0;
    if (left == 0) {
        close(p.in_fd);
        p.in_fd = -1;
    }
    stop_watch w;
    watch_begin(&w);
    for (;;) {
        if (stop_pending()) {
            stop_child(&p, DS_PROC_INTERRUPTED);
            break;
        }
        if (p.deadline > 0 && ds_monotonic() >= p.deadline) {
            stop_child(&p, DS_PROC_TIMED_OUT);
            break;
        }
        struct pollfd fds[5] = {{p.out_fd, POLLIN, 0},
                                {w.fd, POLLIN, 0},
                                {exit_fd, POLLIN, 0},
                                {left > 0 ? p.in_fd : -1, POLLOUT, 0},
                                {cancel_fd, POLLIN, 0}};
        int ms = remaining_ms(p.deadline, &w);
        if (exit_fd < 0 && (ms < 0 || ms > 100))
            ms = 100;
        int n = poll(fds, 5, ms);
        bool exited = (exit_fd >= 0 ? fds[2].revents != 0 : n == 0) && child_exited(&p);
        if (exited) {
            /* Take what it wrote, then stop reading. */
            char chunk[65536];
            ssize_t r;
            while ((r = read(p.out_fd, chunk, sizeof chunk)) > 0 &&
                   count_output(&p, (size_t)r) == 0)
                ds_buf_add(out, chunk, (size_t)r);
            break;
        }
        if (n <= 0)
            continue;
        if (left > 0 && (fds[3].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t wr = write(p.in_fd, input, left);
            if (wr > 0) {
                input += wr;
                left -= (size_t)wr;
            }
            if (wr < 0 && errno != EAGAIN && errno != EINTR)
                left = 0; /* the child stopped reading: fine */
            if (left == 0) {
                close(p.in_fd);
                p.in_fd = -1;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            char chunk[65536];
            ssize_t r = read(p.out_fd, chunk, sizeof chunk);
            if (r > 0) {
                if (count_output(&p, (size_t)r) != 0)
                    break;
                ds_buf_add(out, chunk, (size_t)r);
            } else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
                break;
            }
        }
    }
    watch_end(&w);
    if (exit_fd >= 0)
        close(exit_fd);
    if (lim)
        lim->stop = p.stop;
    *status = ds_proc_finish(&p);
    if (lim && !lim->stop)
        lim->stop = p.stop; /* it closed its output but did not exit in time */
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
