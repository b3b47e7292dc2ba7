/* toml_decoder.c - the "decoder" program for the toml-test conformance suite.
 *
 * Reads a TOML document on standard input and writes it to standard output
 * as toml-test's tagged JSON: every scalar becomes
 *   {"type": "integer", "value": "1"}
 * arrays become JSON arrays and tables JSON objects (in document order).
 *
 * Exit status: 0 for a valid document, 1 for invalid TOML (with
 * "line:col: message" on standard error), 2 when input cannot be read.
 *
 *   toml-test-decoder --each DIR FILE...
 * decodes each FILE as above in a child process of its own (so a crash or
 * a sanitizer report stays that file's), with FILE as its standard input
 * and DIR/N.out, DIR/N.err as its outputs (N counts from 0); DIR/N.status
 * then holds "exit S" or "signal S".  One start for a whole suite: a
 * sanitizer build pays its start-up once, not once a file.  The children
 * end without LeakSanitizer's exit check (it stops the world, dear per
 * process): the parent decodes every file once more itself, output
 * discarded, so a leak is reported at its exit (status as the sanitizer
 * options say). */

#include "config/toml.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Read all of stdin into a malloc'd buffer. */
static char *read_all(FILE *in, size_t *len_out)
{
    size_t len = 0, cap = 65536;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        size_t got;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        got = fread(buf + len, 1, cap - len, in);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        free(buf);
        return NULL;
    }
    *len_out = len;
    return buf;
}

/* Write s as a JSON string.  TOML strings are valid UTF-8 (the parser
 * checks), so only quotes, backslashes and control characters (including
 * NUL from \u0000) need escaping. */
static void put_json_string(const char *s, size_t len)
{
    size_t i;
    putchar('"');
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            fputs("\\\"", stdout);
            break;
        case '\\':
            fputs("\\\\", stdout);
            break;
        case '\b':
            fputs("\\b", stdout);
            break;
        case '\f':
            fputs("\\f", stdout);
            break;
        case '\n':
            fputs("\\n", stdout);
            break;
        case '\r':
            fputs("\\r", stdout);
            break;
        case '\t':
            fputs("\\t", stdout);
            break;
        default:
            if (c < 0x20 || c == 0x7F)
                printf("\\u%04x", (unsigned)c);
            else
                putchar(c);
        }
    }
    putchar('"');
}

/* The shortest %g text that reads back as the same double. */
static void format_float(double d, char *buf, size_t size)
{
    int prec;
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "inf" : "-inf");
        return;
    }
    for (prec = 1; prec < 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            return;
    }
    snprintf(buf, size, "%.17g", d);
}

static void put_tagged(const char *type, const char *value)
{
    printf("{\"type\":\"%s\",\"value\":", type);
    put_json_string(value, strlen(value));
    putchar('}');
}

static void put_value(const ds_toml_value *v)
{
    char buf[64];
    size_t i;
    switch (v->type) {
    case DS_TOML_STRING:
        printf("{\"type\":\"string\",\"value\":");
        put_json_string(v->u.str.ptr, v->u.str.len);
        putchar('}');
        break;
    case DS_TOML_INTEGER:
        snprintf(buf, sizeof buf, "%" PRId64, v->u.integer);
        put_tagged("integer", buf);
        break;
    case DS_TOML_FLOAT:
        format_float(v->u.flt, buf, sizeof buf);
        put_tagged("float", buf);
        break;
    case DS_TOML_BOOL:
        put_tagged("bool", v->u.boolean ? "true" : "false");
        break;
    case DS_TOML_DATETIME:
    case DS_TOML_LOCAL_DATETIME:
    case DS_TOML_LOCAL_DATE:
    case DS_TOML_LOCAL_TIME:
        ds_toml_datetime_format(v->type, &v->u.dt, buf, sizeof buf);
        put_tagged(v->type == DS_TOML_DATETIME         ? "datetime"
                   : v->type == DS_TOML_LOCAL_DATETIME ? "datetime-local"
                   : v->type == DS_TOML_LOCAL_DATE     ? "date-local"
                                                       : "time-local",
                   buf);
        break;
    case DS_TOML_ARRAY:
        putchar('[');
        for (i = 0; i < v->u.arr.len; i++) {
            if (i > 0)
                putchar(',');
            put_value(v->u.arr.items[i]);
        }
        putchar(']');
        break;
    case DS_TOML_TABLE:
        putchar('{');
        for (i = 0; i < v->u.table.len; i++) {
            const ds_toml_entry *e = &v->u.table.items[i];
            if (i > 0)
                putchar(',');
            put_json_string(e->key, e->key_len);
            putchar(':');
            put_value(e->value);
        }
        putchar('}');
        break;
    }
}

