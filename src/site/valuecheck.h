/* valuecheck.h - the build's check of the columns a value or a KPI card
 * names (```value, ```kpi, ${query.column} in prose): each must be a column
 * of its query's result, which the build-time DuckDB knows without running
 * the query (DESCRIBE).  A query id built from ${inputs.x} is known only in
 * the browser and is not checked; the page shows the error there. */
#ifndef DS_VALUECHECK_H
#define DS_VALUECHECK_H

#include "../datamap/collect.h"
#include "../sql/compile.h"
#include "../sql/duck.h"
#include "pages.h"

struct ds_memo;

/* MEMO (memo.h; NULL: none) keeps what DESCRIBE said of each query while
 * the data's front is kept. */
int ds_valuecheck(const ds_pages *pages, const ds_compiled_list *compiled,
                  const ds_collected *files, ds_duck *db, struct ds_memo *memo, ds_err *err);

#endif
