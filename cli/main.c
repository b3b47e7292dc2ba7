/* main.c - the ducksite command: picks a command and hands over. */
#include <assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command COMMANDS[] = {
    {"init", "create a new project (never overwrites)", "[--root DIR]", cmd_init},
    {"check", "load and validate ducksite.toml", "[--root DIR]", cmd_check},
    {"build", "build the site into static/", "[--root DIR] [--clean] [--force] [--no-prerender] [--strict]",
     cmd_build},
    {"serve", "build, serve over HTTP and rebuild on changes",
     "[--root DIR] [--host ADDR] [--port N] [--access-log] [--no-build] [--no-watch]", cmd_serve},
    {"export", "write an nginx config, or a folder for an object store or CDN",
     "[--root DIR] (--nginx FILE [--server-name NAME] [--listen ADDR:PORT] | --tree DIR "
     "[--copy]) [--public]",
     cmd_export},
    {"doctor", "check that a site's server gives DuckDB-Wasm what it needs",
     "URL [--data URL]... [--max-files N] [--timeout S] [--json]", cmd_doctor},
    {"user", "manage who may sign in (auth/users.json)",
     "(add|passwd|remove) EMAIL [--root DIR] | list [--root DIR]", cmd_user},
    {"demo", "create a demo project with generated data", "[--root DIR]", cmd_demo},
    {"add", "add a resource to the project (plugin)", "plugin NAME [--dir plugins] [--root DIR]",
     cmd_add},
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

static void print_help(const cli_command *cmd, const cli_opt *opts, size_t n)
{
    printf("usage: ducksite %s %s\n\n%s.\n\noptions:\n", cmd->name, cmd->usage, cmd->summary);
    for (size_t j = 0; j < n; j++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", opts[j].name, opts[j].arg ? " " : "",
                 opts[j].arg ? opts[j].arg : "");
        printf("  %-20s %s\n", left, opts[j].help);
    }
    printf("  %-20s %s\n", "--help", "show this help");
}

static int usage_error(const cli_command *cmd, const char *what, const char *arg)
{
    fprintf(stderr, "ducksite %s: %s '%s'\nusage: ducksite %s %s\n", cmd->name, what, arg,
            cmd->name, cmd->usage);
    return DS_EXIT_USAGE;
}

/* An option the command does not have; one of its own when the name is
 * a likely misspelling ("--serve-name" for "--server-name"). */
static int unknown_option(const cli_command *cmd, const char *arg, const cli_opt *opts, size_t n)
{
    const char **names = ds_xcalloc(n + 2, sizeof *names);
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (opts[j].name[0] == '-')
            names[k++] = opts[j].name;
    names[k++] = "--help";
    /* "--tree=DIR" is the option "--tree" with a value. */
    size_t len = strcspn(arg, "=");
    char *word = ds_asprintf("%.*s", (int)len, arg);
    const char *best = ds_suggest(word, names, k);
    fprintf(stderr, "ducksite %s: unknown option '%s'%s%s%s\nusage: ducksite %s %s\n", cmd->name,
            arg, best ? "; did you mean '" : "", best ? best : "", best ? "'?" : "", cmd->name,
            cmd->usage);
    free(word);
    free(names);
    return DS_EXIT_USAGE;
}

#ifndef NDEBUG
/* A command's option table says where each result goes: a positional
 * argument's or an option's text to *value, a flag to *flag. */
static bool opt_ok(const cli_opt *o)
{
    if (!o->name || !o->name[0])
        return false;
    if (o->name[0] != '-' || o->arg)
        return o->value != NULL;
    return o->flag != NULL;
}
#endif

/* One argument of argv at *I (an option's value may take the next one).
 * Returns -1 to go on, otherwise the exit code. */
