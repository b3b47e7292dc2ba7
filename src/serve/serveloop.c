/* serveloop.c - `ducksite serve` (see serveloop.h).
 *
 * Builds the project first, serves ROOT/static, and rebuilds whenever
 * content/, sources_sql/, ducksite.toml, a plugin file, or a Parquet file or
 * folder below an upstream_glob's base changes (watch.c); a rebuild hands
 * its data map to the server directly, and a failed rebuild prints its
 * error and the last good build stays served.  Until the rebuild is done,
 * the server already refuses stored results whose data changed
 * (src/server/resultstore.c).  A folder with static/ but no ducksite.toml
 * is served as it is.
 *
 * Signals are handled without any handler or global state: they are
 * blocked before the server starts its threads (which inherit the mask),
 * and this thread collects them (signalfd, next to the change watcher),
 * then stops the server and returns. */
#include "serveloop.h"

#include <assert.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../auth/users.h"
#include "../config/config.h"
#include "../config/layout.h"
#include "../datamap/datamap.h"
#include "../server/server.h"
#include "../site/build.h"
#include "../site/memo.h"
#include "../site/prerender.h"
#include "../util/fs.h"
#include "../util/proc.h"
#include "livemsg.h"
#include "watch.h"

#define DS_SERVE_QUIET_MS 50
/* Changed paths a rebuild's first line names; more are counted. */
#define DS_SERVE_NAMED 3

/* The first build.  Returns 0 to go on serving (also after a failure when
 * a previous build is there to serve: *failed is set and err holds why),
 * or -1 with err. */
static int first_build(const char *root, ds_memo *memo, bool *failed, ds_err *err)
{
    ds_build_options bopt = {.memo = memo};
    if (ds_build(root, &bopt, err) == 0)
        return 0;
    *failed = true;
    char *static_dir = ds_path_join(root, DS_STATIC_DIR);
    char *map = ds_datamap_path(static_dir);
    free(static_dir);
    bool previous = ds_is_file(map);
    free(map);
    if (!previous)
        return -1;
    ds_error("%s", err->msg);
    ds_warn("serving the previous build; fix the error and save to rebuild");
    return 0;
}

/* A rebuild's map goes straight to the server: the file it just wrote is
 * not read back. */
static void hand_over_map(const ds_datamap *map, void *server)
{
    ds_server_publish_map(server, map);
}

/* The open pages whose outputs the rebuild changed reload (livemsg.h). */
static void tell_pages(const char *const *changed, size_t n, void *server)
{
    char *msg = ds_livemsg_reload(changed, n);
    if (msg)
        ds_server_event(server, "reload", msg);
    free(msg);
}

/* A failed build's error, shown over the open pages until a build works. */
static void show_error(ds_server *server, const char *msg)
{
    char *json = ds_livemsg_error(msg);
    ds_server_event(server, "build-error", json);
    free(json);
}

/* The [serve] keys whose values differ between A and B, "a, b" (appended
 * to OUT). */
static void serve_changes(const ds_serve_settings *a, const ds_serve_settings *b, ds_buf *out)
{
    bool hosts = a->n_allowed_hosts != b->n_allowed_hosts;
    for (size_t i = 0; !hosts && i < a->n_allowed_hosts; i++)
        hosts = strcasecmp(a->allowed_hosts[i], b->allowed_hosts[i]) != 0;
    const ds_live_settings *la = &a->live, *lb = &b->live;
    const struct {
        const char *key;
        bool changed;
    } keys[] = {
        {"allowed_hosts", hosts},
        {"live_queries", la->enabled != lb->enabled},
        {"live_timeout_ms", la->timeout_ms != lb->timeout_ms},
        {"live_max_rows", la->max_rows != lb->max_rows},
        {"live_max_bytes", la->max_bytes != lb->max_bytes},
        {"live_max_concurrent", la->max_concurrent != lb->max_concurrent},
        {"live_cache_bytes", la->cache_bytes != lb->cache_bytes},
        {"live_max_queued", la->max_queued != lb->max_queued},
        {"live_queue_ms", la->queue_ms != lb->queue_ms},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].changed)
            ds_buf_printf(out, "%s%s", out->len ? ", " : "", keys[i].key);
}

