/* enginecheck.c - the browser's own engine run over the pages' queries at
 * build time (see enginecheck.h). */
#include "enginecheck.h"

#include <ctype.h>
#include <signal.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../config/layout.h"
#include "../datamap/facts.h"
#include "../sql/filelist.h"
#include "../sql/query.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "../util/proc.h"
#include "assets.h"
#include "uptodate.h"

#define SCRIPT "enginecheck.node.cjs"
#define CACHE_HEADER "ducksite engine checked 1\n"
/* Limits of the run: a stuck node never holds the build. */
#define RUN_SECONDS 120.0
#define RUN_MAX_OUTPUT ((size_t)16 << 20)

typedef struct {
    char *sql;                /* as the runtime makes it */
    const ds_compiled *q;     /* the compiled query it comes from */
    char *file, *kind, *id;   /* the first component that runs it */
    int line;
    ds_buf others;            /* the other components that run it */
    bool dropped;             /* the build-time engine failed on it */
    bool stored;              /* the build stored its result */
    bool view;                /* a model or a file source's view itself (kind
                                 holds its label): no component */
    char *state;              /* NULL: the page's default state; else which
                                 other state ("input 'x' = 'a'") */
} item;

typedef struct run_state run_state;

struct ds_enginecheck {
    item *items;
    size_t n, cap;
    json_t *by_sql;   /* sql -> place, so each text is checked once */
    json_t *reported; /* lowercased query names and "file:" page files */
    json_t *shapes;   /* component + SQL with its string literals emptied */
    run_state *run;   /* between ds_enginecheck_start and _finish */
    bool interrupted; /* its last run was stopped for a newer edit */
};

ds_enginecheck *ds_enginecheck_new(void)
{
    ds_enginecheck *e = ds_xcalloc(1, sizeof *e);
    e->by_sql = json_object();
    e->reported = json_object();
    e->shapes = json_object();
    return e;
}

static void run_free(run_state *r);

void ds_enginecheck_free(ds_enginecheck *e)
{
    if (!e)
        return;
    run_free(e->run);
    for (size_t i = 0; i < e->n; i++) {
        free(e->items[i].sql);
        free(e->items[i].file);
        free(e->items[i].kind);
        free(e->items[i].id);
        free(e->items[i].state);
        ds_buf_free(&e->items[i].others);
    }
    free(e->items);
    json_decref(e->by_sql);
    json_decref(e->reported);
    json_decref(e->shapes);
    free(e);
}

static const char *empty_literal(void *ctx, const char *literal)
{
    (void)ctx;
    (void)literal;
    return "";
}

/* A component: where it is written, its kind and id. */
static char *component_key(const char *file, int line, const char *kind, const char *id)
{
    return ds_asprintf("%s\n%d\n%s\n%s", file, line, kind, id);
}

/* A component's SQL up to its string literals (an input's value, a file
 * of a templated view), with the component: the key of what the engine
 * binds alike, as a hash. */
static char *shape_key(const char *sql, const char *file, int line, const char *kind,
                       const char *id)
{
    char *shape = ds_sql_map_literals(sql, empty_literal, NULL);
    char *component = component_key(file, line, kind, id);
    char *text = ds_asprintf("%s\n%s", component, shape);
    char *key = ds_asprintf("%016llx", (unsigned long long)ds_hash(text, strlen(text)));
    free(text);
    free(component);
    free(shape);
    return key;
}

/* Adds SQL to be asked (once per text: a component running SQL asked
 * already is named among that item's others); returns its place. */
static size_t add_item(ds_enginecheck *e, const char *sql, const ds_compiled *q,
                       const char *file, int line, const char *kind, const char *id)
{
    json_t *known = json_object_get(e->by_sql, sql);
    if (known) {
        item *first = &e->items[json_integer_value(known)];
        /* Named once, however many states run this SQL. */
        char *other = ds_asprintf("%s '%s' (%s:%d)", kind, id, file, line);
        if ((strcmp(first->file, file) != 0 || first->line != line) &&
            !(first->others.len && strstr(first->others.data, other)))
            ds_buf_printf(&first->others, "%s%s", first->others.len ? ", " : "", other);
        free(other);
        return (size_t)json_integer_value(known);
    }
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 16;
        e->items = ds_xrealloc(e->items, e->cap * sizeof *e->items);
    }
    e->items[e->n] = (item){ds_strdup(sql), q,     ds_strdup(file), ds_strdup(kind),
                            ds_strdup(id),   line,  {0},             false,
                            false,           false, NULL};
    json_object_set_new(e->by_sql, sql, json_integer((json_int_t)e->n));
    return e->n++;
}

