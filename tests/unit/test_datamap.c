/* test_datamap.c - the data map value: sorting, duplicate claims, lookups,
 * the exact text of data_map.json, and reading it back with the one reader
 * (maptable.h). */
#include <criterion/criterion.h>

#include "datamap/datamap.h"
#include "datamap/maptable.h"
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

    /* And the reader gives back the same bytes, on its fast path. */
    char *path = ds_datamap_path(dir);
    ds_maptable *back = ds_maptable_load(path, &err);
    free(path);
    cr_assert_not_null(back, "%s", err.msg);
    cr_assert(!ds_maptable_used_fallback(back));
    cr_assert_eq(ds_maptable_count(back), 2);
    const char *key = "data/q\"uote.parquet";
    const char *got = ds_maptable_get(back, key, strlen(key));
    cr_assert_not_null(got);
    cr_assert_str_eq(got, "/a\\b/c\td\ne\rf\x01g\x1fh");
    key = "data/\xc3\xa9t\xc3\xa9.parquet";
    got = ds_maptable_get(back, key, strlen(key));
    cr_assert_not_null(got);
    cr_assert_str_eq(got, "/plain/utf8 \xc3\xa9");
    ds_maptable_free(back);
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

/* Row filters stay in the value (the build's SQL applies them) and are not
 * written; a meta file an earlier version wrote is removed. */
Test(datamap, row_filters_not_written_and_stale_meta_removed)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map_meta.json", "{\"row_filters\": {\"data/b.parquet\": \"x = 1\"}}\n");
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/b.parquet", "/b", "region = 'it''s'");
    ds_datamap_add(&m, "data/a.parquet", "/a", NULL);
    ds_datamap_add(&m, "data/c.parquet", "/c", "x \"y\" > 1");
    ds_datamap_finish(&m);
    cr_assert(ds_datamap_has_row_filters(&m));
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    char *text = read_rel(dir, "data_map.json");
    cr_assert_str_eq(text, "{\n  \"data/a.parquet\": \"/a\",\n  \"data/b.parquet\": \"/b\",\n"
                           "  \"data/c.parquet\": \"/c\"\n}\n");
    free(text);
    cr_assert(!exists_rel(dir, "data_map_meta.json"));
    /* Writing again with no meta file present is fine too. */
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);
    cr_assert(!exists_rel(dir, "data_map_meta.json"));
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

/* What the builder writes, the reader reads back pair for pair, without
 * its jansson fallback. */
Test(datamap, round_trip_through_the_reader)
{
    char *dir = test_tmpdir();
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/s/2024/b.parquet", "/lake/b.parquet", "day > DATE '2024-01-01'");
    ds_datamap_add(&m, "data/s/2024/a.parquet", "/lake/a.parquet", NULL);
    ds_datamap_add(&m, "data/t.parquet", "/lake/t.parquet", "k = 1");
    ds_datamap_add(&m, "data/t.parquet", "/lake/t2.parquet", NULL); /* later claim wins */
    ds_datamap_finish(&m);
    ds_err err;
    cr_assert_eq(ds_datamap_write(&m, dir, &err), 0, "%s", err.msg);

    char *path = ds_datamap_path(dir);
    char *want = ds_path_join(dir, "data_map.json");
    cr_assert_str_eq(path, want);
    free(want);
    ds_maptable *t = ds_maptable_load(path, &err);
    free(path);
    cr_assert_not_null(t, "%s", err.msg);
    cr_assert(!ds_maptable_used_fallback(t));
    cr_assert_eq(ds_maptable_count(t), 3);
    for (size_t i = 0; i < m.len; i++) {
        const char *got = ds_maptable_get(t, m.items[i].key, strlen(m.items[i].key));
        cr_assert_not_null(got, "%s", m.items[i].key);
        cr_assert_str_eq(got, m.items[i].path);
    }
    cr_assert_str_eq(ds_maptable_get(t, "data/t.parquet", 14), "/lake/t2.parquet");
    ds_maptable_free(t);
    ds_datamap_free(&m);
    test_rmtree(dir);
    free(dir);
}

typedef struct {
    char seen[256];
} dup_log;

static void log_dup(void *arg, const ds_datamap_entry *earlier, const ds_datamap_entry *later)
{
    dup_log *d = arg;
    size_t n = strlen(d->seen);
    snprintf(d->seen + n, sizeof d->seen - n, "%s:%zu>%zu ", earlier->key, earlier->seq,
             later->seq);
}

Test(datamap, finish_with_hands_every_later_claim_over)
{
    /* Each later claim is handed over with the one that held the key
     * until then, in the order they were added; nothing is warned. */
    ds_datamap m = {0};
    ds_datamap_add(&m, "k", "/a", NULL);
    ds_datamap_add(&m, "j", "/j", NULL);
    ds_datamap_add(&m, "k", "/a", "x = 1");
    ds_datamap_add(&m, "k", "/b", NULL);
    dup_log d = {{0}};
    ds_buf warnings = {0};
    ds_warn_record(&warnings);
    ds_datamap_finish_with(&m, log_dup, &d);
    ds_warn_record(NULL);
    cr_expect_str_eq(d.seen, "k:0>2 k:2>3 ");
    cr_expect_eq(warnings.len, 0);
    cr_expect_eq(m.len, 2);
    cr_expect_str_eq(ds_datamap_get(&m, "k")->path, "/b");
    ds_buf_free(&warnings);
    ds_datamap_free(&m);
}