/* The [auth] keys other than site whose values differ between A and B. */
static void auth_changes(const ds_auth_settings *a, const ds_auth_settings *b, ds_buf *out)
{
    const struct {
        const char *key;
        bool changed;
    } keys[] = {
        {"session_hours", a->session_hours != b->session_hours},
        {"idle_minutes", a->idle_minutes != b->idle_minutes},
        {"max_failures", a->max_failures != b->max_failures},
        {"lockout_minutes", a->lockout_minutes != b->lockout_minutes},
        {"tls_proxy", a->tls_proxy != b->tls_proxy},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].changed)
            ds_buf_printf(out, "%s%s", out->len ? ", " : "", keys[i].key);
}

/* [auth] and [serve] are read once, when serve starts (STARTED; NULL when
 * they could not be read then): a rebuild that finds one changed says that
 * the running server still does what it did, rather than let a user
 * believe a site is now protected (or open), a host name answered, or its
 * live queries on (or off, or limited). */
static void warn_if_settings_changed(const char *root, ds_server *server,
                                     const ds_config *started)
{
    ds_config cfg;
    ds_err err;
    if (ds_config_load(root, &cfg, &err) != 0)
        return;
    bool on = ds_server_login(server) != NULL;
    if (cfg.auth.site != on)
        ds_warn("%s now says [auth] site = %s, but this server started with sign-in %s: restart "
                "ducksite serve for the change to take effect",
                cfg.display_path, cfg.auth.site ? "true" : "false", on ? "on" : "off");
    ds_buf serve = {0}, auth = {0};
    if (started) {
        serve_changes(&started->serve, &cfg.serve, &serve);
        auth_changes(&started->auth, &cfg.auth, &auth);
    }
    if (serve.len)
        ds_warn("%s: [serve] %s changed, but this server goes on with the values it started "
                "with: restart ducksite serve for the change to take effect",
                cfg.display_path, serve.data);
    if (auth.len)
        ds_warn("%s: [auth] %s changed, but this server goes on with the values it started "
                "with: restart ducksite serve for the change to take effect",
                cfg.display_path, auth.data);
    ds_buf_free(&serve);
    ds_buf_free(&auth);
    ds_config_free(&cfg);
}

/* What stops the second step of a two-step publish (prerender.h): an
 * edit waiting to be read, or a stop signal. */
typedef struct {
    int watch_fd, sig_fd;
    int done_fd; /* readable when the step has ended (for the interrupter) */
    ds_duck *db; /* the session the step's queries run in */
} stopper;

static bool stop_waiting(void *arg)
{
    const stopper *st = arg;
    struct pollfd p[2] = {{st->watch_fd, POLLIN, 0}, {st->sig_fd, POLLIN, 0}};
    return poll(p, 2, 0) > 0 && ((p[0].revents & POLLIN) || (p[1].revents & POLLIN));
}

/* Interrupts the query running when an edit or a stop signal arrives, so
 * a long stored result does not delay the next rebuild (or the stop); a
 * query that has not started yet is not run (stop_waiting). */
static void *interrupter(void *arg)
{
    const stopper *st = arg;
    struct pollfd p[3] = {{st->watch_fd, POLLIN, 0}, {st->sig_fd, POLLIN, 0},
                          {st->done_fd, POLLIN, 0}};
    while (poll(p, 3, -1) < 0)
        ;
    if (!(p[2].revents & (POLLIN | POLLHUP)))
        ds_duck_interrupt(st->db);
    return NULL;
}

/* One build of serve's, its map handed to the server and the pages it
 * changed told (DEFER: which step of a two-step publish). */
