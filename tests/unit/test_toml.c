/* test_toml.c - unit tests for the TOML parser's C API (src/config/toml.h).
 *
 * The toml-test conformance suite checks what documents mean; these tests
 * check what only the C API shows: positions of keys and values, entry
 * order, error positions and messages, datetime fields and formatting. */

#include "config/toml.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse a NUL-terminated document that must be valid. */
static ds_toml_value *parse_ok(const char *text)
{
    ds_toml_error err;
    ds_toml_value *root = ds_toml_parse(text, strlen(text), &err);
    cr_assert_not_null(root, "parse failed at %d:%d: %s", err.line, err.col, err.msg);
    cr_assert_eq(root->type, DS_TOML_TABLE);
    return root;
}

/* Parse a document that must be invalid and return the error. */
static ds_toml_error parse_bad(const char *text)
{
    ds_toml_error err;
    ds_toml_value *root = ds_toml_parse(text, strlen(text), &err);
    cr_assert_null(root, "expected an error for: %s", text);
    return err;
}

/* Follow a path of keys from the root, asserting each exists. */
static const ds_toml_value *get(const ds_toml_value *t, const char *key)
{
    const ds_toml_entry *e = ds_toml_find(t, key);
    cr_assert_not_null(e, "key '%s' missing", key);
    return e->value;
}

Test(toml, keys_keep_document_order_and_positions)
{
    ds_toml_value *root = parse_ok("zeta = 1\n"
                                   "alpha = 'two'\n"
                                   "  middle = true\n"
                                   "x.y = 3\n");
    cr_assert_eq(root->u.table.len, 4);
    cr_assert_str_eq(root->u.table.items[0].key, "zeta");
    cr_assert_str_eq(root->u.table.items[1].key, "alpha");
    cr_assert_str_eq(root->u.table.items[2].key, "middle");
    cr_assert_str_eq(root->u.table.items[3].key, "x");

    /* Key positions. */
    cr_assert_eq(root->u.table.items[0].line, 1);
    cr_assert_eq(root->u.table.items[0].col, 1);
    cr_assert_eq(root->u.table.items[2].line, 3);
    cr_assert_eq(root->u.table.items[2].col, 3);

    /* Value positions point at the first character of the value. */
    cr_assert_eq(root->u.table.items[0].value->line, 1);
    cr_assert_eq(root->u.table.items[0].value->col, 8);
    cr_assert_eq(root->u.table.items[1].value->line, 2);
    cr_assert_eq(root->u.table.items[1].value->col, 9);
    cr_assert_eq(root->u.table.items[2].value->col, 12);

    /* The key of a dotted pair is its last part. */
    {
        const ds_toml_value *x = get(root, "x");
        const ds_toml_entry *y = ds_toml_find(x, "y");
        cr_assert_not_null(y);
        cr_assert_eq(y->line, 4);
        cr_assert_eq(y->col, 3);
        cr_assert_eq(y->value->col, 7);
        cr_assert_eq(y->value->u.integer, 3);
    }
    ds_toml_free(root);
}

Test(toml, columns_count_characters_not_bytes)
{
    ds_toml_value *root = parse_ok("\"héllo\" = \"wörld\" # ü\nn = 1\n");
    const ds_toml_entry *e = &root->u.table.items[0];
    cr_assert_str_eq(e->key, "h\xc3\xa9llo");
    cr_assert_eq(e->col, 1);
    cr_assert_eq(e->value->col, 11); /* bytes would say 12 */
    cr_assert_eq(e->value->u.str.len, 6);
    cr_assert_eq(root->u.table.items[1].line, 2);
    ds_toml_free(root);
}

Test(toml, crlf_line_endings)
{
    ds_toml_value *root = parse_ok("a = 1\r\nb = \"\"\"x\r\ny\"\"\"\r\nc = 2\r\n");
    const ds_toml_value *b = get(root, "b");
    cr_assert_eq(b->u.str.len, 3);
    cr_assert_str_eq(b->u.str.ptr, "x\ny"); /* CRLF inside becomes LF */
    cr_assert_eq(get(root, "c")->line, 4);
    ds_toml_free(root);
}

