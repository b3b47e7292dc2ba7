/* livequery.c - the server's live queries (see livequery.h): the request
 * bound into SQL with the build's description of the page, the result
 * cache, and the engine with its limits (a fixed set of connections, one
 * per query running, a bounded queue of the requests waiting for one, in
 * arrival order, and a watchdog thread that interrupts the queries past
 * their time and answers the requests that waited too long). */
#include "livequery.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../config/layout.h"
#include "../datamap/glob.h"
#include "../site/livespec.h"
#include "../site/pagesql.h"
#include "../site/prerender.h"
#include "../sql/duck.h"
#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "../util/utf8.h"
#include "../util/util.h"
#include "livecache.h"

/* ---- binding ----------------------------------------------------------- */

/* String(v) of JavaScript for the scalar values a page's inputs hold. */
static bool scalar_text(json_t *v, char **out)
{
    if (json_is_null(v)) {
        /* buildEnv: a null value is empty, never the input's default. */
        *out = ds_strdup("");
    } else if (json_is_string(v)) {
        *out = ds_strdup(json_string_value(v));
    } else if (json_is_boolean(v)) {
        *out = ds_strdup(json_is_true(v) ? "true" : "false");
    } else if (json_is_integer(v)) {
        *out = ds_asprintf("%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        char num[40];
        ds_pagesql_js_number(json_real_value(v), num);
        *out = ds_strdup(num);
    } else {
        return false;
    }
    return true;
}

/* A request value to an input value: a string (or number, true, false,
 * null) or a list of strings (a multiple dropdown). */
static bool to_val(json_t *v, ds_val *out)
{
    memset(out, 0, sizeof *out);
    if (json_is_array(v)) {
        out->kind = DS_VAL_LIST;
        out->items = ds_xcalloc(json_array_size(v) + 1, sizeof *out->items);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (!scalar_text(json_array_get(v, i), &out->items[out->n])) {
                ds_val_free(out);
                return false;
            }
            out->n++;
        }
        return true;
    }
    out->kind = DS_VAL_STR;
    return scalar_text(v, &out->s);
}

