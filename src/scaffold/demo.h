/* demo.h - `ducksite demo`: a project that shows every feature, with data
 * generated on the spot by the build-time DuckDB (no network). */
#ifndef DS_DEMO_H
#define DS_DEMO_H

#include "../util/util.h"

/* Creates the demo project in root.  Refuses when root already holds a
 * ducksite.toml.  Progress lines go to report, and last what to run next. */
int ds_demo_create(const char *root, ds_buf *report, ds_err *err);

#endif
