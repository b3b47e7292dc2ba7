/* build.c - orchestration of `ducksite build` (see build.h). */
#include "build.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/layout.h"
#include "../datamap/collect.h"
#include "../forms/prepare.h"
#include "../forms/spec.h"
#include "../sql/compile.h"
#include "../sql/dialect.h"
#include "inputcheck.h"
#include "../sql/filelist.h"
#include "../sql/models.h"
#include "../sql/sources.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "assets.h"
#include "enginecheck.h"
#include "firstpaint.h"
#include "memo.h"
#include "pagecheck.h"
#include "pages.h"
#include "pervalue.h"
#include "livespec.h"
#include "prerender.h"
#include "valuecheck.h"
#include "publish.h"
#include "uptodate.h"

/* Lakes with fewer files than this have DuckDB keep their footers. */
#define DS_BUILD_FOOTER_CACHE_MAX 10000

static double now_ms(void)
{
    return ds_monotonic() * 1e3;
}

/* Paths --clean must not delete, sorted for bsearch. */
typedef struct {
    const char **paths;
    size_t n;
} keep_list;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool keep_has(const keep_list *k, const char *path)
{
    return k->n && bsearch(&path, k->paths, k->n, sizeof *k->paths, cmp_str);
}

typedef struct {
    ds_publish *pub;
    const keep_list *keep;
} mark_ctx;

static int mark_one(const ds_walk_item *it, void *arg)
{
    mark_ctx *m = arg;
    if (!strchr(it->rel, '/') && ds_starts_with(it->name, DS_PUBLISH_STAGE_PREFIX))
        return DS_WALK_SKIP; /* another build's staging folder */
    if (keep_has(m->keep, it->path))
        return DS_WALK_SKIP; /* kept, with everything below it */
    if (it->type != DS_WALK_DIR)
        ds_publish_remove(m->pub, it->rel);
    return 0;
}

/* Marks every file below static_dir for removal at publishing, except the
 * paths in keep and what is below them. */
static void mark_all(ds_publish *pub, const char *static_dir, const keep_list *keep)
{
    mark_ctx m = {pub, keep};
    ds_walk(static_dir, DS_WALK_RECURSE, mark_one, &m);
}

/* --clean removes, when the build is published, everything in static/ but
 * static/forms/ (form submissions), every form's target and image folder
 * wherever they are, and the files that pattern sources publish from
 * static/ (they are the user's data). */
static void clean_static(ds_publish *pub, const char *static_dir, const ds_collected *files,
                         char **form_paths, size_t n_form_paths)
{
    size_t n = 1 + n_form_paths;
    for (size_t i = 0; i < files->n_sets; i++)
        n += files->sets[i].n_files;
    keep_list keep = {ds_xcalloc(n, sizeof(char *)), 0};
    char *forms = ds_path_join(static_dir, "forms");
    keep.paths[keep.n++] = forms;
    for (size_t i = 0; i < n_form_paths; i++)
        keep.paths[keep.n++] = form_paths[i];
    for (size_t i = 0; i < files->n_sets; i++) {
        const ds_source_set *set = &files->sets[i];
        if (set->fs->upstream_glob || set->fs->plugin)
            continue;
        for (size_t j = 0; j < set->n_files; j++)
            keep.paths[keep.n++] = set->files[j].path;
    }
    qsort(keep.paths, keep.n, sizeof *keep.paths, cmp_str);
    mark_all(pub, static_dir, &keep);
    free(keep.paths);
    free(forms);
}

/* static/sql/_global/<name>.sql for each query, static/sql/pages/<page>/
 * <id>.sql for each page query, and static/sql/_manifest.json, staged in
 * pub (stale ones are removed when the build is published).  A file whose
 * text is unchanged is left in place: a rebuild after one page changed
 * publishes only that page's queries. */
static int write_sql(ds_publish *pub, const ds_compiled_list *l, ds_err *err)
{
    int rc = 0;
    json_t *views = json_object();
    for (size_t i = 0; i < l->len && rc == 0; i++) {
        const ds_compiled *c = &l->items[i];
        bool page = c->kind == DS_KIND_PAGE_QUERY;
        char *rel = ds_asprintf("%s/%s.sql", page ? DS_SQL_PAGES_DIR : DS_SQL_GLOBAL_DIR,
                                c->name);
        /* Joined by copies, not printf: a view over a lake is megabytes. */
        ds_buf text = {0};
        ds_buf_puts(&text, c->metrics);
        ds_buf_putc(&text, '\n');
        if (c->prune) /* read and removed by the runtime, as METRICS is */
            ds_buf_printf(&text, "-- PRUNE: %s\n", c->prune);
        ds_buf_puts(&text, c->sql);
        ds_buf_putc(&text, '\n');
        rc = ds_publish_write_if_changed(pub, rel, text.data, text.len, NULL, err);
        ds_buf_free(&text);
        free(rel);
        json_t *deps = json_array();
        for (size_t k = 0; k < c->n_deps; k++)
            json_array_append_new(deps, json_string(c->deps[k]));
        ds_buf sql_path = {0};
        ds_html_sql_url(&sql_path, page, c->name);
        json_object_set_new(views, c->name,
                            json_pack("{s:s, s:o, s:s}", "kind", ds_query_kind_name(c->kind),
                                      "deps", deps, "sql_path", sql_path.data));
        ds_buf_free(&sql_path);
    }
    if (rc == 0) {
        json_t *doc = json_pack("{s:o}", "views", views);
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
        ds_buf b = {0};
        ds_buf_puts(&b, text);
        ds_buf_putc(&b, '\n');
        rc = ds_publish_write_if_changed(pub, "sql/_manifest.json", b.data, b.len, NULL, err);
        ds_buf_free(&b);
        free(text);
        json_decref(doc);
    } else {
        json_decref(views);
    }
    return rc;
}

