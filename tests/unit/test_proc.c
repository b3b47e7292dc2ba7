/* test_proc.c - child processes with pipes: line-by-line conversations,
 * one-shot runs that write stdin while reading stdout (no deadlock on big
 * data), exit statuses and signals described for users, cwd and extra
 * environment, failures to start, and no leaked descriptors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "util/proc.h"

/* Children that stop reading must not kill the test with SIGPIPE (the CLI
 * ignores it in main). */
static void ignore_sigpipe(void)
{
    signal(SIGPIPE, SIG_IGN);
}

TestSuite(proc, .init = ignore_sigpipe);

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs sh -c script with input; returns the wait status, out filled. */
static int run_sh(const char *script, const char *input, ds_buf *out)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    int status = -1;
    ds_err err;
    cr_assert_eq(ds_proc_run(argv, NULL, input, NULL, out, &status, &err), 0, "%s", err.msg);
    return status;
}

Test(proc, conversation_line_by_line)
{
    char *argv[] = {"cat", NULL}; /* found in PATH */
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    cr_assert_gt(p.pid, 0);
    char *line = NULL;
    cr_assert_eq(ds_proc_write(&p, "hello\n", 6), 0);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "hello");
    free(line);
    /* Two lines in one write come back one at a time; an empty line is a
     * line. */
    cr_assert_eq(ds_proc_write(&p, "one\n\ntwo\n", 9), 0);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "one");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "two");
    free(line);
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(proc, long_line_across_reads)
{
    /* A line longer than a pipe buffer and than one read, sent after the
     * child has read all of its input. */
    char *argv[] = {"/bin/sh", "-c",
                    "cat > /dev/null; head -c 300000 /dev/zero | tr '\\0' x; echo; echo after",
                    NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    size_t n = 300000;
    char *big = malloc(n);
    memset(big, 'y', n);
    cr_assert_eq(ds_proc_write(&p, big, n), 0);
    free(big);
    close(p.in_fd);
    p.in_fd = -1;
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_eq(strlen(line), n);
    cr_assert_eq(line[0], 'x');
    cr_assert_eq(line[n - 1], 'x');
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "after");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), -1, "end of output");
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(proc, read_line_at_end_of_output)
{
    char *argv[] = {"/bin/sh", "-c", "echo only", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "only");
    free(line);
    line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), -1);
    cr_assert_eq(ds_proc_read_line(&p, &line), -1, "still the end");
    ds_proc_finish(&p);
}

Test(proc, write_to_a_child_that_has_gone)
{
    char *argv[] = {"/bin/sh", "-c", "exit 0", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), -1); /* it has exited */
    /* Its stdin has no reader any more: the write fails instead of
     * killing us. */
    size_t n = 1 << 20;
    char *data = calloc(1, n);
    cr_assert_eq(ds_proc_write(&p, data, n), -1);
    free(data);
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(proc, finish_reports_exit_status)
{
    char *argv[] = {"/bin/sh", "-c", "exit 42", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), 42);
    char *d = ds_proc_describe_status(status);
    cr_assert_str_eq(d, "exited with status 42");
    free(d);
}