Test(toml, find_returns_null_for_missing_or_non_table)
{
    ds_toml_value *root = parse_ok("a = 1\n");
    cr_assert_null(ds_toml_find(root, "b"));
    cr_assert_null(ds_toml_find(get(root, "a"), "a"));
    cr_assert_null(ds_toml_find(NULL, "a"));
    cr_assert_not_null(ds_toml_find(root, "a"));
    ds_toml_free(root);
}

Test(toml, type_describe_phrases)
{
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_STRING), "a string");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_INTEGER), "an integer");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_FLOAT), "a float");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_BOOL), "a boolean");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_DATETIME), "an offset date-time");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_LOCAL_DATETIME), "a local date-time");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_LOCAL_DATE), "a local date");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_LOCAL_TIME), "a local time");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_ARRAY), "an array");
    cr_assert_str_eq(ds_toml_type_describe(DS_TOML_TABLE), "a table");
}

Test(toml, nul_in_strings_and_keys)
{
    ds_toml_value *root = parse_ok("s = \"a\\u0000b\"\n\"k\\u0000\" = 1\n");
    const ds_toml_value *s = get(root, "s");
    cr_assert_eq(s->type, DS_TOML_STRING);
    cr_assert_eq(s->u.str.len, 3);
    cr_assert_eq(memcmp(s->u.str.ptr, "a\0b", 4), 0); /* and NUL-terminated */

    cr_assert_eq(root->u.table.items[1].key_len, 2);
    cr_assert_eq(memcmp(root->u.table.items[1].key, "k\0", 3), 0);
    /* As a C string the key reads "k", but it is not the key "k". */
    cr_assert_null(ds_toml_find(root, "k"));
    ds_toml_free(root);
}

Test(toml, escapes_become_utf8)
{
    ds_toml_value *root = parse_ok("s = \"\\t\\\"\\\\\\u00e9\\U0001F600\"\n");
    cr_assert_str_eq(get(root, "s")->u.str.ptr, "\t\"\\\xc3\xa9\xf0\x9f\x98\x80");
    ds_toml_free(root);
}

Test(toml, integers_and_overflow)
{
    ds_toml_value *root = parse_ok("max = 9223372036854775807\n"
                                   "min = -9223372036854775808\n"
                                   "hex = 0xDEAD_beef\n"
                                   "oct = 0o755\n"
                                   "bin = 0b1101\n"
                                   "sep = 1_000\n");
    cr_assert_eq(get(root, "max")->u.integer, INT64_MAX);
    cr_assert_eq(get(root, "min")->u.integer, INT64_MIN);
    cr_assert_eq(get(root, "hex")->u.integer, 0xDEADBEEF);
    cr_assert_eq(get(root, "oct")->u.integer, 0755);
    cr_assert_eq(get(root, "bin")->u.integer, 13);
    cr_assert_eq(get(root, "sep")->u.integer, 1000);
    ds_toml_free(root);

    {
        ds_toml_error err = parse_bad("a = 1\nbig = 9223372036854775808\n");
        cr_assert_eq(err.line, 2);
        cr_assert_eq(err.col, 7);
        cr_assert_str_eq(err.msg, "integer does not fit in 64 bits");
    }
    cr_assert_str_eq(parse_bad("x = -9223372036854775809").msg, "integer does not fit in 64 bits");
    cr_assert_str_eq(parse_bad("x = 0x8000000000000000").msg, "integer does not fit in 64 bits");
}

Test(toml, floats)
{
    ds_toml_value *root = parse_ok("a = 6.626e-34\nb = -inf\nc = nan\nd = 1_0.5\n");
    cr_assert_float_eq(get(root, "a")->u.flt, 6.626e-34, 1e-45);
    cr_assert(isinf(get(root, "b")->u.flt) && get(root, "b")->u.flt < 0);
    cr_assert(isnan(get(root, "c")->u.flt));
    cr_assert_float_eq(get(root, "d")->u.flt, 10.5, 1e-12);
    ds_toml_free(root);
}