size_t ds_enginecheck_add(ds_enginecheck *e, const char *sql, const ds_compiled *q,
                          const char *file, int line, const char *kind, const char *id)
{
    char *key = shape_key(sql, file, line, kind, id);
    json_object_set_new(e->shapes, key, json_true());
    free(key);
    return add_item(e, sql, q, file, line, kind, id);
}

size_t ds_enginecheck_add_state(ds_enginecheck *e, const char *sql, const ds_compiled *q,
                                const char *file, int line, const char *kind, const char *id,
                                const char *state)
{
    char *key = shape_key(sql, file, line, kind, id);
    bool known_shape = json_object_get(e->shapes, key) != NULL;
    json_object_set_new(e->shapes, key, json_true());
    free(key);
    /* The very SQL asked already (another component's, or this one's in
     * another state): this component is named with it. */
    if (json_object_get(e->by_sql, sql))
        return add_item(e, sql, q, file, line, kind, id);
    if (known_shape)
        return SIZE_MAX;
    size_t at = add_item(e, sql, q, file, line, kind, id);
    e->items[at].state = ds_strdup(state);
    return at;
}

bool ds_enginecheck_is_new(const ds_enginecheck *e, const char *sql, const char *file, int line,
                           const char *kind, const char *id)
{
    if (json_object_get(e->by_sql, sql))
        return false;
    char *key = shape_key(sql, file, line, kind, id);
    bool known_shape = json_object_get(e->shapes, key) != NULL;
    free(key);
    return !known_shape;
}

void ds_enginecheck_add_view(ds_enginecheck *e, const ds_compiled *q, const char *file, int line,
                             const char *label)
{
    size_t at = add_item(e, q->sql, q, file, line, label, "");
    e->items[at].view = true;
}

void ds_enginecheck_drop(ds_enginecheck *e, size_t at)
{
    if (at >= e->n)
        return;
    item *it = &e->items[at];
    it->dropped = true;
    if (it->state) {
        /* Another state of the same shape is asked instead. */
        char *key = shape_key(it->sql, it->file, it->line, it->kind, it->id);
        json_object_del(e->shapes, key);
        free(key);
    }
}

void ds_enginecheck_stored(ds_enginecheck *e, size_t at)
{
    if (at < e->n)
        e->items[at].stored = true;
}

