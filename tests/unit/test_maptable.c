/* test_maptable.c - reading data_map.json into the hash
 * table: the fast path, the jansson fallback, errors, and a big map. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "datamap/maptable.h"
#include "testutil.h"

static ds_maptable *parse(const char *text, ds_err *err)
{
    return ds_maptable_parse(ds_strdup(text), strlen(text), "data_map.json", err);
}

static void has(const ds_maptable *t, const char *key, const char *want)
{
    const char *got = ds_maptable_get(t, key, strlen(key));
    cr_assert_not_null(got, "missing %s", key);
    cr_assert_str_eq(got, want, "%s", key);
}

Test(maptable, builder_format_uses_fast_path)
{
    ds_err err;
    ds_maptable *t = parse("{\n  \"data/a/x.parquet\": \"/lake/a/x.parquet\",\n"
                           "  \"data/b.parquet\": \"/lake/b.parquet\"\n}\n",
                           &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert(!ds_maptable_used_fallback(t));
    cr_assert_eq(ds_maptable_count(t), 2);
    has(t, "data/a/x.parquet", "/lake/a/x.parquet");
    has(t, "data/b.parquet", "/lake/b.parquet");
    cr_assert_null(ds_maptable_get(t, "data/c.parquet", 14));
    cr_assert_null(ds_maptable_get(t, "data/b.parque", 13)); /* prefix */
    cr_assert_null(ds_maptable_get(t, "", 0));
    ds_maptable_free(t);
}

Test(maptable, empty_maps)
{
    ds_err err;
    const char *texts[] = {"{}", "{}\n", "  {  }  ", "{\n}\n"};
    for (size_t i = 0; i < 4; i++) {
        ds_maptable *t = parse(texts[i], &err);
        cr_assert_not_null(t, "%s", err.msg);
        cr_assert_eq(ds_maptable_count(t), 0);
        cr_assert(!ds_maptable_used_fallback(t));
        cr_assert_null(ds_maptable_get(t, "a", 1));
        ds_maptable_free(t);
    }
    ds_maptable *t = ds_maptable_empty();
    cr_assert_eq(ds_maptable_count(t), 0);
    cr_assert_null(ds_maptable_get(t, "a", 1));
    ds_maptable_free(t);
}

