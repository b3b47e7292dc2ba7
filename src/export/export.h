/* export.h - `ducksite export`: a built site served without `ducksite
 * serve`.  Either an nginx configuration that serves static/ and the data
 * map with the same paths, types and headers (--nginx), or a folder that
 * holds the site's files and the mapped data files as symlinks or copies,
 * ready for an object store or a CDN (--tree).  docs/deploying.md says
 * what each writes and why. */
#ifndef DS_EXPORT_H
#define DS_EXPORT_H

#include <stdbool.h>

#include "../util/util.h"

typedef struct {
    const char *root;        /* project (or site) folder; ROOT/static is exported */
    const char *nginx;       /* --nginx: the file to write, "-" for the report */
    const char *tree;        /* --tree: the folder to fill */
    bool copy;               /* --tree: copy data files instead of linking them */
    const char *server_name; /* --nginx: server_name (NULL: "_") */
    const char *listen;      /* --nginx: listen (NULL: "80") */
    bool public_ok;          /* --public: export a site with [auth] site = true anyway */
} ds_export_options;

/* Exactly one of nginx and tree is set (the CLI checks it).  The report
 * says what was written; with nginx "-" it is the configuration itself.
 * 0, or -1 with err set (a user error: nothing to export, a folder that is
 * not ours to fill, a write that failed). */
int ds_export(const ds_export_options *o, ds_buf *report, ds_err *err);

#endif
