/* prepare.h - the build's part in forms: each form's query validated with
 * the build-time DuckDB (${inputs.x} bound to NULL), its columns checked,
 * and a header-only target CSV written where none exists, so that page
 * queries over the target validate before anything was submitted.  An
 * existing target is never touched. */
#ifndef DS_FORMS_PREPARE_H
#define DS_FORMS_PREPARE_H

#include "../sql/duck.h"
#include "spec.h"

/* The columns of F's query with every ${inputs.x} NULL (*N set; the caller
 * frees each and the array), or NULL with err naming the page and line. */
char **ds_form_query_columns(const ds_form *f, ds_duck *db, size_t *n, ds_err *err);

int ds_forms_prepare(const ds_forms *forms, const char *root, ds_duck *db, ds_err *err);

#endif
