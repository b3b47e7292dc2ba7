/* ref.h - parsing a file source's `plugin = "..."` reference.
 *
 *   plugins/sales.py            Python file, callable build_manifest
 *   plugins/sales.py:custom     Python file, callable custom
 *   my_pkg.sales:build          Python module my_pkg.sales, callable build
 *   plugins/sales-lake          executable (path-like, not .py or .so)
 *   plugins/libsales.so[:sym]   native shared object
 *   C:\plugins\demo.py:custom   Windows drive letters are not separators */
#ifndef DS_PLUGIN_REF_H
#define DS_PLUGIN_REF_H

#include "../util/util.h"

typedef enum {
    DS_PLUGIN_PY_FILE,
    DS_PLUGIN_PY_MODULE,
    DS_PLUGIN_EXEC,
    DS_PLUGIN_NATIVE
} ds_plugin_kind;

typedef struct {
    ds_plugin_kind kind;
    char *target;       /* the file path as written, or the module name */
    char *callable;     /* explicit :name, or NULL for the kind's default */
} ds_plugin_ref;

/* Parses ref.  An empty ref or an empty target is an error. */
int ds_plugin_ref_parse(const char *ref, ds_plugin_ref *out, ds_err *err);
void ds_plugin_ref_free(ds_plugin_ref *r);

/* "build_manifest" for Python, "ducksite_build_manifest" for .so, NULL for
 * executables. */
const char *ds_plugin_ref_callable(const ds_plugin_ref *r);

#endif
