/* plugin.h - virtual Parquet plugins: a file source whose files are declared
 * by a program (Python callable, executable, or native .so) as a manifest of
 * http_path -> physical_path entries with optional per-file row filters. */
#ifndef DS_PLUGIN_H
#define DS_PLUGIN_H

#include <stddef.h>

#include "../config/config.h"

typedef struct {
    char *key;          /* normalised data-map key (data/...) */
    char *path;         /* absolute physical path */
    char *row_filter;   /* or NULL */
} ds_manifest_file;

typedef struct {
    ds_manifest_file *files;
    size_t n_files;
    char *template_name;        /* or NULL */
    char *row_filter_template;  /* or NULL */
} ds_manifest;

/* Runs the plugin of fs and returns its normalised manifest. */
int ds_plugin_run(const ds_config *cfg, const ds_file_source *fs, ds_manifest *out, ds_err *err);
void ds_manifest_free(ds_manifest *m);

#endif