Test(proc, finish_closes_stdin_so_the_child_ends)
{
    /* cat only ends once its stdin is closed: finish must close it first,
     * then wait. */
    char *argv[] = {"/bin/sh", "-c", "cat > /dev/null", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    cr_assert_eq(ds_proc_write(&p, "data\n", 5), 0);
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(proc, describe_signal)
{
    ds_buf out = {0};
    int status = run_sh("kill -9 $$", NULL, &out);
    cr_assert(WIFSIGNALED(status));
    char *d = ds_proc_describe_status(status);
    cr_assert(strstr(d, "killed by signal 9") != NULL, "%s", d);
    cr_assert(strstr(d, "Killed") != NULL, "%s", d);
    free(d);
    status = run_sh("kill -SEGV $$", NULL, &out);
    d = ds_proc_describe_status(status);
    cr_assert_str_eq(d, "was killed by signal 11 (Segmentation fault)");
    free(d);
    ds_buf_free(&out);
}

Test(proc, describe_exit_zero)
{
    ds_buf out = {0};
    int status = run_sh("true", NULL, &out);
    char *d = ds_proc_describe_status(status);
    cr_assert_str_eq(d, "exited with status 0");
    free(d);
    ds_buf_free(&out);
}

Test(proc, cwd_is_used)
{
    char *dir = test_tmpdir();
    char *argv[] = {"/bin/sh", "-c", "pwd -P", NULL};
    ds_buf out = {0};
    int status = -1;
    ds_err err;
    cr_assert_eq(ds_proc_run(argv, dir, NULL, NULL, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_eq(status, 0);
    char *want = ds_asprintf("%s\n", dir);
    cr_assert_str_eq(ds_buf_str(&out), want);
    free(want);
    ds_buf_free(&out);
    test_rmtree(dir);
    free(dir);
}

Test(proc, missing_cwd_is_an_error)
{
    char *argv[] = {"/bin/sh", "-c", "true", NULL};
    ds_proc p;
    ds_err err;
    size_t before = open_fds();
    cr_assert_eq(ds_proc_spawn(argv, "/nonexistent/ducksite/dir", NULL, &p, &err), -1);
    cr_assert(strstr(err.msg, "/bin/sh") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file or directory") != NULL, "%s", err.msg);
    cr_assert_eq(open_fds(), before, "descriptors leaked");
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child was left behind");
}

Test(proc, extra_env_added_and_overriding)
{
    setenv("DS_PROC_TEST_KEEP", "kept", 1);
    setenv("DS_PROC_TEST_OVER", "old", 1);
    char *env[] = {"DS_PROC_TEST_NEW=new value", "DS_PROC_TEST_OVER=overridden", NULL};
    char *argv[] = {"/bin/sh", "-c",
                    "echo \"$DS_PROC_TEST_NEW|$DS_PROC_TEST_OVER|$DS_PROC_TEST_KEEP\"; "
                    "env | grep -c '^DS_PROC_TEST_OVER='",
                    NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, env, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "new value|overridden|kept");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "1", "the overridden variable appears once");
    free(line);
    ds_proc_finish(&p);
    /* Our own environment is unchanged. */
    cr_assert_str_eq(getenv("DS_PROC_TEST_OVER"), "old");
    cr_assert_null(getenv("DS_PROC_TEST_NEW"));
}

Test(proc, missing_program_is_an_error)
{
    size_t before = open_fds();
    char *argv[] = {"ducksite-no-such-program-xyz", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), -1);
    cr_assert(strstr(err.msg, "ducksite-no-such-program-xyz") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "No such file or directory") != NULL, "%s", err.msg);
    char *argv2[] = {"/nonexistent/bin/tool", NULL};
    ds_buf out = {0};
    int status = 0;
    cr_assert_eq(ds_proc_run(argv2, NULL, "input", NULL, &out, &status, &err), -1);
    cr_assert(strstr(err.msg, "/nonexistent/bin/tool") != NULL, "%s", err.msg);
    ds_buf_free(&out);
    cr_assert_eq(open_fds(), before, "descriptors leaked");
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "a child was left behind");
}

Test(proc, not_executable_is_an_error)
{
    char *dir = test_tmpdir();
    test_write(dir, "script.sh", "#!/bin/sh\necho hi\n"); /* mode 0644 */
    char *path = ds_path_join(dir, "script.sh");
    char *argv[] = {path, NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), -1);
    cr_assert(strstr(err.msg, "Permission denied") != NULL, "%s", err.msg);
    free(path);
    test_rmtree(dir);
    free(dir);
}