static int build_step(const char *root, ds_server *server, ds_memo *memo,
                      ds_prerender_defer *defer, ds_err *err)
{
    ds_build_options bopt = {.on_map = hand_over_map,
                             .on_map_arg = server,
                             .on_changed = tell_pages,
                             .on_changed_arg = server,
                             .memo = memo,
                             .defer = defer};
    return ds_build(root, &bopt, err);
}

/* A failed build said on the terminal and over the open pages. */
static void report_failure(ds_server *server, const char *msg)
{
    ds_error("%s", msg);
    ds_info("still serving the last good build");
    show_error(server, msg);
}

/* The first step of a rebuild after CHANGES (the watcher's paths): every
 * output but the stored results that would have to run, which are left
 * out when only pages or models changed (docs/serve.md, "Rebuild speed").
 * Returns how many were left out (stored results, *RESULTS of them, and
 * queries the browser's engine has not prepared), for the second step;
 * sets *failed. */
static size_t rebuild(const char *root, ds_server *server, ds_memo *memo, char **paths,
                      size_t n_paths, bool *failed, const ds_config *started, size_t *results)
{
    *results = 0;
    /* Pages and models leave the data map and views as they were
     * (memo.h); anything else rebuilds them. */
    bool kept = ds_memo_changed(memo, (const char *const *)paths, n_paths);
    ds_buf names = {0};
    for (size_t i = 0; i < n_paths && i < DS_SERVE_NAMED; i++)
        ds_buf_printf(&names, "%s%s", i ? ", " : "", paths[i]);
    if (n_paths > DS_SERVE_NAMED)
        ds_buf_printf(&names, " and %zu more", n_paths - DS_SERVE_NAMED);
    ds_info("%s changed: %s", names.data,
            kept ? "rebuilding what depends on it (data map and views kept)" : "rebuilding");
    ds_buf_free(&names);
    ds_prerender_defer defer = {.defer = kept};
    ds_err err;
    if (build_step(root, server, memo, &defer, &err) != 0) {
        report_failure(server, err.msg);
        *failed = true;
        return 0;
    }
    /* The pages have reloaded (tell_pages): now the overlay goes. */
    if (*failed)
        ds_server_event(server, "build-ok", "{}");
    *failed = false;
    warn_if_settings_changed(root, server, started);
    if (defer.deferred)
        ds_info("published; the stored results whose SQL changed run next (the open pages "
                "query them meanwhile)");
    else if (defer.engine_pending)
        ds_info("published; the browser's engine prepares the queries that changed next");
    *results = defer.deferred;
    return defer.deferred + defer.engine_pending;
}

/* The second step: the stored results the first left out are run and
 * published, and the pages that list them reload.  An edit arriving
 * meanwhile stops it (static/ stays as the first step published it).
 * Returns false when it must run again (it was stopped). */
static bool finish(const char *root, ds_server *server, ds_memo *memo, ds_watch *w,
                   int sig_fd, size_t n_left)
{
    if (n_left)
        ds_info("running the stored results left for later (%zu, and those that depend on "
                "them)",
                n_left);
    else
        ds_info("asking the browser's engine about the queries that changed");
    int done[2] = {-1, -1};
    ds_memo_front *front = ds_memo_front_get(memo);
    stopper st = {w ? ds_watch_fd(w) : -1, sig_fd, -1, front ? front->db : NULL};
    pthread_t thread;
    bool watching = st.db && pipe(done) == 0;
    for (int i = 0; watching && i < 2; i++)
        fcntl(done[i], F_SETFD, FD_CLOEXEC); /* a plugin a build runs must not hold it */
    st.done_fd = done[0];
    if (watching && pthread_create(&thread, NULL, interrupter, &st) != 0)
        watching = false;
    ds_prerender_defer defer = {.cancel = stop_waiting, .cancel_arg = &st};
    ds_err err;
    ds_proc_cancel_on(st.watch_fd); /* the charts' drawing (node) stops too */
    int rc = build_step(root, server, memo, &defer, &err);
    ds_proc_cancel_on(-1);
    if (done[1] >= 0)
        close(done[1]); /* the interrupter ends */
    if (watching)
        pthread_join(thread, NULL);
    if (done[0] >= 0)
        close(done[0]);
    if (rc == 0)
        return true;
    /* A query the interrupter stopped fails the build; that is no error of
     * the project's either. */
    if (defer.cancelled || stop_waiting(&st)) {
        ds_info("stored results: stopped for a newer edit");
        return false;
    }
    /* Not the project's fault (it built a moment ago): a write failed. */
    report_failure(server, err.msg);
    return true;
}

