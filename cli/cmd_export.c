/* cmd_export.c - `ducksite export [--root DIR] (--nginx FILE | --tree DIR
 * [--copy]) [--server-name NAME] [--listen ADDR:PORT] [--public]`. */
#include <stdio.h>

#include "cli.h"
#include "export/export.h"
#include "util/util.h"

int cmd_export(int argc, char **argv)
{
    const char *root = ".", *nginx = NULL, *tree = NULL, *server_name = NULL, *listen = NULL;
    bool copy = false, public_ok = false;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory (default: .); ROOT/static is exported", &root,
         NULL},
        {"--nginx", "FILE", "write an nginx server for the site to FILE (- for stdout)", &nginx,
         NULL},
        {"--tree", "DIR", "fill DIR with the site's files and the data files", &tree, NULL},
        {"--copy", NULL, "with --tree: copy the data files instead of symlinking them", NULL,
         &copy},
        {"--server-name", "NAME", "with --nginx: server_name (default: _)", &server_name, NULL},
        {"--listen", "ADDR:PORT", "with --nginx: listen (default: 80)", &listen, NULL},
        {"--public", NULL, "export a site with [auth] site = true anyway: open to everyone",
         NULL, &public_ok},
    };
    const cli_command *cmd = cli_command_named("export");
    int rc = cli_parse(cmd, argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    const char *problem = NULL;
    if ((nginx == NULL) == (tree == NULL))
        problem = "give exactly one of --nginx FILE and --tree DIR";
    else if (copy && !tree)
        problem = "--copy goes with --tree";
    else if ((server_name || listen) && !nginx)
        problem = "--server-name and --listen go with --nginx";
    if (problem) {
        fprintf(stderr, "ducksite export: %s\nusage: ducksite export %s\n", problem, cmd->usage);
        return DS_EXIT_USAGE;
    }
    ds_export_options o = {root, nginx, tree, copy, server_name, listen, public_ok};
    ds_buf report = {0};
    ds_err err;
    rc = ds_export(&o, &report, &err);
    return cli_report(rc, &report, &err);
}
