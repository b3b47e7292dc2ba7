/* toml_decoder.c - the "decoder" program for the toml-test conformance suite.
 *
 * Reads a TOML document on standard input and writes it to standard output
 * as toml-test's tagged JSON: every scalar becomes
 *   {"type": "integer", "value": "1"}
 * arrays become JSON arrays and tables JSON objects (in document order).
 *
 * Exit status: 0 for a valid document, 1 for invalid TOML (with
 * "line:col: message" on standard error), 2 when input cannot be read. */

#include "config/toml.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
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
