/* templates.h - templated views: one view per value of a source's
 * template_name expression, the values sampled from the data (or read
 * from hive folders) and seeded by template_values / template_values_sql;
 * each view reads only the files that hold its value. */
#ifndef DS_TEMPLATES_H
#define DS_TEMPLATES_H

#include "sourceview.h"

/* Appends the templated views of V's source to V->out.  Returns -1 only
 * for a user error (err set); files that cannot be read give a warning
 * and no templated views. */
int ds_template_views(ds_sv_ctx *v, const char *template_name, ds_err *err);

#endif
