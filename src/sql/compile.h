/* compile.h - named queries -> self-contained SQL.
 *
 * Dependencies between queries come from DuckDB's own parser
 * (json_serialize_sql lists every table reference).  Each query becomes one
 * statement, WITH dep AS (...), ... <query>, with its dependencies inlined
 * in dependency order, then validated with EXPLAIN in the build-time DuckDB
 * (placeholders as NULL, HTTP-visible paths swapped for physical files). */
#ifndef DS_COMPILE_H
#define DS_COMPILE_H

#include "../datamap/collect.h"
#include "duck.h"
#include "query.h"
#include "sources.h"

typedef struct {
    char *name;
    ds_query_kind kind;
    char **deps;         /* inlined CTE names, in order */
    size_t n_deps;
    char *sql;           /* compiled; ${...} and data/ paths kept */
    char *metrics;       /* "-- METRICS: num_files=... sql_bytes=..." */
    char *prune;         /* its partition predicates on views whose file lists
                            the browser fills in (prune.h), JSON; or NULL */
} ds_compiled;

typedef struct {
    ds_compiled *items;
    size_t len;
} ds_compiled_list;

/* Compiles and validates every query.  files resolves HTTP-visible keys to
 * physical files; queries reading a key in unreadable are not validated. */
int ds_compile_all(const ds_query_list *queries, const ds_collected *files,
                   const ds_keyset *unreadable, ds_duck *db, ds_compiled_list *out,
                   ds_err *err);
void ds_compiled_list_free(ds_compiled_list *l);

#endif
