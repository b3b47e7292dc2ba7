/* filelist.h - the file lists of large file-source views, published once.
 *
 * A view over a lake spells out every file in read_parquet(['data/...',
 * ...]), and every page query reading it carried the whole list again (70
 * MB for 1,000,000 paths).  A list of more than DS_FILELIST_MIN files is
 * moved out of the view's SQL into a ds_filelist, and the SQL keeps a
 * placeholder literal in its place:
 *
 *     read_parquet('ducksite:files/lake/0', hive_types = {...})
 *
 * The build publishes the lists of each view once, as
 * static/sql/_files/<view>.json (folders, names, sizes and the hive
 * types), and the browser runtime puts a list back (pruned by the query's
 * partition predicates) before DuckDB-Wasm sees the SQL.  The build-time
 * engine gets the whole list back with ds_filelists_expand.  Templated
 * views' lists leave their SQL the same way: a value of a lake's template
 * column can hold 10,000 files, which the browser prunes by the other
 * partition columns as it does a base view's. */
#ifndef DS_FILELIST_H
#define DS_FILELIST_H

#include <stdbool.h>
#include <stddef.h>

#include "../datamap/collect.h"
#include "../util/util.h"
#include "duck.h"
#include "query.h"

/* Lists of up to this many files stay in the SQL. */
#define DS_FILELIST_MIN 100

/* The most files a page query may make the browser read from published
 * lists: DuckDB-Wasm requests each file of its list, one after another
 * (about 1,000 files in 13 s measured; 5,000 exhaust Chromium's requests
 * and 10,000 the engine's memory, docs/building.md).  The build warns about
 * a query that would read more, and the runtime refuses to run it
 * (web/src/sql.js FILE_LIST_BROWSER_MAX, the same number). */
#define DS_FILELIST_BROWSER_MAX 1000

/* What a placeholder literal starts with: 'ducksite:files/<view>/<k>'. */
#define DS_FILELIST_PREFIX "ducksite:files/"

typedef struct {
    char *view;          /* the view whose SQL held it */
    size_t index;        /* its place among the view's lists: 0, 1, ... */
    char *name;          /* "<view>/<index>", what the placeholder names */
    char **keys;         /* data-map keys, in the SQL's order */
    size_t n;
    char *hive;          /* the read_parquet's hive_types = {...} as JSON
                            ({"year": "BIGINT"}), or NULL */
    bool templated;      /* the view is a templated view (lake_2024) */
} ds_filelist;

/* A view's lists are added one after another: they are items[first ...]
 * for as long as their view is the same.  A lake may have thousands of
 * templated views with lists, so lookups go through by_name, not a scan. */
typedef struct ds_filelists {
    ds_filelist *items;
    size_t len, cap;
    struct json_t *by_name; /* "<view>/<k>" -> position in items (jansson) */
} ds_filelists;

/* Moves every list of more than DS_FILELIST_MIN files out of the SQL of
 * the file-source and templated views (kinds DS_KIND_FILE_SOURCE and
 * DS_KIND_FILE_SOURCE_TEMPLATE) of q into out: the lists of views made
 * with their lists in the SQL (ds_source_views without lists). */
void ds_filelists_extract(ds_query_list *q, ds_filelists *out);

/* Adds the list of N keys (copied) that VIEW's SQL names next, and writes
 * its placeholder literal ('ducksite:files/<view>/<k>') to b.  A view's
 * lists are added one after another, before the next view's.  HIVE_OPTION
 * is the read_parquet's "hive_types = {...}" text, or NULL.  The views
 * write their long lists this way (sourceview.h), which gives the same
 * SQL and lists as ds_filelists_extract without spelling each key out and
 * reading it back. */
void ds_filelists_put(ds_filelists *l, const char *view, bool templated,
                      const char *const *keys, size_t n, const char *hive_option, ds_buf *b);

/* The list a placeholder names ("<view>/<k>"), or NULL. */
const ds_filelist *ds_filelists_find(const ds_filelists *l, const char *name);

/* Copy of sql with every placeholder replaced by its whole list
 * (['data/a', 'data/b']); l may be NULL.  Caller frees. */
char *ds_filelists_expand(const ds_filelists *l, const char *sql);

/* The same, but PUT is asked first for each list: it may write what
 * stands for the list into b and return true (a glob naming exactly its
 * files, say); false writes the whole list. */
typedef bool (*ds_filelist_put_fn)(void *ctx, const ds_filelist *list, ds_buf *b);
char *ds_filelists_expand_with(const ds_filelists *l, const char *sql, ds_filelist_put_fn put,
                               void *ctx);

/* A ds_filelist_put_fn: each list stands for its first file (every file
 * of one list has one schema, so a query binds over it as over all). */
bool ds_filelist_put_first(void *ctx, const ds_filelist *list, ds_buf *b);

/* Calls fn with every key of every list a placeholder of sql names. */
typedef void (*ds_filelist_key_fn)(void *ctx, const char *key);
void ds_filelists_each_key(const ds_filelists *l, const char *sql, ds_filelist_key_fn fn,
                           void *ctx);