Test(toml, datetimes_parse_into_fields)
{
    ds_toml_value *root = parse_ok("odt = 1979-05-27T07:32:00.999-07:30\n"
                                   "z = 1979-05-27 07:32:00z\n"
                                   "ldt = 1979-05-27T00:32:00.123456789123\n"
                                   "ld = 2024-02-29\n"
                                   "lt = 07:32:01.5\n");
    const ds_toml_value *odt = get(root, "odt");
    const ds_toml_value *ldt = get(root, "ldt");
    const ds_toml_value *lt = get(root, "lt");
    cr_assert_eq(odt->type, DS_TOML_DATETIME);
    cr_assert_eq(odt->u.dt.year, 1979);
    cr_assert_eq(odt->u.dt.month, 5);
    cr_assert_eq(odt->u.dt.day, 27);
    cr_assert_eq(odt->u.dt.hour, 7);
    cr_assert_eq(odt->u.dt.minute, 32);
    cr_assert_eq(odt->u.dt.second, 0);
    cr_assert_eq(odt->u.dt.nanosecond, 999000000);
    cr_assert_eq(odt->u.dt.frac_digits, 3);
    cr_assert_eq(odt->u.dt.offset_minutes, -(7 * 60 + 30));

    cr_assert_eq(get(root, "z")->type, DS_TOML_DATETIME);
    cr_assert_eq(get(root, "z")->u.dt.offset_minutes, 0);

    cr_assert_eq(ldt->type, DS_TOML_LOCAL_DATETIME);
    cr_assert_eq(ldt->u.dt.nanosecond, 123456789); /* truncated to ns */
    cr_assert_eq(ldt->u.dt.frac_digits, 9);

    cr_assert_eq(get(root, "ld")->type, DS_TOML_LOCAL_DATE);
    cr_assert_eq(get(root, "ld")->u.dt.day, 29);
    cr_assert_eq(get(root, "ld")->u.dt.hour, 0);

    cr_assert_eq(lt->type, DS_TOML_LOCAL_TIME);
    cr_assert_eq(lt->u.dt.year, 0);
    cr_assert_eq(lt->u.dt.second, 1);
    cr_assert_eq(lt->u.dt.nanosecond, 500000000);
    ds_toml_free(root);
}

Test(toml, datetime_format)
{
    ds_toml_value *root = parse_ok("a = 1979-05-27T07:32:00.999Z\n"
                                   "b = 1979-05-27 07:32:00-07:00\n"
                                   "c = 1979-05-27\n"
                                   "d = 07:32:00\n"
                                   "e = 1979-05-27t07:32:00.050\n"
                                   "f = 2000-01-01T00:00:00+05:45\n");
    static const struct {
        const char *key, *text;
    } want[] = {
        {"a", "1979-05-27T07:32:00.999Z"},
        {"b", "1979-05-27T07:32:00-07:00"},
        {"c", "1979-05-27"},
        {"d", "07:32:00"},
        {"e", "1979-05-27T07:32:00.050"},
        {"f", "2000-01-01T00:00:00+05:45"},
    };
    size_t i;
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        const ds_toml_value *v = get(root, want[i].key);
        char buf[40];
        size_t n = ds_toml_datetime_format(v->type, &v->u.dt, buf, sizeof buf);
        cr_assert_str_eq(buf, want[i].text);
        cr_assert_eq(n, strlen(want[i].text));
    }
    {
        /* A small buffer is filled as far as it goes and NUL-terminated. */
        const ds_toml_value *v = get(root, "a");
        char small[8];
        size_t n = ds_toml_datetime_format(v->type, &v->u.dt, small, sizeof small);
        cr_assert_eq(n, strlen("1979-05-27T07:32:00.999Z"));
        cr_assert_str_eq(small, "1979-05");
    }
    ds_toml_free(root);
}

Test(toml, invalid_dates_are_rejected)
{
    cr_assert_str_eq(parse_bad("d = 2023-02-29").msg, "invalid date: 2023-02 has no day 29");
    cr_assert_str_eq(parse_bad("d = 2023-13-01").msg, "invalid date: month 13 is not 01 to 12");
    cr_assert_str_eq(parse_bad("t = 24:00:00").msg, "invalid time: hour 24 is not 00 to 23");
    cr_assert_str_eq(parse_bad("t = 12:00").msg, "invalid time: expected HH:MM:SS");
}