Test(proc, run_round_trips_big_input)
{
    /* 4 MB through cat: writing all of stdin before reading stdout would
     * deadlock once both pipes are full. */
    size_t n = 4u << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('A' + i % 23);
    big[n] = '\0';
    char *argv[] = {"cat", NULL};
    ds_buf out = {0};
    int status = -1;
    ds_err err;
    cr_assert_eq(ds_proc_run(argv, NULL, big, NULL, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_eq(status, 0);
    cr_assert_eq(out.len, n);
    cr_assert(memcmp(out.data, big, n) == 0);
    ds_buf_free(&out);
    free(big);
}

Test(proc, run_with_child_ignoring_stdin)
{
    /* The child exits without reading 4 MB of input: no hang, no SIGPIPE,
     * its output is still collected. */
    size_t n = 4u << 20;
    char *big = malloc(n + 1);
    memset(big, 'z', n);
    big[n] = '\0';
    ds_buf out = {0};
    int status = run_sh("echo done early", big, &out);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_str_eq(ds_buf_str(&out), "done early\n");
    ds_buf_free(&out);
    free(big);
}

Test(proc, run_without_input_gives_eof)
{
    ds_buf out = {0};
    int status = run_sh("cat; echo end", NULL, &out);
    cr_assert_eq(status, 0);
    cr_assert_str_eq(ds_buf_str(&out), "end\n");
    ds_buf_free(&out);
    status = run_sh("wc -c", "", &out);
    cr_assert_eq(status, 0);
    cr_assert(strstr(ds_buf_str(&out), "0") != NULL, "%s", ds_buf_str(&out));
    ds_buf_free(&out);
}

Test(proc, run_collects_output_and_status)
{
    ds_buf out = {0};
    int status = run_sh("read x; echo \"got $x\"; echo to-stderr >&2; exit 5", "value\n", &out);
    cr_assert(WIFEXITED(status));
    cr_assert_eq(WEXITSTATUS(status), 5);
    cr_assert_str_eq(ds_buf_str(&out), "got value\n", "stderr is not collected");
    ds_buf_free(&out);
}

Test(proc, run_large_output)
{
    ds_buf out = {0};
    int status = run_sh("head -c 1000000 /dev/zero | tr '\\0' q", "ignored", &out);
    cr_assert_eq(status, 0);
    cr_assert_eq(out.len, 1000000u);
    cr_assert_eq(out.data[999999], 'q');
    ds_buf_free(&out);
}

Test(proc, no_descriptor_leaks)
{
    size_t before = open_fds();
    for (int i = 0; i < 20; i++) {
        ds_buf out = {0};
        run_sh("cat", "x", &out);
        ds_buf_free(&out);
        char *argv[] = {"cat", NULL};
        ds_proc p;
        ds_err err;
        cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
        ds_proc_finish(&p);
    }
    cr_assert_eq(open_fds(), before);
}

Test(proc, children_do_not_inherit_each_others_pipes)
{
    /* If B inherited A's stdin pipe, closing our end would not give A an
     * end of file until B exits. */
    char *argv_a[] = {"cat", NULL};
    char *argv_b[] = {"/bin/sh", "-c", "sleep 3", NULL};
    ds_proc a, b;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv_a, NULL, NULL, &a, &err), 0, "%s", err.msg);
    cr_assert_eq(ds_proc_spawn(argv_b, NULL, NULL, &b, &err), 0, "%s", err.msg);
    double t0 = now_seconds();
    int status = ds_proc_finish(&a);
    double took = now_seconds() - t0;
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert_lt(took, 2.0, "finishing cat waited %.1f s for an unrelated child", took);
    kill(b.pid, SIGKILL);
    status = ds_proc_finish(&b);
    cr_assert(WIFSIGNALED(status));
}

