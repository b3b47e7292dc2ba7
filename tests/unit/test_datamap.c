/* test_datamap.c - the data map value: sorting, duplicate claims, lookups,
 * the exact text of data_map.json / data_map_meta.json, and loading back. */
#include <criterion/criterion.h>

#include "datamap/datamap.h"
#include "testutil.h"

/* Reads STATIC/rel into a fresh string (caller frees); aborts the test when
 * the file cannot be read. */
static char *read_rel(const char *dir, const char *rel)
{
    char *path = ds_path_join(dir, rel);
    ds_err err;
    char *text = ds_read_file(path, NULL, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

static bool exists_rel(const char *dir, const char *rel)
{
    char *path = ds_path_join(dir, rel);
    bool ok = ds_exists(path);
    free(path);
    return ok;
}

Test(datamap, empty_map)
{
    ds_datamap m = {0};
    ds_datamap_finish(&m);
    cr_assert_eq(m.len, 0);
    cr_assert_null(ds_datamap_get(&m, "data/a"));
    cr_assert(!ds_datamap_has_row_filters(&m));
    ds_datamap_free(&m);
}

Test(datamap, finish_sorts_by_key)
{
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/c.parquet", "/p/c", NULL);
    ds_datamap_add(&m, "data/a.parquet", "/p/a", NULL);
    ds_datamap_add(&m, "data/b/x.parquet", "/p/bx", NULL);
    ds_datamap_add(&m, "data/B.parquet", "/p/B", NULL);
    ds_datamap_finish(&m);
    cr_assert(!m.had_duplicates);
    cr_assert_eq(m.len, 4);
    cr_assert_str_eq(m.items[0].key, "data/B.parquet"); /* bytewise: 'B' < 'a' */
    cr_assert_str_eq(m.items[1].key, "data/a.parquet");
    cr_assert_str_eq(m.items[2].key, "data/b/x.parquet");
    cr_assert_str_eq(m.items[3].key, "data/c.parquet");
    cr_assert_str_eq(m.items[1].path, "/p/a");
    cr_assert_str_eq(m.items[3].path, "/p/c");
    ds_datamap_free(&m);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.items);
}

Test(datamap, empty_row_filter_is_none)
{
    ds_datamap m = {0};
    ds_datamap_add(&m, "k", "/p", "");
    ds_datamap_add(&m, "k2", "/p2", NULL);
    cr_assert_null(m.items[0].row_filter);
    cr_assert_null(m.items[1].row_filter);
    cr_assert(!ds_datamap_has_row_filters(&m));
    ds_datamap_add(&m, "k3", "/p3", "x > 1");
    cr_assert_str_eq(m.items[2].row_filter, "x > 1");
    cr_assert(ds_datamap_has_row_filters(&m));
    ds_datamap_free(&m);
}

Test(datamap, later_duplicate_wins)
{
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/x.parquet", "/first", "a = 1");
    ds_datamap_add(&m, "data/a.parquet", "/a", NULL);
    ds_datamap_add(&m, "data/x.parquet", "/second", NULL);
    ds_datamap_add(&m, "data/z.parquet", "/z", NULL);
    ds_datamap_add(&m, "data/x.parquet", "/third", "b = 2");
    ds_datamap_finish(&m);
    cr_assert(m.had_duplicates);
    cr_assert_eq(m.len, 3);
    cr_assert_str_eq(m.items[0].key, "data/a.parquet");
    cr_assert_str_eq(m.items[1].key, "data/x.parquet");
    cr_assert_str_eq(m.items[1].path, "/third");
    cr_assert_str_eq(m.items[1].row_filter, "b = 2");
    cr_assert_str_eq(m.items[2].key, "data/z.parquet");
    const ds_datamap_entry *e = ds_datamap_get(&m, "data/x.parquet");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->path, "/third");
    ds_datamap_free(&m);
}

Test(datamap, later_duplicate_wins_row_filter_dropped)
{
    /* The later claim has no filter: the earlier claim's filter must not
     * survive. */
    ds_datamap m = {0};
    ds_datamap_add(&m, "k", "/same", "a = 1");
    ds_datamap_add(&m, "k", "/same", NULL);
    ds_datamap_finish(&m);
    cr_assert_eq(m.len, 1);
    cr_assert_str_eq(m.items[0].path, "/same");
    cr_assert_null(m.items[0].row_filter);
    cr_assert(!ds_datamap_has_row_filters(&m));
    ds_datamap_free(&m);
}