/* How many of F's files the browser keeps under CONDS, the predicates
 * prune.h gives for F's view ([{"col", "op", "values"}] as JSON text, or
 * NULL): exactly the runtime's rules (web/src/sql.js pruneFileList),
 * using each key's folders (year=2024/) and F's hive types.  A condition
 * the runtime ignores (a value that is no literal, a column F's hive types
 * do not name) is ignored; when no file passes, the first is kept. */
size_t ds_filelist_kept(const ds_filelist *f, const char *conds);

/* The same, and KEEP (F->n flags, or NULL) tells which: the server's live
 * queries put back the files a request's predicates keep (livequery.h). */
size_t ds_filelist_keep(const ds_filelist *f, const char *conds, bool *keep);

/* VIEW's hive columns that tell its files apart ("day, hour"): those with
 * more than one value among the folders of its lists' keys (a templated
 * view's own column has one), else all of them; NULL when its lists have
 * no hive types.  What to filter on, as web/src/sql.js varyingHiveColumns
 * says in the page.  Caller frees. */
char *ds_filelists_hive_columns(const ds_filelists *l, const char *view);
/* The same for the one list F (the server's, read back from its document). */
char *ds_filelist_hive_columns(const ds_filelist *f);

/* What a query's placeholders make the browser read. */
typedef struct {
    size_t files;      /* every file kept, each list once */
    const char *view;  /* the view that gives the most of them (NULL: none) */
    size_t view_files; /* how many it gives */
    size_t view_all;   /* how many its lists the query names hold */
    char *where;       /* its predicates as SQL ("year > 0"), NULL when none */
} ds_filelist_reads;

/* The files the browser reads for the placeholders of sql, pruned by
 * PRUNE (the query's partition predicates, prune.h JSON, or NULL) as
 * ds_filelist_kept does.  A view whose predicates hold a ${...}
 * placeholder counts as pruned (no file): its value is known only in the
 * browser.  Free with ds_filelist_reads_free. */
ds_filelist_reads ds_filelists_reads(const ds_filelists *l, const char *sql, const char *prune);
void ds_filelist_reads_free(ds_filelist_reads *r);

/* Whether VIEW's lists are a templated view's (lake_2024). */
bool ds_filelists_templated(const ds_filelists *l, const char *view);

/* VIEW's hive_types as JSON ({"year": "BIGINT"}), from the first of its
 * lists that has them (a view pins the same types in every read_parquet),
 * or NULL. */
const char *ds_filelists_hive(const ds_filelists *l, const char *view);

/* The views whose lists the placeholders of sql name, each once, in the
 * order they first appear (NULL-terminated; free the array, not the
 * strings). */
const char **ds_filelists_views_named(const ds_filelists *l, const char *sql);

/* Whether sql holds a placeholder. */
bool ds_filelists_named(const char *sql);

/* The views that have lists, each once, in order (NULL-terminated; free the
 * array, not the strings). */
const char **ds_filelists_views(const ds_filelists *l);

/* The published document of VIEW's lists (static/sql/_files/<view>.json):
 *   {"hive": {...} or null,
 *    "lists": [[["data/h/year=2024/", ["a.parquet", ...], [bytes, ...]], ...], ...]}
 * and, for a templated view only, "templated": true after the lists;
 * each list as runs of files in one folder, in the list's order; SIZE_OF
 * gives a key's size (-1: unknown).  Caller frees. */
typedef long long (*ds_filelist_size_fn)(void *ctx, const char *key);
char *ds_filelists_json(const ds_filelists *l, const char *view, ds_filelist_size_fn size_of,
                        void *ctx);

/* The source whose every file list F holds, in its order and without
 * per-file filters, read through an upstream_glob; else NULL. */
const ds_source_set *ds_filelist_whole_source(const ds_collected *c, const ds_filelist *f);

/* S's upstream_glob as a physical pattern ("/lake/ ** / *.parquet",
 * relative patterns joined to ROOT), when DB's
 * glob() lists exactly S's files in their order; else NULL.  DuckDB then
 * expands the files itself instead of parsing and binding a literal of
 * every path (about 4 KB of memory a file).  Its pattern language differs
 * from upstream_glob's in corners (symlinked folders, brace sets, ...),
 * and a list read in another order would give a result in another order:
 * hence the file-by-file comparison.  Caller frees. */
char *ds_filelist_source_glob(ds_duck *db, const char *root, const ds_source_set *s);

/* For a list of some of an upstream_glob source's files that all lie in
 * one folder below its base (a templated view's, year=2007/), when the
 * glob's part below its base starts with "**": that folder's glob
 * ("/lake/year=2007/ ** / *.parquet", unquoted) when DB's glob() lists
 * exactly F's files in their order; else NULL.  *FROM (may be NULL) is
 * set to the source.  Caller frees. */
char *ds_filelist_folder_glob(ds_duck *db, const char *root, const ds_collected *c,
                              const ds_filelist *f, const ds_source_set **from);

/* List INDEX of VIEW's published document DOC (ds_filelists_json's form,
 * parsed) read back into OUT, each key its folder and name joined; false
 * when the document has no such list.  Free with ds_filelist_clear. */
bool ds_filelist_from_doc(struct json_t *doc, const char *view, size_t index, ds_filelist *out);
void ds_filelist_clear(ds_filelist *f);

void ds_filelists_free(ds_filelists *l);

#endif