/* Work done on a thread of its own beside the build's stages that use
 * one core, or by task_wait when no thread could start. */
typedef struct {
    void *(*fn)(void *);
    void *arg;
    pthread_t thread;
    bool started, done;
} task;

static void task_start(task *t, void *(*fn)(void *), void *arg)
{
    *t = (task){fn, arg, 0, false, false};
    t->started = pthread_create(&t->thread, NULL, fn, arg) == 0;
}

/* Waits for the work, or does it; once. */
static void task_wait(task *t)
{
    if (t->done || !t->fn)
        return;
    if (t->started)
        pthread_join(t->thread, NULL);
    else
        t->fn(t->arg);
    t->done = true;
}

/* The files whose sizes the published lists ask for, and where the last
 * key was found (lists come in key order: ds_collected_find_near). */
typedef struct {
    const ds_collected *files;
    size_t near;
} sizes_ctx;

/* The size of a data-map key's file, for the published lists: the one its
 * stamp recorded while the views were made (collect.h), else a stat. */
static long long key_size(void *ctx, const char *key)
{
    sizes_ctx *s = ctx;
    const ds_datamap_entry *e = ds_collected_find_near(s->files, key, &s->near);
    struct stat st;
    if (!e)
        return -1;
    return e->size >= 0 ? e->size : stat(e->path, &st) == 0 ? (long long)st.st_size : -1;
}

/* static/sql/_files/<view>.json (and its .gz) for each view whose long file
 * lists left its SQL (sql/filelist.h): what the browser runtime puts back.
 * Made, compared with the published ones and compressed by a thread
 * while the pages compile (a lake's lists are tens of megabytes).  An
 * unchanged list stays in place with its sidecar. */
typedef struct {
    char *rel, *text, *gz;
    size_t len, gz_len;
    bool same; /* the published list holds exactly text */
} list_out;

typedef struct {
    const ds_collected *files; /* indexed (ds_collected_index) */
    char *static_dir;
    list_out *out;
    size_t n;
    task task;
} lists_job;

static void *make_lists(void *arg)
{
    lists_job *j = arg;
    if (!j->files->lists)
        return NULL;
    const char **views = ds_filelists_views(j->files->lists);
    while (views[j->n])
        j->n++;
    j->out = ds_xcalloc(j->n + 1, sizeof *j->out);
    for (size_t i = 0; i < j->n; i++) {
        list_out *o = &j->out[i];
        sizes_ctx sizes = {j->files, 0};
        o->text = ds_filelists_json(j->files->lists, views[i], key_size, &sizes);
        o->len = strlen(o->text);
        o->rel = ds_asprintf("%s/%s.json", DS_SQL_FILES_DIR, views[i]);
        char *live = ds_path_join(j->static_dir, o->rel);
        o->same = ds_file_holds(live, o->text, o->len);
        free(live);
        if (!o->same)
            o->gz = ds_gzip(o->text, o->len, &o->gz_len);
    }
    free(views);
    return NULL;
}

static void lists_start(lists_job *j, const ds_collected *files, const char *static_dir)
{
    *j = (lists_job){files, ds_strdup(static_dir), NULL, 0, {0}};
    task_start(&j->task, make_lists, j);
}

static void lists_free(lists_job *j)
{
    task_wait(&j->task);
    for (size_t i = 0; i < j->n; i++) {
        free(j->out[i].rel);
        free(j->out[i].text);
        free(j->out[i].gz);
    }
    free(j->out);
    free(j->static_dir);
    memset(j, 0, sizeof *j);
}

static int write_file_lists(ds_publish *pub, lists_job *j, ds_err *err)
{
    task_wait(&j->task);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < j->n; i++) {
        const list_out *o = &j->out[i];
        char *gz_rel = ds_asprintf("%s.gz", o->rel);
        if (o->same) {
            ds_publish_keep(pub, o->rel);
            ds_publish_keep(pub, gz_rel);
        } else {
            rc = ds_publish_write(pub, o->rel, o->text, o->len, err);
            if (rc == 0)
                rc = ds_publish_write(pub, gz_rel, o->gz, o->gz_len, err);
        }
        free(gz_rel);
    }
    return rc;
}

/* How a dialect finding names its query: page queries by their sql block,
 * the way the page author wrote them. */
static char *query_label(const ds_query *q)
{
    const char *slash = strrchr(q->name, '/');
    switch (q->kind) {
    case DS_KIND_PAGE_QUERY:
        return ds_asprintf("sql block '%s'", slash ? slash + 1 : q->name);
    case DS_KIND_MODEL:
        return ds_asprintf("model '%s'", q->name);
    case DS_KIND_FILE_SOURCE:
        return ds_asprintf("file source '%s'", q->name);
    default:
        return ds_asprintf("templated view '%s'", q->name);
    }
}

/* The dialect file: next to the runtime, else the one captured in the
 * source tree (a runtime folder made by hand need not carry one). */