static const char *str_of(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The names of an object's keys, for a did-you-mean. */
static const char **keys_of(json_t *o, size_t *n)
{
    const char **names = ds_xcalloc(json_object_size(o) + 1, sizeof *names);
    *n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
        names[(*n)++] = k;
    return names;
}

static char *unknown(const char *what, const char *name, json_t *known, const char *hint)
{
    size_t n;
    const char **names = keys_of(known, &n);
    const char *near = ds_suggest(name, names, n);
    char *why = near ? ds_asprintf("unknown %s '%s'; did you mean '%s'?", what, name, near)
                     : ds_asprintf("unknown %s '%s'%s", what, name, hint);
    free(names);
    return why;
}

/* The request's input values in the order of the page's specs (a missing
 * one is the input's default, as in buildEnv). */
static unsigned bind_values(json_t *page, json_t *inputs, const ds_input_spec *specs,
                            size_t n, ds_val *values, char **why)
{
    if (inputs && !json_is_object(inputs)) {
        *why = ds_strdup("inputs must be an object {\"name\": value}");
        return 400;
    }
    const char *name;
    json_t *v;
    json_object_foreach(inputs, name, v)
    {
        size_t i = 0;
        while (i < n && strcmp(specs[i].name, name) != 0)
            i++;
        if (i == n) {
            *why = unknown("input", name, json_object_get(page, "inputs"),
                           " (the page has no such input)");
            return 400;
        }
        if (!to_val(v, &values[i])) {
            *why = ds_asprintf("input '%s': a value is a string, a number, true, false, null "
                               "or a list of strings",
                               name);
            return 400;
        }
    }
    return 0;
}

static char *replace_all(char *text, const char *path, const char *name);

/* ---- file lists put back per request ------------------------------------ */

/* A published list document (static/sql/_files/<view>.json) read back:
 * every list of it, kept while the file's stamp is the same.  Shared by
 * the requests using it (REFS, under the owner's lock). */
typedef struct {
    char *rel;            /* sql/_files/<view>.json */
    char *path;           /* the file under static/ */
    char stamp[64];       /* size.mtime of the file read */
    ds_filelist *lists;
    size_t n;
    int refs;
} list_doc;

#define DOC_SLOTS 16

struct ds_live_lists {
    char *static_dir;
    ds_mapstore *maps;    /* the server's data map, or NULL (no key maps) */
    pthread_mutex_t lock;
    list_doc *docs[DOC_SLOTS];
    size_t next;
};

ds_live_lists *ds_live_lists_new(const char *static_dir, ds_mapstore *maps)
{
    ds_live_lists *ll = ds_xcalloc(1, sizeof *ll);
    ll->static_dir = ds_strdup(static_dir);
    ll->maps = maps;
    pthread_mutex_init(&ll->lock, NULL);
    return ll;
}

static void doc_release(ds_live_lists *ll, list_doc *d)
{
    if (!d)
        return;
    pthread_mutex_lock(&ll->lock);
    bool last = --d->refs == 0;
    pthread_mutex_unlock(&ll->lock);
    if (!last)
        return;
    for (size_t i = 0; i < d->n; i++)
        ds_filelist_clear(&d->lists[i]);
    free(d->lists);
    free(d->rel);
    free(d->path);
    free(d);
}

void ds_live_lists_free(ds_live_lists *ll)
{
    if (!ll)
        return;
    for (size_t i = 0; i < DOC_SLOTS; i++)
        doc_release(ll, ll->docs[i]);
    pthread_mutex_destroy(&ll->lock);
    free(ll->static_dir);
    free(ll);
}

static void file_stamp(const char *path, char out[64])
{
    struct stat st;
    if (stat(path, &st) == 0)
        snprintf(out, 64, "%lld.%lld.%lld", (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                 (long long)st.st_mtim.tv_nsec);
    else
        snprintf(out, 64, "-");
}

/* VIEW's document REL, from the slots while its file is unchanged, else
 * read again (outside the lock: a lake's is megabytes); NULL when it
 * cannot be read.  The caller releases it. */
static list_doc *doc_get(ds_live_lists *ll, const char *rel, const char *view)
{
    char *path = ds_path_join(ll->static_dir, rel);
    char stamp[64];
    file_stamp(path, stamp);
    list_doc *found = NULL;
    pthread_mutex_lock(&ll->lock);
    for (size_t i = 0; i < DOC_SLOTS && !found; i++) {
        list_doc *d = ll->docs[i];
        if (d && strcmp(d->rel, rel) == 0 && strcmp(d->stamp, stamp) == 0) {
            found = d;
            d->refs++;
        }
    }
    pthread_mutex_unlock(&ll->lock);
    if (found || strcmp(stamp, "-") == 0) {
        free(path);
        return found;
    }
    json_t *doc = json_load_file(path, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        free(path);
        return NULL;
    }
    list_doc *d = ds_xcalloc(1, sizeof *d);
    d->rel = ds_strdup(rel);
    d->path = path;
    memcpy(d->stamp, stamp, sizeof d->stamp);
    d->n = json_array_size(json_object_get(doc, "lists"));
    d->lists = ds_xcalloc(d->n + 1, sizeof *d->lists);
    for (size_t i = 0; i < d->n; i++)
        ds_filelist_from_doc(doc, view, i, &d->lists[i]);
    json_decref(doc);
    d->refs = 2; /* the slot's and the caller's */
    pthread_mutex_lock(&ll->lock);
    size_t slot = ll->next++ % DOC_SLOTS;
    list_doc *old = ll->docs[slot];
    ll->docs[slot] = d;
    pthread_mutex_unlock(&ll->lock);
    doc_release(ll, old);
    return d;
}

/* PRUNE ({view: [{col, op, values}]}) with ${inputs.x} in each value
 * filled in as the SQL's are: the request's partition values. */
static json_t *fill_prune(json_t *prune, const ds_env *env)
{
    json_t *out = json_deep_copy(prune);
    const char *view;
    json_t *conds;
    json_object_foreach(out, view, conds) {
        size_t i, k;
        json_t *c, *v;
        json_array_foreach(conds, i, c) {
            json_t *values = json_object_get(c, "values");
            json_array_foreach(values, k, v) {
                if (!json_is_string(v))
                    continue;
                char *filled = ds_pagesql_substitute(json_string_value(v), env);
                json_array_set_new(values, k, json_string(filled));
                free(filled);
            }
        }
    }
    return out;
}

/* The physical files a request reads through the lists Q left as
 * placeholders (its "lists": name -> document), each kept by the request's
 * partition values (ds_filelist_kept's rules, the browser's); SQL with
 * each placeholder replaced by its kept files, which are appended to
 * FILES and their data paths to NAMES.  Returns 0, or the HTTP status
 * with *WHY. */
static unsigned put_lists(ds_live_lists *ll, json_t *q, const ds_env *env, char **sql,
                          json_t *files, json_t *names, const char *path, char **why)
{
    json_t *lists = json_object_get(q, "lists");
    if (!json_object_size(lists))
        return 0;
    json_t *prune = fill_prune(json_object_get(q, "prune"), env);
    ds_mapref *ref = ll && ll->maps ? ds_mapstore_acquire(ll->maps) : NULL;
    const ds_maptable *map = ref ? ds_mapref_table(ref) : NULL;
    size_t total = json_array_size(files), most = 0; /* its own files count too */
    const char *most_view = NULL;
    list_doc *most_doc = NULL;
    const ds_filelist *most_list = NULL; /* in most_doc */
    unsigned status = 0;
    const char *name;
    json_t *rel;
    json_object_foreach(lists, name, rel) {
        const char *slash = strrchr(name, '/');
        char *view = slash ? ds_strndup(name, (size_t)(slash - name)) : NULL;
        size_t index = slash ? strtoull(slash + 1, NULL, 10) : 0;
        list_doc *d = view && ll ? doc_get(ll, json_string_value(rel), view) : NULL;
        const ds_filelist *f = d && index < d->n ? &d->lists[index] : NULL;
        if (!f || !map) {
            *why = !map ? ds_strdup("the server has no data map to find the files of a file "
                                    "list by")
                        : ds_asprintf("the file list of view '%s' is missing from static/%s: "
                                      "rebuild the site",
                                      view ? view : name, json_string_value(rel));
            status = 500;
            free(view);
            doc_release(ll, d);
            break;
        }
        /* The document is stamped with the files (a rebuild changes the key). */
        json_array_append_new(files, json_string_nocheck(d->path));
        json_array_append_new(names, json_string_nocheck(d->rel));
        json_t *conds = json_object_get(prune, view);
        char *text = conds ? json_dumps(conds, JSON_COMPACT) : NULL;
        bool *keep = ds_xcalloc(f->n + 1, sizeof *keep);
        size_t kept = ds_filelist_keep(f, text, keep);
        free(text);
        total += kept;
        ds_buf list = {0};
        ds_buf_putc(&list, '[');
        size_t put = 0;
        for (size_t k = 0; k < f->n && total <= DS_LIVESPEC_FILES_MAX; k++) {
            if (!keep[k])
                continue;
            const char *phys = ds_maptable_get(map, f->keys[k], strlen(f->keys[k]));
            if (put++)
                ds_buf_puts(&list, ", ");
            /* A key the map lost since the build: its data path, which the
             * engine reports as missing (in the site's terms). */
            ds_sql_quote(&list, phys ? phys : f->keys[k]);
            if (phys) {
                json_array_append_new(files, json_string(phys));
                json_array_append_new(names, json_string(f->keys[k]));
            }
        }
        ds_buf_putc(&list, ']');
        free(keep);
        if (kept > most) {
            most = kept;
            most_view = name;
            doc_release(ll, most_doc);
            most_doc = d;
            most_list = f;
            d = NULL;
        }
        doc_release(ll, d);
        char *holder = ds_asprintf("'%s%s'", DS_FILELIST_PREFIX, name);
        *sql = replace_all(*sql, holder, list.data);
        free(holder);
        ds_buf_free(&list);
        free(view);
    }
    if (!status && total > DS_LIVESPEC_FILES_MAX) {
        /* The columns whose values differ among its files, as the page
         * names them (a templated view's own column has one value). */
        char *hive = most_list ? ds_filelist_hive_columns(most_list) : NULL;
        ds_buf cols = {0};
        if (hive)
            ds_buf_puts(&cols, hive);
        free(hive);
        char *view = ds_strndup(most_view, (size_t)(strrchr(most_view, '/') - most_view));
        *why = cols.len
                   ? ds_asprintf("the server does not run %s with these inputs: it would read "
                                 "%zu files (%zu of view '%s'), more than the %d the server's "
                                 "engine is given; filter it on a partition column of %s (%s)",
                                 path, total, most, view, DS_LIVESPEC_FILES_MAX, view, cols.data)
                   : ds_asprintf("the server does not run %s: it would read %zu files (%zu of "
                                 "view '%s'), more than the %d the server's engine is given, "
                                 "and %s has no partition column to filter on",
                                 path, total, most, view, DS_LIVESPEC_FILES_MAX, view);
        free(view);
        ds_buf_free(&cols);
        status = 413;
    }
    doc_release(ll, most_doc);
    if (ref)
        ds_mapref_release(ref);
    json_decref(prune);
    return status;
}

unsigned ds_livequery_bind(json_t *spec, json_t *req, ds_live_lists *lists, char **sql,
                           json_t **files, json_t **names, char **why)
{
    *sql = NULL;
    *files = NULL;
    *names = NULL;
    *why = NULL;
    if (!json_is_object(req)) {
        *why = ds_strdup("the body must be a JSON object {\"page\", \"component\", \"query\", "
                         "\"inputs\"}");
        return 400;
    }
    /* A misspelt field ("input") would silently give the default state. */
    static const char *const fields[] = {"page", "component", "query", "inputs", "today"};
    const char *field;
    json_t *fv;
    json_object_foreach(req, field, fv)
    {
        size_t i = 0;
        while (i < DS_ARRAY_LEN(fields) && strcmp(fields[i], field) != 0)
            i++;
        if (i < DS_ARRAY_LEN(fields))
            continue;
        const char *near = ds_suggest(field, fields, DS_ARRAY_LEN(fields));
        *why = near ? ds_asprintf("unknown field '%s'; did you mean '%s'?", field, near)
                    : ds_asprintf("unknown field '%s' (the fields are page, component, query, "
                                  "inputs, today)",
                                  field);
        return 400;
    }
    const char *page_name = str_of(req, "page"), *comp_name = str_of(req, "component"),
               *query = str_of(req, "query"), *today = str_of(req, "today");
    if (!page_name || !comp_name || !query) {
        *why = ds_strdup("page, component and query must be strings");
        return 400;
    }
    json_t *given = json_object_get(req, "today");
    if (given && !json_is_null(given) && !today) {
        *why = ds_strdup("today must be a date YYYY-MM-DD, as a string");
        return 400;
    }
    if (today && !ds_pagesql_valid_date(today)) {
        *why = ds_strdup("today must be a date YYYY-MM-DD");
        return 400;
    }
    json_t *pages = json_object_get(spec, "pages");
    json_t *page = json_object_get(pages, page_name);
    if (!page) {
        *why = unknown("page", page_name, pages, " (the last build made no such page)");
        return 404;
    }
    json_t *comps = json_object_get(page, "components");
    json_t *comp = json_object_get(comps, comp_name);
    if (!comp) {
        *why = unknown("component", comp_name, comps, " (the page shows no such component)");
        return 404;
    }
    size_t n;
    ds_input_spec *specs = ds_pagesql_inputs(page, &n);
    ds_val *values = ds_xcalloc(n + 1, sizeof *values);
    unsigned status = bind_values(page, json_object_get(req, "inputs"), specs, n, values, why);
    ds_env env = {0};
    char *path = NULL;
    if (status == 0) {
        char day[16];
        if (!today) {
            ds_pagesql_today(day);
            today = day;
        }
        ds_pagesql_env_at(specs, n, values, today, &env);
        path = ds_pagesql_resolve(str_of(comp, "query"), &env, json_object_get(page, "queries"));
        json_t *q = path ? json_object_get(json_object_get(spec, "sql"), path) : NULL;
        if (!path) {
            *why = ds_asprintf("component '%s' has no valid query id with these inputs",
                               comp_name);
            status = 400;
        } else if (strcmp(path, query) != 0) {
            /* The request's own text, cut short (between characters): it
             * may be megabytes. */
            size_t cut = 0, qlen = strlen(query);
            for (size_t len; cut < 200 && (len = ds_utf8_decode(query + cut, qlen - cut, NULL));)
                cut += len;
            *why = ds_asprintf("component '%s' runs %s with these inputs, not %.*s%s",
                               comp_name, path, (int)cut, query, query[cut] ? "..." : "");
            status = 400;
        } else if (!q) {
            *why = ds_asprintf("query %s was not compiled by the last build", path);
            status = 404;
        } else if (str_of(q, "refused")) {
            /* Over a limit the build knew (livespec.h): the browser runs it. */
            *why = ds_asprintf("the server does not run %s: %s", path, str_of(q, "refused"));
            status = 413;
        } else {
            char *wrapped = ds_pagesql_wrap_format(str_of(q, "sql"), json_object_get(comp, "format"),
                                                   str_of(comp, "kind"));
            /* The spec's own lists when no list is put back: the stamps
             * of a query over many files are then reused for a second
             * (files_stamp, by the list's identity). */
            bool own = json_object_size(json_object_get(q, "lists")) > 0;
            json_t *read = json_object_get(q, "files"), *told = json_object_get(q, "names");
            read = !read ? json_array() : own ? json_copy(read) : json_incref(read);
            told = !told ? json_array() : own ? json_copy(told) : json_incref(told);
            /* Lists before values: a value is never scanned for a placeholder. */
            status = put_lists(lists, q, &env, &wrapped, read, told, path, why);
            /* The values go into the whole text, the files' paths too: a
             * path holding "${" would take a value into it (and out of
             * its literal), so such a query is left to the browser. */
            for (size_t i = 0; status == 0 && i < json_array_size(read); i++)
                if (strstr(json_string_value(json_array_get(read, i)), "${")) {
                    *why = ds_asprintf("the server does not run %s: the path of %s holds "
                                       "\"${\", which it cannot tell from an input",
                                       path, json_string_value(json_array_get(told, i)));
                    status = 422;
                }
            if (status == 0) {
                *sql = ds_pagesql_substitute(wrapped, &env);
                *files = read;
                *names = told;
            } else {
                json_decref(read);
                json_decref(told);
            }
            free(wrapped);
        }
        ds_pagesql_env_free(&env);
    }
    free(path);
    for (size_t i = 0; i < n; i++)
        ds_val_free(&values[i]);
    free(values);
    ds_pagesql_inputs_free(specs, n);
    return status;
}

/* ---- the engine -------------------------------------------------------- */

/* One worker thread with its connection; it runs one query at a time. */
typedef struct {
    ds_livequery *lq;
    pthread_t thread;
    pthread_cond_t go;
    ds_duck *con;          /* made by the worker when it starts */
    ds_live_job *job;      /* the query handed to it, NULL while idle */
    ds_live_job *current;  /* the query reserved or running: others may follow it */
    bool busy;             /* reserved or running */
    bool running;          /* the query is in the engine */
    bool interrupted;      /* by the watchdog: the query ran out of time */
    struct timespec deadline;
} worker;

struct ds_live_job {
    worker *w;             /* NULL while it waits in the queue (or follows) */
    char *sql, *key;
    char stamp[17];        /* its files' stamp in the key, checked again after the run */
    json_t *files, *names; /* held: its files and their data paths */
    json_t *globs;         /* held: the sources it reads by their glob */
    ds_live_reply *out;
    ds_live_done_fn done;
    ds_live_gone_fn gone;  /* NULL: not watched */
    void *ctx;
    bool queued;           /* it waited in the queue for a worker */
    bool abandoned;        /* its client went away meanwhile: not run, nobody may follow it */
    struct timespec wait_until; /* in the queue: answered 503 past it */
    ds_live_job *next;     /* in the queue */
    /* Single flight: requests for the same key while this one waits or
     * runs are answered with a copy of its reply, without running. */
    ds_live_job *followers;
    bool follows;          /* this job is a follower */
    bool answered;         /* a follower answered before it was submitted */
};

/* A query over many files has its files' stamps taken at most once a
 * second (as a stored result's freshness, resultstore.c): over 100,000
 * files a stat() each would cost more than the query. */
#define RESTAMP_FILES 1000
#define RESTAMP_MS 1000
#define STAMP_SLOTS 64

typedef struct {
    uint64_t key;          /* which files and globs (list_key); 0: empty */
    char hash[17];
    struct timespec at;
} stamp_slot;

struct ds_livequery {
    char *spec_path;
    char *static_dir;
    ds_live_settings set;
    ds_duck *db;           /* the database every worker connects to */
    ds_livecache *cache;

    pthread_mutex_t lock;  /* spec, workers, queue, stop */
    pthread_cond_t wake;   /* the watchdog's */
    ds_live_lists *lists;  /* the file lists put back per request */
    json_t *spec;          /* NULL until a build wrote one */
    struct stat spec_st;
    worker *workers;
    ds_live_job *head, *tail; /* the queue: submitted requests waiting, oldest first */
    long long queued;      /* places taken in the queue (begun, not yet running) */
    bool stop, stopped;
    pthread_t watchdog;
    stamp_slot stamps[STAMP_SLOTS];
    size_t next_stamp;

    atomic_size_t ran, hits, busy, timeouts, too_large, waited, shared;
};

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec after_ms(long long ms)
{
    struct timespec d;
    clock_gettime(CLOCK_REALTIME, &d);
    d.tv_sec += ms / 1000;
    d.tv_nsec += (ms % 1000) * 1000000L;
    if (d.tv_nsec >= 1000000000L) {
        d.tv_sec++;
        d.tv_nsec -= 1000000000L;
    }
    return d;
}

static void refuse(ds_live_reply *out, unsigned status, const char *limit, const char *fmt, ...)
    DS_PRINTF(4, 5);
static void finish_job(ds_livequery *lq, ds_live_job *job);
static void files_stamp(ds_livequery *lq, json_t *files, json_t *globs,
                        const struct timespec *since, char hash[17]);

/* Takes out of the queue the requests that waited past live_queue_ms
 * (all of them when STOPPING); returns them as a list.  Under the lock. */
static ds_live_job *take_expired(ds_livequery *lq, const struct timespec *now, bool stopping)
{
    ds_live_job *out = NULL, **link = &lq->head;
    lq->tail = NULL;
    while (*link) {
        ds_live_job *j = *link;
        if (stopping || before(&j->wait_until, now)) {
            *link = j->next;
            j->next = out;
            out = j;
            lq->queued--;
        } else {
            lq->tail = j;
            link = &j->next;
        }
    }
    return out;
}

/* Answers each of JOBS (taken out of the queue) with 503; not under the
 * lock, as their callers are told. */
static void refuse_waiting(ds_livequery *lq, ds_live_job *jobs, bool stopping)
{
    while (jobs) {
        ds_live_job *next = jobs->next;
        atomic_fetch_add(&lq->busy, 1);
        jobs->out->retry_after = 1;
        if (stopping)
            refuse(jobs->out, 503, "concurrency", "the server is stopping");
        else
            refuse(jobs->out, 503, "concurrency",
                   "the request waited %lld ms for one of the %lld live query threads "
                   "(live_queue_ms, live_max_concurrent); run it in the browser",
                   lq->set.queue_ms, lq->set.max_concurrent);
        finish_job(lq, jobs);
        jobs = next;
    }
}

/* Interrupts the queries past their deadline and answers the requests
 * that waited past theirs, every 10 ms. */
static void *watch(void *arg)
{
    ds_livequery *lq = arg;
    pthread_mutex_lock(&lq->lock);
    while (!lq->stop) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        for (long long i = 0; i < lq->set.max_concurrent; i++) {
            worker *w = &lq->workers[i];
            if (w->running && !w->interrupted && before(&w->deadline, &now)) {
                w->interrupted = true;
                ds_duck_interrupt(w->con);
            }
        }
        if (lq->head && before(&lq->head->wait_until, &now)) {
            ds_live_job *late = take_expired(lq, &now, false);
            pthread_mutex_unlock(&lq->lock);
            refuse_waiting(lq, late, false);
            pthread_mutex_lock(&lq->lock);
        }
        struct timespec next = after_ms(10);
        pthread_cond_timedwait(&lq->wake, &lq->lock, &next);
    }
    pthread_mutex_unlock(&lq->lock);
    return NULL;
}

/* TEXT with every PATH replaced by NAME.  Caller frees (TEXT is taken). */
static char *replace_all(char *text, const char *path, const char *name)
{
    if (!path || !name || !*path || !strstr(text, path))
        return text;
    ds_buf b = {0};
    const char *from = text, *at;
    while ((at = strstr(from, path))) {
        ds_buf_add(&b, from, (size_t)(at - from));
        ds_buf_puts(&b, name);
        from = at + strlen(path);
    }
    ds_buf_puts(&b, from);
    free(text);
    return ds_buf_take(&b);
}

/* DuckDB's message MSG in the site's terms: each physical file of FILES
 * told by its data path (NAMES, in the same order), each folder of a
 * source read by its glob (GLOBS) by the data path it stands for, and
 * without the excerpt of the SQL after it ("LINE 2: ..."), which holds
 * physical paths too, cut short.  Where the site's files live on the
 * server is never told to a reader.  Caller frees. */
static char *site_terms(const char *msg, json_t *files, json_t *names, json_t *globs)
{
    const char *excerpt = strstr(msg, "\n\nLINE ");
    char *out = ds_strndup(msg, excerpt ? (size_t)(excerpt - msg) : strlen(msg));
    for (size_t i = 0; i < json_array_size(files); i++)
        out = replace_all(out, json_string_value(json_array_get(files, i)),
                          json_string_value(json_array_get(names, i)));
    for (size_t i = 0; i < json_array_size(globs); i++) {
        json_t *g = json_array_get(globs, i);
        out = replace_all(out, json_string_value(json_object_get(g, "pattern")),
                          json_string_value(json_object_get(g, "name")));
        out = replace_all(out, json_string_value(json_object_get(g, "dir")),
                          json_string_value(json_object_get(g, "name")));
    }
    return out;
}

/* Runs JOB on worker W's connection and fills its reply. */
static void run_job(ds_livequery *lq, worker *w, ds_live_job *job)
{
    ds_live_reply *out = job->out;
    if (!w->con) {
        refuse(out, 500, NULL, "the server's DuckDB engine did not start");
        return;
    }
    pthread_mutex_lock(&lq->lock);
    w->deadline = after_ms(lq->set.timeout_ms);
    w->interrupted = false;
    w->running = true;
    pthread_mutex_unlock(&lq->lock);
    char *json = NULL;
    bool over = false;
    ds_err err;
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    int rc = ds_prerender_result_json_max(w->con, job->sql, (size_t)lq->set.max_rows, &json,
                                          &over, &err);
    pthread_mutex_lock(&lq->lock);
    bool timed_out = w->interrupted;
    w->running = false;
    pthread_mutex_unlock(&lq->lock);
    atomic_fetch_add(&lq->ran, 1);
    if (rc != 0 && timed_out) {
        atomic_fetch_add(&lq->timeouts, 1);
        refuse(out, 504, "time", "the query ran longer than %lld ms (live_timeout_ms)",
               lq->set.timeout_ms);
    } else if (rc != 0 && over) {
        atomic_fetch_add(&lq->too_large, 1);
        refuse(out, 413, "rows", "the result has more than %lld rows (live_max_rows)",
               lq->set.max_rows);
    } else if (rc != 0) {
        char *why = site_terms(err.msg, job->files, job->names, job->globs);
        refuse(out, 422, NULL, "%s", why);
        free(why);
    } else if ((long long)strlen(json) > lq->set.max_bytes) {
        atomic_fetch_add(&lq->too_large, 1);
        refuse(out, 413, "bytes", "the result is larger than %lld bytes (live_max_bytes)",
               lq->set.max_bytes);
        free(json);
    } else {
        /* The answer adds the newline the stored file ends with. */
        size_t n = strlen(json);
        if (n && json[n - 1] == '\n')
            json[--n] = '\0';
        /* Kept only when its files are as the key says once it ran
         * (over many files: as a stamp taken since it started says): a
         * file changed meanwhile may be in the result, which would then
         * be kept under the files as they were before (and served again
         * if they ever were so again). */
        char now[17];
        files_stamp(lq, job->files, job->globs, &started, now);
        if (strcmp(now, job->stamp) == 0)
            ds_livecache_put(lq->cache, job->key, json, n);
        out->status = 200;
        out->body = json;
        out->cache = "miss";
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    ds_livequery *lq = w->lq;
    ds_err err;
    if ((w->con = ds_duck_connect(lq->db, &err))) {
        ds_buf set = {0};
        /* As the build's stored results: relative paths from static/,
         * TIMESTAMPTZ shown in UTC.  DuckDB's cache of the bytes it read
         * is off: it tells a file rewritten in place only by an mtime to
         * the second, and would answer from the old bytes. */
        ds_buf_puts(&set, "SET TimeZone = 'UTC'; SET enable_external_file_cache = false; "
                          "SET file_search_path = ");
        ds_sql_quote(&set, lq->static_dir);
        ds_duck_exec(w->con, set.data, &err);
        ds_buf_free(&set);
    }
    pthread_mutex_lock(&lq->lock);
    for (;;) {
        while (!w->job && !lq->stop)
            pthread_cond_wait(&w->go, &lq->lock);
        if (!w->job)
            break;
        ds_live_job *job = w->job;
        bool stopping = lq->stop;
        /* Asked under the lock (a poll of its socket): no request can
         * then start to follow a job that will not run. */
        job->abandoned = !stopping && job->queued && job->gone && !job->followers &&
                         job->gone(job->ctx);
        pthread_mutex_unlock(&lq->lock);
        if (stopping) /* the watchdog is gone: nothing starts now */
            refuse(job->out, 503, "concurrency", "the server is stopping");
        else if (job->abandoned) /* nobody reads the answer */
            refuse(job->out, 503, "concurrency", "the client went away");
        else
            run_job(lq, w, job);
        pthread_mutex_lock(&lq->lock);
        /* The oldest request waiting runs next on this thread. */
        ds_live_job *next = lq->stop ? NULL : lq->head;
        if (next) {
            lq->head = next->next;
            if (!lq->head)
                lq->tail = NULL;
            lq->queued--;
            next->w = w;
        }
        w->job = w->current = next;
        w->busy = next != NULL;
        pthread_mutex_unlock(&lq->lock);
        finish_job(lq, job);
        pthread_mutex_lock(&lq->lock);
    }
    pthread_mutex_unlock(&lq->lock);
    ds_duck_close(w->con);
    w->con = NULL;
    return NULL;
}

ds_livequery *ds_livequery_open(const char *root, const ds_live_settings *set)
{
    assert(root && set && set->max_concurrent > 0);
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    if (!db)
        return NULL;
    ds_livequery *lq = ds_xcalloc(1, sizeof *lq);
    lq->db = db;
    lq->set = *set;
    lq->spec_path = ds_path_join(root, DS_LIVESPEC_FILE);
    lq->static_dir = ds_path_join(root, DS_STATIC_DIR);
    lq->cache = ds_livecache_new((size_t)set->cache_bytes);
    lq->lists = ds_live_lists_new(lq->static_dir, NULL);
    lq->workers = ds_xcalloc((size_t)set->max_concurrent, sizeof *lq->workers);
    pthread_mutex_init(&lq->lock, NULL);
    pthread_cond_init(&lq->wake, NULL);
    for (long long i = 0; i < set->max_concurrent; i++) {
        worker *w = &lq->workers[i];
        w->lq = lq;
        pthread_cond_init(&w->go, NULL);
        pthread_create(&w->thread, NULL, work, w);
    }
    pthread_create(&lq->watchdog, NULL, watch, lq);
    return lq;
}

void ds_livequery_stop(ds_livequery *lq)
{
    if (!lq)
        return;
    pthread_mutex_lock(&lq->lock);
    if (lq->stopped) {
        pthread_mutex_unlock(&lq->lock);
        return;
    }
    lq->stop = lq->stopped = true;
    ds_live_job *waiting = take_expired(lq, NULL, true);
    for (long long i = 0; i < lq->set.max_concurrent; i++) {
        worker *w = &lq->workers[i];
        if (w->running) {
            w->interrupted = true; /* its caller gets 504 at once */
            ds_duck_interrupt(w->con);
        }
        pthread_cond_signal(&w->go);
    }
    pthread_cond_signal(&lq->wake);
    pthread_mutex_unlock(&lq->lock);
    refuse_waiting(lq, waiting, true);
    for (long long i = 0; i < lq->set.max_concurrent; i++)
        pthread_join(lq->workers[i].thread, NULL);
    pthread_join(lq->watchdog, NULL);
}

void ds_livequery_close(ds_livequery *lq)
{
    if (!lq)
        return;
    ds_livequery_stop(lq);
    for (long long i = 0; i < lq->set.max_concurrent; i++)
        pthread_cond_destroy(&lq->workers[i].go);
    free(lq->workers);
    ds_duck_close(lq->db);
    ds_livecache_free(lq->cache);
    ds_live_lists_free(lq->lists);
    json_decref(lq->spec);
    pthread_cond_destroy(&lq->wake);
    pthread_mutex_destroy(&lq->lock);
    free(lq->spec_path);
    free(lq->static_dir);
    free(lq);
}

void ds_livequery_set_maps(ds_livequery *lq, ds_mapstore *maps)
{
    lq->lists->maps = maps;
}

/* The build's description, read again when a build rewrote it; a
 * reference the caller releases. */
static json_t *current_spec(ds_livequery *lq)
{
    struct stat st;
    bool exists = stat(lq->spec_path, &st) == 0;
    pthread_mutex_lock(&lq->lock);
    bool same = lq->spec && exists && st.st_ino == lq->spec_st.st_ino &&
                st.st_size == lq->spec_st.st_size &&
                st.st_mtim.tv_sec == lq->spec_st.st_mtim.tv_sec &&
                st.st_mtim.tv_nsec == lq->spec_st.st_mtim.tv_nsec;
    pthread_mutex_unlock(&lq->lock);
    if (!same && exists) {
        /* Parsed outside the lock: a lake's description is megabytes. */
        json_t *doc = json_load_file(lq->spec_path, 0, NULL);
        pthread_mutex_lock(&lq->lock);
        if (json_integer_value(json_object_get(doc, "version")) == 1) {
            json_decref(lq->spec);
            lq->spec = json_incref(doc);
            lq->spec_st = st;
        }
        /* else half written or from another version: keep ours */
        pthread_mutex_unlock(&lq->lock);
        json_decref(doc);
    }
    pthread_mutex_lock(&lq->lock);
    json_t *spec = json_incref(lq->spec);
    pthread_mutex_unlock(&lq->lock);
    return spec;
}

/* An idle worker, reserved for JOB, or NULL when all are busy (or
 * stopping).  Under the lock. */
static worker *take_worker(ds_livequery *lq, ds_live_job *job)
{
    worker *got = NULL;
    for (long long i = 0; !lq->stop && i < lq->set.max_concurrent && !got; i++)
        if (!lq->workers[i].busy)
            got = &lq->workers[i];
    if (got) {
        got->busy = true;
        got->current = job;
        job->w = got;
    }
    return got;
}

/* The job with KEY reserved, running or waiting, or NULL.  Under the lock. */
static ds_live_job *same_key(ds_livequery *lq, const char *key)
{
    for (long long i = 0; i < lq->set.max_concurrent; i++) {
        ds_live_job *j = lq->workers[i].current;
        if (j && !j->abandoned && strcmp(j->key, key) == 0)
            return j;
    }
    for (ds_live_job *j = lq->head; j; j = j->next)
        if (!j->abandoned && strcmp(j->key, key) == 0)
            return j;
    return NULL;
}

/* Where JOB goes: after a job with its key, on an idle worker or into the
 * queue (a place in it, taken now, is used at submit).  False when the
 * queue is full or off: the caller answers 503.  Under the lock. */
static bool place_job(ds_livequery *lq, ds_live_job *job)
{
    if (lq->stop)
        return false;
    ds_live_job *lead = same_key(lq, job->key);
    if (lead) {
        job->follows = true;
        job->next = lead->followers;
        lead->followers = job;
        atomic_fetch_add(&lq->shared, 1);
        return true;
    }
    /* In arrival order: none jumps the requests waiting already. */
    if (lq->queued == 0 && take_worker(lq, job))
        return true;
    if (lq->queued >= lq->set.max_queued || lq->set.queue_ms <= 0)
        return false;
    lq->queued++;
    atomic_fetch_add(&lq->waited, 1);
    return true;
}

static void free_job(ds_live_job *job)
{
    json_decref(job->files);
    json_decref(job->names);
    json_decref(job->globs);
    free(job->sql);
    free(job->key);
    free(job);
}

/* JOB's reply is filled: each of its followers gets a copy, then its
 * caller and theirs are told (DONE), and JOB is freed.  Not under the
 * lock: a DONE may take other locks.  A follower not submitted yet is
 * told by ds_livequery_submit. */
static void finish_job(ds_livequery *lq, ds_live_job *job)
{
    ds_live_job *f = job->followers;
    for (ds_live_job *g = f; g; g = g->next) {
        g->out->status = job->out->status;
        g->out->body = ds_strdup(job->out->body);
        g->out->retry_after = job->out->retry_after;
        g->out->cache = job->out->status == 200 ? "shared" : NULL;
    }
    bool tell = true;
    if (job->follows) {
        pthread_mutex_lock(&lq->lock);
        tell = job->done != NULL;
        job->answered = true;
        pthread_mutex_unlock(&lq->lock);
    }
    if (tell) {
        job->done(job->ctx);
        free_job(job);
    }
    while (f) {
        ds_live_job *next = f->next;
        finish_job(lq, f);
        f = next;
    }
}

/* ---- answers ----------------------------------------------------------- */

/* TEXT with each byte that is no part of a well-formed UTF-8 character
 * made '?' (a path's bytes in DuckDB's message, say): JSON holds text. */
static void make_text(char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = ds_utf8_decode(text + i, n - i, NULL);
        if (len == 0) {
            text[i++] = '?';
            continue;
        }
        i += len;
    }
}

static void refuse(ds_live_reply *out, unsigned status, const char *limit, const char *fmt, ...)
{
    ds_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    make_text(msg.data);
    json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", msg.data);
    if (limit)
        json_object_set_new(o, "limit", json_string(limit));
    out->status = status;
    out->body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ds_buf_free(&msg);
}

static void put_stamp(ds_buf *stamps, const char *path)
{
    struct stat st;
    if (path && stat(path, &st) == 0)
        ds_buf_printf(stamps, "%lld.%lld.%lld;", (long long)st.st_size,
                      (long long)st.st_mtim.tv_sec, (long long)st.st_mtim.tv_nsec);
    else
        ds_buf_puts(stamps, "-;");
}

/* The hash of the size and mtime of each of FILES, and of each file each
 * of GLOBS finds now (by name: one added or removed changes it too). */
static void stamp_files(json_t *files, json_t *globs, char hash[17])
{
    ds_buf stamps = {0};
    for (size_t i = 0; i < json_array_size(files); i++)
        put_stamp(&stamps, json_string_value(json_array_get(files, i)));
    for (size_t i = 0; i < json_array_size(globs); i++) {
        const char *pattern = json_string_value(json_object_get(json_array_get(globs, i), "pattern"));
        ds_glob_result found;
        ds_err err;
        if (!pattern || ds_glob_scan(pattern, "/", &found, &err) != 0) {
            ds_buf_puts(&stamps, "!;");
            continue;
        }
        ds_buf_printf(&stamps, "%zu:", found.len);
        for (size_t k = 0; k < found.len; k++) {
            ds_buf_puts(&stamps, found.items[k].rel);
            put_stamp(&stamps, found.items[k].abs);
        }
        ds_glob_result_free(&found);
    }
    ds_pagesql_hash(stamps.data ? stamps.data : "", hash);
    ds_buf_free(&stamps);
}

/* Which files and globs a query reads, by their names: a list put back
 * per request (its kept files) is a new array each time, with the same
 * names. */
static uint64_t list_key(json_t *files, json_t *globs)
{
    uint64_t h = 1469598103934665603ULL;
    json_t *lists[] = {files, globs};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            json_t *v = json_array_get(lists[l], i);
            const char *name = json_is_string(v) ? json_string_value(v)
                                                 : str_of(v, "pattern");
            for (const char *c = name ? name : ""; *c; c++)
                h = (h ^ (unsigned char)*c) * 1099511628211ULL;
            h = (h ^ (l + 1)) * 1099511628211ULL; /* the end of a name */
        }
    }
    return h ? h : 1;
}