/* Waits for a stop signal, rebuilding on every change in between.  W (may
 * be NULL) was opened before the first build, so that changes made while
 * it ran are not lost. */
static void watch_and_rebuild(const char *root, ds_watch *w, int sig_fd, ds_server *server,
                              ds_memo *memo, bool failed, const ds_config *started)
{
    ds_err err;
    size_t later = 0;         /* what the last rebuild left out: stored results, and
                                 queries for the browser's engine */
    size_t later_results = 0; /* of which stored results */
    for (;;) {
        struct pollfd p[2] = {{sig_fd, POLLIN, 0}, {w ? ds_watch_fd(w) : -1, POLLIN, 0}};
        /* Edits first: the second step of a publish waits for none. */
        if (poll(p, 2, later ? 0 : -1) < 0)
            continue;
        if (p[0].revents & POLLIN)
            break;
        if (!(p[1].revents & POLLIN)) {
            if (later && finish(root, server, memo, w, sig_fd, later_results))
                later = 0;
            continue;
        }
        /* An editor's save (writes, a rename) takes a few ms; 50 ms of
         * quiet counts it once without making every save wait long. */
        char **paths;
        size_t n_paths;
        char *what = ds_watch_collect_all(w, DS_SERVE_QUIET_MS, &paths, &n_paths);
        if (!what)
            continue;
        free(what);
        /* Watch afresh before building: new folders and plugin files are
         * picked up, and edits made while the build runs are not lost. */
        ds_watch_close(w);
        w = ds_watch_open(root, &err);
        later = rebuild(root, server, memo, paths, n_paths, &failed, started, &later_results);
        ds_watch_paths_free(paths, n_paths);
    }
    ds_watch_close(w);
}

/* Blocks until SIGINT or SIGTERM (in the set STOP) arrives, rebuilding on
 * changes while W is open, and says which signal it was. */