static char *dialect_path(char **looked)
{
    char *dist = ds_assets_dist_dir();
    char *path = ds_path_join(dist, DS_DIALECT_FILE);
    free(dist);
    const char *own = DS_SOURCE_DIR "/web/dist/" DS_DIALECT_FILE;
    *looked = strcmp(path, own) == 0 ? ds_strdup(path) : ds_asprintf("%s or %s", path, own);
    if (!ds_is_file(path)) {
        free(path);
        path = ds_strdup(own);
    }
    return path;
}

/* The browser engine's findings on SQL, joined by ", " into what, and the
 * line of the SQL (1: its first) of the first of them in *LINE (0: not
 * known); from memo when it knows them ("LINE\tWHAT").  False when there
 * are none. */
static bool dialect_findings(const ds_dialect *d, ds_duck *db, const char *sql, ds_memo *memo,
                             ds_buf *what, int *line)
{
    *line = 0;
    const char *known = memo ? ds_memo_dialect_get(memo, sql) : NULL;
    if (known) {
        char *tab;
        *line = (int)strtol(known, &tab, 10);
        ds_buf_puts(what, *tab == '\t' ? tab + 1 : known);
        return what->len > 0;
    }
    ds_dialect_findings f;
    ds_err cerr;
    /* The query compiled, so it parses; nothing to add if it did not. */
    if (ds_dialect_check(d, db, sql, &f, &cerr) == 0) {
        for (size_t k = 0; k < f.len; k++) {
            ds_buf_printf(what, "%s%s", k ? ", " : "", f.items[k]);
            if (f.lines[k] && (!*line || f.lines[k] < *line))
                *line = f.lines[k];
        }
        if (memo) {
            char *entry = ds_asprintf("%d\t%s", *line, ds_buf_str(what));
            ds_memo_dialect_put(memo, sql, entry);
            free(entry);
        }
    }
    ds_dialect_findings_free(&f);
    return what->len > 0;
}

/* Reports SQL that the build-time engine accepts and the browser's older
 * one cannot run (docs/building.md).  Each query is checked in its own
 * text, not its compiled one, so a model's problem is named once, at the
 * model, and not again in every query that inlines it; templated views of
 * one source share their text and are reported once.  With strict the
 * first finding fails the build and the others are printed before it. */
static int check_dialect(const ds_query_list *queries, const ds_input_sqls *inputs, ds_duck *db,
                         bool strict, ds_memo *memo, ds_enginecheck *engine, ds_err *err)
{
    if (queries->len + inputs->len == 0)
        return 0;
    double t = now_ms();
    char *looked;
    char *path = dialect_path(&looked);
    ds_err lerr;
    ds_dialect *d = ds_is_file(path) ? ds_dialect_load(path, &lerr) : NULL;
    if (!d) {
        char *why = ds_is_file(path)
                        ? ds_strdup(lerr.msg)
                        : ds_asprintf("the browser engine's dialect is missing (%s)", looked);
        int rc = 0;
        if (strict)
            rc = ds_err_set(err, "%s: queries cannot be checked for SQL the browser engine "
                                 "cannot run; run scripts/setup to capture it",
                            why);
        else
            ds_warn("%s: queries were not checked for SQL the browser engine cannot run; run "
                    "scripts/setup to capture it",
                    why);
        free(why);
        free(looked);
        free(path);
        return rc;
    }
    free(looked);
    free(path);
    json_t *seen = json_object();
    size_t n_found = 0;
    ds_buf first = {0};
    /* The queries, then the SQL keys of inputs (inputcheck.h), which the
     * browser splices into queries. */
    for (size_t i = 0; i < queries->len + inputs->len; i++) {
        const ds_query *q = i < queries->len ? &queries->items[i] : NULL;
        const ds_input_sql *in = q ? NULL : &inputs->items[i - queries->len];
        const char *file = q ? q->file : in->file;
        int line = q ? q->line : in->line;
        ds_buf what = {0};
        int at = 0;
        if (!dialect_findings(d, db, q ? ds_query_check_sql(q) : in->sql, memo, &what, &at)) {
            ds_buf_free(&what);
            continue;
        }
        /* Reported here: the engine's own check says nothing more of it
         * (nor of the queries that inline it, nor of the page's inputs). */
        if (q) {
            ds_enginecheck_reported(engine, q->name);
        } else {
            char *page = ds_asprintf("file:%s", in->file);
            ds_enginecheck_reported(engine, page);
            free(page);
        }
        /* A page's sql block, checked in its own text: the line of the
         * first finding in the file. */
        if (q && q->text_line > 0 && !q->check_sql && at > 0)
            line = q->text_line + at - 1;
        char *key = ds_asprintf("%s:%d: %s", file, line, what.data);
        if (!json_object_get(seen, key)) {
            json_object_set_new(seen, key, json_true());
            char *label = q ? query_label(q) : ds_strdup(in->label);
            char *msg = ds_asprintf("%s:%d: %s: the browser engine (DuckDB %s) has no %s; this "
                                    "query will fail in the browser",
                                    file, line, label, ds_dialect_version(d), what.data);
            if (strict && n_found == 0)
                ds_buf_puts(&first, msg);
            else
                ds_warn("%s", msg);
            n_found++;
            free(msg);
            free(label);
        }
        free(key);
        ds_buf_free(&what);
    }
    int rc = 0;
    if (strict && n_found)
        rc = n_found == 1 ? ds_err_set(err, "%s", first.data)
                          : ds_err_set(err, "%s (and %zu more, above)", first.data, n_found - 1);
    else
        ds_info("browser engine: %zu queries checked against DuckDB %s, %zu with SQL it cannot "
                "run (%.0f ms)",
                queries->len, ds_dialect_version(d), n_found, now_ms() - t);
    ds_buf_free(&first);
    json_decref(seen);
    ds_dialect_free(d);
    return rc;
}

