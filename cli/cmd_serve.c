/* cmd_serve.c - `ducksite serve [--root DIR] [--host H] [--port N] [--access-log]
 * [--no-build] [--no-watch]`.
 *
 * Builds the project first, serves ROOT/static, and rebuilds whenever
 * content/, sources_sql/, ducksite.toml, a plugin file, or a Parquet file or
 * folder below an upstream_glob's base changes (src/site/watch.c); a
 * rebuild hands its data map to the server directly, and a failed rebuild
 * prints its error and the last good build stays served.  Until the
 * rebuild is done, the server already refuses stored results whose data
 * changed (src/server/resultstore.c).  A folder with static/ but no
 * ducksite.toml is served as it is.
 *
 * Signals are handled without any handler or global state: they are
 * blocked before the server starts its threads (which inherit the mask),
 * and this thread collects them (signalfd, next to the change watcher),
 * then stops the server and exits 0. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli.h"
#include "config/config.h"
#include "config/layout.h"
#include "datamap/datamap.h"
#include "server/server.h"
#include "site/build.h"
#include "serve/watch.h"
#include "util/fs.h"
#include "util/util.h"

/* The first build.  Returns 0 to go on serving, or an exit code. */
static int first_build(const char *root)
{
    ds_build_options bopt = {false};
    ds_err err;
    if (ds_build(root, &bopt, &err) == 0)
        return -1;
    cli_error(err.msg);
    char *static_dir = ds_path_join(root, DS_STATIC_DIR);
    char *map = ds_datamap_path(static_dir);
    free(static_dir);
    bool previous = ds_is_file(map);
    free(map);
    if (!previous)
        return DS_EXIT_ERROR;
    ds_warn("serving the previous build; fix the error and save to rebuild");
    return -1;
}

/* A rebuild's map goes straight to the server: the file it just wrote is
 * not read back. */
static void hand_over_map(const ds_datamap *map, void *server)
{
    ds_server_publish_map(server, map);
}

/* Waits for a stop signal, rebuilding on every change in between.  W (may
 * be NULL) was opened before the first build, so that changes made while
 * it ran are not lost. */
static void watch_and_rebuild(const char *root, ds_watch *w, int sig_fd, ds_server *server)
{
    ds_err err;
    for (;;) {
        struct pollfd p[2] = {{sig_fd, POLLIN, 0}, {w ? ds_watch_fd(w) : -1, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[0].revents & POLLIN)
            break;
        if (!(p[1].revents & POLLIN))
            continue;
        char *what = ds_watch_collect(w, 200);
        if (!what)
            continue;
        ds_info("%s changed: rebuilding", what);
        free(what);
        /* Watch afresh before building: new folders and plugin files are
         * picked up, and edits made while the build runs are not lost. */
        ds_watch_close(w);
        w = ds_watch_open(root, &err);
        ds_build_options bopt = {.on_map = hand_over_map, .on_map_arg = server};
        if (ds_build(root, &bopt, &err) != 0) {
            cli_error(err.msg);
            ds_info("still serving the last good build");
        }
    }
    ds_watch_close(w);
}

int cmd_serve(int argc, char **argv)
{
    const char *root = ".", *host = "127.0.0.1", *port_text = "8080";
    bool access_log = false, no_build = false, no_watch = false;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory; serves DIR/static (default: .)", &root, NULL},
        {"--host", "ADDR", "address to listen on (default: 127.0.0.1)", &host, NULL},
        {"--port", "N", "port to listen on, 0 for any free port (default: 8080)", &port_text,
         NULL},
        {"--access-log", NULL, "print one line per request on stdout", NULL, &access_log},
        {"--no-build", NULL, "serve static/ as it is: no build first, no rebuilds", NULL,
         &no_build},
        {"--no-watch", NULL, "build once, then do not rebuild on changes", NULL, &no_watch},
    };
    int rc = cli_parse(cli_command_named("serve"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    char *end;
    unsigned long port = strtoul(port_text, &end, 10);
    if (*port_text < '0' || *port_text > '9' || *end || port > 65535) {
        fprintf(stderr, "ducksite serve: --port must be a number from 0 to 65535, not '%s'\n",
                port_text);
        return DS_EXIT_USAGE;
    }

    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    bool has_config = ds_is_file(toml);
    bool project = has_config && !no_build;
    free(toml);
    ds_watch *watch = NULL;
    if (project && !no_watch) {
        ds_err werr;
        watch = ds_watch_open(root, &werr);
        if (!watch)
            ds_warn("%s; changes will not be rebuilt", werr.msg);
    }
    if (project && (rc = first_build(root)) >= 0) {
        ds_watch_close(watch);
        return rc;
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    /* A client that goes away mid-sendfile must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    /* [serve] settings, read once at start.  After a failed first build
     * (its error is printed, and the previous build is served until a fix
     * is saved) they cannot be read either: serving goes on without them,
     * and says so. */
    ds_config cfg = {0};
    ds_err err;
    if (has_config && ds_config_load(root, &cfg, &err) != 0) {
        if (!project) {
            ds_watch_close(watch);
            cli_error(err.msg);
            return DS_EXIT_ERROR;
        }
        ds_warn("[serve] settings not read (see the error above): until serve restarts, only "
                "localhost, IP addresses and --host are answered");
    }
    ds_server_options opt = {root, host, (unsigned)port, access_log, 0, 0,
                             (const char *const *)cfg.serve.allowed_hosts,
                             cfg.serve.n_allowed_hosts};
    ds_server *server = ds_server_start(&opt, &err);
    ds_config_free(&cfg);
    if (!server) {
        ds_watch_close(watch);
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("serving %s at %s\n", ds_server_static_dir(server), ds_server_url(server));
    fflush(stdout);

    int sig_fd = signalfd(-1, &stop, SFD_CLOEXEC);
    if (watch && sig_fd >= 0)
        watch_and_rebuild(root, watch, sig_fd, server);
    else
        ds_watch_close(watch);
    struct signalfd_siginfo info = {0};
    while (sig_fd >= 0 && read(sig_fd, &info, sizeof info) < 0)
        ;
    if (sig_fd < 0) {
        int sig = 0;
        while (sigwait(&stop, &sig) != 0)
            ;
        info.ssi_signo = (uint32_t)sig;
    }
    ds_info("%s received; stopping", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
    ds_server_stop(server);
    return DS_EXIT_OK;
}