static void wait_for_stop(const char *root, ds_watch *watch, const sigset_t *stop,
                          ds_server *server, ds_memo *memo, bool failed, const ds_config *started)
{
    int sig_fd = signalfd(-1, stop, SFD_CLOEXEC);
    if (watch && sig_fd >= 0)
        watch_and_rebuild(root, watch, sig_fd, server, memo, failed, started);
    else
        ds_watch_close(watch);
    struct signalfd_siginfo info = {0};
    while (sig_fd >= 0 && read(sig_fd, &info, sizeof info) < 0)
        ;
    if (sig_fd < 0) {
        int sig = 0;
        while (sigwait(stop, &sig) != 0)
            ;
        info.ssi_signo = (uint32_t)sig;
    }
    ds_info("%s received; stopping", info.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
}

/* The [auth] settings of CFG as the server takes them; false when the
 * site is served without sign-in.  Without settings (ducksite.toml could
 * not be read) a project that has users (auth/users.json) is served with
 * sign-in required and the default limits: it may have asked for it, and
 * opening it to everyone by mistake is the worse failure. */
static bool login_settings(const char *root, const ds_config *cfg, ds_login_options *out)
{
    ds_auth_settings defaults = {.session_hours = DS_DEFAULT_SESSION_HOURS,
                                 .idle_minutes = DS_DEFAULT_IDLE_MINUTES,
                                 .max_failures = DS_DEFAULT_MAX_FAILURES,
                                 .lockout_minutes = DS_DEFAULT_LOCKOUT_MINUTES};
    const ds_auth_settings *a = cfg ? &cfg->auth : &defaults;
    char *users = ds_users_path(root);
    bool has_users = ds_is_file(users);
    free(users);
    if (cfg && !a->site)
        return false;
    if (!cfg && !has_users)
        return false;
    if (!cfg)
        ds_warn("[auth] settings not read either, and this project has users: every page and "
                "data file needs a sign-in until serve restarts");
    else if (!has_users)
        ds_warn("[auth] site = true, but nobody can sign in yet: add a user with `ducksite "
                "user add EMAIL`");
    *out = (ds_login_options){
        .root = root,
        .session_seconds = a->session_hours * 3600,
        .idle_seconds = a->idle_minutes * 60,
        .max_failures = (unsigned)a->max_failures,
        .lockout_seconds = (unsigned)(a->lockout_minutes * 60 + 0.999),
        .tls_proxy = a->tls_proxy,
    };
    return true;
}

int ds_serveloop_run(const ds_serveloop_options *o, ds_err *err)
{
    assert(o && o->root && o->host);
    char *toml = ds_path_join(o->root, DS_CONFIG_FILE);
    bool has_config = ds_is_file(toml);
    bool project = has_config && !o->no_build;
    free(toml);
    ds_watch *watch = NULL;
    if (project && !o->no_watch) {
        ds_err werr;
        watch = ds_watch_open(o->root, &werr);
        if (!watch)
            ds_warn("%s; changes will not be rebuilt", werr.msg);
    }
    bool failed = false;
    /* Only a serve that rebuilds keeps anything between builds. */
    ds_memo *memo = watch ? ds_memo_new() : NULL;
    if (project && first_build(o->root, memo, &failed, err) != 0) {
        ds_memo_free(memo);
        ds_watch_close(watch);
        return -1;
    }

    ds_err first_err = {{0}}; /* a failed first build's, for the open pages */
    if (failed)
        first_err = *err;

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
    bool settings = true;
    if (has_config && ds_config_load(o->root, &cfg, err) != 0) {
        if (!project) {
            ds_memo_free(memo);
            ds_watch_close(watch);
            return -1;
        }
        settings = false;
        ds_warn("[serve] settings not read (see the error above): until serve restarts, only "
                "localhost, IP addresses and --host are answered");
    }
    if (settings && !cfg.serve.live.enabled && cfg.serve.live_key_line)
        ds_warn("%s:%d: serve.%s %s no effect while live_queries is off (its default): set "
                "live_queries = true in [serve], or remove %s",
                cfg.display_path, cfg.serve.live_key_line, cfg.serve.live_key,
                cfg.serve.n_live_keys > 1 ? "have" : "has",
                cfg.serve.n_live_keys > 1 ? "them" : "the key");
    ds_login_options login;
    bool sign_in = login_settings(o->root, settings ? &cfg : NULL, &login);
    ds_server_options sopt = {.root = o->root,
                              .host = o->host,
                              .port = o->port,
                              .access_log = o->access_log,
                              .allowed_hosts = (const char *const *)cfg.serve.allowed_hosts,
                              .n_allowed_hosts = cfg.serve.n_allowed_hosts,
                              .login = sign_in ? &login : NULL,
                              .live_reload = watch != NULL,
                              .live = settings ? &cfg.serve.live : NULL};
    ds_server *server = ds_server_start(&sopt, err);
    if (!server) {
        ds_config_free(&cfg);
        ds_memo_free(memo);
        ds_watch_close(watch);
        return -1;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("serving %s at %s\n", ds_server_static_dir(server), ds_server_url(server));
    fflush(stdout);

    if (failed && watch)
        show_error(server, first_err.msg);
    /* Kept to tell a changed [serve] or [auth] from the one the server runs. */
    wait_for_stop(o->root, watch, &stop, server, memo, failed, settings ? &cfg : NULL);
    ds_config_free(&cfg);
    ds_server_stop(server);
    ds_memo_free(memo);
    return 0;
}