/* Files of the sources the browser engine cannot decode (a codec DuckDB
 * 0.9.1 lacks, sql/sources.c): warnings, or with STRICT an error naming
 * the first (the others printed above it), as for SQL it cannot run. */
static int check_engine_files(const ds_collected *files, bool strict, ds_err *err)
{
    size_t n = files->n_engine_findings;
    for (size_t i = strict ? 1 : 0; i < n; i++)
        ds_warn("%s", files->engine_findings[i]);
    if (!strict || n == 0)
        return 0;
    return n == 1 ? ds_err_set(err, "%s", files->engine_findings[0])
                  : ds_err_set(err, "%s (and %zu more sources, above)", files->engine_findings[0],
                               n - 1);
}

/* The ?v= hash of static/assets/NAME as this build publishes it. */
static char *asset_hash(const ds_publish *pub, const char *name)
{
    char *rel = ds_path_join("assets", name);
    char *path = ds_path_join(ds_publish_stage_dir(pub), rel);
    if (!ds_is_file(path)) {
        free(path);
        path = ds_path_join(ds_publish_live_dir(pub), rel);
    }
    char *hash = ds_assets_hash(path);
    free(path);
    free(rel);
    return hash;
}

/* static/assets/ from the runtime build, then the pages that load it. */
static int write_site(ds_publish *pub, const ds_pages *pages, ds_memo *memo, ds_err *err)
{
    char *dist = ds_assets_dist_dir();
    int rc = 0;
    if (ds_is_dir(dist)) {
        int copied = 0;
        double t = now_ms();
        rc = ds_assets_copy_stamped(dist, pub, "assets", DS_ASSETS_STAMP, &copied, err);
        if (rc == 0)
            ds_info("assets: %d file%s updated from %s (%.0f ms)", copied, copied == 1 ? "" : "s",
                    dist, now_ms() - t);
    } else {
        ds_warn("the browser runtime is missing (%s): pages are built but cannot show data; "
                "build web/ or set DUCKSITE_WEB_DIST to a built runtime",
                dist);
    }
    ds_asset_versions v = {asset_hash(pub, "ducksite.css"), asset_hash(pub, "echarts.min.js"),
                           asset_hash(pub, "ducksite.js"),
                           asset_hash(pub, "echarts.common.min.js"),
                           asset_hash(pub, "theme-init.js")};
    if (rc == 0)
        rc = ds_pages_write(pub, pages, &v, memo, err);
    free((char *)v.css);
    free((char *)v.echarts);
    free((char *)v.echarts_common);
    free((char *)v.theme_init);
    free((char *)v.js);
    free(dist);
    return rc;
}

/* The site's forms checked and collected, their queries validated, their
 * targets started, and each page given what its browser side needs. */
static int collect_forms(const ds_config *cfg, ds_pages *pages, ds_duck *db, ds_forms *forms,
                         ds_err *err)
{
    const char **names = ds_xcalloc(cfg->n_dirs + 1, sizeof *names);
    const char **values = ds_xcalloc(cfg->n_dirs + 1, sizeof *values);
    for (size_t i = 0; i < cfg->n_dirs; i++) {
        names[i] = cfg->dirs[i].name;
        values[i] = cfg->dirs[i].value;
    }
    ds_form_page *fp = ds_xcalloc(pages->len + 1, sizeof *fp);
    for (size_t i = 0; i < pages->len; i++)
        fp[i] = (ds_form_page){&pages->items[i].page, pages->items[i].display,
                               pages->items[i].rel};
    int rc = ds_forms_collect(cfg->root, names, values, cfg->n_dirs, fp, pages->len, forms, err);
    free(fp);
    free(names);
    free(values);
    if (rc == 0)
        rc = ds_forms_prepare(forms, cfg->root, db, err);
    for (size_t i = 0; rc == 0 && i < pages->len; i++) {
        free(pages->items[i].page.forms);
        pages->items[i].page.forms = ds_forms_page_json(forms, pages->items[i].display);
    }
    if (rc == 0 && forms->len)
        ds_info("forms: %zu, queries checked", forms->len);
    return rc;
}

static void report_sources(const ds_collected *c)
{
    for (size_t i = 0; i < c->n_sets; i++) {
        const ds_source_set *s = &c->sets[i];
        ds_info("  %s: %zu file%s from %s", s->fs->name ? s->fs->name : s->fs->pattern,
                s->n_files, s->n_files == 1 ? "" : "s", s->origin ? s->origin : "?");
    }
}

/* The facts cache of a lake is 100 MB of text: it is read and parsed by
 * a thread while the sources' files are collected, which needs none of
 * it. */
typedef struct {
    const char *root;
    ds_facts *facts; /* NULL once handed over */
    task task;
} facts_loader;

/* Whether this build may stop once its files are stamped (uptodate.h),
 * and what it learnt on the way. */
