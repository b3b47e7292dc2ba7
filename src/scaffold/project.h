/* project.h - creating a new project skeleton (`ducksite init`). */
#ifndef DS_PROJECT_H
#define DS_PROJECT_H

#include "../util/util.h"

/* Creates ROOT (if needed), ducksite.toml, content/, sources_sql/ and
 * static/forms/.  Nothing that exists is touched.  One line per item is
 * appended to report ("created ducksite.toml", "kept content/ (exists)"). */
int ds_project_init(const char *root, ds_buf *report, ds_err *err);

/* Writes ROOT/DIR/NAME.py, a plugin stub returning an empty manifest.
 * Refuses to overwrite.  One line for the user goes to report. */
int ds_project_add_plugin(const char *root, const char *dir, const char *name, ds_buf *report,
                          ds_err *err);

#endif