/* stamp_files, for more than RESTAMP_FILES files or any glob (a lake's
 * source: its walk costs with the tree), reused from a stamp begun at
 * SINCE or later (NULL: in the last RESTAMP_MS); slots keep when their
 * stamp began. */
static void files_stamp(ds_livequery *lq, json_t *files, json_t *globs,
                        const struct timespec *since, char hash[17])
{
    if (json_array_size(files) <= RESTAMP_FILES && json_array_size(globs) == 0) {
        stamp_files(files, globs, hash);
        return;
    }
    struct timespec recent;
    if (!since) {
        clock_gettime(CLOCK_MONOTONIC, &recent);
        long long ns = (long long)recent.tv_nsec - (RESTAMP_MS % 1000) * 1000000LL;
        recent.tv_sec -= RESTAMP_MS / 1000 + (ns < 0);
        recent.tv_nsec = (long)(ns < 0 ? ns + 1000000000LL : ns);
        since = &recent;
    }
    uint64_t key = list_key(files, globs);
    pthread_mutex_lock(&lq->lock);
    for (size_t i = 0; i < STAMP_SLOTS; i++) {
        stamp_slot *s = &lq->stamps[i];
        if (s->key == key && !before(&s->at, since)) {
            memcpy(hash, s->hash, 17);
            pthread_mutex_unlock(&lq->lock);
            return;
        }
    }
    pthread_mutex_unlock(&lq->lock);
    struct timespec begun;
    clock_gettime(CLOCK_MONOTONIC, &begun);
    stamp_files(files, globs, hash);
    pthread_mutex_lock(&lq->lock);
    stamp_slot *s = &lq->stamps[lq->next_stamp++ % STAMP_SLOTS];
    s->key = key;
    memcpy(s->hash, hash, 17);
    s->at = begun;
    pthread_mutex_unlock(&lq->lock);
}