typedef struct {
    bool may_skip;        /* a `ducksite build` without --clean or --force */
    bool keeps;           /* writes the record when it succeeds (not serve's) */
    char options[64];     /* the options that change the outputs */
    char *project;        /* the project's digest, taken before it is read */
    char *inputs;         /* the inputs' digest, once the files are stamped */
    bool asks;            /* may skip, and the last build's record is there */
    bool skip;            /* static/ is up to date: nothing more to do */
    ds_uptodate_record record;
    ds_buf warnings;      /* the build's warnings from the views on */
    /* The facts cache being written meanwhile, and what its line says. */
    ds_facts_saving *facts_saving;
    size_t footers_read;
    double footers_ms;
} uptodate;

static void *load_facts(void *arg)
{
    facts_loader *l = arg;
    l->facts = ds_facts_open(l->root);
    return NULL;
}

static int make_front_from(ds_memo_front *f, facts_loader *loader, uptodate *u, ds_err *err);

/* The front of a build (memo.h): the configuration, every source's files,
 * the DuckDB session with the build's settings, and the views.  On failure
 * f holds what was made, for ds_memo_front_free.  When U finds static/ up
 * to date, the front stops at the stamped files (u->skip). */
static int make_front(const char *root, ds_memo_front *f, uptodate *u, ds_err *err)
{
    if (u->keeps) {
        char *abs = ds_path_abs(root);
        u->project = ds_uptodate_project(abs ? abs : root, u->options);
        free(abs);
    }
    if (ds_config_load(root, &f->cfg, err) != 0)
        return -1;
    facts_loader loader = {f->cfg.root, NULL, {0}};
    /* With a record of the last build, this one most likely stops once its
     * files are stamped: the cache (100 MB for a million files) is read
     * only if it goes on, instead of taking a core from the stamping. */
    char *record = ds_path_join(f->cfg.root, DS_UPTODATE_FILE);
    u->asks = u->may_skip && u->project && ds_is_file(record);
    free(record);
    if (!u->asks)
        task_start(&loader.task, load_facts, &loader);
    int rc = make_front_from(f, &loader, u, err);
    /* On failure before the views the cache was not used; it is still
     * waited for, never left to a running thread. */
    task_wait(&loader.task);
    ds_facts_close(loader.facts);
    return rc;
}

/* Is static/ what this build would make?  Asked only when a record is
 * there: the files are stamped now (the views then do not stat them
 * again) and the inputs digested. */
static bool up_to_date(ds_memo_front *f, uptodate *u)
{
    if (!u->asks)
        return false;
    ds_sources_stamp(&f->files);
    u->inputs = ds_uptodate_inputs(f->cfg.root, u->project, &f->files);
    return ds_uptodate_check(f->cfg.root, u->inputs, &u->record);
}

/* Will this build stat every mapped file anyway?  Asking whether static/
 * is up to date does, and so do the views when the facts cache knows the
 * footers (a first build stats each file through the descriptor its
 * footer is read from): then the files are stat-ed while the data map is
 * made, on the core that would otherwise wait (collect.h). */
static bool stamps_early(const char *root, const uptodate *u)
{
    char *facts = ds_facts_path(root);
    bool yes = u->asks || ds_is_file(facts);
    free(facts);
    return yes;
}

/* The rest of the front, once the configuration is loaded. */
static int make_front_from(ds_memo_front *f, facts_loader *loader, uptodate *u, ds_err *err)
{
    double t = now_ms();
    unsigned flags = stamps_early(f->cfg.root, u) ? DS_COLLECT_STAMP : 0;
    if (ds_collect_with(&f->cfg, flags, &f->files, err) != 0)
        return -1;
    report_sources(&f->files);
    ds_info("data map: %zu entries from %zu file sources (%.0f ms)", f->files.map.len,
            f->files.n_sets, now_ms() - t);
    if (up_to_date(f, u)) {
        u->skip = true;
        return 0;
    }
    /* From here on the build may change static/: the record describes
     * it no longer (a new one is written when this build succeeds). */
    ds_uptodate_forget(f->cfg.root);
    if (u->keeps)
        ds_warn_record(&u->warnings);
    if (!loader->task.fn)
        task_start(&loader->task, load_facts, loader);

    if (!(f->db = ds_duck_open(err)))
        return -1;
    /* Relative paths in user SQL resolve against static/, as in the browser.
     * DuckDB keeps the footers it parsed for the next query (sampling and
     * stored results read the same files) only for a small lake: its cache
     * has no bound, and over 100,000 files it made the stored results
     * slower and 40% larger (2.0 GB against 1.4 GB). */
    char *static_dir = ds_path_join(f->cfg.root, DS_STATIC_DIR);
    ds_buf set = {0};
    if (f->files.map.len < DS_BUILD_FOOTER_CACHE_MAX)
        ds_buf_puts(&set, "SET parquet_metadata_cache = true; ");
    else
        /* DuckDB 1.5 also keeps the bytes it read of every file, with no
         * bound either: over 100,000 one-row files that was 1.4 GB of the
         * build's peak, and each file is read once. */
        ds_buf_puts(&set, "SET enable_external_file_cache = false; ");
    ds_buf_puts(&set, "SET file_search_path = ");
    ds_sql_quote(&set, static_dir);
    free(static_dir);
    int set_rc = ds_duck_exec(f->db, set.data, err);
    ds_buf_free(&set);
    if (set_rc != 0)
        return -1;

    t = now_ms();
    task_wait(&loader->task);
    ds_facts *facts = loader->facts;
    loader->facts = NULL; /* closed here, not by the caller */
    /* Long file lists leave the views' SQL as it is made: published once,
     * not in every query that reads the view (filelist.h). */
    int rc = ds_source_views(&f->cfg, &f->files, facts, f->db, &f->views, &f->lists,
                             &f->unreadable, err);
    if (rc == 0) {
        ds_info("views: %zu file-source and templated views, %zu footers read, %zu known "
                "(%.0f ms)",
                f->views.len, ds_facts_reads(facts), ds_facts_hits(facts), now_ms() - t);
        /* Saved now, by a thread, while the outputs are made: the cache
         * is not part of the site, and a build that fails later still
         * learnt these facts (facts_saved waits for it). */
        u->footers_read = ds_facts_reads(facts);
        u->footers_ms = ds_facts_read_ms(facts);
        u->facts_saving = ds_facts_save_start(facts);
        facts = NULL; /* the saver's now, closed when written */
        /* The views stamped the files of sources with views; the record
         * needs every mapped file's. */
        if (u->keeps && u->project && !u->inputs) {
            ds_sources_stamp(&f->files);
            u->inputs = ds_uptodate_inputs(f->cfg.root, u->project, &f->files);
        }
    }
    ds_facts_close(facts); /* on failure: not saved */
    return rc;
}

