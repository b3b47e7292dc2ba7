/* timewindow.h - a file source's time_window (typed values from config)
 * as SQL: the bounds as typed literals and the predicate the source's views
 * and plugins filter by. */
#ifndef DS_TIMEWINDOW_H
#define DS_TIMEWINDOW_H

#include "../config/config.h"

/* DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00' or
 * TIMESTAMPTZ '2024-01-01 00:00:00+02:00'; NULL for an absent bound.
 * Caller frees. */
char *ds_sql_time_literal(const ds_time_bound *b);

/* The predicate of a source's time window, the column quoted as an
 * identifier ("day >= DATE '...' AND day < DATE '...'"), or NULL when it
 * has none.  Caller frees. */
char *ds_sql_time_window(const ds_file_source *fs);

#endif
