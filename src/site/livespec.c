/* livespec.c - the server's description of every page's queries (see
 * livespec.h). */
#include "livespec.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "html.h"
#include "pagesql.h"

struct ds_livespec {
    json_t *pages; /* rel -> {inputs, queries, components} */
};

ds_livespec *ds_livespec_new(void)
{
    ds_livespec *ls = ds_xcalloc(1, sizeof *ls);
    ls->pages = json_object();
    return ls;
}

void ds_livespec_free(ds_livespec *ls)
{
    if (!ls)
        return;
    json_decref(ls->pages);
    free(ls);
}

void ds_livespec_add_page(ds_livespec *ls, const char *rel, json_t *config, json_t *components)
{
    assert(ls && rel && config && components);
    json_t *inputs = json_object_get(config, "inputs");
    json_t *queries = json_object_get(config, "queries");
    json_object_set_new(ls->pages, rel,
                        json_pack("{s:o, s:o, s:o}", "inputs",
                                  inputs ? json_incref(inputs) : json_object(), "queries",
                                  queries ? json_incref(queries) : json_object(), "components",
                                  components));
}

static bool name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_';
}

static const char *skip_space(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
        p++;
    return p;
}

void ds_livespec_placeholders(const char *sql, json_t *into)
{
    /* /\$\{\s*(inputs|params)\.([A-Za-z0-9_]+)\s*\}/g of sql.js */
    for (const char *p = strstr(sql, "${"); p; p = strstr(p + 1, "${")) {
        const char *q = skip_space(p + 2);
        size_t kind = strncmp(q, "inputs.", 7) == 0 ? 6 : strncmp(q, "params.", 7) == 0 ? 6 : 0;
        if (!kind)
            continue;
        const char *name = q + kind + 1, *end = name;
        while (name_char(*end))
            end++;
        if (end == name || *skip_space(end) != '}')
            continue;
        char *dep = ds_asprintf("%.*s", (int)(end - q), q);
        bool seen = false;
        for (size_t i = 0; i < json_array_size(into) && !seen; i++)
            seen = strcmp(json_string_value(json_array_get(into, i)), dep) == 0;
        if (!seen)
            json_array_append_new(into, json_string(dep));
        free(dep);
    }
}

typedef struct {
    const ds_collected *files;
    const char *static_dir;
    json_t *read; /* physical path -> the path the SQL names (data/...) */
    size_t named; /* data paths the SQL names, each time it names one */
} map_ctx;

/* A data path to its physical file (recorded); a relative path naming a
 * file under static/ (a form's target CSV) to that file. */
static const char *to_physical(void *vctx, const char *literal)
{
    map_ctx *c = vctx;
    const char *path = ds_collected_physical(c->files, literal);
    if (path) {
        json_object_set_new(c->read, path, json_string(literal));
        c->named++;
        return path;
    }
    if (!*literal || literal[0] == '/' || strstr(literal, "..") || strchr(literal, '*') ||
        strstr(literal, "://"))
        return NULL;
    char *in_static = ds_path_join(c->static_dir, literal);
    if (ds_is_file(in_static))
        json_object_set_new(c->read, in_static, json_string(literal));
    free(in_static);
    return NULL; /* the server's DuckDB reads relative paths from static/ */
}

/* ---- a whole source read by its glob ----------------------------------------- */

typedef struct {
    const ds_collected *files;
    ds_duck *db;
    const char *root;
    json_t *known; /* list name -> {"literal", "pattern", "dir", "name"}, or null */
    json_t *globs; /* this query's: [{"pattern", "dir", "name"}] */
    const ds_filelist *longest; /* this query's longest list put back whole */
    json_t *kept;  /* NULL, or a list that is no glob stays a placeholder:
                      its name -> its published document, for the server */
} glob_ctx;

/* What the server needs of files of S read through PATTERN (a physical
 * glob): the pattern quoted for the SQL, the pattern to find the files
 * again for the cache key, and the folder S's files live under with the
 * data path it stands for (data/<source>/), for messages; NULL when the
 * keys do not mirror the folders. */
