/* publish.c - staging a build's outputs and switching them in (see
 * publish.h). */
#include "publish.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../datamap/datamap.h"
#include "../util/fs.h"
#include "../util/walk.h"

#define OLD_DIR ".replaced"

typedef struct {
    char **items;
    size_t n, cap;
} str_list;

struct ds_publish {
    char *live;       /* static/ */
    char *stage;      /* static/.ducksite-stage.PID */
    str_list kept;    /* outputs already in place */
    str_list removes; /* files to remove although no build recorded them */
    str_list prev;    /* the previous build's outputs */
    bool made_live;   /* static/ did not exist before: an abort removes it */
};

static void list_add(str_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    l->items[l->n++] = ds_strdup(s);
}

static void list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts and drops repeats, so lookups can bsearch. */
static void list_finish(str_list *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof *l->items, cmp_str);
    size_t w = 1;
    for (size_t i = 1; i < l->n; i++) {
        if (strcmp(l->items[i], l->items[w - 1]) == 0)
            free(l->items[i]);
        else
            l->items[w++] = l->items[i];
    }
    l->n = w;
}

static bool list_has(const str_list *l, const char *s)
{
    return l->n && bsearch(&s, l->items, l->n, sizeof *l->items, cmp_str);
}

#ifndef NDEBUG
/* An output's name: a non-empty path inside static/, relative, with no
 * empty, "." or ".." segment (the build makes every name it publishes). */
static bool rel_ok(const char *rel)
{
    if (!rel || rel[0] == '/')
        return false;
    const char *seg = rel;
    for (;;) {
        size_t n = strcspn(seg, "/");
        bool dots = seg[0] == '.' && (n == 1 || (n == 2 && seg[1] == '.'));
        if (n == 0 || dots)
            return false;
        if (seg[n] == '\0')
            return true;
        seg += n + 1;
    }
}
#endif

typedef struct {
    const char *rel;
    str_list *out;
} files_ctx;

static int add_file(const ds_walk_item *it, void *arg)
{
    files_ctx *c = arg;
    if (it->type == DS_WALK_DIR)
        return 0;
    char *sub = *c->rel ? ds_asprintf("%s/%s", c->rel, it->rel) : ds_strdup(it->rel);
    list_add(c->out, sub);
    free(sub);
    return 0;
}

/* Every file (not folder) below dir, as paths relative to the top. */
static void walk_files(const char *dir, const char *rel, str_list *out)
{
    files_ctx c = {rel, out};
    ds_walk(dir, DS_WALK_RECURSE, add_file, &c);
}

/* rm -rf, without following symlinks.  Not ds_walk: a folder is removed
 * after what it holds. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlink(path);
        return;
    }
    ds_walk_listing l;
    ds_walk_list(path, 0, &l); /* unreadable: empty, and rmdir fails as before */
    for (size_t i = 0; i < l.n; i++) {
        char *sub = ds_path_join(path, l.items[i].name);
        remove_tree(sub);
        free(sub);
    }
    ds_walk_list_free(&l);
    rmdir(path);
}

/* Staging folders of builds that are no longer running (killed, or out of
 * power) would otherwise pile up. */
static void remove_dead_stages(const char *live)
{
    ds_walk_listing l;
    ds_walk_list(live, 0, &l);
    size_t plen = strlen(DS_PUBLISH_STAGE_PREFIX);
    for (size_t i = 0; i < l.n; i++) {
        const char *name = l.items[i].name;
        if (strncmp(name, DS_PUBLISH_STAGE_PREFIX, plen) != 0)
            continue;
        char *end;
        long pid = strtol(name + plen, &end, 10);
        if (*end || pid <= 0 ||
            (pid != (long)getpid() && !(kill((pid_t)pid, 0) != 0 && errno == ESRCH)))
            continue;
        char *path = ds_path_join(live, name);
        remove_tree(path);
        free(path);
    }
    ds_walk_list_free(&l);
}

/* The previous build's outputs.  Without a record (a site built before
 * builds kept one) only what the build writes in the folders it owns
 * counts: SQL files in sql/ and results in _results/ (content/ may not use
 * them), and the data map's meta file; a page elsewhere may be the
 * user's. */
