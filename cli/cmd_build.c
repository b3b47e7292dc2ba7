/* cmd_build.c - `ducksite build [--root DIR] [--clean] [--force] [--no-prerender] [--strict]`. */
#include "cli.h"
#include "site/build.h"
#include "util/util.h"

int cmd_build(int argc, char **argv)
{
    const char *root = ".";
    bool clean = false;
    bool no_prerender = false;
    bool strict = false;
    bool force = false;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
        {"--clean", NULL, "empty static/ (except static/forms/) before writing", NULL, &clean},
        {"--force", NULL, "build everything even when nothing changed since the last build",
         NULL, &force},
        {"--no-prerender", NULL, "store no query results: every chart and table runs in the browser",
         NULL, &no_prerender},
        {"--strict", NULL, "fail on SQL or files the browser engine cannot run or read (instead of a warning)", NULL,
         &strict},
    };
    int rc = cli_parse(cli_command_named("build"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    ds_build_options opt = {0};
    opt.clean = clean;
    opt.no_prerender = no_prerender;
    opt.strict = strict;
    opt.force = force;
    ds_err err;
    if (ds_build(root, &opt, &err) != 0) {
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    return DS_EXIT_OK;
}