static char *lower(const char *s)
{
    char *l = ds_strdup(s);
    for (char *p = l; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return l;
}

static bool was_reported(const ds_enginecheck *e, const char *name)
{
    char *l = lower(name);
    bool yes = json_object_get(e->reported, l) != NULL;
    free(l);
    return yes;
}

void ds_enginecheck_reported(ds_enginecheck *e, const char *name)
{
    char *l = lower(name);
    json_object_set_new(e->reported, l, json_true());
    free(l);
}

/* Whether IT's query, or one it inlines, or its page's inputs, had a
 * finding of the rule-based check already. */
static bool reported_before(const ds_enginecheck *e, const item *it)
{
    if (was_reported(e, it->q->name))
        return true;
    for (size_t k = 0; k < it->q->n_deps; k++)
        if (was_reported(e, it->q->deps[k]))
            return true;
    char *page = ds_asprintf("file:%s", it->file);
    bool yes = was_reported(e, page);
    free(page);
    return yes;
}

/* ---- the SQL as checked ------------------------------------------------------ */

typedef struct {
    const ds_collected *files;
    const char *static_dir;
    json_t *names;  /* this query's data path -> physical path */
} literal_ctx;

/* A data path the SQL names: a mapped file, or one under static/. */
static const char *note_literal(void *vctx, const char *literal)
{
    literal_ctx *c = vctx;
    if (json_object_get(c->names, literal))
        return NULL;
    const char *physical = ds_collected_physical(c->files, literal);
    char *own = NULL;
    if (!physical) {
        const char *rel = literal;
        while (rel[0] == '.' && rel[1] == '/')
            rel += 2;
        while (*rel == '/')
            rel++;
        if (*rel && !strstr(rel, "..") && !strchr(rel, ':')) {
            own = ds_path_join(c->static_dir, rel);
            if (ds_is_file(own))
                physical = own;
        }
    }
    if (physical)
        json_object_set_new(c->names, literal, json_string(physical));
    free(own);
    return NULL;
}

/* The checked text's key: the SQL, each file's path, size and mtime, and
 * the engine's own files (a new runtime checks everything again). */
static char *check_key(const char *sql, json_t *names, const char *engine_id)
{
    ds_buf b = {0};
    ds_buf_puts(&b, engine_id);
    ds_buf_putc(&b, '\n');
    ds_buf_puts(&b, sql);
    const char *name;
    json_t *v;
    json_object_foreach(names, name, v)
    {
        ds_file_stamp st = {-1, 0, 0};
        ds_file_stamp_of(json_string_value(v), &st);
        ds_buf_printf(&b, "\n%s\t%s\t%lld\t%lld", name, json_string_value(v), (long long)st.size,
                      (long long)st.mtime_ns);
    }
    char *key = ds_asprintf("%016llx", (unsigned long long)ds_hash(b.data, b.len));
    ds_buf_free(&b);
    return key;
}

static char *stamp_text(const char *path)
{
    ds_file_stamp st = {-1, 0, 0};
    ds_file_stamp_of(path, &st);
    return ds_asprintf("%s %lld %lld", path, (long long)st.size, (long long)st.mtime_ns);
}

/* ---- the cache of answers ------------------------------------------------------ */

/* KEY -> "" (prepared) or the engine's refusal: a line is the key, or the
 * key, a tab and the refusal.  A refusal is said again from here, with no
 * engine started, until the query or its files change. */
static json_t *load_cache(const char *path)
{
    json_t *set = json_object();
    char *text = ds_read_file(path, NULL, NULL);
    if (!text || strncmp(text, CACHE_HEADER, strlen(CACHE_HEADER)) != 0) {
        free(text);
        return set;
    }
    char *save = NULL;
    for (char *line = strtok_r(text + strlen(CACHE_HEADER), "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        if (strlen(line) == 16)
            json_object_set_new(set, line, json_string(tab ? tab + 1 : ""));
    }
    free(text);
    return set;
}

static void save_cache(const char *path, json_t *now, json_t *before)
{
    if (json_equal(now, before))
        return;
    ds_buf b = {0};
    ds_buf_puts(&b, CACHE_HEADER);
    const char *key;
    json_t *v;
    json_object_foreach(now, key, v)
    {
        ds_buf_puts(&b, key);
        if (*json_string_value(v))
            ds_buf_printf(&b, "\t%s", json_string_value(v));
        ds_buf_putc(&b, '\n');
    }
    char *dir = ds_path_dirname(path);
    ds_err err;
    if (ds_mkdir_p(dir, &err) != 0 || ds_write_atomic(path, b.data, b.len, &err) != 0)
        ds_info("browser engine: %s not written (%s); the next build asks about the queries "
                "again",
                path, err.msg);
    free(dir);
    ds_buf_free(&b);
}

/* ---- the run ------------------------------------------------------------------ */

/* The query name as a page calls it: a page query's after its page. */
static const char *short_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

typedef struct {
    const ds_query_list *queries; /* where each query is written */
    bool strict;
    size_t *asked;  /* request place -> item place */
    size_t n_asked;
    size_t refused;
    char *first;    /* with strict: the first finding */
    char *version;
    json_t *refusals; /* [[item place, the engine's text], ...], said at the end */
} answers;

/* What to say of IT's query, refused by the engine with ERROR. */
static char *refusal_text(const item *it, const char *error, const ds_query_list *queries)
{
    if (it->view)
        return ds_asprintf("%s:%d: %s: the browser engine (DuckDB 0.9.1) cannot run it: %s; every "
                           "page query and SQL console query that reads it fails in the browser",
                           it->file, it->line, it->kind, error);
    const ds_query *def = ds_query_find(queries, it->q->name);
    char *where = def && def->file ? ds_asprintf(" (%s:%d)", def->file, def->line) : ds_strdup("");
    /* A stored result paints the page; the engine runs the query for
     * what the build did not store. */
    const char *when = it->stored ? "; the page shows the result the build stored, but the "
                                    "browser fails whenever it runs the query itself (another "
                                    "input value, data newer than the build, the SQL console)"
                                  : "; it will fail in the browser";
    char *msg = ds_asprintf("%s:%d: %s '%s': the browser engine (DuckDB 0.9.1) cannot run its "
                            "query '%s'%s%s%s: %s%s%s%s%s",
                            it->file, it->line, it->kind, it->id, short_name(it->q->name), where,
                            it->state ? " when " : "", it->state ? it->state : "", error, when,
                            it->others.len ? " (so does " : "",
                            it->others.len ? it->others.data : "",
                            it->others.len ? ", which runs the same SQL)" : "");
    free(where);
    return msg;
}

/* Says that the engine refused IT's query with ERROR: a warning, or with
 * strict the first one kept as the build's error. */
static void report(const item *it, const char *error, answers *a)
{
    char *msg = refusal_text(it, error, a->queries);
    if (a->strict && !a->first) {
        a->first = msg;
    } else {
        ds_warn("%s", msg);
        free(msg);
    }
    a->refused++;
}

/* Whether IT's query reads a model or view in REFUSED (lowercased names). */
static bool reads_refused(const item *it, json_t *refused)
{
    for (size_t k = 0; k < it->q->n_deps; k++) {
        char *l = lower(it->q->deps[k]);
        bool yes = json_object_get(refused, l) != NULL;
        free(l);
        if (yes)
            return true;
    }
    return false;
}

/* Says every refusal once, where it is written: a model's or a view's at
 * its own line, a component's only when none of what it reads was refused
 * already, and once per component (its default state's refusal, else its
 * first other state's). */
static int cmp_refusal(const void *x, const void *y)
{
    json_int_t a = json_integer_value(json_array_get(*(json_t *const *)x, 0));
    json_int_t b = json_integer_value(json_array_get(*(json_t *const *)y, 0));
    return (a > b) - (a < b);
}

static void report_all(const ds_enginecheck *e, answers *a)
{
    json_t *refused = json_object();
    json_t *components = json_object();
    /* In the order the queries were added, whether an answer was kept
     * from an earlier build or given now: the same build says the same. */
    size_t n = json_array_size(a->refusals);
    json_t **sorted = ds_xcalloc(n + 1, sizeof *sorted);
    for (size_t k = 0; k < n; k++)
        sorted[k] = json_array_get(a->refusals, k);
    qsort(sorted, n, sizeof *sorted, cmp_refusal);
    /* Views first, then components' default states, then their others. */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t k = 0; k < n; k++) {
            json_t *pair = sorted[k];
            const item *it = &e->items[json_integer_value(json_array_get(pair, 0))];
            int its_pass = it->view ? 0 : it->state ? 2 : 1;
            if (its_pass != pass || (pass > 0 && reads_refused(it, refused)))
                continue;
            if (it->view) {
                char *l = lower(it->q->name);
                json_object_set_new(refused, l, json_true());
                free(l);
            } else {
                char *c = component_key(it->file, it->line, it->kind, it->id);
                bool said = json_object_get(components, c) != NULL;
                json_object_set_new(components, c, json_true());
                free(c);
                if (said)
                    continue;
            }
            report(it, json_string_value(json_array_get(pair, 1)), a);
        }
    }
    free(sorted);
    json_decref(components);
    json_decref(refused);
}

