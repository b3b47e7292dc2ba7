/* cmd_demo.c - `ducksite demo [--root DIR]`. */
#include "cli.h"
#include "scaffold/demo.h"
#include "util/util.h"

int cmd_demo(int argc, char **argv)
{
    const char *root = "demo";
    const cli_opt opts[] = {
        {"--root", "DIR", "where to create the demo project (default: demo)", &root, NULL},
    };
    int rc = cli_parse(cli_command_named("demo"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    ds_buf report = {0};
    ds_err err;
    rc = ds_demo_create(root, &report, &err);
    return cli_report(rc, &report, &err);
}
