/* native.h - native (.so) plugins through the ABI in ducksite/plugin.h. */
#ifndef DS_PLUGIN_NATIVE_H
#define DS_PLUGIN_NATIVE_H

#include "plugin.h"

/* Loads root/path (or an absolute path), checks its ABI version and calls
 * symbol.  Fills out with the raw (not yet normalised) entries; on failure
 * appends the reason to why. */
int ds_native_run(const char *root, const char *path, const char *symbol, const char *source,
                  const char *config_json, const char *filter_expr, ds_manifest *out,
                  ds_buf *why);

#endif
