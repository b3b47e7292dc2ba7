/* inputcheck.h - the build's check of the SQL an input adds to its page's
 * queries: expression_template, all_expression and param_template are
 * spliced into every query that reads ${params.NAME}, so each is bound
 * there by the build-time DuckDB (EXPLAIN, its ? read as NULL), and named
 * at its own line when it fails.  The same texts are handed on for the
 * browser-engine dialect check. */
#ifndef DS_INPUTCHECK_H
#define DS_INPUTCHECK_H

#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../sql/duck.h"
#include "pages.h"

/* One input key's SQL as a statement of its own, for the dialect check. */
typedef struct {
    char *label; /* "input 'region': expression_template" */
    char *file;  /* the page, as messages show it */
    int line;    /* the key's line */
    char *sql;   /* SELECT <the key's SQL, ? as NULL> */
} ds_input_sql;

typedef struct {
    ds_input_sql *items;
    size_t len;
} ds_input_sqls;

/* Checks every input key of PAGES against the compiled queries that use
 * it; fills OUT (may be NULL) with the keys' SQL. */
int ds_inputcheck(const ds_pages *pages, const ds_compiled_list *compiled,
                  const ds_collected *files, ds_duck *db, ds_input_sqls *out, ds_err *err);
void ds_input_sqls_free(ds_input_sqls *l);

#endif
