/* cmd_check.c - `ducksite check [--root DIR]`: load and validate the
 * configuration, one line per file source.  Stops at the first error. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "util/util.h"
#include "config/config.h"
#include "sql/timewindow.h"

static void print_source(size_t i, const ds_file_source *fs)
{
    printf("file_sources[%zu] %s: ", i, fs->name ? fs->name : "(unnamed)");
    if (fs->plugin)
        printf("plugin %s", fs->plugin);
    else if (fs->upstream_glob)
        printf("upstream_glob %s", fs->upstream_glob);
    else
        printf("pattern static/%s", fs->pattern);
    printf(", %s, on_empty=%s", ds_union_mode_name(fs->union_mode), ds_on_empty_name(fs->on_empty));
    if (fs->template_name)
        printf(", template %s", fs->template_name);
    if (fs->row_filter)
        printf(", row_filter %s", fs->row_filter);
    char *window = ds_sql_time_window(fs);
    if (window)
        printf(", time_window %s", window);
    free(window);
    printf("\n");
}

int cmd_check(int argc, char **argv)
{
    const char *root = ".";
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
    };
    int rc = cli_parse(cli_command_named("check"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    ds_config cfg;
    ds_err err;
    if (ds_config_load(root, &cfg, &err) != 0) {
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    for (size_t i = 0; i < cfg.n_sources; i++)
        print_source(i, &cfg.sources[i]);
    printf("%s is valid: %zu file source%s, %zu dir%s\n", cfg.display_path, cfg.n_sources,
           cfg.n_sources == 1 ? "" : "s", cfg.n_dirs, cfg.n_dirs == 1 ? "" : "s");
    ds_config_free(&cfg);
    return DS_EXIT_OK;
}
