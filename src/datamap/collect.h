/* collect.h - the first build stage: every file source's files.
 *
 * For each [[file_sources]] entry the files come from its upstream_glob
 * (published under data/<name>/...), its plugin's manifest, or its pattern
 * under static/.  The result is one ds_source_set per source plus the data
 * map value that static/data_map.json is written from. */
#ifndef DS_COLLECT_H
#define DS_COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/config.h"
#include "datamap.h"
#include "facts.h"

/* Strings are owned by the ds_collected (its arena or its map's). */
typedef struct {
    const char *key;        /* HTTP-visible path, e.g. data/orders/a.parquet */
    const char *path;       /* absolute physical path */
    const char *row_filter; /* per-file predicate, or NULL */
    /* Size and mtime when the files were collected (ds_collect_with) or
     * the views made (ds_source_views stats each file once), size -1 when
     * missing or not yet looked at: later stages
     * (the published lists, validation's byte counts) take the size from
     * here instead of a stat of their own. */
    ds_file_stamp stamp;
} ds_source_file;

typedef struct {
    const ds_file_source *fs;     /* points into the config */
    char *template_name;          /* the config's, else the plugin manifest's */
    char *row_filter_template;
    char *origin;                 /* what was searched, for messages */
    ds_source_file *files;        /* sorted by key */
    size_t n_files;
    bool stamped;                 /* every file's stamp taken (ds_collect_with, ds_sources_stamp) */
    /* The set's claims in the data map are the entries with seq from
     * claims_from to claims_from + n_claims - 1 (sets claim in config
     * order), so a key claimed twice can be traced to its sources.  For a
     * plugin set, claim k is the manifest's files[claim_entry[k]], or
     * files[k] when claim_entry is NULL (no entry was left out). */
    size_t claims_from, n_claims;
    size_t *claim_entry;
} ds_source_set;

typedef struct {
    ds_source_set *sets;          /* one per config source, same order */
    size_t n_sets;
    ds_datamap map;               /* finished (sorted, deduplicated) */
    ds_datamap index;             /* every set's files, static/ ones too;
                                     made by ds_collected_index */
    ds_arena strings;             /* strings of static/ files */
    const char *config_path;      /* the config's display path, for messages
                                     (borrowed from the config) */
    size_t files_scanned;
    /* The views' long file lists, moved out of their SQL once the views
     * are made (sql/filelist.h); later stages hand them to the build-time
     * engine.  Borrowed, NULL until then. */
    const struct ds_filelists *lists;
    /* What the browser engine cannot read of the sources' files (a codec
     * DuckDB 0.9.1 lacks), one message per source, "FILE:LINE: ...", set
     * by ds_source_views (sql/sources.h); the build warns, or fails with
     * --strict. */
    char **engine_findings;
    size_t n_engine_findings;
} ds_collected;

int ds_collect(const ds_config *cfg, ds_collected *out, ds_err *err);

/* ds_collect, with DS_COLLECT_STAMP: the files of upstream_glob sources
 * are stamped (stamp.h) while the data map is made, and a plugin's once it
 * has returned, and their sets marked stamped, except those a plugin
 * source follows (it may write their files).  For a build that will stat every file anyway (a rebuild, whose
 * footers the facts cache knows); a first build stats each file through
 * the descriptor its footer is read from instead. */
enum { DS_COLLECT_STAMP = 1 };
int ds_collect_with(const ds_config *cfg, unsigned flags, ds_collected *out, ds_err *err);
void ds_collected_free(ds_collected *c);

/* Builds c->index, the lookup from any HTTP-visible key (static/ files
 * included) to its file.  The data map alone does not need it. */
void ds_collected_index(ds_collected *c);

/* The physical file behind an HTTP-visible key of any source, or NULL
 * (needs ds_collected_index). */
const char *ds_collected_physical(const ds_collected *c, const char *key);

/* How many distinct keys the index holds (needs ds_collected_index). */
size_t ds_collected_count(const ds_collected *c);

/* The index's entry for KEY, or NULL; *POS is then its position, from 0 to
 * ds_collected_count() - 1, so a caller can keep its own per-file facts in
 * an array of that size without reading the index's storage. */
const ds_datamap_entry *ds_collected_find(const ds_collected *c, const char *key, size_t *pos);

/* ds_collected_find for keys asked in the index's (sorted) order, as a
 * view's file list is: *POS holds where the previous key was found (start
 * with 0), and the entry there and the one after it are tried before a
 * binary search.  A lake's 1,000,000 keys then cost one comparison each
 * instead of twenty.  *POS is left alone when KEY is not found. */
const ds_datamap_entry *ds_collected_find_near(const ds_collected *c, const char *key,
                                               size_t *pos);

#endif
