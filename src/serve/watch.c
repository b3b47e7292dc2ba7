/* watch.c - project change notification with inotify (see watch.h).
 *
 * inotify watches single directories, so content/ and the base folder of
 * every upstream_glob are walked and each folder watched; watches are
 * rebuilt from scratch after every change (ds_watch_close +
 * ds_watch_open), which also picks up new folders.  Only the inputs of a
 * build count: a plugin writing scratch files next to itself, or the build
 * writing static/, must not trigger another build.
 *
 * A lake can hold thousands of folders, so its walk reads each folder once
 * (readdir's d_type, an lstat only when the file system does not fill it
 * in) and adds one watch per folder.  When the per-user limit
 * (fs.inotify.max_user_watches) is reached, one warning says so and the
 * rest of the lake goes unwatched; the project's own folders are watched
 * first, so page edits are still noticed. */
#include "watch.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/layout.h"
#include "../datamap/glob.h"
#include "../plugin/ref.h"
#include "../util/fs.h"
#include "../util/walk.h"

/* Which names in a watched directory matter. */
typedef enum { ANY_MD, ANY_SQL, ONLY_NAME, ANY_PY, LAKE } watch_filter;

typedef struct {
    int wd;
    char *rel; /* directory, relative to the project ("" = root), or absolute */
    watch_filter filter;
    char *name; /* for ONLY_NAME */
} watch_dir;

struct ds_watch {
    int fd;
    watch_dir *dirs;
    size_t n, cap;
    bool full; /* the inotify watch limit was reached (warned once) */
};

#define EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

/* Watches one folder; false when it could not be watched. */
static bool add_dir(ds_watch *w, const char *root, const char *rel, watch_filter filter,
                    const char *name)
{
    if (w->full)
        return false;
    char *abs = ds_path_join(root, rel);
    int wd = inotify_add_watch(w->fd, abs, EVENTS | IN_ONLYDIR);
    if (wd < 0 && errno == ENOSPC) {
        w->full = true;
        ds_warn("cannot watch %s: the limit of inotify watches is reached "
                "(sysctl fs.inotify.max_user_watches); changes in folders not yet watched "
                "will not trigger a rebuild",
                abs);
    }
    free(abs);
    if (wd < 0)
        return false; /* the folder does not exist (yet): nothing to watch */
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->dirs = ds_xrealloc(w->dirs, w->cap * sizeof *w->dirs);
    }
    w->dirs[w->n++] = (watch_dir){wd, ds_strdup(rel), filter, ds_strdup(name)};
    return true;
}

typedef struct {
    ds_watch *w;
    const char *root, *rel;
} tree_ctx;

/* A folder below content/ is watched for pages. */
static int add_tree_dir(const ds_walk_item *it, void *arg)
{
    tree_ctx *t = arg;
    if (it->type == DS_WALK_DIR) {
        char *child = ds_asprintf("%s/%s", t->rel, it->rel);
        add_dir(t->w, t->root, child, ANY_MD, NULL);
        free(child);
    }
    return 0;
}

static void add_tree(ds_watch *w, const char *root, const char *rel)
{
    add_dir(w, root, rel, ANY_MD, NULL);
    char *abs = ds_path_join(root, rel);
    tree_ctx t = {w, root, rel};
    ds_walk(abs, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, add_tree_dir, &t);
    free(abs);
}

/* The folder of module plugin NAME ("pkg.sales") under the project root,
 * which the plugin host puts first on sys.path: pkg/sales.py or
 * pkg/sales/__init__.py.  NULL for a module found elsewhere (an installed
 * package), which is not watched. */
static char *module_dir(const char *root, const char *name)
{
    char *rel = ds_strdup(name);
    for (char *p = rel; *p; p++)
        if (*p == '.')
            *p = '/';
    char *file = ds_asprintf("%s/%s.py", root, rel);
    char *package = ds_asprintf("%s/%s/__init__.py", root, rel);
    char *dir = ds_is_file(file)      ? ds_path_dirname(file)
                : ds_is_file(package) ? ds_path_dirname(package)
                                      : NULL;
    free(package);
    free(file);
    free(rel);
    return dir;
}

/* Plugin files named by the config: watch their folders for that file
 * (executables, .so) or for any .py (Python plugins import siblings; a
 * module plugin's own folder under the project root too).  The files a
 * plugin publishes are not watched: only running the plugin says which
 * they are. */
static void add_plugins(ds_watch *w, const ds_config *cfg)
{
    ds_err err;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        ds_plugin_ref ref;
        if (!cfg->sources[i].plugin || ds_plugin_ref_parse(cfg->sources[i].plugin, &ref, &err) != 0)
            continue;
        if (ref.kind != DS_PLUGIN_PY_MODULE) {
            char *path = ds_path_join(cfg->root, ref.target);
            char *dir = ds_path_dirname(path);
            const char *base = strrchr(path, '/') + 1;
            bool py = ref.kind == DS_PLUGIN_PY_FILE;
            add_dir(w, "", dir, py ? ANY_PY : ONLY_NAME, py ? NULL : base);
            free(dir);
            free(path);
        } else {
            char *dir = module_dir(cfg->root, ref.target);
            if (dir)
                add_dir(w, "", dir, ANY_PY, NULL);
            free(dir);
        }
        ds_plugin_ref_free(&ref);
    }
}

/* True when PATH is DIR or below it. */
static bool is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/' || dir[n - 1] == '/');
}

typedef struct {
    ds_watch *w;
    const char *static_dir;
} lake_ctx;