static json_t *source_glob(const ds_source_set *s, const char *pattern)
{
    char *prefix = ds_asprintf("data/%s/", s->fs->name);
    const char *key = s->files[0].key, *path = s->files[0].path;
    size_t rel = strlen(key) - strlen(prefix), n = strlen(path);
    json_t *out = NULL;
    if (strncmp(key, prefix, strlen(prefix)) == 0 && n > rel &&
        strcmp(path + n - rel, key + strlen(prefix)) == 0) {
        ds_buf lit = {0};
        ds_sql_quote(&lit, pattern);
        char *dir = ds_strndup(path, n - rel);
        out = json_pack("{s:s, s:s, s:s, s:s}", "literal", lit.data, "pattern", pattern, "dir",
                        dir, "name", prefix);
        ds_buf_free(&lit);
        free(dir);
    }
    free(prefix);
    return out;
}

/* ds_filelist_put_fn: a list that is a whole source becomes its glob, as
 * for stored results (prerender.c): over a lake, the server's DuckDB then
 * finds the files itself and skips, by their folders, those a partition
 * predicate rules out, instead of binding a literal of every path. */
static bool put_glob(void *vctx, const ds_filelist *f, ds_buf *b)
{
    glob_ctx *g = vctx;
    json_t *known = json_object_get(g->known, f->name);
    if (!known) {
        /* The source's glob for the whole source, else the glob of the
         * one folder a list of some of its files shares (a templated
         * view's year=2007/), each only as DuckDB's glob() confirms. */
        const ds_source_set *s = g->db ? ds_filelist_whole_source(g->files, f) : NULL;
        char *pattern = s ? ds_filelist_source_glob(g->db, g->root, s) : NULL;
        if (!pattern && g->db)
            pattern = ds_filelist_folder_glob(g->db, g->root, g->files, f, &s);
        json_t *found = pattern ? source_glob(s, pattern) : NULL;
        known = found ? found : json_null();
        json_object_set_new(g->known, f->name, known);
        free(pattern);
    }
    if (!json_is_object(known)) {
        if (!g->longest || f->n > g->longest->n)
            g->longest = f;
        if (!g->kept)
            return false;
        /* The server puts it back per request, pruned (livequery.h). */
        ds_buf_printf(b, "'%s%s'", DS_FILELIST_PREFIX, f->name);
        char *doc = ds_asprintf("%s/%s.json", DS_SQL_FILES_DIR, f->view);
        json_object_set_new(g->kept, f->name, json_string(doc));
        free(doc);
        return true;
    }
    ds_buf_puts(b, json_string_value(json_object_get(known, "literal")));
    const char *pattern = json_string_value(json_object_get(known, "pattern"));
    for (size_t i = 0; i < json_array_size(g->globs); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(g->globs, i), "pattern")),
                   pattern) == 0)
            return true;
    json_array_append_new(g->globs, json_pack("{s:O, s:O, s:O}", "pattern",
                                              json_object_get(known, "pattern"), "dir",
                                              json_object_get(known, "dir"), "name",
                                              json_object_get(known, "name")));
    return true;
}

/* The compiled queries a component of page REL with query id ID may run
 * (each with the first page that runs it). */
static void note_reachable(json_t *want, const char *rel, const char *id, json_t *queries,
                           bool *all)
{
    if (strstr(id, "${")) {
        *all = true; /* the id depends on an input: any query may be it */
        return;
    }
    ds_env env = {0};
    char *path = ds_pagesql_resolve(id, &env, queries);
    if (path && !json_object_get(want, path))
        json_object_set_new(want, path, json_string(rel));
    free(path);
}

/* Why the server will not run query URL, which names N files one by one,
 * the most of them from LONGEST (or NULL); warned about at build time when
 * PAGE runs it by name (a query reachable only through an id made of
 * inputs may never run: the server tells the reason when it is asked). */
static char *too_many_files(const char *url, const char *page, size_t n,
                            const ds_filelist *longest)
{
    ds_buf why = {0};
    ds_buf_printf(&why, "it names %zu files one by one", n);
    if (longest)
        ds_buf_printf(&why, " (%zu of view '%s')", longest->n, longest->view);
    ds_buf_printf(&why, ", more than the %d the server's engine is given; the browser runs it, "
                        "reading only the partitions its filters keep (a source read by its "
                        "upstream_glob, or a templated view of one, is read by its glob "
                        "instead)",
                  DS_LIVESPEC_FILES_MAX);
    if (page)
        ds_warn("live queries: page '%s': query %s: %s", page, url, why.data);
    return ds_buf_take(&why);
}