static int parse_one(const cli_command *cmd, const cli_opt *opts, size_t n, int argc, char **argv,
                     int *i, size_t *next_positional, bool *given)
{
    const char *a = argv[*i];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        print_help(cmd, opts, n);
        return DS_EXIT_OK;
    }
    const cli_opt *o = NULL;
    const char *inline_value = NULL;
    if (a[0] != '-') {
        /* Positional arguments (options whose name is not "--...") fill in order. */
        for (size_t j = 0; j < n && !o; j++)
            if (opts[j].name[0] != '-' && j >= *next_positional) {
                o = &opts[j];
                *next_positional = j + 1;
            }
        if (!o)
            return usage_error(cmd, "unexpected argument", a);
        *o->value = a;
        return -1;
    }
    for (size_t j = 0; j < n && !o; j++) {
        size_t len = strlen(opts[j].name);
        if (opts[j].name[0] != '-' || strncmp(a, opts[j].name, len) != 0)
            continue;
        if (a[len] == '\0')
            o = &opts[j];
        else if (a[len] == '=' && opts[j].arg) {
            o = &opts[j];
            inline_value = a + len + 1;
        }
    }
    if (!o)
        return unknown_option(cmd, a, opts, n);
    if (!o->arg) {
        *o->flag = true;
        return -1;
    }
    if (!inline_value) {
        if (*i + 1 >= argc) {
            fprintf(stderr, "ducksite %s: option %s needs a value (%s)\n", cmd->name, o->name,
                    o->arg);
            return DS_EXIT_USAGE;
        }
        inline_value = argv[++*i];
    }
    /* An empty value (a shell variable left unset) names nothing: "--root ''"
     * must not quietly mean the current folder. */
    if (!*inline_value) {
        fprintf(stderr, "ducksite %s: %s is empty; give it a value\nusage: ducksite %s %s\n",
                cmd->name, o->name, cmd->name, cmd->usage);
        return DS_EXIT_USAGE;
    }
    size_t k = (size_t)(o - opts);
    if (given[k]) {
        fprintf(stderr, "ducksite %s: %s is given twice ('%s' and '%s'); give it once\n",
                cmd->name, o->name, *o->value, inline_value);
        return DS_EXIT_USAGE;
    }
    given[k] = true;
    *o->value = inline_value;
    return -1;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, const cli_opt *opts, size_t n)
{
    assert(cmd && argc >= 1 && (opts || n == 0));
    for (size_t j = 0; j < n; j++)
        assert(opt_ok(&opts[j]));
    size_t next_positional = 0;
    /* Options with a value given twice: which one was meant is a guess. */
    bool *given = ds_xcalloc(n + 1, sizeof *given);
    int rc = -1;
    for (int i = 1; i < argc && rc < 0; i++)
        rc = parse_one(cmd, opts, n, argc, argv, &i, &next_positional, given);
    free(given);
    if (rc >= 0)
        return rc;
    for (size_t j = 0; j < n; j++) {
        if (opts[j].name[0] != '-' && !*opts[j].value) {
            fprintf(stderr, "ducksite %s: missing %s\nusage: ducksite %s %s\n", cmd->name,
                    opts[j].name, cmd->name, cmd->usage);
            return DS_EXIT_USAGE;
        }
    }
    return -1;
}

void cli_error(const char *msg)
{
    ds_error("%s", msg);
}

int cli_report(int rc, ds_buf *report, const ds_err *err)
{
    assert(report && (rc == 0 || err));
    fputs(ds_buf_str(report), stdout);
    ds_buf_free(report);
    if (rc != 0) {
        cli_error(err->msg);
        return DS_EXIT_ERROR;
    }
    return DS_EXIT_OK;
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
        const char *names[DS_ARRAY_LEN(COMMANDS)];
        for (size_t i = 0; i < DS_ARRAY_LEN(COMMANDS); i++)
            names[i] = COMMANDS[i].name;
        const char *best = argv[1][0] == '-' ? NULL : ds_suggest(argv[1], names, DS_ARRAY_LEN(names));
        fprintf(stderr, "ducksite: unknown %s '%s'%s%s%s\n\n",
                argv[1][0] == '-' ? "option" : "command", argv[1], best ? "; did you mean '" : "",
                best ? best : "", best ? "'?" : "");
        usage(stderr);
        return DS_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
