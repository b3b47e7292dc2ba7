/* sources.h - views over file sources.
 *
 * Each named source gets a base view reading its files with read_parquet,
 * filtered by its row_filter and time_window (and per-file row filters).  A
 * source with template_name also gets one view per distinct value of the
 * template expression, sampled with the build-time DuckDB; each such view
 * reads only the files that hold its value. */
#ifndef DS_SOURCES_H
#define DS_SOURCES_H

#include "../datamap/collect.h"
#include "../datamap/facts.h"
#include "duck.h"
#include "filelist.h"
#include "query.h"

/* Keys whose files could not be read at build time (missing, unreadable):
 * queries reading them skip validation, with a warning. */
typedef struct {
    char **keys;
    size_t len, cap;
    bool sorted;        /* set by ds_keyset_finish: lookups use bsearch */
} ds_keyset;

void ds_keyset_add(ds_keyset *s, const char *key);
/* Sorts and removes repeats; ds_source_views does it before returning. */
void ds_keyset_finish(ds_keyset *s);
bool ds_keyset_has(const ds_keyset *s, const char *key);
void ds_keyset_free(ds_keyset *s);

/* Stamps every file of every source (one stat each, ds_source_views does
 * it otherwise), for a build that asks first whether anything changed
 * (site/uptodate.h).  The sets are marked stamped: the views do not stat
 * them again. */
void ds_sources_stamp(ds_collected *c);

/* Appends the views of every source to out.  Missing or unreadable files
 * go into *unreadable.  FACTS (or NULL: none kept between builds) answers
 * for the footers of unchanged files.  Each file of a source with views is
 * stat-ed once, here unless its set is stamped already (ds_collect_with,
 * ds_sources_stamp): its stamp (collect.h) serves the later stages.
 * Lists of more than DS_FILELIST_MIN files go to LISTS, the views' SQL
 * naming them by placeholders (filelist.h); NULL keeps them in the SQL. */
int ds_source_views(const ds_config *cfg, ds_collected *c, ds_facts *facts, ds_duck *db,
                    ds_query_list *out, ds_filelists *lists, ds_keyset *unreadable,
                    ds_err *err);

/* "a b-c" -> "a_b_c"; an empty result becomes an 8-hex-digit hash.  Caller
 * frees. */
char *ds_slug(const char *value);

#endif