/* Waits for the facts cache's save (make_front_from) and says how it
 * went; a cache not saved leaves no record of the build, so the next one
 * reads those footers again. */
static void facts_saved(uptodate *u)
{
    if (!u->facts_saving)
        return;
    double ms = 0;
    bool saved = ds_facts_save_finish(u->facts_saving, &ms);
    u->facts_saving = NULL;
    if (!saved)
        ds_uptodate_incomplete();
    if (u->footers_read)
        ds_info("footers: %zu read (%.0f ms)%s (%.0f ms, while the outputs were made)",
                u->footers_read, u->footers_ms,
                saved ? ", the facts cache saved" : ", the facts cache not saved", ms);
}

/* The front this build uses: the one memo kept, else a new one made in
 * *own (and handed to memo, when there is one).  NULL on failure. */
static ds_memo_front *front_for(const char *root, ds_memo *memo, ds_memo_front *own,
                                uptodate *u, ds_err *err)
{
    ds_memo_front *kept = memo ? ds_memo_front_get(memo) : NULL;
    if (kept) {
        ds_uptodate_forget(kept->cfg.root);
        /* Stored results run in UTC (prerender.c); a new session would
         * start with the local time zone, and so does this one again. */
        ds_err ignore;
        ds_duck_exec(kept->db, "RESET TimeZone", &ignore);
        ds_info("data map and views: %zu entries and %zu views kept (only pages or models "
                "changed)",
                kept->files.map.len, kept->views.len);
        return kept;
    }
    if (make_front(root, own, u, err) != 0) {
        ds_memo_front_free(own);
        return NULL;
    }
    if (!memo || u->skip)
        return own;
    ds_memo_front_set(memo, own);
    return ds_memo_front_get(memo);
}

/* The data map's text, made and compared with the published one by a
 * thread while the pages are compiled (a lake's map is 100 MB of text,
 * and compiling leaves a core idle). */
typedef struct {
    const ds_datamap *map;
    char *live; /* static/data_map.json */
    char *text;
    size_t len;
    bool same; /* the published map holds exactly text */
    task task;
} map_job;

static void *make_map(void *arg)
{
    map_job *j = arg;
    j->text = ds_datamap_text(j->map, &j->len);
    j->same = ds_file_holds(j->live, j->text, j->len);
    return NULL;
}

static void map_start(map_job *j, const ds_datamap *map, const char *static_dir)
{
    *j = (map_job){map, ds_path_join(static_dir, DS_DATAMAP_FILE), NULL, 0, false, {0}};
    task_start(&j->task, make_map, j);
}

static void map_free(map_job *j)
{
    task_wait(&j->task); /* before its text is freed */
    free(j->text);
    free(j->live);
    memset(j, 0, sizeof *j);
}

/* What a build that found static/ up to date says: what the build that
 * made it said, warnings included (nothing changed, so neither did they). */
static int report_up_to_date(const ds_memo_front *f, const uptodate *u,
                             const ds_build_options *opt, double t0)
{
    ds_info("nothing changed since the last build (its record: %s): static/ is up to date "
            "(--force builds it again)",
            DS_UPTODATE_FILE);
    for (size_t i = 0; i < u->record.n_warnings; i++)
        ds_warn("%s", u->record.warnings[i]);
    char *static_dir = ds_path_join(f->cfg.root, DS_STATIC_DIR);
    printf("built %s: %zu data-map entries, %zu queries, %zu pages in %.0f ms (up to date)\n",
           static_dir, f->files.map.len, u->record.queries, u->record.pages, now_ms() - t0);
    free(static_dir);
    if (opt->on_map)
        opt->on_map(&f->files.map, opt->on_map_arg);
    if (opt->on_changed)
        opt->on_changed(NULL, 0, opt->on_changed_arg);
    return 0;
}

/* Writes the data map (left in place when unchanged: a lake's map is
 * megabytes, and the server need not read it again), the queries' SQL
 * and the file lists, and frees the map's text. */
