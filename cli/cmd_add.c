/* cmd_add.c - `ducksite add plugin NAME [--dir plugins] [--root DIR]`. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "scaffold/project.h"
#include "util/util.h"

int cmd_add(int argc, char **argv)
{
    const char *root = ".", *dir = "plugins", *resource = NULL, *name = NULL;
    const cli_opt opts[] = {
        {"RESOURCE", NULL, "what to add: plugin", &resource, NULL},
        {"NAME", NULL, "the plugin's name (a Python identifier)", &name, NULL},
        {"--dir", "DIR", "folder for the plugin, relative to the project (default: plugins)",
         &dir, NULL},
        {"--root", "DIR", "project directory (default: .)", &root, NULL},
    };
    int rc = cli_parse(cli_command_named("add"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    if (strcmp(resource, "plugin") != 0) {
        fprintf(stderr, "ducksite add: unknown resource '%s' (known: plugin)\n", resource);
        return DS_EXIT_USAGE;
    }
    ds_buf report = {0};
    ds_err err;
    rc = ds_project_add_plugin(root, dir, name, &report, &err);
    return cli_report(rc, &report, &err);
}
