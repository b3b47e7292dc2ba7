/* ds_datamap.c - only the data-map stage of a build: load ducksite.toml,
 * scan every source, write static/data_map.json.  The benchmark in bench/
 * times it against find(1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "datamap/collect.h"
#include "util/fs.h"

int main(int argc, char **argv)
{
    const char *root = argc == 3 && strcmp(argv[1], "--root") == 0 ? argv[2] : ".";
    ds_config cfg;
    ds_collected files;
    ds_err err;
    if (ds_config_load(root, &cfg, &err) != 0) {
        fprintf(stderr, "ds-datamap: %s\n", err.msg);
        return 1;
    }
    char *static_dir = ds_path_join(cfg.root, "static");
    int rc = 1;
    if (ds_collect(&cfg, &files, &err) == 0) {
        rc = ds_datamap_write(&files.map, static_dir, &err) == 0 ? 0 : 1;
        ds_collected_free(&files);
    }
    if (rc)
        fprintf(stderr, "ds-datamap: %s\n", err.msg);
    free(static_dir);
    ds_config_free(&cfg);
    return rc;
}
