/* main.c - the ducksite command: picks a command and hands over. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_command COMMANDS[] = {
    {"init", "create a new project (never overwrites)", "[--root DIR]", cmd_init},
    {"check", "load and validate ducksite.toml", "[--root DIR]", cmd_check},
    {"build", "build the site into static/", "[--root DIR] [--clean]", cmd_build},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: ducksite <command> [--root DIR] [options]\n"
            "       ducksite --help | --version\n\n"
            "Turns markdown pages, SQL models and Parquet files into a DuckDB-Wasm\n"
            "dashboard site.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(out, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\n'ducksite <command> --help' describes a command's options.\n");
}

const cli_command *cli_command_named(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(COMMANDS[i].name, name) == 0)
            return &COMMANDS[i];
    return NULL;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, const cli_opt *opts, size_t n)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: ducksite %s %s\n\n%s.\n\noptions:\n", cmd->name, cmd->usage,
                   cmd->summary);
            for (size_t j = 0; j < n; j++) {
                char left[64];
                snprintf(left, sizeof left, "%s%s%s", opts[j].name, opts[j].arg ? " " : "",
                         opts[j].arg ? opts[j].arg : "");
                printf("  %-20s %s\n", left, opts[j].help);
            }
            printf("  %-20s %s\n", "--help", "show this help");
            return DS_EXIT_OK;
        }
        const cli_opt *o = NULL;
        const char *inline_value = NULL;
        for (size_t j = 0; j < n && !o; j++) {
            size_t len = strlen(opts[j].name);
            if (strncmp(a, opts[j].name, len) != 0)
                continue;
            if (a[len] == '\0')
                o = &opts[j];
            else if (a[len] == '=' && opts[j].arg) {
                o = &opts[j];
                inline_value = a + len + 1;
            }
        }
        if (!o) {
            fprintf(stderr, "ducksite %s: unknown %s '%s'\nusage: ducksite %s %s\n", cmd->name,
                    a[0] == '-' ? "option" : "argument", a, cmd->name, cmd->usage);
            return DS_EXIT_USAGE;
        }
        if (!o->arg) {
            *o->flag = true;
            continue;
        }
        if (!inline_value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ducksite %s: option %s needs a value (%s)\n", cmd->name,
                        o->name, o->arg);
                return DS_EXIT_USAGE;
            }
            inline_value = argv[++i];
        }
        *o->value = inline_value;
    }
    return -1;
}

void cli_error(const char *msg)
{
    fprintf(stderr, "ducksite: error: %s\n", msg);
}

int main(int argc, char **argv)
{
    /* A plugin or a client that goes away must give an error, not kill us. */
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return DS_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return DS_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ducksite %s\n", DS_VERSION);
        return DS_EXIT_OK;
    }
    const cli_command *cmd = cli_command_named(argv[1]);
    if (!cmd) {
        fprintf(stderr, "ducksite: unknown %s '%s'\n\n", argv[1][0] == '-' ? "option" : "command",
                argv[1]);
        usage(stderr);
        return DS_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
