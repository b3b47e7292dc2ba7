/* cmd_serve.c - `ducksite serve [--root DIR] [--host H] [--port N] [--access-log]`.
 *
 * Serves ROOT/static until SIGINT or SIGTERM.  Signals are handled without
 * any handler or global state: they are blocked before the server starts its
 * threads (which inherit the mask), and this thread collects them with
 * sigwait(), then stops the server and exits 0. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "server/server.h"
#include "util/util.h"

int cmd_serve(int argc, char **argv)
{
    const char *root = ".", *host = "127.0.0.1", *port_text = "8080";
    bool access_log = false;
    const cli_opt opts[] = {
        {"--root", "DIR", "project directory; serves DIR/static (default: .)", &root, NULL},
        {"--host", "ADDR", "address to listen on (default: 127.0.0.1)", &host, NULL},
        {"--port", "N", "port to listen on, 0 for any free port (default: 8080)", &port_text,
         NULL},
        {"--access-log", NULL, "print one line per request on stdout", NULL, &access_log},
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

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    /* A client that goes away mid-sendfile must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

    ds_server_options opt = {root, host, (unsigned)port, access_log, 0, 0};
    ds_err err;
    ds_server *server = ds_server_start(&opt, &err);
    if (!server) {
        cli_error(err.msg);
        return DS_EXIT_ERROR;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("serving %s at %s\n", ds_server_static_dir(server), ds_server_url(server));
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    ds_info("%s received; stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    ds_server_stop(server);
    return DS_EXIT_OK;
}
