/* check.c - `ducksite check` (see check.h): what a user reads to see how
 * their file sources were understood, defaults filled in. */
#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "../auth/users.h"
#include "../config/config.h"
#include "../plugin/ref.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "../sql/timewindow.h"

static void describe_levels(ds_buf *out, const ds_level_list *l, size_t *n)
{
    for (size_t i = 0; i < l->n; i++) {
        ds_buf_printf(out, "%s%s", (*n)++ ? "; " : ", levels ", l->items[i].pattern);
        if (l->items[i].row_filter)
            ds_buf_printf(out, " where %s", l->items[i].row_filter);
    }
}

/* A hierarchy's levels in the order the views read them. */
static void describe_hierarchy(ds_buf *out, const ds_file_source *fs)
{
    if (!fs->hierarchy_before.n && !fs->hierarchy.n && !fs->hierarchy_after.n)
        return;
    size_t n = 0;
    describe_levels(out, &fs->hierarchy_before, &n);
    if (fs->hierarchy.n)
        describe_levels(out, &fs->hierarchy, &n);
    else
        ds_buf_puts(out, n++ ? "; (the source's own files)" : ", levels (the source's own files)");
    describe_levels(out, &fs->hierarchy_after, &n);
}

static void describe_source(ds_buf *out, size_t i, const ds_file_source *fs)
{
    ds_buf_printf(out, "file_sources[%zu] %s: ", i, fs->name ? fs->name : "(unnamed)");
    if (fs->plugin)
        ds_buf_printf(out, "plugin %s", fs->plugin);
    else if (fs->upstream_glob)
        ds_buf_printf(out, "upstream_glob %s", fs->upstream_glob);
    else
        ds_buf_printf(out, "pattern static/%s", fs->pattern);
    ds_buf_printf(out, ", %s, on_empty=%s", ds_union_mode_name(fs->union_mode),
                  ds_on_empty_name(fs->on_empty));
    if (fs->template_name)
        ds_buf_printf(out, ", template %s", fs->template_name);
    if (fs->row_filter)
        ds_buf_printf(out, ", row_filter %s", fs->row_filter);
    char *window = ds_sql_time_window(fs);
    if (window)
        ds_buf_printf(out, ", time_window %s", window);
    free(window);
    describe_hierarchy(out, fs);
    ds_buf_puts(out, "\n");
}

/* [auth]: whether `ducksite serve` asks for a sign-in, and who can. */
static void describe_auth(ds_buf *out, const ds_config *cfg)
{
    const ds_auth_settings *a = &cfg->auth;
    if (!a->site) {
        ds_buf_puts(out, "auth: site sign-in off: everything served is public\n");
        return;
    }
    char *path = ds_users_path(cfg->root);
    size_t n = 0;
    ds_err err;
    char **users = ds_users_list(path, &n, &err);
    for (size_t i = 0; i < n; i++)
        free(users[i]);
    free(users);
    ds_buf_printf(out,
                  "auth: site sign-in on: sessions end %g h after sign-in or %g min after "
                  "last use; %lld failed sign-ins per email or address in %g min, then 429; "
                  "cookies %s; ",
                  a->session_hours, a->idle_minutes, a->max_failures, a->lockout_minutes,
                  a->tls_proxy ? "Secure (tls_proxy)" : "without Secure (plain HTTP)");
    if (!users)
        ds_buf_printf(out, "users file unreadable: %s\n", err.msg);
    else
        ds_buf_printf(out, "%zu user%s in %s%s\n", n, n == 1 ? "" : "s", DS_USERS_FILE,
                      n ? "" : " (add one with `ducksite user add EMAIL`)");
    free(path);
}

/* A plugin given by its file (Python, executable, shared object) is there:
 * the build would fail on it, so the check does, with a did-you-mean among
 * the files beside where it was looked for. */
static int check_plugin_file(const ds_config *cfg, const ds_file_source *fs, ds_err *err)
{
    ds_plugin_ref ref;
    if (!fs->plugin || ds_plugin_ref_parse(fs->plugin, &ref, err) != 0)
        return fs->plugin ? -1 : 0;
    int rc = 0;
    if (ref.kind != DS_PLUGIN_PY_MODULE) {
        char *path = ref.target[0] == '/' ? ds_strdup(ref.target)
                                          : ds_path_join(cfg->root, ref.target);
        if (ds_is_dir(path)) {
            rc = ds_err_set(err, "%s:%d: file source '%s': plugin '%s' is a folder; name the "
                                 "plugin's file in it",
                            cfg->display_path, fs->line, fs->name, fs->plugin);
        } else if (!ds_exists(path)) {
            char *dir = ds_path_dirname(path);
            const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
            ds_walk_listing l;
            (void)ds_walk_list(dir, 0, &l);
            const char **names = ds_xcalloc(l.n + 1, sizeof *names);
            for (size_t i = 0; i < l.n; i++)
                names[i] = l.items[i].name;
            const char *near = ds_suggest(base, names, l.n);
            rc = ds_err_set(err, "%s:%d: file source '%s': plugin file %s not found%s%s%s",
                            cfg->display_path, fs->line, fs->name, path,
                            near ? "; did you mean '" : " (a path is relative to the project "
                                                        "folder)",
                            near ? near : "", near ? "'?" : "");
            free(names);
            ds_walk_list_free(&l);
            free(dir);
        }
        free(path);
    }
    ds_plugin_ref_free(&ref);
    return rc;
}

int ds_check(const char *root, ds_buf *report, ds_err *err)
{
    ds_config cfg;
    if (ds_config_load(root, &cfg, err) != 0)
        return -1;
    for (size_t i = 0; i < cfg.n_sources; i++)
        if (check_plugin_file(&cfg, &cfg.sources[i], err) != 0) {
            ds_config_free(&cfg);
            return -1;
        }
    for (size_t i = 0; i < cfg.n_sources; i++)
        describe_source(report, i, &cfg.sources[i]);
    describe_auth(report, &cfg);
    ds_buf_printf(report, "%s is valid: %zu file source%s, %zu dir%s\n", cfg.display_path,
                  cfg.n_sources, cfg.n_sources == 1 ? "" : "s", cfg.n_dirs,
                  cfg.n_dirs == 1 ? "" : "s");
    ds_config_free(&cfg);
    return 0;
}