static int read_previous(ds_publish *p, ds_err *err)
{
    char *path = ds_path_join(p->live, DS_PUBLISH_OUTPUTS);
    int rc = 0;
    if (!ds_exists(path)) {
        const char *owned[] = {"sql", "_results"};
        str_list found = {0};
        for (size_t i = 0; i < DS_ARRAY_LEN(owned); i++) {
            char *dir = ds_path_join(p->live, owned[i]);
            walk_files(dir, owned[i], &found);
            free(dir);
        }
        for (size_t i = 0; i < found.n; i++) {
            const char *rel = found.items[i];
            if (rel[0] == 's' ? ds_ends_with(rel, ".sql") || strcmp(rel, "sql/_manifest.json") == 0
                              : !strchr(rel + 9, '/') &&
                                    (ds_ends_with(rel, ".json") || ds_ends_with(rel, ".json.gz")))
                list_add(&p->prev, rel);
        }
        list_free(&found);
        list_add(&p->prev, DS_DATAMAP_META_FILE);
    } else {
        json_error_t jerr;
        json_t *doc = ds_json_load_path(path, 0, &jerr);
        json_t *outputs = json_object_get(doc, "outputs");
        if (!json_is_array(outputs)) {
            rc = ds_err_set(err,
                            "%s: not the list of a build's outputs (%s); restore it, or "
                            "delete it and run `ducksite build --clean` once",
                            path, doc ? "no \"outputs\" array" : jerr.text);
        }
        for (size_t i = 0; rc == 0 && i < json_array_size(outputs); i++) {
            const char *rel = json_string_value(json_array_get(outputs, i));
            if (rel && *rel && rel[0] != '/' && !strstr(rel, ".."))
                list_add(&p->prev, rel);
        }
        json_decref(doc);
    }
    free(path);
    list_finish(&p->prev);
    return rc;
}

ds_publish *ds_publish_begin(const char *static_dir, ds_err *err)
{
    bool made = !ds_is_dir(static_dir);
    if (ds_mkdir_p(static_dir, err) != 0)
        return NULL;
    ds_publish *p = ds_xcalloc(1, sizeof *p);
    p->live = ds_strdup(static_dir);
    p->made_live = made;
    remove_dead_stages(p->live);
    char *name = ds_asprintf(DS_PUBLISH_STAGE_PREFIX "%ld", (long)getpid());
    p->stage = ds_path_join(p->live, name);
    free(name);
    if (ds_mkdir_p(p->stage, err) != 0 || read_previous(p, err) != 0) {
        ds_publish_abort(p);
        return NULL;
    }
    return p;
}

const char *ds_publish_live_dir(const ds_publish *p)
{
    return p->live;
}

const char *ds_publish_stage_dir(const ds_publish *p)
{
    return p->stage;
}

int ds_publish_write(ds_publish *p, const char *rel, const char *data, size_t len, ds_err *err)
{
    assert(p && rel_ok(rel) && (data || len == 0));
    char *path = ds_path_join(p->stage, rel);
    char *dir = ds_path_dirname(path);
    int rc = ds_mkdir_p(dir, err);
    if (rc == 0)
        rc = ds_write_atomic(path, data, len, err);
    free(dir);
    free(path);
    return rc;
}

int ds_publish_write_if_changed(ds_publish *p, const char *rel, const char *data, size_t len,
                                bool *changed, ds_err *err)
{
    assert(p && rel_ok(rel) && (data || len == 0));
    char *live = ds_path_join(p->live, rel);
    bool same = ds_file_holds(live, data, len);
    free(live);
    if (changed)
        *changed = !same;
    if (same) {
        ds_publish_keep(p, rel);
        return 0;
    }
    return ds_publish_write(p, rel, data, len, err);
}

void ds_publish_keep(ds_publish *p, const char *rel)
{
    assert(p && rel_ok(rel));
    list_add(&p->kept, rel);
}

void ds_publish_keep_previous_site(ds_publish *p)
{
    for (size_t i = 0; i < p->prev.n; i++) {
        const char *rel = p->prev.items[i];
        if (strncmp(rel, "sql/", 4) != 0 && strcmp(rel, DS_DATAMAP_FILE) != 0 &&
            strcmp(rel, DS_DATAMAP_META_FILE) != 0)
            list_add(&p->kept, rel);
    }
}

void ds_publish_remove(ds_publish *p, const char *rel)
{
    assert(p && rel_ok(rel));
    list_add(&p->removes, rel);
}

void ds_publish_abort(ds_publish *p)
{
    if (!p)
        return;
    remove_tree(p->stage);
    /* A first build that fails leaves no static/ behind (rmdir removes
     * it only when empty: nothing else was put there meanwhile). */
    if (p->made_live)
        rmdir(p->live);
    list_free(&p->kept);
    list_free(&p->removes);
    list_free(&p->prev);
    free(p->stage);
    free(p->live);
    free(p);
}

/* ---- commit ---------------------------------------------------------------- */