/* Watches a lake folder; false when it is left out or cannot be watched. */
static bool add_lake_dir(ds_watch *w, const char *abs, const char *static_dir)
{
    return !is_under(abs, static_dir) && add_dir(w, "", abs, LAKE, NULL);
}

static int add_lake_entry(const ds_walk_item *it, void *arg)
{
    lake_ctx *l = arg;
    if (l->w->full)
        return -1;
    if (it->type != DS_WALK_DIR)
        return 0;
    return add_lake_dir(l->w, it->path, l->static_dir) ? 0 : DS_WALK_SKIP;
}

/* A lake folder and every folder below it, as the glob walk sees them:
 * dot-folders included, symlinked folders not followed, static/ (the
 * build's output, which may sit inside a glob's base) left out. */
static void add_lake_tree(ds_watch *w, const char *abs, const char *static_dir)
{
    lake_ctx l = {w, static_dir};
    if (add_lake_dir(w, abs, static_dir))
        ds_walk(abs, DS_WALK_RECURSE, add_lake_entry, &l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The base folder of every upstream_glob, each walked once even when
 * several sources share it or one base lies inside another. */
static void add_lakes(ds_watch *w, const ds_config *cfg)
{
    char **bases = ds_xcalloc(cfg->n_sources + 1, sizeof *bases);
    size_t n = 0;
    ds_err err;
    for (size_t i = 0; i < cfg->n_sources; i++)
        if (cfg->sources[i].upstream_glob &&
            (bases[n] = ds_glob_base(cfg->sources[i].upstream_glob, cfg->root, &err)) != NULL)
            n++;
    qsort(bases, n, sizeof *bases, cmp_str);
    char *static_dir = ds_path_join(cfg->root, DS_STATIC_DIR);
    for (size_t i = 0, last = 0; i < n; i++) {
        if (i == 0 || !is_under(bases[i], bases[last])) {
            add_lake_tree(w, bases[i], static_dir);
            last = i;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(bases[i]);
    free(bases);
    free(static_dir);
}

ds_watch *ds_watch_open(const char *root, ds_err *err)
{
    assert(root);
    ds_watch *w = ds_xcalloc(1, sizeof *w);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        ds_err_set(err, "cannot watch %s for changes: %s", root, strerror(errno));
        free(w);
        return NULL;
    }
    add_dir(w, root, "", ONLY_NAME, DS_CONFIG_FILE);
    add_tree(w, root, DS_CONTENT_DIR);
    add_dir(w, root, DS_SOURCES_SQL_DIR, ANY_SQL, NULL);
    ds_config cfg;
    ds_err cfg_err;
    if (ds_config_load(root, &cfg, &cfg_err) == 0) {
        add_plugins(w, &cfg);
        add_lakes(w, &cfg); /* last: if the watch limit is hit, it is hit here */
        ds_config_free(&cfg);
    }
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

/* A lake file counts once it is complete: when closed after writing or
 * moved in, and when deleted or moved away.  Its creation alone does not (a
 * rebuild would read it half-written), except for a symlink, which is
 * complete when it is created. */
static bool lake_relevant(const watch_dir *d, const struct inotify_event *ev, const char *name)
{
    if (ev->mask & IN_ISDIR)
        return true; /* a folder appeared or went: files may have come with it */
    if (!ds_ends_with(name, ".parquet"))
        return false;
    if (!(ev->mask & IN_CREATE))
        return true;
    char *path = ds_path_join(d->rel, name);
    struct stat st;
    bool link = lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
    free(path);
    return link;
}

static bool relevant(const watch_dir *d, const struct inotify_event *ev)
{
    const char *name = ev->len ? ev->name : "";
    if (d->filter == LAKE)
        return lake_relevant(d, ev, name); /* the glob matches dot-files too */
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

/* Adds PATH to the list unless it is there already. */
static void add_path(char ***paths, size_t *n, char *path)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*paths)[i], path) == 0) {
            free(path);
            return;
        }
    *paths = ds_xrealloc(*paths, (*n + 2) * sizeof **paths);
    (*paths)[(*n)++] = path;
    (*paths)[*n] = NULL;
}

char *ds_watch_collect_all(ds_watch *w, int quiet_ms, char ***paths, size_t *n_paths)
{
    assert(w && quiet_ms >= 0 && paths && n_paths);
    *paths = NULL;
    *n_paths = 0;
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    /* A file closed after writing or moved into place ends a save: what
     * an editor does next, if anything, comes within a few ms. */
    bool saved = false;
    for (;;) {
        struct pollfd p = {w->fd, POLLIN, 0};
        if (poll(&p, 1, saved ? quiet_ms / 5 : quiet_ms) <= 0) /* quiet (or interrupted) */
            return *n_paths ? ds_strdup((*paths)[0]) : NULL;
        ssize_t n = read(w->fd, buf, sizeof buf);
        for (char *ptr = buf; n > 0 && ptr < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)ptr;
            ptr += sizeof *ev + ev->len;
            for (size_t i = 0; i < w->n; i++)
                if (w->dirs[i].wd == ev->wd && relevant(&w->dirs[i], ev)) {
                    saved = (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) && !(ev->mask & IN_ISDIR);
                    add_path(paths, n_paths,
                             *w->dirs[i].rel ? ds_asprintf("%s/%s", w->dirs[i].rel, ev->name)
                                             : ds_strdup(ev->name));
                    break;
                }
        }
    }
}

char *ds_watch_collect(ds_watch *w, int quiet_ms)
{
    char **paths;
    size_t n;
    char *first = ds_watch_collect_all(w, quiet_ms, &paths, &n);
    ds_watch_paths_free(paths, n);
    return first;
}

void ds_watch_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}
