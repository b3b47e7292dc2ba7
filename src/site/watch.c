/* watch.c - project change notification with inotify (see watch.h).
 *
 * inotify watches single directories, so content/ is walked and each
 * folder watched; watches are rebuilt from scratch after every change
 * (ds_watch_close + ds_watch_open), which also picks up new folders.  Only
 * the inputs of a build count: a plugin writing scratch files next to
 * itself, or the build writing static/, must not trigger another build. */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/config.h"
#include "../plugin/ref.h"
#include "../util/fs.h"

/* Which names in a watched directory matter. */
typedef enum { ANY_MD, ANY_SQL, ONLY_NAME, ANY_PY } watch_filter;

typedef struct {
    int wd;
    char *rel;              /* directory, relative to the project ("" = root) */
    watch_filter filter;
    char *name;             /* for ONLY_NAME */
} watch_dir;

struct ds_watch {
    int fd;
    watch_dir *dirs;
    size_t n, cap;
};

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

static void add_dir(ds_watch *w, const char *root, const char *rel, watch_filter filter,
                    const char *name)
{
    char *abs = ds_path_join(root, rel);
    int wd = inotify_add_watch(w->fd, abs, EVENTS | IN_ONLYDIR);
    free(abs);
    if (wd < 0)
        return; /* the folder does not exist (yet): nothing to watch */
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->dirs = ds_xrealloc(w->dirs, w->cap * sizeof *w->dirs);
    }
    w->dirs[w->n++] = (watch_dir){wd, ds_strdup(rel), filter, ds_strdup(name)};
}

static void add_tree(ds_watch *w, const char *root, const char *rel)
{
    add_dir(w, root, rel, ANY_MD, NULL);
    char *abs = ds_path_join(root, rel);
    DIR *d = opendir(abs);
    free(abs);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *child = ds_asprintf("%s/%s", rel, e->d_name);
        char *child_abs = ds_path_join(root, child);
        struct stat st;
        if (lstat(child_abs, &st) == 0 && S_ISDIR(st.st_mode))
            add_tree(w, root, child);
        free(child_abs);
        free(child);
    }
    if (d)
        closedir(d);
}

/* Plugin files named by the config: watch their folders for that file
 * (executables, .so) or for any .py (Python plugins import siblings). */
static void add_plugins(ds_watch *w, const char *root)
{
    ds_config cfg;
    ds_err err;
    if (ds_config_load(root, &cfg, &err) != 0)
        return;
    for (size_t i = 0; i < cfg.n_sources; i++) {
        ds_plugin_ref ref;
        if (!cfg.sources[i].plugin || ds_plugin_ref_parse(cfg.sources[i].plugin, &ref, &err) != 0)
            continue;
        if (ref.kind != DS_PLUGIN_PY_MODULE) {
            char *path = ds_path_join(cfg.root, ref.target);
            char *dir = ds_path_dirname(path);
            const char *base = strrchr(path, '/') + 1;
            bool py = ref.kind == DS_PLUGIN_PY_FILE;
            add_dir(w, "", dir, py ? ANY_PY : ONLY_NAME, py ? NULL : base);
            free(dir);
            free(path);
        }
        ds_plugin_ref_free(&ref);
    }
    ds_config_free(&cfg);
}

ds_watch *ds_watch_open(const char *root, ds_err *err)
{
    ds_watch *w = ds_xcalloc(1, sizeof *w);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        ds_err_set(err, "cannot watch %s for changes: %s", root, strerror(errno));
        free(w);
        return NULL;
    }
    add_dir(w, root, "", ONLY_NAME, DS_CONFIG_FILE);
    add_tree(w, root, "content");
    add_dir(w, root, "sources_sql", ANY_SQL, NULL);
    add_plugins(w, root);
    return w;
}

void ds_watch_close(ds_watch *w)
{
    if (!w)
        return;
    close(w->fd);
    for (size_t i = 0; i < w->n; i++) {
        free(w->dirs[i].rel);
        free(w->dirs[i].name);
    }
    free(w->dirs);
    free(w);
}

int ds_watch_fd(const ds_watch *w)
{
    return w->fd;
}

static bool relevant(const watch_dir *d, const struct inotify_event *ev)
{
    const char *name = ev->len ? ev->name : "";
    if (name[0] == '.')
        return false; /* editor swap files, our own temporary files */
    if ((ev->mask & IN_ISDIR) && d->filter == ANY_MD)
        return true; /* a folder of pages appeared or went */
    switch (d->filter) {
    case ANY_MD:
        return ds_ends_with(name, ".md");
    case ANY_SQL:
        return ds_ends_with(name, ".sql");
    case ANY_PY:
        return ds_ends_with(name, ".py");
    default:
        return d->name && strcmp(name, d->name) == 0;
    }
}

char *ds_watch_collect(ds_watch *w, int quiet_ms)
{
    char *first = NULL;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        struct pollfd p = {w->fd, POLLIN, 0};
        if (poll(&p, 1, quiet_ms) <= 0)
            return first; /* quiet (or interrupted): done */
        ssize_t n = read(w->fd, buf, sizeof buf);
        for (char *ptr = buf; n > 0 && ptr < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)ptr;
            ptr += sizeof *ev + ev->len;
            for (size_t i = 0; i < w->n && !first; i++)
                if (w->dirs[i].wd == ev->wd && relevant(&w->dirs[i], ev))
                    first = *w->dirs[i].rel ? ds_asprintf("%s/%s", w->dirs[i].rel, ev->name)
                                            : ds_strdup(ev->name);
        }
    }
}