/* One document from standard input to standard output (the exit status
 * of the file comment). */
static int decode_stdin(void)
{
    size_t len;
    ds_toml_error err;
    ds_toml_value *root;
    char *text = read_all(stdin, &len);
    if (!text) {
        fprintf(stderr, "toml-test-decoder: cannot read standard input\n");
        return 2;
    }
    root = ds_toml_parse(text, len, &err);
    free(text);
    if (!root) {
        fprintf(stderr, "%d:%d: %s\n", err.line, err.col, err.msg);
        return 1;
    }
    put_value(root);
    putchar('\n');
    ds_toml_free(root);
    return fflush(stdout) == 0 ? 0 : 2;
}

/* DIR/N.SUFFIX, the file of case N (the --each mode). */
static void case_path(char *path, size_t size, const char *dir, int n, const char *suffix)
{
    snprintf(path, size, "%s/%d.%s", dir, n, suffix);
}

/* Case N's output SUFFIX as descriptor FD: 0, or -1 with a message. */
static int redirect(const char *dir, int n, const char *suffix, int fd)
{
    char path[4096];
    case_path(path, sizeof path, dir, n, suffix);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0 && dup2(out, fd) >= 0) {
        close(out);
        return 0;
    }
    perror(path);
    return -1;
}

/* The --each mode: FILES decoded one child process each. */
static int decode_each(const char *dir, char **files, int count)
{
    for (int n = 0; n < count; n++) {
        int status;
        FILE *record;
        pid_t child;
        fflush(NULL);
        child = fork();
        if (child < 0) {
            perror("fork");
            return 2;
        }
        if (child == 0) {
            int in = open(files[n], O_RDONLY);
            if (in < 0 || dup2(in, 0) < 0 || redirect(dir, n, "out", 1) != 0 ||
                redirect(dir, n, "err", 2) != 0) {
                perror(files[n]);
                _exit(2);
            }
            close(in);
            int rc = decode_stdin();
            fflush(NULL);
            _exit(rc);
        }
        char path[4096];
        case_path(path, sizeof path, dir, n, "status");
        if (waitpid(child, &status, 0) != child || !(record = fopen(path, "w"))) {
            perror(path);
            return 2;
        }
        if (WIFEXITED(status))
            fprintf(record, "exit %d\n", WEXITSTATUS(status));
        else
            fprintf(record, "signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        if (fclose(record) != 0)
            return 2;
    }
    /* The leak check's pass (see the top of the file); standard error
     * back for the sanitizers' report. */
    int saved_err = dup(2);
    if (saved_err < 0 || !freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
        return 2;
    for (int n = 0; n < count; n++)
        if (freopen(files[n], "r", stdin))
            decode_stdin();
    fflush(stderr);
    if (dup2(saved_err, 2) < 0)
        return 2;
    close(saved_err);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--each") == 0)
        return decode_each(argv[2], argv + 3, argc - 3);
    if (argc != 1) {
        fprintf(stderr, "usage: toml-test-decoder < FILE\n"
                        "       toml-test-decoder --each DIR FILE...\n");
        return 2;
    }
    return decode_stdin();
}