Test(datamap, get_hits_and_misses)
{
    ds_datamap m = {0};
    char key[32], path[32];
    /* Inserted in reverse so finish has to sort. */
    for (int i = 99; i >= 0; i--) {
        snprintf(key, sizeof key, "data/f%03d.parquet", i * 2);
        snprintf(path, sizeof path, "/phys/%d", i * 2);
        ds_datamap_add(&m, key, path, NULL);
    }
    ds_datamap_finish(&m);
    cr_assert_eq(m.len, 100);
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "data/f%03d.parquet", i);
        const ds_datamap_entry *e = ds_datamap_get(&m, key);
        if (i % 2 == 0) {
            cr_assert_not_null(e, "missing %s", key);
            snprintf(path, sizeof path, "/phys/%d", i);
            cr_assert_str_eq(e->key, key);
            cr_assert_str_eq(e->path, path);
        } else {
            cr_assert_null(e, "unexpected hit for %s", key);
        }
    }
    cr_assert_null(ds_datamap_get(&m, ""));
    cr_assert_null(ds_datamap_get(&m, "data/f"));
    cr_assert_null(ds_datamap_get(&m, "zzz"));
    cr_assert_null(ds_datamap_get(&m, "data/f000.parquetx"));
    ds_datamap_free(&m);
}

Test(datamap, write_exact_json)
{
    char *dir = test_tmpdir();
    char *st = ds_path_join(dir, "static");
    ds_datamap m = {0};
    ds_datamap_add(&m, "k2", "v2", NULL);
    ds_datamap_add(&m, "k", "v", NULL);
    ds_datamap_finish(&m);
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, st, &err), 0, "%s", err.msg); /* creates static/ */
    char *text = read_rel(st, "data_map.json");
    cr_assert_str_eq(text, "{\n  \"k\": \"v\",\n  \"k2\": \"v2\"\n}\n");
    free(text);
    cr_assert(!exists_rel(st, "data_map_meta.json"));
    ds_datamap_free(&m);
    free(st);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, write_single_and_empty)
{
    char *dir = test_tmpdir();
    ds_datamap m = {0};
    ds_err err;
    ds_datamap_finish(&m);
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    char *text = read_rel(dir, "data_map.json");
    cr_assert_str_eq(text, "{}\n");
    free(text);

    ds_datamap_add(&m, "data/a.parquet", "/x/a.parquet", NULL);
    ds_datamap_finish(&m);
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    text = read_rel(dir, "data_map.json");
    cr_assert_str_eq(text, "{\n  \"data/a.parquet\": \"/x/a.parquet\"\n}\n");
    free(text);
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, write_escapes_json)
{
    char *dir = test_tmpdir();
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/q\"uote.parquet", "/a\\b/c\td\ne\rf\x01g\x1fh", NULL);
    ds_datamap_add(&m, "data/\xc3\xa9t\xc3\xa9.parquet", "/plain/utf8 \xc3\xa9", NULL);
    ds_datamap_finish(&m);
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    char *text = read_rel(dir, "data_map.json");
    cr_assert_str_eq(text, "{\n"
                           "  \"data/q\\\"uote.parquet\": "
                           "\"/a\\\\b/c\\td\\ne\\rf\\u0001g\\u001fh\",\n"
                           "  \"data/\xc3\xa9t\xc3\xa9.parquet\": \"/plain/utf8 \xc3\xa9\"\n"
                           "}\n");
    free(text);

    /* And jansson reads it back to the same bytes. */
    ds_datamap back;
    cr_assert_eq(ds_datamap_load(dir, &back, &err), 0, "%s", err.msg);
    cr_assert_eq(back.len, 2);
    const ds_datamap_entry *e = ds_datamap_get(&back, "data/q\"uote.parquet");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->path, "/a\\b/c\td\ne\rf\x01g\x1fh");
    e = ds_datamap_get(&back, "data/\xc3\xa9t\xc3\xa9.parquet");
    cr_assert_not_null(e);
    cr_assert_str_eq(e->path, "/plain/utf8 \xc3\xa9");
    ds_datamap_free(&back);
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, meta_written_with_row_filters_and_removed_without)
{
    char *dir = test_tmpdir();
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/b.parquet", "/b", "region = 'it''s'");
    ds_datamap_add(&m, "data/a.parquet", "/a", NULL);
    ds_datamap_add(&m, "data/c.parquet", "/c", "x \"y\" > 1");
    ds_datamap_finish(&m);
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    char *text = read_rel(dir, "data_map.json");
    cr_assert_str_eq(text, "{\n  \"data/a.parquet\": \"/a\",\n  \"data/b.parquet\": \"/b\",\n"
                           "  \"data/c.parquet\": \"/c\"\n}\n");
    free(text);
    text = read_rel(dir, "data_map_meta.json");
    cr_assert_str_eq(text, "{\n"
                           "  \"row_filters\": {\n"
                           "    \"data/b.parquet\": \"region = 'it''s'\",\n"
                           "    \"data/c.parquet\": \"x \\\"y\\\" > 1\"\n"
                           "  }\n"
                           "}\n");
    free(text);
    ds_datamap_free(&m);

    /* A later build without row filters removes the stale meta file. */
    ds_datamap_add(&m, "data/a.parquet", "/a", NULL);
    ds_datamap_finish(&m);
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    cr_assert(!exists_rel(dir, "data_map_meta.json"));
    cr_assert(exists_rel(dir, "data_map.json"));
    /* Writing again with no meta file present is fine too. */
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    cr_assert(!exists_rel(dir, "data_map_meta.json"));
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, load_round_trip_with_row_filters)
{
    char *dir = test_tmpdir();
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/s/2024/b.parquet", "/lake/b.parquet", "day > DATE '2024-01-01'");
    ds_datamap_add(&m, "data/s/2024/a.parquet", "/lake/a.parquet", NULL);
    ds_datamap_add(&m, "data/t.parquet", "/lake/t.parquet", "k = 1");
    ds_datamap_finish(&m);
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);

    ds_datamap back;
    cr_assert_eq(ds_datamap_load(dir, &back, &err), 0, "%s", err.msg);
    cr_assert_eq(back.len, 3);
    for (size_t i = 0; i < m.len; i++) {
        cr_assert_str_eq(back.items[i].key, m.items[i].key);
        cr_assert_str_eq(back.items[i].path, m.items[i].path);
        if (m.items[i].row_filter)
            cr_assert_str_eq(back.items[i].row_filter, m.items[i].row_filter);
        else
            cr_assert_null(back.items[i].row_filter);
    }
    cr_assert(ds_datamap_has_row_filters(&back));
    cr_assert_str_eq(ds_datamap_get(&back, "data/t.parquet")->row_filter, "k = 1");
    ds_datamap_free(&back);
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, load_without_meta_and_unknown_meta_keys)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"b\": \"/b\", \"a\": \"/a\"}");
    ds_datamap m;
    ds_err err;
    cr_assert_eq(ds_datamap_load(dir, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.len, 2);
    cr_assert_str_eq(m.items[0].key, "a");
    cr_assert_str_eq(m.items[1].key, "b");
    cr_assert(!ds_datamap_has_row_filters(&m));
    ds_datamap_free(&m);

    /* Filters for keys not in the map are ignored. */
    test_write(dir, "data_map_meta.json",
               "{\"row_filters\": {\"zzz\": \"x = 1\", \"b\": \"y = 2\"}}");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.len, 2);
    cr_assert_null(ds_datamap_get(&m, "zzz"));
    cr_assert_null(ds_datamap_get(&m, "a")->row_filter);
    cr_assert_str_eq(ds_datamap_get(&m, "b")->row_filter, "y = 2");
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