/* The cache key: the SQL (the query and its inputs as literals) and the
 * size and mtime of each file it reads, so a changed file misses. */
static char *cache_key(ds_livequery *lq, const char *sql, json_t *files, json_t *globs,
                       char stamp[17])
{
    char hash[17];
    ds_pagesql_hash(sql, hash);
    files_stamp(lq, files, globs, NULL, stamp);
    return ds_asprintf("%s:%zu:%s:%zu", hash, strlen(sql), stamp, json_array_size(files));
}

ds_live_job *ds_livequery_begin(ds_livequery *lq, const char *body, size_t len,
                                ds_live_reply *out)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    /* A field given twice would be read as either. */
    json_t *req = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!req) {
        /* jansson names its own flag for a NUL inside a string. */
        const char *text = strstr(je.text, "JSON_ALLOW_NUL")
                               ? "a string holds a NUL character (\\u0000)"
                               : je.text;
        refuse(out, 400, NULL, "malformed JSON: %s (at byte %d)", text, je.position);
        return NULL;
    }
    json_t *spec = current_spec(lq);
    if (!spec) {
        json_decref(req);
        refuse(out, 404, NULL, "no live queries: the site has not been built by this version "
                               "(.ducksite/live_queries.json is missing)");
        return NULL;
    }
    char *sql, *why;
    json_t *files, *names;
    unsigned status = ds_livequery_bind(spec, req, lq->lists, &sql, &files, &names, &why);
    /* The query bound is the one the request names (bind checked it). */
    json_t *bound = json_object_get(json_object_get(spec, "sql"), str_of(req, "query"));
    json_t *globs = json_object_get(bound, "globs");
    json_decref(req);
    if (status) {
        refuse(out, status, status == 413 ? "files" : NULL, "%s", why);
        free(why);
        json_decref(spec);
        return NULL;
    }
    char stamp[17];
    char *key = cache_key(lq, sql, files, globs, stamp);
    size_t n;
    char *hit = ds_livecache_get(lq->cache, key, &n);
    if (hit) {
        atomic_fetch_add(&lq->hits, 1);
        out->status = 200;
        out->body = hit;
        out->cache = "hit";
        free(key);
        free(sql);
        json_decref(files);
        json_decref(names);
        json_decref(spec);
        return NULL;
    }
    ds_live_job *job = ds_xcalloc(1, sizeof *job);
    job->sql = sql;
    job->key = key;
    memcpy(job->stamp, stamp, sizeof stamp);
    job->files = files; /* the request's own copies */
    job->names = names;
    job->globs = json_incref(globs);
    json_decref(spec);
    job->out = out;
    pthread_mutex_lock(&lq->lock);
    bool placed = place_job(lq, job);
    pthread_mutex_unlock(&lq->lock);
    if (!placed) {
        atomic_fetch_add(&lq->busy, 1);
        out->retry_after = 1;
        refuse(out, 503, "concurrency",
               "the server is running %lld live queries and %lld wait already "
               "(live_max_concurrent, live_max_queued); run it in the browser",
               lq->set.max_concurrent, lq->set.max_queued);
        free_job(job);
        return NULL;
    }
    return job;
}

