/* cmd_serve.c - `ducksite serve [--root DIR] [--host H] [--port N] [--access-log]
 * [--no-build] [--no-watch]`: the options, then the serve loop
 * (src/serve/serveloop.c: first build, server, rebuilds on changes). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "serve/serveloop.h"
#include "util/util.h"

int cmd_serve(int argc, char **argv)
{
    const char *root = ".", *host = "127.0.0.1", *port_text = "8080";
    bool access_log = false, no_build = false, no_watch = false;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory; serves DIR/static (default: .)", &root, NULL},
        {"--host", "ADDR", "address to listen on (default: 127.0.0.1)", &host, NULL},
        {"--port", "N", "port to listen on, 0 for any free port (default: 8080)", &port_text,
         NULL},
        {"--access-log", NULL, "print one line per request on stdout", NULL, &access_log},
        {"--no-build", NULL, "serve static/ as it is: no build first, no rebuilds", NULL,
         &no_build},
        {"--no-watch", NULL, "build once, then do not rebuild on changes", NULL, &no_watch},
    };
    int rc = cli_parse(cli_command_named("serve"), argc, argv, opts, DS_ARRAY_LEN(opts));
    if (rc >= 0)
        return rc;
    char *end;
    unsigned long port = strtoul(port_text, &end, 10);
    if (*port_text < '0' || *port_text > '9' || *end || port > 65535) {
        fprintf(stderr, "ducksite serve: --port must be a number from 0 to 65535, not '%s'\n",
                port_text);
        return DS_EXIT_USAGE;
    }
    ds_serveloop_options opt = {root, host, (unsigned)port, access_log, no_build, no_watch};
    ds_err err;
    if (ds_serveloop_run(&opt, &err) != 0) {
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    return DS_EXIT_OK;
}