/* One line of the engine's answer; a refusal goes into NOW under its
 * query's key. */
static void take_answer(const char *line, answers *a, char **keys, json_t *now)
{
    json_t *doc = json_loads(line, 0, NULL);
    if (!doc)
        return;
    json_t *i = json_object_get(doc, "i");
    const char *error = json_string_value(json_object_get(doc, "error"));
    if (json_is_true(json_object_get(doc, "done"))) {
        free(a->version);
        a->version = ds_strdup(json_string_value(json_object_get(doc, "version")));
    } else if (json_is_string(json_object_get(doc, "fatal"))) {
        ds_uptodate_incomplete();
        ds_warn("browser engine: it could not start (%s); the queries were not checked by it",
                json_string_value(json_object_get(doc, "fatal")));
    } else if (json_is_integer(i) && error && *error &&
               (size_t)json_integer_value(i) < a->n_asked) {
        size_t at = a->asked[json_integer_value(i)];
        json_object_set_new(now, keys[at], json_string(error));
        json_array_append_new(a->refusals, json_pack("[I, s]", (json_int_t)at, error));
    }
    json_decref(doc);
}

/* A check under way: what was asked, and the engine answering. */
struct run_state {
    answers a;
    bool strict;
    double t0;
    char *cache_path;
    json_t *before, *now;  /* answers kept from earlier builds, and this one's */
    char **keys;           /* per item: its key, or NULL when not checked */
    size_t n_keys;
    size_t known, too_many;
    bool asking;           /* the engine was started */
    bool interrupted;      /* and stopped for a newer edit */
    ds_proc proc;
    char *argv0;
};