/* Publishing order: what pages read before the pages. */
static int rank(const char *rel)
{
    if (strcmp(rel, "_results/_index.json") == 0)
        return 1;
    static const char *const not_pages[] = {"assets/", "data/", "forms/", "sql/", "_results/"};
    if (strcmp(rel, "sitemap.json") == 0)
        return 2;
    if (!ds_ends_with(rel, ".html"))
        return 0;
    for (size_t i = 0; i < DS_ARRAY_LEN(not_pages); i++)
        if (strncmp(rel, not_pages[i], strlen(not_pages[i])) == 0)
            return 0;
    return 2;
    return 0;
}

static int cmp_publish_order(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int rx = rank(x), ry = rank(y);
    return rx != ry ? rx - ry : strcmp(x, y);
}

/* One step done, and how to take it back. */
typedef enum { STEP_REPLACED, STEP_CREATED, STEP_REMOVED, STEP_MKDIR } step_kind;

typedef struct {
    step_kind kind;
    char *live;  /* the path in static/ */
    char *saved; /* where the old file waits (REPLACED, REMOVED) */
} step;

typedef struct {
    step *items;
    size_t n, cap;
    size_t n_saved; /* names for saved files: OLD_DIR/<number> */
} undo_log;

static void log_step(undo_log *u, step_kind kind, char *live, char *saved)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? u->cap * 2 : 64;
        u->items = ds_xrealloc(u->items, u->cap * sizeof *u->items);
    }
    u->items[u->n++] = (step){kind, live, saved};
}

/* Puts static/ back as it was, newest step first. */
static void undo(undo_log *u)
{
    for (size_t i = u->n; i-- > 0;) {
        step *s = &u->items[i];
        switch (s->kind) {
        case STEP_REPLACED:
        case STEP_REMOVED:
            rename(s->saved, s->live);
            break;
        case STEP_CREATED:
            unlink(s->live);
            break;
        case STEP_MKDIR:
            rmdir(s->live);
            break;
        }
    }
}

static void undo_free(undo_log *u)
{
    for (size_t i = 0; i < u->n; i++) {
        free(u->items[i].live);
        free(u->items[i].saved);
    }
    free(u->items);
}

/* Creates the missing folders above static/REL, logging each. */
static int make_parents(const char *live_root, const char *rel, undo_log *u, ds_err *err)
{
    char *copy = ds_strdup(rel);
    int rc = 0;
    for (char *s = copy; (s = strchr(s, '/')) && rc == 0; s++) {
        *s = '\0';
        char *dir = ds_path_join(live_root, copy);
        struct stat st;
        /* stat, not lstat: a symlink to a folder is a folder here, as for
         * mkdir -p. */
        if (stat(dir, &st) != 0) {
            if (mkdir(dir, 0755) != 0)
                rc = ds_err_set(err, "cannot create directory %s: %s", dir, strerror(errno));
            else
                log_step(u, STEP_MKDIR, ds_strdup(dir), NULL);
        } else if (!S_ISDIR(st.st_mode)) {
            rc = ds_err_set(err,
                            "cannot publish static/%s: %s is a file, not a folder; move it "
                            "away",
                            rel, dir);
        }
        free(dir);
        *s = '/';
    }
    free(copy);
    return rc;
}

/* Moves stage/REL over static/REL; the file it replaces is linked aside
 * first, so readers never find the path missing. */
static int move_in(const ds_publish *p, const char *rel, undo_log *u, ds_err *err)
{
    if (make_parents(p->live, rel, u, err) != 0)
        return -1;
    char *live = ds_path_join(p->live, rel);
    char *staged = ds_path_join(p->stage, rel);
    char *saved = NULL;
    struct stat st;
    int rc = 0;
    if (lstat(live, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = ds_err_set(err, "cannot publish %s: a folder is in the way; move it away", live);
        } else {
            saved = ds_asprintf("%s/" OLD_DIR "/%zu", p->stage, u->n_saved++);
            if (ds_fault_point(live, err) != 0)
                rc = -1;
            else if (link(live, saved) != 0)
                rc = ds_err_set(err, "cannot publish %s: cannot keep the previous one aside: %s",
                                live, strerror(errno));
        }
    }
    if (rc == 0 && ds_fault_point(live, err) != 0)
        rc = -1;
    else if (rc == 0 && rename(staged, live) != 0)
        rc = ds_err_set(err, "cannot publish %s: %s", live, strerror(errno));
    if (rc == 0) {
        log_step(u, saved ? STEP_REPLACED : STEP_CREATED, live, saved);
    } else {
        if (saved)
            unlink(saved);
        free(saved);
        free(live);
    }
    free(staged);
    return rc;
}

