/* livespec.h - what `ducksite serve` needs to answer a page's queries live
 * (src/server/livequery.c): per page, its inputs, its queries and its
 * components (the query each one runs and its format columns); per
 * compiled query, its SQL with the data paths already turned into physical
 * files, the `${inputs.x}` / `${params.x}` placeholders it holds, the
 * files it reads and, in the same order, the names the site gives them
 * (data paths), which a failed query's message tells instead.
 *
 * The file names physical paths, so it is written to the project's state
 * folder, <project>/.ducksite/, which is never published. */
#ifndef DS_LIVESPEC_H
#define DS_LIVESPEC_H

#include <jansson.h>

#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../util/util.h"

#define DS_LIVESPEC_FILE ".ducksite/live_queries.json"

/* The most files a live query may name one by one (globs aside).  DuckDB
 * parses and binds a literal of every path, about 4 KB of memory each, on
 * every run: a query that would name more keeps its lists that are no glob
 * as placeholders, which the server fills per request with the files the
 * request's partition values keep (livequery.h), answering 413 (limit
 * "files") when more are left; one whose SQL still names more is described
 * as refused ("refused": why), the build warns, and the server answers 413,
 * so the page runs it in the browser. */
#define DS_LIVESPEC_FILES_MAX 10000

typedef struct ds_livespec ds_livespec;

ds_livespec *ds_livespec_new(void);
void ds_livespec_free(ds_livespec *ls);

/* Page REL ("a/b") with its page config CONFIG (ds_html_page_config) and
 * its components, {"<kind>:<id>": {"query": id, "kind": kind, "format":
 * object or null}} (taken, not copied). */
void ds_livespec_add_page(ds_livespec *ls, const char *rel, json_t *config,
                          json_t *components);

/* Writes ROOT/.ducksite/live_queries.json: the pages added and the
 * compiled queries they can run, their data paths mapped to the physical
 * files of FILES (a relative path that is a file under STATIC_DIR becomes
 * that file).  A file list that is a whole source read through an
 * upstream_glob becomes that glob when DB (NULL: never) lists exactly its
 * files; the query then names {"pattern", "dir", "name"} in "globs"
 * instead of each file in "files".  A query that would name more than
 * DS_LIVESPEC_FILES_MAX files keeps its other lists as placeholders:
 * "lists" names each one's published document ({"lake/0":
 * "sql/_files/lake.json"}) and "prune" holds the query's partition
 * predicates (prune.h, ${inputs.x} left in).  One that names more still
 * is {"refused": why, "placeholders"} only. */
int ds_livespec_write(const ds_livespec *ls, const char *root, const char *static_dir,
                      const ds_compiled_list *compiled, const ds_collected *files, ds_duck *db,
                      ds_err *err);

/* Removes ROOT/.ducksite/live_queries.json, which a project without
 * [serve] live_queries does not need (an earlier build may have left
 * one).  Returns 0. */
int ds_livespec_remove(const char *root);

/* The placeholders of SQL as "inputs.x" / "params.x" (sql.js
 * placeholderDeps), in order of first use, into the array INTO. */
void ds_livespec_placeholders(const char *sql, json_t *into);

#endif
