/* cmd_doctor.c - `ducksite doctor URL [--data URL]... [--max-files N]
 * [--timeout S] [--json]`: the options, then the checks (src/doctor/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "doctor/doctor.h"
#include "util/util.h"

/* --data may be given many times; cli_parse keeps one value per option, so
 * the --data pairs are taken out of argv first. */
static int take_data(int argc, char **argv, char **rest, const char ***data, size_t *n)
{
    int k = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc)
                return -1;
            *data = ds_xrealloc(*data, (*n + 1) * sizeof **data);
            (*data)[(*n)++] = argv[++i];
        } else if (i > 0 && strncmp(argv[i], "--data=", 7) == 0) {
            *data = ds_xrealloc(*data, (*n + 1) * sizeof **data);
            (*data)[(*n)++] = argv[i] + 7;
        } else {
            rest[k++] = argv[i];
        }
    }
    return k;
}

int cmd_doctor(int argc, char **argv)
{
    const char *url = NULL, *max_text = "3", *timeout_text = "30", *data_help = NULL;
    bool json = false;
    const cli_opt opts[] = {
        {"URL", NULL, "the page to check (http:// or https://)", &url, NULL},
        {"--data", "URL",
         "a data file the page reads (repeatable; for pages not made by "
         "Ducksite)",
         &data_help, NULL},
        {"--max-files", "N",
         "data files found in the page to check, one per origin first (default: 3)", &max_text,
         NULL},
        {"--timeout", "S", "seconds per request (default: 30)", &timeout_text, NULL},
        {"--json", NULL, "print the report as JSON", NULL, &json},
    };
    const cli_command *cmd = cli_command_named("doctor");
    const char **data = NULL;
    size_t n_data = 0;
    char **rest = ds_xcalloc((size_t)argc + 1, sizeof *rest);
    int n_rest = take_data(argc, argv, rest, &data, &n_data);
    int rc = n_rest < 0 ? DS_EXIT_USAGE : cli_parse(cmd, n_rest, rest, opts, DS_ARRAY_LEN(opts));
    if (n_rest < 0)
        fprintf(stderr, "ducksite doctor: --data needs a URL\nusage: ducksite doctor %s\n",
                cmd->usage);
    long max_files = 0;
    double timeout = 0;
    if (rc < 0) {
        const char *bad = NULL, *want = NULL;
        char *end;
        max_files = strtol(max_text, &end, 10);
        if (*max_text < '0' || *max_text > '9' || *end || max_files < 1 || max_files > 100000)
            bad = "--max-files", want = "a whole number from 1 to 100000";
        timeout = strtod(timeout_text, &end);
        if (!bad && (*end || !(timeout > 0 && timeout <= 3600)))
            bad = "--timeout", want = "seconds, more than 0 and at most 3600";
        if (bad) {
            fprintf(stderr, "ducksite doctor: %s '%s' (want %s)\nusage: ducksite doctor %s\n", bad,
                    strcmp(bad, "--timeout") == 0 ? timeout_text : max_text, want, cmd->usage);
            rc = DS_EXIT_USAGE;
        }
    }
    if (rc < 0) {
        ds_doctor_options o = {url, data, n_data, (int)max_files, timeout, json};
        ds_buf report = {0};
        ds_err err;
        rc = cli_report(ds_doctor(&o, &report, &err), &report, &err);
    }
    free(rest);
    free(data);
    return rc;
}
