/* plugin.c - running virtual Parquet plugins (see plugin.h). */
#include "plugin.h"

#include <stdlib.h>
#include <string.h>

int ds_plugin_run(const ds_config *cfg, const ds_file_source *fs, ds_manifest *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    return ds_err_set(err, "%s:%d: file source '%s': plugin '%s': plugins cannot be run yet",
                      cfg->display_path, fs->line, fs->name, fs->plugin);
}

void ds_manifest_free(ds_manifest *m)
{
    for (size_t i = 0; i < m->n_files; i++) {
        free(m->files[i].key);
        free(m->files[i].path);
        free(m->files[i].row_filter);
    }
    free(m->files);
    free(m->template_name);
    free(m->row_filter_template);
    memset(m, 0, sizeof *m);
}