static int write_data(ds_publish *pub, map_job *map, const ds_compiled_list *compiled,
                      lists_job *lists, ds_err *err)
{
    task_wait(&map->task);
    int rc = 0;
    if (map->same)
        ds_publish_keep(pub, DS_DATAMAP_FILE);
    else
        rc = ds_publish_write(pub, DS_DATAMAP_FILE, map->text, map->len, err);
    map_free(map);
    if (rc != 0 || write_sql(pub, compiled, err) != 0 || write_file_lists(pub, lists, err) != 0)
        return -1;
    return 0;
}

int ds_build(const char *root, const ds_build_options *opt, ds_err *err)
{
    double t0 = now_ms(), t;
    ds_memo_front own = {0};
    uptodate up = {0};
    up.may_skip = !opt->memo && !opt->clean && !opt->defer && !opt->force;
    up.keeps = !opt->memo;
    (void)ds_uptodate_take_incomplete(); /* what an earlier build in this process said */
    snprintf(up.options, sizeof up.options, "no_prerender=%d strict=%d", opt->no_prerender,
             opt->strict);
    ds_memo_front *f = front_for(root, opt->memo, &own, &up, err);
    if (!f) {
        facts_saved(&up);
        ds_warn_record(NULL);
        ds_buf_free(&up.warnings);
        free(up.inputs);
        free(up.project);
        return -1;
    }
    if (up.skip) {
        int skip_rc = report_up_to_date(f, &up, opt, t0);
        ds_uptodate_record_free(&up.record);
        free(up.inputs);
        free(up.project);
        ds_memo_front_free(&own);
        return skip_rc;
    }
    const ds_config *cfg = &f->cfg;
    ds_collected *files = &f->files;
    ds_duck *db = f->db;
    files->lists = &f->lists; /* the front may have moved since it was made */
    char *static_dir = ds_path_join(cfg->root, DS_STATIC_DIR);
    ds_query_list queries = {0};
    ds_compiled_list compiled = {0};
    ds_input_sqls input_sqls = {0};
    ds_pages pages = {0};
    ds_forms forms = {0};
    ds_publish *pub = NULL;
    /* Without content/ the project publishes data only: no pages, no
     * sitemap, no runtime assets, and static/ *.html is not touched. */
    char *content = ds_path_join(cfg->root, DS_CONTENT_DIR);
    bool site = ds_is_dir(content);
    free(content);
    int rc = -1;

    map_job map;
    map_start(&map, &files->map, static_dir);
    lists_job lists = {0};
    ds_livespec *live = NULL; /* what live queries need, made with the stored results */
    ds_enginecheck *engine = ds_enginecheck_new(); /* the browser's engine asked, enginecheck.h */
    ds_query_list_copy(&queries, &f->views);
    size_t n_views = queries.len;
    t = now_ms();
    if (ds_models_load(cfg, &queries, err) != 0)
        goto done;
    ds_info("models: %zu from sources_sql/", queries.len - n_views);

    ds_collected_index(files); /* for the values of pages per value, and compiling */
    lists_start(&lists, files, static_dir);
    if (site) {
        if (ds_pages_load(cfg->root, &pages, err) != 0 ||
            ds_pervalue_expand(cfg->root, &pages, &queries, files, &f->unreadable, db, err) != 0)
            goto done;
        for (size_t i = 0; i < pages.len; i++) {
            /* A page per value keeps its template's name (content/a/[x].md). */
            const char *display = pages.items[i].display;
            char *rel = ds_starts_with(display, "content/") && ds_ends_with(display, ".md")
                            ? ds_strndup(display + 8, strlen(display) - 11)
                            : NULL;
            char *value_name = rel ? ds_pervalue_param(rel) : NULL;
            int bad = ds_pagecheck(&pages.items[i].page, display, value_name, &queries, err);
            free(value_name);
            free(rel);
            if (bad != 0)
                goto done;
        }
        if (ds_pagecheck_links(&pages, err) != 0)
            goto done;
        if (collect_forms(cfg, &pages, db, &forms, err) != 0)
            goto done;
        size_t before = queries.len;
        ds_pages_add_queries(&pages, &queries);
        ds_info("pages: %zu from content/, with %zu sql blocks", pages.len,
                queries.len - before);
    }

    ds_compile_memo *cmemo = opt->memo ? ds_memo_compile(opt->memo) : NULL;
    if (ds_compile_all_memo(&queries, files, &f->unreadable, db, cmemo, &compiled, err) != 0)
        goto done;
    ds_info("compiled and validated %zu queries (%.0f ms)", compiled.len, now_ms() - t);
    if (site && ds_valuecheck(&pages, &compiled, files, db, opt->memo, err) != 0)
        goto done;
    if (site && ds_inputcheck(&pages, &compiled, files, db, &input_sqls, err) != 0)
        goto done;
    if (check_dialect(&queries, &input_sqls, db, opt->strict, opt->memo, engine, err) != 0 ||
        check_engine_files(files, opt->strict, err) != 0)
        goto done;
    /* The browser's engine is asked about the models and each source's
     * view too (the SQL console queries them), not only the pages' SQL. */
    for (size_t i = 0; i < compiled.len; i++) {
        const ds_compiled *c = &compiled.items[i];
        const ds_query *q = ds_query_find(&queries, c->name);
        if (!q || (c->kind != DS_KIND_MODEL && c->kind != DS_KIND_FILE_SOURCE))
            continue;
        char *label = query_label(q);
        ds_enginecheck_add_view(engine, c, q->file, q->line, label);
        free(label);
    }

    /* Everything succeeded: now stage every output, then publish them all
     * at once (publish.h); a failure on the way leaves static/ as it was. */
#ifdef DS_FAULT_INJECTION
    const char *fail_at = getenv("DUCKSITE_FAIL_WRITE");
    ds_fault_arm(fail_at ? atol(fail_at) : 0);
#endif
    if (!(pub = ds_publish_begin(static_dir, err)))
        goto done;
    if (opt->clean) {
        size_t n_kept = 0;
        char **kept = ds_forms_kept_paths(&forms, cfg->root, &n_kept);
        clean_static(pub, static_dir, files, kept, n_kept);
        for (size_t i = 0; i < n_kept; i++)
            free(kept[i]);
        free(kept);
    }
    /* The browser's engine is asked about the SQL the stored results were
     * made for, on another core, while the other outputs are written.
     * The data map, the SQL and the file lists are written before the
     * stored results are made when there are any (a lake's map is 100 MB
     * of text, not held while DuckDB runs over the lake), else after the
     * engine is started, which then runs while they are written. */
    bool data_first = !site || !opt->no_prerender;
    if (data_first && write_data(pub, &map, &compiled, &lists, err) != 0)
        goto done;
    if (site) {
        live = ds_livespec_new();
        /* Serve's first step publishes at once: queries the browser's
         * engine has not prepared yet are left for its second step. */
        bool first_step = opt->defer && opt->defer->defer;
        ds_prerender_options po = {!opt->no_prerender, live, opt->defer, engine};
        if (ds_prerender(&pages, &compiled, files, cfg, db, pub, &po, err) != 0)
            goto done;
        if (!ds_prerender_cancelled(opt->defer))
            ds_enginecheck_start(engine, cfg->root, files, &queries, opt->strict, !first_step,
                                 first_step ? &opt->defer->engine_pending : NULL);
        if (!data_first && write_data(pub, &map, &compiled, &lists, err) != 0)
            goto done;
        if (ds_firstpaint(&pages, pub, opt->memo, err) != 0)
            goto done;
        /* A build a newer edit superseded (serve's second step) publishes
         * nothing: its pages are not even made. */
        if (ds_prerender_cancelled(opt->defer)) {
            ds_err_set(err, "cancelled: a newer edit arrived");
            goto done;
        }
        if (write_site(pub, &pages, opt->memo, err) != 0)
            goto done;
        /* The engine has prepared the queries while all that was made;
         * one stopped for a newer edit leaves the build superseded. */
        if (ds_enginecheck_finish(engine, err) != 0)
            goto done;
        if (ds_enginecheck_interrupted(engine)) {
            ds_err_set(err, "cancelled: a newer edit arrived");
            goto done;
        }
    } else {
        /* A data-only project leaves the pages of an earlier build alone. */
        ds_publish_keep_previous_site(pub);
    }
    /* The server's live queries (livespec.h) and forms, outside static/
     * and never published, are written last before publishing: a build
     * that fails or is cancelled before leaves the last ones, which
     * describe the pages still served; one that fails to write them
     * publishes nothing (and one whose publishing then fails has new
     * specs beside the old pages until the next build).  The live queries
     * are read only by a server answering them; over a lake they name
     * every file a query reads that is not a whole source's glob. */
    if (live && (cfg->serve.live.enabled
                     ? ds_livespec_write(live, cfg->root, static_dir, &compiled, files, db, err)
                     : ds_livespec_remove(cfg->root)) != 0)
        goto done;
    if (ds_forms_save(&forms, cfg->root, err) != 0)
        goto done;
    facts_saved(&up); /* before the record of this build (uptodate.h) */
    char **changed = NULL;
    size_t n_changed = 0;
    int commit_rc = ds_publish_commit_changed(pub, &changed, &n_changed, err);
    pub = NULL;
    if (commit_rc != 0)
        goto done;
    printf("built %s: %zu data-map entries, %zu queries, %zu pages in %.0f ms\n", static_dir,
           files->map.len, compiled.len, pages.len, now_ms() - t0);
    bool incomplete = ds_uptodate_take_incomplete();
    if (up.keeps && incomplete)
        ds_info("no record of this build kept (%s): the next build runs again, as this one did",
                DS_UPTODATE_FILE);
    else if (up.keeps && up.inputs) {
        ds_warn_record(NULL);
        ds_uptodate_record counts = {NULL, 0, files->map.len, compiled.len, pages.len};
        ds_uptodate_save(cfg->root, up.inputs, &up.warnings, &counts);
    }
    if (opt->on_map)
        opt->on_map(&files->map, opt->on_map_arg);
    if (opt->on_changed)
        opt->on_changed((const char *const *)changed, n_changed, opt->on_changed_arg);
    for (size_t i = 0; i < n_changed; i++)
        free(changed[i]);
    free(changed);
    rc = 0;
done:
    facts_saved(&up);
    ds_warn_record(NULL);
    ds_buf_free(&up.warnings);
    free(up.inputs);
    free(up.project);
    ds_livespec_free(live);
    ds_enginecheck_free(engine);
    map_free(&map);
    lists_free(&lists);
    ds_publish_abort(pub);
    ds_compiled_list_free(&compiled);
    ds_input_sqls_free(&input_sqls);
    ds_pages_free(&pages);
    ds_forms_free(&forms);
    ds_query_list_free(&queries);
    free(static_dir);
    if (!opt->memo)
        ds_memo_front_free(&own);
    return rc;
}