static void run_free(run_state *r)
{
    if (!r)
        return;
    if (r->asking) {
        /* Abandoned (the build failed meanwhile): not waited for. */
        kill(-r->proc.pid, SIGKILL);
        ds_proc_finish(&r->proc);
    }
    for (size_t i = 0; i < r->n_keys; i++)
        free(r->keys[i]);
    free(r->keys);
    free(r->a.asked);
    free(r->a.first);
    free(r->a.version);
    json_decref(r->a.refusals);
    json_decref(r->before);
    json_decref(r->now);
    free(r->cache_path);
    free(r->argv0);
    free(r);
}

/* Starts node over the request: the engine's files, the data paths and
 * the queries.  False (said) when it cannot be started. */
static bool start_engine(run_state *r, const char *script, const char *eh, const char *mvp,
                         json_t *files, json_t *queries)
{
    json_t *pairs = json_array();
    const char *name;
    json_t *v;
    json_object_foreach(files, name, v)
        json_array_append_new(pairs, json_pack("[s, O]", name, v));
    json_t *req = json_pack("{s: {s: s, s: s}, s: o, s: O}", "wasm", "eh", eh, "mvp", mvp, "files",
                            pairs, "queries", queries);
    char *input = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    const char *node = getenv("DUCKSITE_NODE");
    r->argv0 = ds_strdup(node && *node ? node : "node");
    char *argv[] = {r->argv0, (char *)script, NULL};
    ds_err perr;
    bool ok = ds_proc_spawn(argv, NULL, NULL, &r->proc, &perr) == 0;
    if (!ok) {
        ds_info("browser engine: queries not asked (%s)", perr.msg);
    } else {
        r->asking = true;
        ds_proc_limit(&r->proc, RUN_SECONDS, RUN_MAX_OUTPUT);
        /* The request whole, then end of input: the script reads it all. */
        ds_proc_write(&r->proc, input, strlen(input));
        close(r->proc.in_fd);
        r->proc.in_fd = -1;
    }
    free(input);
    return ok;
}

/* Reads the engine's answers into r->now; problems running node are said,
 * never fatal. */
static void read_answers(run_state *r)
{
    /* Its time counts from now: the pictures were drawn meanwhile, and it
     * may have answered long ago. */
    ds_proc_limit(&r->proc, RUN_SECONDS, RUN_MAX_OUTPUT);
    char *line;
    while (ds_proc_read_line(&r->proc, &line) == 0) {
        take_answer(line, &r->a, r->keys, r->now);
        free(line);
    }
    ds_proc_stop stop = r->proc.stop;
    int status = ds_proc_finish(&r->proc);
    r->asking = false;
    if (stop == DS_PROC_INTERRUPTED) {
        r->interrupted = true;
        ds_uptodate_incomplete();
        ds_info("browser engine: stopped for a newer edit");
    } else if (stop != DS_PROC_RUNNING || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ds_uptodate_incomplete(); /* the next build asks again */
        char *why = stop == DS_PROC_TIMED_OUT ? ds_strdup("took more than 120 s")
                    : stop != DS_PROC_RUNNING ? ds_strdup("wrote more than 16 MiB")
                                              : ds_proc_describe_status(status);
        ds_warn("browser engine: %s %s; the queries were not checked by it", r->argv0, why);
        free(why);
    } else {
        /* Only a run that ended says the others were prepared. */
        for (size_t k = 0; r->a.version && k < r->a.n_asked; k++)
            if (!json_object_get(r->now, r->keys[r->a.asked[k]]))
                json_object_set_new(r->now, r->keys[r->a.asked[k]], json_string(""));
    }
}