void ds_livequery_watch(ds_live_job *job, ds_live_gone_fn gone)
{
    job->gone = gone;
}

void ds_livequery_submit(ds_livequery *lq, ds_live_job *job, ds_live_done_fn done, void *ctx)
{
    assert(job && done);
    pthread_mutex_lock(&lq->lock);
    job->done = done;
    job->ctx = ctx;
    if (job->follows) {
        /* Its leader answers it, unless it has already. */
        bool answered = job->answered;
        pthread_mutex_unlock(&lq->lock);
        if (answered) {
            done(ctx);
            free_job(job);
        }
        return;
    }
    if (lq->stop) {
        /* Begun before the server stopped: its place is given back. */
        if (job->w) {
            job->w->busy = false;
            job->w->current = NULL;
        } else {
            lq->queued--;
        }
        pthread_mutex_unlock(&lq->lock);
        job->out->retry_after = 1;
        refuse(job->out, 503, "concurrency", "the server is stopping");
        finish_job(lq, job);
        return;
    }
    if (!job->w) {
        /* A place in the queue; a worker may have become idle since. */
        if (!lq->head && take_worker(lq, job)) {
            lq->queued--;
        } else {
            job->queued = true;
            job->wait_until = after_ms(lq->set.queue_ms);
            if (lq->tail)
                lq->tail->next = job;
            else
                lq->head = job;
            lq->tail = job;
            pthread_mutex_unlock(&lq->lock);
            return;
        }
    }
    job->w->job = job;
    pthread_cond_signal(&job->w->go);
    pthread_mutex_unlock(&lq->lock);
}

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
} waiter;

static void wake_waiter(void *ctx)
{
    waiter *w = ctx;
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void ds_livequery_answer(ds_livequery *lq, const char *body, size_t len, ds_live_reply *out)
{
    ds_live_job *job = ds_livequery_begin(lq, body, len, out);
    if (!job)
        return;
    waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
    ds_livequery_submit(lq, job, wake_waiter, &w);
    pthread_mutex_lock(&w.lock);
    while (!w.done)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
}

void ds_live_reply_free(ds_live_reply *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

ds_livequery_stats ds_livequery_counters(ds_livequery *lq)
{
    return (ds_livequery_stats){atomic_load(&lq->ran), atomic_load(&lq->hits),
                                atomic_load(&lq->busy), atomic_load(&lq->timeouts),
                                atomic_load(&lq->too_large), atomic_load(&lq->waited),
                                atomic_load(&lq->shared)};
}
