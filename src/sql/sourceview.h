/* sourceview.h - what sources.c and templates.c share (nothing else uses
 * it): what the build learnt about a source's files, and the SQL of a view
 * over some of them.  sources.c makes the base views, templates.c the
 * templated ones; both write their SELECTs with ds_sv_view_sql. */
#ifndef DS_SOURCEVIEW_H
#define DS_SOURCEVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../datamap/collect.h"
#include "duck.h"
#include "filelist.h"
#include "query.h"
#include "sources.h"

/* The column DuckDB adds with the file each row came from while sampling;
 * an unusual name so it cannot clash with a real column. */
#define DS_SV_FILE_COLUMN "__ducksite_file"

/* What the build-time engine learnt about a source's files.  Files whose
 * Parquet schemas differ are read per schema with an explicit, cast column
 * list, so both engines see the same columns with the same types (DuckDB
 * 0.9.1 in the browser unifies drifting files differently from 1.5, or not
 * at all).  Hive partition columns get their build-time types written out as
 * hive_types, because 0.9.1 would otherwise guess its own. */
typedef struct {
    char **names;          /* top-level column names, in file order */
    size_t n;
} ds_sv_cols;

typedef struct {
    size_t n_schemas;      /* distinct schemas; 0 or 1 = the plain view */
    size_t *schema_of;     /* per file of the set: index into schemas */
    ds_sv_cols *schemas;
    char **col_names;      /* the unified columns (when n_schemas > 1) */
    char **col_types;
    size_t n_cols;
    char **hive_names;     /* hive columns of both keys and paths, NULL-terminated */
    char **hive_types;     /* their build-time types (NULL: unknown), same order */
    char *hive_option;     /* "hive_types = {...}", "hive_partitioning = false"
                              (files under different folders), or NULL */
    int64_t *rows;         /* per file: its row count (-1: unknown), or NULL */
    bool one_schema;       /* every file's schema has the same bytes */
    bool paths_agree;      /* every physical path has the same name=value folders */
    /* Files compressed with a codec the browser engine cannot read
     * (footer.h, DS_FOOTER_BROWSER_CODECS): how many, the first of
     * them (index into the set's files) and the codecs seen. */
    size_t n_odd_codec, odd_codec_file;
    uint16_t odd_codecs;
} ds_sv_schema;

/* Predicates ANDed together; single ones stay bare. */
typedef struct {
    const char *parts[4];
    size_t n;
} ds_sv_preds;

/* Files with the same per-file row filter (and, when the source's files
 * differ, the same schema) are read by one read_parquet. */
typedef struct {
    const char *row_filter;      /* NULL for files without one */
    size_t schema;               /* index into ds_sv_schema.schemas */
    const ds_source_file **files;
    size_t n;
    size_t first;                /* position of its first file in the list */
} ds_sv_group;

typedef struct {
    ds_sv_group *items;
    size_t n;
} ds_sv_groups;

/* A level of a source's views: the source's own files (pattern NULL), or
 * a hierarchy entry's files (glob.h's rules on the data-map keys).  A
 * source without a hierarchy has one level, its own files, no filter. */
typedef struct {
    char *label;               /* "hierarchy[1]"; NULL for the source's own files */
    const char *pattern;       /* NULL for the source's own files */
    const char *filter;        /* the level's row_filter; NULL when unset or TRUE */
    int line;                  /* of the entry in ducksite.toml */
    bool *has;                 /* per file of the set: in this level; NULL: every file */
} ds_sv_level;

typedef struct {
    ds_sv_level *items;
    size_t n;
} ds_sv_levels;

/* Where a view's long file lists go (filelist.h): LISTS, as VIEW's; the
 * SQL keeps placeholders.  A NULL ds_sv_lists keeps every list in the SQL. */
typedef struct {
    ds_filelists *lists;
    const char *view;
    bool templated;
} ds_sv_lists;

typedef struct {
    const ds_config *cfg;
    const ds_source_set *set;
    ds_duck *db;
    ds_query_list *out;
    ds_filelists *lists;        /* where long file lists go, or NULL */
    ds_keyset *unreadable;
    const char *first_missing;  /* a file of the set that does not exist */
    const ds_sv_schema *schema;
    const ds_sv_levels *levels;
} ds_sv_ctx;

void ds_sv_free_strv(char **v, size_t n);

/* Orders pointers into one array by position (files of a set). */
int ds_sv_cmp_ptr(const void *a, const void *b);

void ds_sv_pred_add(ds_sv_preds *p, const char *pred);
/* " WHERE a" or " WHERE (a) AND (b)"; nothing for no predicate. */
void ds_sv_put_where(ds_buf *b, const ds_sv_preds *p);

/* Groups files by per-file row filter (and schema, with SC), in the order
 * of their first file; release with ds_sv_groups_free. */
void ds_sv_group_files(const ds_source_set *set, const ds_sv_schema *sc,
                       const ds_source_file *const *files, size_t n, ds_sv_groups *out);
void ds_sv_groups_free(ds_sv_groups *g);

/* read_parquet([...], options) over a group's keys or physical paths. */
void ds_sv_put_read_parquet(ds_buf *b, const ds_sv_group *g, bool physical, bool by_name,
                            const char *hive_option, const char *extra_option);

/* Does the level read a file of the set?  Plain: one level, every file,
 * no filter (a source without a hierarchy). */
bool ds_sv_level_has(const ds_sv_level *l, const ds_source_set *set, const ds_source_file *f);
bool ds_sv_levels_plain(const ds_sv_levels *lv);

/* The view over FILES of the set with EXTRA_PRED ANDed in: one SELECT per
 * level that reads any of them, in level order, joined by UNION ALL.
 * FILE_LEVEL (or NULL) gives each file's level, files sorted by level;
 * without it a file counts in every level that has it.  CHECK makes the
 * validation copy (one file per schema).  Lists of more than
 * DS_FILELIST_MIN files go to TO (NULL: stay in the SQL; the validation
 * copy keeps its few files).  Caller frees. */
char *ds_sv_view_sql(const ds_source_set *set, const ds_sv_schema *sc, const ds_sv_levels *lv,
                     const ds_source_file *const *files, size_t n, const unsigned *file_level,
                     const char *extra_pred, bool check, const ds_sv_lists *to);

/* Gives the view just added to OUT its validation copy, when one applies. */
void ds_sv_set_check_sql(ds_query_list *out, const ds_source_set *set, const ds_sv_schema *sc,
                         const ds_sv_levels *lv, const ds_source_file *const *files, size_t n,
                         const unsigned *file_level, const char *pred, bool missing);

#endif