/* Moves static/REL aside (into the staging folder, removed with it). */
static int move_out(const ds_publish *p, const char *rel, undo_log *u, ds_err *err)
{
    char *live = ds_path_join(p->live, rel);
    char *saved = ds_asprintf("%s/" OLD_DIR "/%zu", p->stage, u->n_saved++);
    int rc = ds_fault_point(live, err);
    if (rc == 0 && rename(live, saved) != 0)
        rc = ds_err_set(err, "cannot remove %s: %s", live, strerror(errno));
    if (rc == 0) {
        log_step(u, STEP_REMOVED, live, saved);
    } else {
        free(saved);
        free(live);
    }
    return rc;
}

/* Removes the folders above static/REL that its removal left empty. */
static void remove_empty_parents(const char *live_root, const char *rel)
{
    char *copy = ds_strdup(rel);
    char *slash;
    while ((slash = strrchr(copy, '/'))) {
        *slash = '\0';
        char *dir = ds_path_join(live_root, copy);
        int rc = rmdir(dir);
        free(dir);
        if (rc != 0)
            break;
    }
    free(copy);
}

static char *outputs_json(const str_list *outputs)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < outputs->n; i++)
        json_array_append_new(arr, json_string(outputs->items[i]));
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "outputs", arr);
    char *text = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    char *with_nl = ds_asprintf("%s\n", text);
    free(text);
    return with_nl;
}

int ds_publish_commit(ds_publish *p, ds_err *err)
{
    return ds_publish_commit_changed(p, NULL, NULL, err);
}

int ds_publish_commit_changed(ds_publish *p, char ***changed, size_t *n_changed, ds_err *err)
{
    str_list staged = {0}, outputs = {0}, stale = {0};
    walk_files(p->stage, "", &staged);
    if (staged.n > 1)
        qsort(staged.items, staged.n, sizeof *staged.items, cmp_publish_order);
    for (size_t i = 0; i < staged.n; i++)
        list_add(&outputs, staged.items[i]);
    for (size_t i = 0; i < p->kept.n; i++)
        list_add(&outputs, p->kept.items[i]);
    list_add(&outputs, DS_PUBLISH_OUTPUTS);
    list_finish(&outputs);

    /* Stale: what the previous build made (or --clean names) and this one
     * does not, if it is still there. */
    for (int pass = 0; pass < 2; pass++) {
        const str_list *from = pass ? &p->removes : &p->prev;
        for (size_t i = 0; i < from->n; i++) {
            const char *rel = from->items[i];
            char *live = ds_path_join(p->live, rel);
            struct stat st;
            if (!list_has(&outputs, rel) && lstat(live, &st) == 0 && !S_ISDIR(st.st_mode))
                list_add(&stale, rel);
            free(live);
        }
    }
    list_finish(&stale);

    char *list_text = outputs_json(&outputs);
    char *old_dir = ds_path_join(p->stage, OLD_DIR);
    undo_log u = {0};
    int rc = ds_mkdir_p(old_dir, err);
    if (rc == 0)
        rc = ds_publish_write(p, DS_PUBLISH_OUTPUTS, list_text, strlen(list_text), err);
    for (size_t i = 0; rc == 0 && i < staged.n; i++)
        rc = move_in(p, staged.items[i], &u, err);
    for (size_t i = 0; rc == 0 && i < stale.n; i++)
        rc = move_out(p, stale.items[i], &u, err);
    /* The record goes last: until it is in place, the previous one still
     * names every file the previous build made. */
    if (rc == 0)
        rc = move_in(p, DS_PUBLISH_OUTPUTS, &u, err);
    if (rc != 0) {
        undo(&u);
    } else {
        for (size_t i = 0; i < stale.n; i++) {
            const char *rel = stale.items[i];
            remove_empty_parents(p->live, rel);
            if (ds_ends_with(rel, ".html") && rank(rel) == 2 && list_has(&p->prev, rel))
                ds_info("removed static/%s: the build makes this page no more (no "
                        "content/%.*s.md, and no page per value gives it)",
                        rel, (int)(strlen(rel) - 5), rel);
        }
    }
    undo_free(&u);
    free(old_dir);
    free(list_text);
    if (changed && rc == 0) {
        *changed = staged.items;
        *n_changed = staged.n;
        staged = (str_list){0};
    }
    list_free(&staged);
    list_free(&outputs);
    list_free(&stale);
    ds_publish_abort(p);
    return rc;
}