void ds_enginecheck_start(ds_enginecheck *e, const char *root, const ds_collected *files,
                          const ds_query_list *queries_in, bool strict, bool ask, size_t *pending)
{
    if (pending)
        *pending = 0;
    run_free(e->run);
    e->interrupted = false;
    run_state *r = e->run = ds_xcalloc(1, sizeof *r);
    r->strict = strict;
    r->t0 = ds_monotonic() * 1e3;
    char *dist = ds_assets_dist_dir();
    char *script = ds_path_join(dist, SCRIPT);
    char *eh = ds_path_join(dist, "duckdb/duckdb-eh.wasm");
    char *mvp = ds_path_join(dist, "duckdb/duckdb-mvp.wasm");
    char *static_dir = ds_path_join(root, DS_STATIC_DIR);
    char *cache_dir = ds_path_join(root, DS_FACTS_DIR);
    r->cache_path = ds_path_join(cache_dir, DS_ENGINECHECK_FILE);
    free(cache_dir);
    r->before = load_cache(r->cache_path);
    r->now = json_object();
    json_t *request_files = json_object(), *queries = json_array();
    r->keys = ds_xcalloc(e->n + 1, sizeof *r->keys);
    r->n_keys = e->n;
    r->a = (answers){queries_in, strict, ds_xcalloc(e->n + 1, sizeof *r->a.asked), 0, 0, NULL,
                     NULL, json_array()};

    char *s1 = stamp_text(script), *s2 = stamp_text(eh);
    char *engine_id = ds_asprintf("%s\n%s", s1, s2);
    free(s1);
    free(s2);
    bool ready = ds_is_file(script) && ds_is_file(eh);
    for (size_t i = 0; ready && i < e->n; i++) {
        item *it = &e->items[i];
        if (it->dropped || reported_before(e, it))
            continue;
        char *sql = ds_filelists_expand_with(files->lists, it->sql, ds_filelist_put_first, NULL);
        literal_ctx c = {files, static_dir, json_object()};
        ds_sql_each_literal(sql, note_literal, &c);
        if (json_object_size(c.names) > DS_FILELIST_BROWSER_MAX) {
            /* The runtime refuses it before the engine sees it; the
             * build said so (prerender.c). */
            r->too_many++;
        } else {
            r->keys[i] = check_key(sql, c.names, engine_id);
            json_t *answer = json_object_get(r->before, r->keys[i]);
            if (answer) {
                json_object_set(r->now, r->keys[i], answer);
                r->known++;
                if (*json_string_value(answer))
                    json_array_append_new(r->a.refusals, json_pack("[I, O]", (json_int_t)i, answer));
            } else {
                json_object_update(request_files, c.names);
                r->a.asked[r->a.n_asked++] = i;
                json_array_append_new(queries, json_string(sql));
            }
        }
        json_decref(c.names);
        free(sql);
    }
    free(engine_id);

    /* With queries left for a later build (serve's second step), all the
     * refusals, known ones included, are said there. */
    bool for_finish = false; /* finish says the answers (asked or kept) */
    if (!ready) {
        if (e->n)
            ds_info("browser engine: queries not asked (%s is missing; scripts/setup makes it)",
                    ds_is_file(script) ? eh : script);
    } else if (r->a.n_asked && !ask) {
        if (pending)
            *pending = r->a.n_asked; /* a later build asks (serve's second step) */
    } else {
        for_finish = true;
        if (r->a.n_asked && !start_engine(r, script, eh, mvp, request_files, queries))
            r->a.n_asked = 0;
    }
    json_decref(queries);
    json_decref(request_files);
    free(static_dir);
    free(mvp);
    free(eh);
    free(script);
    free(dist);
    if (!for_finish) {
        run_free(r);
        e->run = NULL;
    }
}

bool ds_enginecheck_interrupted(const ds_enginecheck *e)
{
    return e->interrupted;
}

int ds_enginecheck_finish(ds_enginecheck *e, ds_err *err)
{
    run_state *r = e->run;
    if (!r)
        return 0;
    if (r->asking)
        read_answers(r);
    e->interrupted = r->interrupted;
    save_cache(r->cache_path, r->now, r->before);
    report_all(e, &r->a);
    const answers *a = &r->a;
    int rc = 0;
    ds_buf over = {0};
    if (r->too_many)
        ds_buf_printf(&over, "; %zu not asked (they name more than %d files)", r->too_many,
                      DS_FILELIST_BROWSER_MAX);
    if (a->first)
        rc = a->refused == 1
                 ? ds_err_set(err, "%s", a->first)
                 : ds_err_set(err, "%s (and %zu more, above)", a->first, a->refused - 1);
    else if (a->n_asked)
        ds_info("browser engine: %zu queries asked of DuckDB-Wasm (DuckDB %s), %zu refused; %zu "
                "unchanged since it was asked%s (%.0f ms)",
                a->n_asked, a->version ? a->version : "v0.9.1", a->refused, r->known,
                over.data ? over.data : "", ds_monotonic() * 1e3 - r->t0);
    else if (r->known + r->too_many)
        ds_info("browser engine: %zu queries unchanged since DuckDB-Wasm was asked, %zu "
                "refused%s",
                r->known, a->refused, over.data ? over.data : "");
    ds_buf_free(&over);
    run_free(r);
    e->run = NULL;
    return rc;
}
