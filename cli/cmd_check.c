/* cmd_check.c - `ducksite check [--root DIR]`: load and validate the
 * configuration, one line per file source (src/site/check.c).  Stops at
 * the first error. */
#include "cli.h"
#include "site/check.h"
#include "util/util.h"

int cmd_check(int argc, char **argv)
{
    const char *root = ".";
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
    };
    int rc = cli_parse(cli_command_named("check"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    ds_buf report = {0};
    ds_err err;
    rc = ds_check(root, &report, &err);
    return cli_report(rc, &report, &err);
}
