/* prune.h - the partition predicates of a query, for the browser to read
 * only the files of the partitions it asks for.
 *
 * A view whose file list left its SQL (filelist.h) is read by the browser
 * through a placeholder the runtime fills in.  When the query filters that
 * view on a hive partition column, the runtime can leave out every file
 * whose folder fails the filter, before DuckDB-Wasm requests anything.
 * This finds those filters with DuckDB's parser: conjuncts of the WHERE of
 * the one SELECT that reads the view (the view read nowhere else), of the
 * forms  col = v,  col IN (v, ...),  col <, <=, >, >= v  and  col BETWEEN v
 * AND w,  where col is a hive column of the view and each v a literal or an
 * ${inputs.x} / ${params.x} placeholder.
 *
 * The answer is JSON text: {"<view>": [{"col": "year", "op": "=",
 * "values": ["2001"]}, ...]}, each value SQL text (placeholders kept, filled
 * in by the runtime like the SQL's own); ops are =, in, <, <=, >, >=,
 * between.  NULL when nothing can be pruned. */
#ifndef DS_PRUNE_H
#define DS_PRUNE_H

#include "duck.h"
#include "filelist.h"

char *ds_prune_spec(ds_duck *db, const char *sql, const ds_filelists *lists);

#endif
