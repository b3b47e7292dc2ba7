/* check.h - `ducksite check`: the configuration loaded and validated, and
 * described one line per file source. */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include "../util/util.h"

/* Loads ROOT's ducksite.toml (stopping at its first error) and appends to
 * report one line per file source and a summary line ("ducksite.toml is
 * valid: 2 file sources, 1 dir"). */
int ds_check(const char *root, ds_buf *report, ds_err *err);

#endif