Test(proc, child_does_not_keep_the_parents_pipe_ends)
{
    /* Our ends of the pipes (p.in_fd, p.out_fd) are not open in the child:
     * otherwise it would never see end of file on its stdin. */
    char *argv[] = {"/bin/sh", "-c", "read x; ls /proc/$$/fd", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    cr_assert_eq(ds_proc_write(&p, "go\n", 3), 0);
    char *line = NULL;
    while (ds_proc_read_line(&p, &line) == 0) {
        int fd = atoi(line);
        cr_assert(fd != p.in_fd && fd != p.out_fd, "the child has our descriptor %d open", fd);
        free(line);
    }
    int status = ds_proc_finish(&p);
    cr_assert_eq(status, 0);
}

Test(proc, children_get_default_sigpipe)
{
    /* We ignore SIGPIPE (as the CLI does); children must not inherit that,
     * or `producer | head -1` in an executable plugin makes the producer
     * fail with "Broken pipe" instead of ending quietly. */
    ds_buf out = {0};
    int status = run_sh("grep '^SigIgn:' /proc/self/status", NULL, &out);
    cr_assert_eq(status, 0);
    const char *hex = strchr(ds_buf_str(&out), ':');
    cr_assert_not_null(hex, "%s", ds_buf_str(&out));
    unsigned long long ignored = strtoull(hex + 1, NULL, 16);
    cr_expect_eq(ignored & (1ULL << (SIGPIPE - 1)), 0,
                 "SIGPIPE is ignored in the child (SigIgn:%s)", hex + 1);
    ds_buf_free(&out);
}

/* ---- process groups, limits and stop signals ----------------------------- */

/* Is pid gone (or a zombie nobody reaped yet, which runs nothing)? */
static bool process_gone(pid_t pid)
{
    char path[64], state = '?';
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return true;
    int n = fscanf(f, "%*d (%*[^)]) %c", &state);
    fclose(f);
    return n == 1 && (state == 'Z' || state == 'X');
}

/* Waits up to 5 s for pid to be gone: killed processes take a moment. */
static bool becomes_gone(pid_t pid)
{
    for (int i = 0; i < 500 && !process_gone(pid); i++)
        usleep(10000);
    return process_gone(pid);
}

/* The status line NAME of /proc/self/status as seen by a child. */
static unsigned long long child_status_mask(const char *name)
{
    char *script = ds_asprintf("grep '^%s:' /proc/self/status", name);
    ds_buf out = {0};
    int status = run_sh(script, NULL, &out);
    free(script);
    cr_assert_eq(status, 0);
    const char *hex = strchr(ds_buf_str(&out), ':');
    cr_assert_not_null(hex, "%s", ds_buf_str(&out));
    unsigned long long mask = strtoull(hex + 1, NULL, 16);
    ds_buf_free(&out);
    return mask;
}

Test(proc, children_get_an_empty_signal_mask_and_default_dispositions)
{
    /* `ducksite serve` blocks SIGTERM and SIGINT in every thread; a child
     * inheriting that could not be stopped with them. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    signal(SIGHUP, SIG_IGN);
    unsigned long long blocked = child_status_mask("SigBlk");
    unsigned long long ignored = child_status_mask("SigIgn");
    signal(SIGHUP, SIG_DFL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    cr_expect_eq(blocked, 0, "the child starts with signals blocked: %llx", blocked);
    cr_expect_eq(ignored & (1ULL << (SIGHUP - 1)), 0, "SIGHUP is ignored in the child");
}

Test(proc, child_leads_its_own_process_group)
{
    char *argv[] = {"/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_eq(atoi(line), (int)p.pid, "process group %s, child %d", line, (int)p.pid);
    cr_assert_neq(atoi(line), (int)getpgrp());
    free(line);
    ds_proc_finish(&p);
}

Test(proc, run_time_limit_kills_the_whole_group)
{
    /* A shell plugin that never ends, with a child of its own that keeps
     * stdout open: both must go. */
    char *argv[] = {"/bin/sh", "-c", "sleep 100 & echo $!; wait", NULL};
    ds_proc_limits lim = {0.5, 0, DS_PROC_RUNNING};
    ds_buf out = {0};
    int status = 0;
    ds_err err;
    double t0 = now_seconds();
    cr_assert_eq(ds_proc_run(argv, NULL, NULL, &lim, &out, &status, &err), 0, "%s", err.msg);
    double took = now_seconds() - t0;
    cr_assert_eq(lim.stop, DS_PROC_TIMED_OUT);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    cr_assert_lt(took, 4.0, "took %.1f s", took);
    pid_t sleeper = (pid_t)atoi(ds_buf_str(&out));
    cr_assert_gt(sleeper, 0, "%s", ds_buf_str(&out));
    cr_assert(becomes_gone(sleeper), "the plugin's child %d outlived it", (int)sleeper);
    ds_buf_free(&out);
}

Test(proc, run_without_limits_is_unchanged)
{
    ds_proc_limits lim = {0, 0, DS_PROC_RUNNING};
    char *argv[] = {"/bin/sh", "-c", "sleep 0.3; echo late", NULL};
    ds_buf out = {0};
    int status = -1;
    ds_err err;
    cr_assert_eq(ds_proc_run(argv, NULL, NULL, &lim, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_eq(lim.stop, DS_PROC_RUNNING);
    cr_assert_eq(status, 0);
    cr_assert_str_eq(ds_buf_str(&out), "late\n");
    ds_buf_free(&out);
}

Test(proc, run_output_limit)
{
    char *argv[] = {"/bin/sh", "-c", "cat /dev/zero", NULL};
    ds_proc_limits lim = {0, 1 << 20, DS_PROC_RUNNING};
    ds_buf out = {0};
    int status = 0;
    ds_err err;
    cr_assert_eq(ds_proc_run(argv, NULL, NULL, &lim, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_eq(lim.stop, DS_PROC_TOO_MUCH_OUTPUT);
    cr_assert_leq(out.len, (size_t)1 << 20, "kept %zu bytes", out.len);
    ds_buf_free(&out);
}

Test(proc, read_line_time_limit)
{
    char *argv[] = {"/bin/sh", "-c", "echo first; exec sleep 100", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    ds_proc_limit(&p, 0.3, 0);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "first");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), -1);
    cr_assert_eq(p.stop, DS_PROC_TIMED_OUT);
    int status = ds_proc_finish(&p);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

Test(proc, read_line_output_limit_counts_from_the_last_limit)
{
    char *argv[] = {"/bin/sh", "-c", "echo 0123456789; read x; echo 0123456789; cat /dev/zero",
                    NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    ds_proc_limit(&p, 0, 15);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    free(line);
    ds_proc_limit(&p, 0, 15); /* a new request: the count starts again */
    cr_assert_eq(ds_proc_write(&p, "go\n", 3), 0);
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    cr_assert_str_eq(line, "0123456789");
    free(line);
    cr_assert_eq(ds_proc_read_line(&p, &line), -1);
    cr_assert_eq(p.stop, DS_PROC_TOO_MUCH_OUTPUT);
    ds_proc_finish(&p);
}

Test(proc, write_time_limit)
{
    /* A child that never reads: writing more than a pipe holds would block
     * for ever. */
    char *argv[] = {"/bin/sh", "-c", "exec sleep 100", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    ds_proc_limit(&p, 0.3, 0);
    size_t n = 4u << 20;
    char *data = calloc(1, n);
    cr_assert_eq(ds_proc_write(&p, data, n), -1);
    free(data);
    cr_assert_eq(p.stop, DS_PROC_TIMED_OUT);
    ds_proc_finish(&p);
}

Test(proc, finish_kills_what_the_child_left_running)
{
    char *argv[] = {"/bin/sh", "-c", "sleep 100 >/dev/null & echo $!", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    pid_t sleeper = (pid_t)atoi(line);
    free(line);
    int status = ds_proc_finish(&p);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    cr_assert(becomes_gone(sleeper), "%d outlived the child that started it", (int)sleeper);
}

Test(proc, finish_kills_a_child_that_does_not_exit_after_its_deadline)
{
    /* It ignores the end of its input; once its time is up (plus a short
     * grace) it is killed instead of waited for. */
    char *argv[] = {"/bin/sh", "-c", "exec sleep 100", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    ds_proc_limit(&p, 0.1, 0);
    double t0 = now_seconds();
    int status = ds_proc_finish(&p);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    cr_assert_lt(now_seconds() - t0, 10.0);
}

Test(proc, stop_signal_while_waiting_kills_the_group)
{
    /* As under `ducksite serve`: SIGTERM is blocked and arrives while we
     * wait for a plugin.  The plugin's group is killed at once, and the
     * signal stays pending for its owner. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    char *argv[] = {"/bin/sh", "-c", "sleep 100 >/dev/null & echo $!; wait", NULL};
    ds_proc p;
    ds_err err;
    cr_assert_eq(ds_proc_spawn(argv, NULL, NULL, &p, &err), 0, "%s", err.msg);
    char *line = NULL;
    cr_assert_eq(ds_proc_read_line(&p, &line), 0);
    pid_t sleeper = (pid_t)atoi(line);
    free(line);
    kill(getpid(), SIGTERM);
    cr_assert_eq(ds_proc_read_line(&p, &line), -1);
    cr_assert_eq(p.stop, DS_PROC_INTERRUPTED);
    ds_proc_finish(&p);
    cr_assert(becomes_gone(sleeper));
    sigset_t pending;
    sigpending(&pending);
    cr_assert_eq(sigismember(&pending, SIGTERM), 1, "the signal was swallowed");
    struct timespec zero = {0, 0};
    cr_assert_eq(sigtimedwait(&set, NULL, &zero), SIGTERM);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

Test(proc, run_ends_when_the_child_exits_even_if_its_output_stays_open)
{
    /* A shell plugin that prints its answer and exits, leaving a process
     * behind that still has its stdout: the run ends with the child, with
     * the output complete, and the process left behind is killed. */
    char *argv[] = {"/bin/sh", "-c", "sleep 100 & echo $!; echo done", NULL};
    ds_proc_limits lim = {60, 0, DS_PROC_RUNNING};
    ds_buf out = {0};
    int status = -1;
    ds_err err;
    double t0 = now_seconds();
    cr_assert_eq(ds_proc_run(argv, NULL, NULL, &lim, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_lt(now_seconds() - t0, 10.0, "waited for the process left behind");
    cr_assert_eq(lim.stop, DS_PROC_RUNNING);
    cr_assert_eq(status, 0);
    pid_t sleeper = (pid_t)atoi(ds_buf_str(&out));
    cr_assert(strstr(ds_buf_str(&out), "\ndone\n") != NULL, "%s", ds_buf_str(&out));
    cr_assert(becomes_gone(sleeper), "%d outlived the run", (int)sleeper);
    ds_buf_free(&out);
}

/* A readable cancel descriptor stops a silent child at once, as a stop
 * signal does, and only in the thread that set it. */
Test(proc, cancel_descriptor_stops_the_child)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    char *argv[] = {"sleep", "10", NULL};
    ds_buf out = {0};
    int status = 0;
    ds_err err;
    ds_proc_limits lim = {20, 0, DS_PROC_RUNNING};
    cr_assert_eq(write(fds[1], "x", 1), 1);
    ds_proc_cancel_on(fds[0]);
    double t = ds_monotonic();
    int rc = ds_proc_run(argv, NULL, NULL, &lim, &out, &status, &err);
    ds_proc_cancel_on(-1);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(lim.stop, DS_PROC_INTERRUPTED);
    cr_assert_lt(ds_monotonic() - t, 5.0);
    /* Cleared: the next child runs to its end. */
    char *quick[] = {"true", NULL};
    ds_proc_limits lim2 = {20, 0, DS_PROC_RUNNING};
    cr_assert_eq(ds_proc_run(quick, NULL, NULL, &lim2, &out, &status, &err), 0, "%s", err.msg);
    cr_assert_eq(lim2.stop, DS_PROC_RUNNING);
    cr_assert_eq(WEXITSTATUS(status), 0);
    ds_buf_free(&out);
    close(fds[0]);
    close(fds[1]);
}
