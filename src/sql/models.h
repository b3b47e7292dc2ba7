/* models.h - SQL models from sources_sql/ *.sql files.
 *
 * A file holds blocks, each started by a line "-- name: <id>"; the block's
 * SQL runs to the next marker.  Files are read in sorted order; all share
 * one namespace with the file-source views. */
#ifndef DS_MODELS_H
#define DS_MODELS_H

#include "../config/config.h"
#include "query.h"

/* Appends the models of ROOT/sources_sql/ to out (whose file-source views
 * are already there, so name clashes can be reported). */
int ds_models_load(const ds_config *cfg, ds_query_list *out, ds_err *err);

/* Parses one file's text; display names the file in messages. */
int ds_models_parse(const char *text, const char *display, ds_query_list *out, ds_err *err);

#endif
