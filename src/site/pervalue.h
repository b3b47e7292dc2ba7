/* pervalue.h - pages per value: content/<folder>/[name].md becomes one page
 * per value of its front matter values_sql: query, computed at build time
 * with the build-time DuckDB.  Inside it ${params.<name>} is the value, as
 * a quoted SQL literal in its sql blocks and as text in its title.  The
 * pages are <folder>/<slug of the value>.html (ds_slug, as templated
 * views), hidden from the navigation; the folder's index (the author's, or
 * one made here) lists a link to each.  Described in docs/pages.md. */
#ifndef DS_PERVALUE_H
#define DS_PERVALUE_H

#include "../datamap/collect.h"
#include "../sql/duck.h"
#include "../sql/query.h"
#include "../sql/sources.h"
#include "pages.h"

/* The most pages one [name].md may make unless its max_pages: says. */
#define DS_PERVALUE_MAX_PAGES_DEFAULT 1000

/* "customer" for a page path "customers/[customer]"; NULL when the stem is
 * not written [name].  The caller frees it. */
char *ds_pervalue_param(const char *rel);

/* Replaces each ${params.NAME} in TEXT (spaces allowed inside the braces,
 * as in the browser) with REPLACEMENT; other placeholders are kept. */
char *ds_pervalue_substitute(const char *text, const char *name, const char *replacement);

/* The values' slugs, in order; an error names both values when two share a
 * slug (display:line tells which page).  Frees nothing of values. */
int ds_pervalue_slugs(char *const *values, size_t n, const char *display, int line,
                      char ***slugs, ds_err *err);

/* Expands every [name].md page of pages into its pages per value (and its
 * folder's index), running each values_sql with queries (the views and
 * models) in db.  Pages stay in navigation order. */
int ds_pervalue_expand(const char *root, ds_pages *pages, const ds_query_list *queries,
                       const ds_collected *files, const ds_keyset *unreadable, ds_duck *db,
                       ds_err *err);

#endif
