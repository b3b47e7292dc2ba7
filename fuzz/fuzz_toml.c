/* fuzz_toml.c - libFuzzer target for the TOML parser.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *            src/config/toml.c fuzz/fuzz_toml.c -o fuzz_toml
 *
 * Parses the input, then walks the whole tree (formatting every date-time
 * and looking up every key) so that the code run on valid documents is
 * exercised too, and checks a few things that must hold for every tree. */

#include "config/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void walk(const ds_toml_value *v, int depth)
{
    size_t i;
    /* The parser promises this bound; the fuzzer checks it. */
    if (depth > DS_TOML_MAX_DEPTH + 1 || v->line < 1 || v->col < 1)
        abort();
    switch (v->type) {
    case DS_TOML_STRING:
        if (v->u.str.ptr[v->u.str.len] != '\0')
            abort();
        break;
    case DS_TOML_DATETIME:
    case DS_TOML_LOCAL_DATETIME:
    case DS_TOML_LOCAL_DATE:
    case DS_TOML_LOCAL_TIME: {
        char buf[40];
        size_t n = ds_toml_datetime_format(v->type, &v->u.dt, buf, sizeof buf);
        if (n >= sizeof buf || strlen(buf) != n)
            abort();
        break;
    }
    case DS_TOML_ARRAY:
        for (i = 0; i < v->u.arr.len; i++)
            walk(v->u.arr.items[i], depth + 1);
        break;
    case DS_TOML_TABLE:
        for (i = 0; i < v->u.table.len; i++) {
            const ds_toml_entry *e = &v->u.table.items[i];
            const ds_toml_entry *found = ds_toml_find(v, e->key);
            /* Keys are unique, so a key without NUL finds its own entry. */
            if (strlen(e->key) == e->key_len && found != e)
                abort();
            if (e->line < 1 || e->col < 1)
                abort();
            walk(e->value, depth + 1);
        }
        break;
    default:
        (void)ds_toml_type_describe(v->type);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_toml_error err;
    ds_toml_value *root = ds_toml_parse((const char *)data, size, &err);
    if (root) {
        walk(root, 0);
        ds_toml_free(root);
    } else if (err.line < 1 || err.col < 1 || err.msg[0] == '\0' ||
               memchr(err.msg, '\0', sizeof err.msg) == NULL) {
        abort(); /* every failure must say where and why */
    }
    return 0;
}
