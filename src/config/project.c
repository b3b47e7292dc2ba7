/* project.c - `ducksite init`: a minimal project that builds.  It never
 * overwrites: a user's ducksite.toml or content is worth more than a
 * template. */
#include "project.h"

#include <stdlib.h>

#include "../util/fs.h"
#include "config.h"

static const char STARTER_TOML[] =
    "# ducksite.toml - the project's configuration.\n"
    "# Every key is described in Ducksite's docs/configuration.md.\n"
    "\n"
    "[dirs]\n"
    "DIR_FORMS = \"static/forms\"\n"
    "# DIR_LAKE = \"/srv/lake\"   # then: upstream_glob = \"${DIR_LAKE}/sales/**/*.parquet\"\n"
    "\n"
    "# Publish Parquet files that live anywhere on this machine, without copying them:\n"
    "# [[file_sources]]\n"
    "# name = \"sales\"\n"
    "# upstream_glob = \"${DIR_LAKE}/sales/**/*.parquet\"\n"
    "# template_name = \"sales_[region]\"\n";

static const char *const DIRS[] = {"content", "sources_sql", "static/forms"};

int ds_project_init(const char *root, ds_buf *report, ds_err *err)
{
    if (ds_mkdir_p(root, err) != 0)
        return -1;
    char *toml = ds_path_join(root, DS_CONFIG_FILE);
    int rc = 0;
    if (ds_exists(toml)) {
        ds_buf_printf(report, "kept    %s (already exists)\n", DS_CONFIG_FILE);
    } else if (ds_write_atomic(toml, STARTER_TOML, sizeof STARTER_TOML - 1, err) == 0) {
        ds_buf_printf(report, "created %s\n", DS_CONFIG_FILE);
    } else {
        rc = -1;
    }
    free(toml);
    for (size_t i = 0; i < DS_ARRAY_LEN(DIRS) && rc == 0; i++) {
        char *dir = ds_path_join(root, DIRS[i]);
        if (ds_is_dir(dir)) {
            ds_buf_printf(report, "kept    %s/ (already exists)\n", DIRS[i]);
        } else if (ds_mkdir_p(dir, err) == 0) {
            ds_buf_printf(report, "created %s/\n", DIRS[i]);
        } else {
            rc = -1;
        }
        free(dir);
    }
    return rc;
}