Test(maptable, escapes_on_fast_path)
{
    ds_err err;
    ds_maptable *t = parse("{\"data/q\\\"uote\": \"/p/a\\\\b\", \"data/\\u00e9\\/x\": "
                           "\"/p/\\ud83e\\udd86\\n\\t\\r\\b\\f\", \"data/caf\xc3\xa9\": \"/c\"}",
                           &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert(!ds_maptable_used_fallback(t));
    has(t, "data/q\"uote", "/p/a\\b");
    has(t, "data/\xc3\xa9/x", "/p/\xf0\x9f\xa6\x86\n\t\r\b\f");
    has(t, "data/caf\xc3\xa9", "/c");
    ds_maptable_free(t);
}

Test(maptable, duplicate_keys_last_wins)
{
    ds_err err;
    ds_maptable *t = parse("{\"k\": \"/one\", \"j\": \"/j\", \"k\": \"/two\"}", &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert_eq(ds_maptable_count(t), 2);
    has(t, "k", "/two");
    ds_maptable_free(t);
}

/* Walking the whole map: file order, each key once (the last of duplicates). */
Test(maptable, walk_in_file_order)
{
    ds_err err;
    const char *texts[] = {"{\"k\": \"/one\", \"j\": \"/j\", \"k\": \"/two\"}",
                           /* the jansson fallback keeps duplicates its own way */
                           "{\"k\": \"/one\",\n \"j\": \"/j\", \"k\": \"/two\", \"x\": \"\\u0041\"}"};
    for (size_t n = 0; n < 2; n++) {
        ds_maptable *t = parse(texts[n], &err);
        cr_assert_not_null(t, "%s", err.msg);
        ds_buf seen = {0};
        for (size_t i = 0; i < ds_maptable_slots(t); i++) {
            const char *key, *path;
            size_t keylen;
            if (!ds_maptable_at(t, i, &key, &keylen, &path))
                continue;
            cr_assert_eq(keylen, strlen(key));
            ds_buf_printf(&seen, "%s=%s;", key, path);
        }
        cr_assert(strncmp(ds_buf_str(&seen), "j=/j;k=/two;", 12) == 0 ||
                      strncmp(ds_buf_str(&seen), "k=/two;j=/j;", 12) == 0,
                  "%s", ds_buf_str(&seen));
        ds_buf_free(&seen);
        ds_maptable_free(t);
    }
}

Test(maptable, fallback_for_unusual_but_valid_json)
{
    ds_err err;
    /* \u0000 is something the fast path refuses; jansson rejects it too */
    cr_assert_null(parse("{\"a\\u0000b\": \"/x\"}", &err));
    /* a non-string value: fallback, then a clear error */
    cr_assert_null(parse("{\"data/a\": 1}", &err));
    cr_assert(strstr(err.msg, "data/a") && strstr(err.msg, "not a string"), "%s", err.msg);
    cr_assert_null(parse("{\"data/a\": {\"x\": \"y\"}}", &err));
    cr_assert_null(parse("[\"a\", \"b\"]", &err));
    cr_assert(strstr(err.msg, "expected a JSON object"), "%s", err.msg);
}

Test(maptable, malformed_files_name_the_place)
{
    const char *bad[] = {
        "",
        "{",
        "{\"a\": \"b\"",
        "{\"a\": \"b\",}",
        "{\"a\" \"b\"}",
        "{\"a\": \"b\"} trailing",
        "{\"a\": \"b\nc\"}",    /* raw newline inside a string */
        "{\"a\": \"\\x\"}",     /* bad escape */
        "{\"a\": \"\\ud800\"}", /* lone surrogate */
        "{\"a\": \"\xff\"}",    /* not UTF-8 */
        "{a: \"b\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ds_err err = {{0}};
        ds_maptable *t = parse(bad[i], &err);
        cr_assert_null(t, "accepted: %s", bad[i]);
        cr_assert(strstr(err.msg, "data_map.json"), "%s: %s", bad[i], err.msg);
    }
}

Test(maptable, surrogate_pair_must_be_complete)
{
    ds_err err;
    cr_assert_null(parse("{\"a\": \"\\ud83e\"}", &err));
    cr_assert_null(parse("{\"a\": \"\\ud83e\\u0041\"}", &err));
    cr_assert_null(parse("{\"a\": \"\\udd86\"}", &err));
}

Test(maptable, load_from_file)
{
    char *dir = test_tmpdir();
    test_write(dir, "m.json", "{\n  \"data/k\": \"/v\"\n}\n");
    char *path = ds_path_join(dir, "m.json");
    ds_err err;
    ds_maptable *t = ds_maptable_load(path, &err);
    cr_assert_not_null(t, "%s", err.msg);
    has(t, "data/k", "/v");
    ds_maptable_free(t);
    char *missing = ds_path_join(dir, "nope.json");
    cr_assert_null(ds_maptable_load(missing, &err));
    cr_assert(strstr(err.msg, "cannot read"), "%s", err.msg);
    free(missing);
    free(path);
    test_rmtree(dir);
    free(dir);
}

/* A file that cannot be a map: the message names the file (and the place
 * when there is one). */
Test(maptable, file_errors_name_the_file)
{
    char *dir = test_tmpdir();
    char *path = ds_path_join(dir, "data_map.json");
    ds_err err;

    cr_assert_null(ds_maptable_load(path, &err)); /* missing */
    cr_assert(strstr(err.msg, path) != NULL, "%s", err.msg);

    test_write(dir, "data_map.json", "{\n  \"a\": \"/a\",\n  \"b\": \n}\n");
    cr_assert_null(ds_maptable_load(path, &err));
    char *want = ds_asprintf("%s:4:", path);
    cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
    free(want);

    test_write(dir, "data_map.json", "[\"a\"]\n");
    cr_assert_null(ds_maptable_load(path, &err));
    want = ds_asprintf("%s: expected a JSON object", path);
    cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
    free(want);

    test_write(dir, "data_map.json", "{\"a\": \"/a\", \"b\": \"/b\", \"c\": 3}\n");
    cr_assert_null(ds_maptable_load(path, &err));
    want = ds_asprintf("%s: the value of \"c\" is not a string", path);
    cr_assert_str_eq(err.msg, want);
    free(want);

    free(path);
    test_rmtree(dir);
    free(dir);
}

/* A finished map value becomes a table without a file: every pair, the
 * later claim of a key, nothing else. */
Test(maptable, from_datamap)
{
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/b.parquet", "/lake/b", "x = 1");
    ds_datamap_add(&m, "data/a.parquet", "/lake/a", NULL);
    ds_datamap_add(&m, "data/b.parquet", "/lake/b2", NULL);
    ds_datamap_add(&m, "data/q\"u\xc3\xa9.parquet", "/p/\\\"", NULL);
    ds_datamap_finish(&m);
    ds_maptable *t = ds_maptable_from_datamap(&m);
    ds_datamap_free(&m); /* strings were copied */
    cr_assert_eq(ds_maptable_count(t), 3);
    has(t, "data/a.parquet", "/lake/a");
    has(t, "data/b.parquet", "/lake/b2");
    has(t, "data/q\"u\xc3\xa9.parquet", "/p/\\\"");
    cr_assert_null(ds_maptable_get(t, "data/c.parquet", 14));
    cr_assert_null(ds_maptable_get(t, "data/a.parque", 13));
    ds_maptable_free(t);

    ds_datamap none = {0};
    ds_datamap_finish(&none);
    t = ds_maptable_from_datamap(&none);
    cr_assert_eq(ds_maptable_count(t), 0);
    cr_assert_null(ds_maptable_get(t, "data/a.parquet", 14));
    ds_maptable_free(t);
}

/* Many entries in the builder's format, some with escapes: every key is
 * found with its own value, and unknown keys are not. */
Test(maptable, many_entries)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "{");
    const int n = 50000;
    for (int i = 0; i < n; i++) {
        char key[64], val[64];
        snprintf(key, sizeof key, i % 97 == 0 ? "data/e\"%d.parquet" : "data/e%d.parquet", i);
        snprintf(val, sizeof val, "/lake/%d/part.parquet", i);
        ds_buf_puts(&b, i ? ",\n  " : "\n  ");
        ds_buf_json_string(&b, key);
        ds_buf_puts(&b, ": ");
        ds_buf_json_string(&b, val);
    }
    ds_buf_puts(&b, "\n}\n");
    size_t len = b.len;
    ds_err err;
    ds_maptable *t = ds_maptable_parse(ds_buf_take(&b), len, "big", &err);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert(!ds_maptable_used_fallback(t));
    cr_assert_eq(ds_maptable_count(t), (size_t)n);
    for (int i = 0; i < n; i++) {
        char key[64], val[64];
        snprintf(key, sizeof key, i % 97 == 0 ? "data/e\"%d.parquet" : "data/e%d.parquet", i);
        snprintf(val, sizeof val, "/lake/%d/part.parquet", i);
        has(t, key, val);
        snprintf(key, sizeof key, "data/f%d.parquet", i);
        cr_assert_null(ds_maptable_get(t, key, strlen(key)));
    }
    ds_maptable_free(t);
}
