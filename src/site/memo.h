/* memo.h - what `ducksite serve` keeps in memory from one build to the
 * next, so that a rebuild does only the work that changed (docs/serve.md,
 * "Rebuild speed").
 *
 * The front of a build (its configuration, the files every source found,
 * which make the data map, the file-source and templated views, and the
 * DuckDB session they were made in) is kept while only pages (content/
 * .md) and models (sources_sql/ .sql) change: none of it reads them.  Any
 * other change (ducksite.toml, a plugin, a data file, anything else) drops
 * it, and the next build makes it again, as `ducksite build` does.
 *
 * Later stages keep only what is a function of a text: DuckDB's parse of
 * each query and the EXPLAINs that passed (compile.h; the EXPLAINs only as
 * long as the front, since they read the data files), and the browser
 * engine's findings on each query.  Everything else (pages, compiled SQL,
 * stored results, pictures, HTML) is made by the same code as a full
 * build, from the same inputs, so a rebuild publishes the same files as
 * `ducksite build` would.
 *
 * Outputs are remembered with the identity of the file the build left in
 * static/ (device, inode, size, mtime): a page whose makings are what they
 * were, and whose file is still the one published, is kept without being
 * made again; any other file in its place (another build's, one edited by
 * hand, one a failed publish put back) is not it, and the output is made. */
#ifndef DS_MEMO_H
#define DS_MEMO_H

#include <stdbool.h>

#include "../util/proc.h"
#include "../util/util.h"

#include "../config/config.h"
#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../sql/duck.h"
#include "../sql/filelist.h"
#include "../sql/query.h"
#include "../sql/sources.h"

typedef struct ds_memo ds_memo;

/* The front of a build. */
typedef struct {
    ds_config cfg;
    ds_collected files;
    ds_query_list views;  /* the file-source and templated views */
    ds_filelists lists;   /* the views' long file lists (filelist.h) */
    ds_keyset unreadable; /* keys of files that cannot be read now */
    ds_duck *db;          /* the session, with the build's settings */
} ds_memo_front;

ds_memo *ds_memo_new(void);
void ds_memo_free(ds_memo *m);

/* Tells M which paths changed since the last build (relative to the
 * project, or absolute for lake and plugin files, as the watcher names
 * them).  Returns true when the front is still kept: every path is a page
 * (content/ ** / *.md) or a model (sources_sql/ *.sql). */
bool ds_memo_changed(ds_memo *m, const char *const *paths, size_t n);

/* The kept front, or NULL when the next build makes its own. */
ds_memo_front *ds_memo_front_get(ds_memo *m);

/* Keeps *f (taken over: *f is zeroed) as the front of the next builds, and
 * forgets what was learnt from the previous front's data. */
void ds_memo_front_set(ds_memo *m, ds_memo_front *f);

/* Frees a front that no memo holds. */
void ds_memo_front_free(ds_memo_front *f);

/* What compiling remembers (compile.h). */
ds_compile_memo *ds_memo_compile(ds_memo *m);

/* The browser-engine findings remembered for a query's text: NULL when
 * not known, else the findings joined by ", " ("" for none). */
const char *ds_memo_dialect_get(const ds_memo *m, const char *sql);
void ds_memo_dialect_put(ds_memo *m, const char *sql, const char *findings);

/* The result columns DuckDB binds for SQL (DESCRIBE, valuecheck.h) over
 * the kept front's data: a JSON array of names, JSON null when DESCRIBE
 * failed, NULL when not known.  Forgotten with the front. */
struct json_t *ds_memo_columns_get(const ds_memo *m, const char *sql);
void ds_memo_columns_put(ds_memo *m, const char *sql, struct json_t *cols); /* takes it */

/* Appends the identity of the file PATH (device, inode, size, mtime) to
 * B; false, and nothing appended, when it cannot be read. */
bool ds_memo_file_id(const char *path, ds_buf *b);

/* What a rebuild remembers of an output it made, static/REL: a key its
 * maker chose (what made it, and ds_memo_file_id of the file published),
 * or NULL.  A NULL key forgets it. */
const char *ds_memo_output_get(const ds_memo *m, const char *rel);
void ds_memo_output_put(ds_memo *m, const char *rel, const char *key);

/* A JSON document a build read or made, parsed, remembered under NAME
 * with a key (the file's identity): borrowed, NULL when the key differs.
 * Put keeps a reference of its own to doc (NULL forgets it). */
struct json_t *ds_memo_doc_get(const ds_memo *m, const char *name, const char *key);
void ds_memo_doc_put(ds_memo *m, const char *name, const char *key, struct json_t *doc);

/* The first-paint drawing process (firstpaint.c) that serve keeps running
 * between builds, when it was started as WHAT (the command and the
 * script's identity); NULL when there is none or it was started as
 * something else (that one is then stopped). */
ds_proc *ds_memo_painter(ds_memo *m, const char *what);

/* Keeps *p, started as WHAT, for the next builds (p NULL: keeps none); the
 * memo stops the one it had, and stops this one when freed. */
void ds_memo_painter_set(ds_memo *m, const ds_proc *p, const char *what);

#endif