Test(toml, nested_tables_and_arrays_of_tables)
{
    ds_toml_value *root = parse_ok("[server]\n"
                                   "host = \"x\"\n"
                                   "[server.tls]\n"
                                   "on = true\n"
                                   "\n"
                                   "[[route]]\n"
                                   "path = \"/a\"\n"
                                   "[route.opts]\n"
                                   "cache = 1\n"
                                   "[[route]]\n"
                                   "path = \"/b\"\n");
    const ds_toml_value *server = get(root, "server");
    const ds_toml_value *tls = get(server, "tls");
    const ds_toml_value *route = get(root, "route");
    cr_assert_eq(server->type, DS_TOML_TABLE);
    cr_assert_eq(server->line, 1); /* a [header] table points at its '[' */
    cr_assert_eq(server->col, 1);
    cr_assert_eq(tls->line, 3);
    cr_assert_eq(get(tls, "on")->u.boolean, true);

    cr_assert_eq(route->type, DS_TOML_ARRAY);
    cr_assert_eq(route->u.arr.len, 2);
    cr_assert_eq(route->u.arr.items[0]->line, 6);
    cr_assert_eq(route->u.arr.items[1]->line, 10);
    cr_assert_str_eq(get(route->u.arr.items[0], "path")->u.str.ptr, "/a");
    cr_assert_str_eq(get(route->u.arr.items[1], "path")->u.str.ptr, "/b");
    cr_assert_eq(get(get(route->u.arr.items[0], "opts"), "cache")->u.integer, 1);
    cr_assert_null(ds_toml_find(route->u.arr.items[1], "opts"));
    ds_toml_free(root);
}

Test(toml, implicit_table_defined_later_moves_its_position)
{
    ds_toml_value *root = parse_ok("[a.b]\nx = 1\n\n[a]\ny = 2\n");
    const ds_toml_entry *a = ds_toml_find(root, "a");
    cr_assert_not_null(a);
    cr_assert_eq(a->value->line, 4);
    cr_assert_eq(a->line, 4);
    cr_assert_eq(a->col, 2);
    /* Entry order is the order keys first appeared. */
    cr_assert_str_eq(a->value->u.table.items[0].key, "b");
    cr_assert_str_eq(a->value->u.table.items[1].key, "y");
    ds_toml_free(root);
}

Test(toml, arrays_and_inline_tables)
{
    ds_toml_value *root = parse_ok("a = [\n  1, # one\n  'two',\n  [3],\n  {x = 4},\n]\n"
                                   "p = { name = \"n\", pos.x = 1, pos.y = 2 }\n");
    const ds_toml_value *a = get(root, "a");
    const ds_toml_value *pos = get(get(root, "p"), "pos");
    cr_assert_eq(a->u.arr.len, 4);
    cr_assert_eq(a->u.arr.items[0]->type, DS_TOML_INTEGER);
    cr_assert_eq(a->u.arr.items[1]->type, DS_TOML_STRING);
    cr_assert_eq(a->u.arr.items[1]->line, 3);
    cr_assert_eq(a->u.arr.items[1]->col, 3);
    cr_assert_eq(a->u.arr.items[2]->type, DS_TOML_ARRAY);
    cr_assert_eq(a->u.arr.items[3]->type, DS_TOML_TABLE);
    cr_assert_eq(get(a->u.arr.items[3], "x")->u.integer, 4);
    cr_assert_eq(pos->u.table.len, 2);
    cr_assert_eq(get(pos, "y")->u.integer, 2);
    ds_toml_free(root);
}