Test(datamap, load_errors)
{
    char *dir = test_tmpdir();
    ds_datamap m;
    ds_err err;
    char *path = ds_path_join(dir, "data_map.json");

    /* Missing file. */
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    cr_assert(strstr(err.msg, path) != NULL, "%s", err.msg);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.items);

    /* Malformed JSON: the message names the file and a position. */
    test_write(dir, "data_map.json", "{\n  \"a\": \"/a\",\n  \"b\": \n}\n");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    char *want = ds_asprintf("%s:", path);
    cr_assert(strstr(err.msg, want) != NULL, "%s", err.msg);
    free(want);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.items);

    /* Not an object. */
    test_write(dir, "data_map.json", "[\"a\"]\n");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    want = ds_asprintf("%s: expected a JSON object", path);
    cr_assert_str_eq(err.msg, want);
    free(want);

    /* A non-string value, after valid ones (which must not leak). */
    test_write(dir, "data_map.json", "{\"a\": \"/a\", \"b\": \"/b\", \"c\": 3}\n");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    want = ds_asprintf("%s: the value of c is not a string", path);
    cr_assert_str_eq(err.msg, want);
    free(want);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.items);

    test_write(dir, "data_map.json", "{\"a\": null}\n");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    cr_assert(strstr(err.msg, "the value of a is not a string") != NULL, "%s", err.msg);

    /* Malformed meta file fails the load too. */
    test_write(dir, "data_map.json", "{\"a\": \"/a\"}\n");
    test_write(dir, "data_map_meta.json", "{\"row_filters\": {\"a\": \n");
    cr_assert_eq(ds_datamap_load(dir, &m, &err), -1);
    char *meta = ds_path_join(dir, "data_map_meta.json");
    cr_assert(strstr(err.msg, meta) != NULL, "%s", err.msg);
    free(meta);
    cr_assert_eq(m.len, 0);
    cr_assert_null(m.items);

    free(path);
    test_rmtree(dir);
    free(dir);
}
