/* cmd_init.c - `ducksite init [--root DIR]`. */
#include "cli.h"
#include "util/util.h"
#include "scaffold/project.h"

int cmd_init(int argc, char **argv)
{
    const char *root = ".";
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
    };
    int rc = cli_parse(cli_command_named("init"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    ds_buf report = {0};
    ds_err err;
    rc = ds_project_init(root, &report, &err);
    return cli_report(rc, &report, &err);
}