int ds_livespec_remove(const char *root)
{
    char *path = ds_path_join(root, DS_LIVESPEC_FILE);
    unlink(path); /* absent already, or left: no server reads it then */
    free(path);
    return 0;
}

int ds_livespec_write(const ds_livespec *ls, const char *root, const char *static_dir,
                      const ds_compiled_list *compiled, const ds_collected *files, ds_duck *db,
                      ds_err *err)
{
    json_t *known = json_object();
    json_t *want = json_object();
    bool all = false;
    const char *rel;
    json_t *page;
    json_object_foreach(ls->pages, rel, page)
    {
        const char *key;
        json_t *comp;
        json_object_foreach(json_object_get(page, "components"), key, comp)
            note_reachable(want, rel, json_string_value(json_object_get(comp, "query")),
                       json_object_get(page, "queries"), &all);
    }
    json_t *sql = json_object();
    for (size_t i = 0; i < compiled->len; i++) {
        const ds_compiled *q = &compiled->items[i];
        ds_buf url = {0};
        ds_html_sql_url(&url, q->kind == DS_KIND_PAGE_QUERY, q->name);
        if (all || json_object_get(want, url.data)) {
            map_ctx c = {files, static_dir, json_object(), 0};
            /* A lake's long file lists are placeholders in the compiled
             * SQL (filelist.h): a whole source's becomes its glob, any
             * other is put back whole, each file made physical and
             * recorded, as the build-time engine reads them. */
            glob_ctx g = {files, db, root, known, json_array(), NULL, NULL};
            char *full = ds_filelists_expand_with(files->lists, q->sql, put_glob, &g);
            char *physical = ds_sql_map_literals(full, to_physical, &c);
            free(full);
            if (c.named > DS_LIVESPEC_FILES_MAX && g.longest) {
                /* Too many to name: the lists that are no glob stay
                 * placeholders, which the server fills per request with
                 * the files the request's partition values keep. */
                free(physical);
                json_decref(c.read);
                json_array_clear(g.globs);
                c = (map_ctx){files, static_dir, json_object(), 0};
                g.kept = json_object();
                full = ds_filelists_expand_with(files->lists, q->sql, put_glob, &g);
                physical = ds_sql_map_literals(full, to_physical, &c);
                free(full);
            }
            if (c.named > DS_LIVESPEC_FILES_MAX) {
                json_t *page = json_object_get(want, url.data);
                char *why = too_many_files(url.data, json_string_value(page), c.named,
                                           g.longest);
                json_t *holders = json_array();
                ds_livespec_placeholders(q->sql, holders);
                json_object_set_new(sql, url.data, json_pack("{s:s, s:o}", "refused", why,
                                                             "placeholders", holders));
                free(why);
                free(physical);
                json_decref(c.read);
                json_decref(g.globs);
                json_decref(g.kept);
                ds_buf_free(&url);
                continue;
            }
            /* The runtime's text is the SQL file's: the query and a newline. */
            char *text = ds_asprintf("%s\n", physical);
            json_t *read = json_array(), *names = json_array(), *holders = json_array();
            const char *path;
            json_t *v;
            json_object_foreach(c.read, path, v)
            {
                json_array_append_new(read, json_string(path));
                json_array_append(names, v);
            }
            ds_livespec_placeholders(q->sql, holders);
            json_t *entry = json_pack("{s:s, s:o, s:o, s:o, s:o}", "sql", text, "files", read,
                                      "names", names, "globs", g.globs, "placeholders", holders);
            if (g.kept) {
                json_t *prune = q->prune ? json_loads(q->prune, 0, NULL) : NULL;
                json_object_set_new(entry, "lists", g.kept);
                json_object_set_new(entry, "prune", prune ? prune : json_object());
            }
            json_object_set_new(sql, url.data, entry);
            free(text);
            free(physical);
            json_decref(c.read);
        }
        ds_buf_free(&url);
    }
    json_decref(want);
    json_decref(known);
    json_t *doc = json_pack("{s:i, s:s, s:O, s:o}", "version", 1, "static_dir", static_dir,
                            "pages", ls->pages, "sql", sql);
    /* Keys in the page config's order, not sorted: the order of format
     * columns and inputs is the runtime's (Object.entries). */
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    int rc = ds_write_atomic_under(root, DS_LIVESPEC_FILE, text, err);
    free(text);
    return rc;
}
