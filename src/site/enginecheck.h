/* enginecheck.h - the browser's own engine run over the pages' queries at
 * build time.
 *
 * The rule-based check (sql/dialect.h) knows the names the browser engine
 * (DuckDB-Wasm 1.28, DuckDB 0.9.1) has; it cannot know argument types,
 * casts, or what a table function makes of its options.  This one asks
 * the engine itself: one node process loads the very DuckDB-Wasm the
 * pages load (web/dist/enginecheck.node.cjs, from web/src/enginecheck.js)
 * and prepares each query a page component runs for the page's default
 * state, as the runtime makes it, with its data paths served from the
 * mapped files, and, for the other states of the page (each choice of a
 * dropdown, the other side of a checkbox, an input the build does not
 * store emptied and given a value), each query that differs from those by
 * more than its string literals.  Preparing parses and binds (reading the
 * footers the query's files name), which is where SQL the engine lacks is
 * refused;
 * nothing is run.  A file list published once (sql/filelist.h) is given
 * as its first file: every file of one list has one schema, so the query
 * binds alike.
 *
 * A query the engine refuses is a warning naming the component's line,
 * an error with --strict.  Queries the rule-based check already reported
 * (or whose models and views it reported) are not reported again, nor
 * queries the build-time engine itself failed on.  Queries that passed
 * are remembered in .ducksite/engine_checked (a hash of the SQL as
 * checked and of each file's path, size and mtime), so node starts only
 * when a query or its files changed.  Without node or the script the
 * check is skipped with an info line. */
#ifndef DS_ENGINECHECK_H
#define DS_ENGINECHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../sql/query.h"
#include "../util/util.h"

#define DS_ENGINECHECK_FILE "engine_checked"

typedef struct ds_enginecheck ds_enginecheck;

ds_enginecheck *ds_enginecheck_new(void);
void ds_enginecheck_free(ds_enginecheck *e);

/* Adds the SQL that component KIND 'ID' (at FILE:LINE) runs for its page's
 * default state, made by the runtime's rules from compiled query Q (both
 * borrowed until ds_enginecheck_run; SQL is copied).  Returns its place,
 * for ds_enginecheck_drop. */
size_t ds_enginecheck_add(ds_enginecheck *e, const char *sql, const ds_compiled *q,
                          const char *file, int line, const char *kind, const char *id);

/* Adds the SQL component KIND 'ID' runs in another state of its page
 * (STATE says which, after "when": "input 'region' is 'north'"), when it
 * differs from every SQL asked for that component by more than its string
 * literals: an input's all choice or the other side of a checkbox makes
 * another query; the values of one dropdown make the same one, asked
 * once.  Returns its place, or SIZE_MAX when nothing new was added. */
size_t ds_enginecheck_add_state(ds_enginecheck *e, const char *sql, const ds_compiled *q,
                                const char *file, int line, const char *kind, const char *id,
                                const char *state);

/* Whether ds_enginecheck_add_state would ask SQL for that component: no
 * SQL asked has its shape (a state the build does not store is first
 * bound by the build-time engine, and only then added). */
bool ds_enginecheck_is_new(const ds_enginecheck *e, const char *sql, const char *file, int line,
                           const char *kind, const char *id);

/* Adds model or file source view Q itself (written at FILE:LINE, named
 * LABEL: "model 'x'"), which the SQL console may query: a refusal is said
 * there, once, and not again for the components that read it. */
void ds_enginecheck_add_view(ds_enginecheck *e, const ds_compiled *q, const char *file, int line,
                             const char *label);

/* The query at AT failed in the build-time engine (reported there). */
void ds_enginecheck_drop(ds_enginecheck *e, size_t at);

/* The build stored the result of the query at AT: the page paints it, and
 * a refusal says when the browser still runs the query. */
void ds_enginecheck_stored(ds_enginecheck *e, size_t at);

/* Marks query NAME (a model, a view, a page query) as reported by the
 * rule-based check: no query that is it or inlines it is reported again. */
void ds_enginecheck_reported(ds_enginecheck *e, const char *name);

/* Checks every query added, for the project at ROOT whose files are
 * FILES; QUERIES (where each is written) name a refused query's
 * definition.  Start begins it: refusals known from an earlier build are
 * said, and node is started over the others without waiting for it, so
 * other work (the first-paint pictures) runs meanwhile; finish reads its
 * answers.  Findings are warnings; with STRICT the first is an error (the
 * others printed before it): finish returns -1 only then.  With ASK false
 * (serve's first step, which publishes at once) the engine is not
 * started: *PENDING (may be NULL) says how many queries it would be asked
 * about, for a later build. */
void ds_enginecheck_start(ds_enginecheck *e, const char *root, const ds_collected *files,
                          const ds_query_list *queries, bool strict, bool ask, size_t *pending);
int ds_enginecheck_finish(ds_enginecheck *e, ds_err *err);

/* Whether the last finish found the engine stopped for a newer edit
 * (serve's second step, proc.h's cancel): its questions are left for the
 * next build. */
bool ds_enginecheck_interrupted(const ds_enginecheck *e);

#endif
