/* cli.h - what the command files share: option parsing and the command
 * table.  Commands only parse arguments and call the library. */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "util/util.h"

#define DS_EXIT_OK 0
#define DS_EXIT_ERROR 1
#define DS_EXIT_USAGE 2

/* An option ("--root") or, when name does not start with '-', a required
 * positional argument ("NAME") whose text goes to *value. */
typedef struct {
    const char *name;     /* "--root" */
    const char *arg;      /* "DIR", or NULL for a flag */
    const char *help;
    const char **value;   /* where an option's argument goes */
    bool *flag;           /* where a flag goes */
} cli_opt;

typedef struct {
    const char *name;
    const char *summary;
    const char *usage;    /* text after "ducksite NAME" */
    int (*run)(int argc, char **argv);
} cli_command;

/* Parses argv[1..] (argv[0] is the command name).  Returns -1 to go on,
 * otherwise the exit code (help printed: 0, usage error: 2). */
int cli_parse(const cli_command *cmd, int argc, char **argv, const cli_opt *opts, size_t n);

void cli_error(const char *msg);

/* The end of a command that fills a report: prints it on stdout and frees
 * it, then, when rc is not 0, err.  Returns the exit code. */
int cli_report(int rc, ds_buf *report, const ds_err *err);

/* The command table entry for NAME (commands use it for their help). */
const cli_command *cli_command_named(const char *name);

int cmd_init(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_user(int argc, char **argv);

#endif