Test(toml, error_positions_and_messages)
{
    ds_toml_error err;

    err = parse_bad("a = 1\nb x\n");
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.col, 3);
    cr_assert_str_eq(err.msg, "expected '=' after key, found 'x'");

    err = parse_bad("a = 1\n\n  a = 2\n");
    cr_assert_eq(err.line, 3);
    cr_assert_eq(err.col, 3);
    cr_assert_str_eq(err.msg, "duplicate key 'a' (first defined at line 1)");

    err = parse_bad("[t]\n[t]\n");
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.col, 2);
    cr_assert_str_eq(err.msg, "table 't' is already defined at line 1");

    err = parse_bad("s = \"abc\n");
    cr_assert_eq(err.line, 1);
    cr_assert_eq(err.col, 5);

    err = parse_bad("s = \"\\q\"");
    cr_assert_eq(err.col, 6);
    cr_assert_str_eq(err.msg, "invalid escape sequence '\\q'");

    err = parse_bad("a = {x = 1}\na.y = 2\n");
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.col, 1);

    err = parse_bad("ok = 1\nbad = \"\xff\"\n");
    cr_assert_eq(err.line, 2);
    cr_assert_eq(err.col, 8);
    cr_assert_str_eq(err.msg, "invalid UTF-8 (byte 0xFF)");

    err = parse_bad("a = 1 2");
    cr_assert_str_eq(err.msg, "expected end of line after value, found '2'");
}

Test(toml, redefinition_rules)
{
    /* Dotted keys may not add to a table defined by a header. */
    parse_bad("[a.b]\n[a]\nb.c = 1\n");
    /* A header may not define a table made by dotted keys... */
    parse_bad("a.b = 1\n[a]\n");
    /* ...but may add a sub-table to it. */
    ds_toml_free(parse_ok("[x]\na.b = 1\n[x.a.c]\nd = 2\n"));
    /* Inline tables and static arrays are closed. */
    parse_bad("a = {}\n[a.b]\n");
    parse_bad("a = []\n[[a]]\n");
    /* Array of tables vs table. */
    parse_bad("[[a]]\n[a]\n");
    parse_bad("[a]\n[[a]]\n");
}

Test(toml, nesting_depth_is_bounded)
{
    char *text = malloc(20000);
    ds_toml_error err;
    size_t n = 0;
    int i;
    cr_assert_not_null(text);
    n += (size_t)sprintf(text, "a = ");
    for (i = 0; i < 5000; i++)
        text[n++] = '[';
    for (i = 0; i < 5000; i++)
        text[n++] = ']';
    cr_assert_null(ds_toml_parse(text, n, &err));
    cr_assert_str_eq(err.msg, "nesting is deeper than 128 levels");

    /* 127 arrays under a top-level key stay within the limit. */
    n = (size_t)sprintf(text, "a = ");
    for (i = 0; i < DS_TOML_MAX_DEPTH - 1; i++)
        text[n++] = '[';
    for (i = 0; i < DS_TOML_MAX_DEPTH - 1; i++)
        text[n++] = ']';
    {
        ds_toml_value *root = ds_toml_parse(text, n, &err);
        cr_assert_not_null(root, "%s", err.msg);
        ds_toml_free(root);
    }
    free(text);
}

Test(toml, text_need_not_be_nul_terminated)
{
    const char text[] = {'a', ' ', '=', ' ', '1', '2'};
    ds_toml_error err;
    ds_toml_value *root = ds_toml_parse(text, 5, &err); /* "a = 1" */
    cr_assert_not_null(root);
    cr_assert_eq(get(root, "a")->u.integer, 1);
    ds_toml_free(root);

    root = ds_toml_parse(NULL, 0, &err);
    cr_assert_not_null(root);
    cr_assert_eq(root->u.table.len, 0);
    ds_toml_free(root);
}

Test(toml, many_keys_parse_quickly, .timeout = 10)
{
    /* 50k keys in one table: lookups must not be linear per key. */
    size_t cap = 50000 * 32, n = 0;
    char *text = malloc(cap);
    ds_toml_error err;
    ds_toml_value *root;
    int i;
    cr_assert_not_null(text);
    for (i = 0; i < 50000; i++)
        n += (size_t)snprintf(text + n, cap - n, "key%d = %d\n", i, i);
    root = ds_toml_parse(text, n, &err);
    cr_assert_not_null(root, "%s", err.msg);
    cr_assert_eq(root->u.table.len, 50000);
    cr_assert_eq(get(root, "key49999")->u.integer, 49999);
    ds_toml_free(root);
    free(text);
}
