/* dialect.h - what the browser's SQL engine can run.
 *
 * Queries are validated with the build-time libduckdb, but the browser runs
 * an older DuckDB inside DuckDB-Wasm, which lacks many functions and some
 * syntax.  scripts/capture-dialect.mjs asks that engine for its functions
 * (web/dist/duckdb-dialect.json); this module reads the file and lists what
 * a query uses that the browser engine lacks, from the build-time parser's
 * tree (json_serialize_sql), so such queries are reported at build time. */
#ifndef DS_DIALECT_H
#define DS_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"
#include "duck.h"

#define DS_DIALECT_FILE "duckdb-dialect.json"

typedef struct ds_dialect ds_dialect;

/* Reads a dialect file.  NULL with err naming the file when it is missing
 * or is not one. */
ds_dialect *ds_dialect_load(const char *path, ds_err *err);
void ds_dialect_free(ds_dialect *d);

/* The engine's DuckDB version without the leading 'v' ("0.9.1"). */
const char *ds_dialect_version(const ds_dialect *d);

/* Whether the engine has a function (or operator) of that name, any case. */
bool ds_dialect_has_function(const ds_dialect *d, const char *name);

/* What a query uses that the engine lacks, as short phrases ("function
 * 'sha1'", "operator '->>'", "DISTINCT in window functions"), sorted and
 * without duplicates; lines[i] is the line of the SQL (1 = its first) where
 * items[i] first stands, 0 when the parse tree does not say. */
typedef struct {
    char **items;
    int *lines;
    size_t len;
} ds_dialect_findings;

/* Parses sql (${...} placeholders read as NULL) with the build-time engine
 * and fills out.  Returns -1 with err only when sql cannot be parsed at all;
 * out is then empty. */
int ds_dialect_check(const ds_dialect *d, ds_duck *db, const char *sql,
                     ds_dialect_findings *out, ds_err *err);
void ds_dialect_findings_free(ds_dialect_findings *f);

#endif
