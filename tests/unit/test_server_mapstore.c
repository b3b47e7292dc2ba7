/* test_server_mapstore.c - the live data map: initial load, swapping in a
 * rewritten map, keeping the old one when the new file is bad or missing,
 * and readers holding an old map across a swap. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "datamap/datamap.h"
#include "server/mapstore.h"
#include "testutil.h"

static const char *lookup(ds_mapstore *s, const char *key, char *out, size_t n)
{
    ds_mapref *r = ds_mapstore_acquire(s);
    const char *v = ds_maptable_get(ds_mapref_table(r), key, strlen(key));
    if (v)
        snprintf(out, n, "%s", v);
    ds_mapref_release(r);
    return v ? out : NULL;
}

Test(mapstore, missing_map_is_empty)
{
    char *dir = test_tmpdir();
    ds_err err;
    ds_mapstore *s = ds_mapstore_open(dir, &err);
    cr_assert_not_null(s, "%s", err.msg);
    char buf[64];
    cr_assert_null(lookup(s, "data/a", buf, sizeof buf));
    /* the map appears later: picked up */
    test_write(dir, "data_map.json", "{\"data/a\": \"/one\"}");
    cr_assert_eq(ds_mapstore_check(s), 1);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/one");
    ds_mapstore_close(s);
    test_rmtree(dir);
    free(dir);
}

/* A map handed over by a build in the same process is served at once, and
 * the file that build wrote is not loaded again; a later rewrite by another
 * process still is. */
Test(mapstore, publish_hands_over_without_reloading)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"data/a\": \"/one\"}");
    ds_err err;
    ds_mapstore *s = ds_mapstore_open(dir, &err);
    cr_assert_not_null(s, "%s", err.msg);
    char buf[64];

    /* The build writes the file, then hands over its value. */
    test_write(dir, "data_map.json", "{\"data/a\": \"/two\"}");
    ds_datamap m = {0};
    ds_datamap_add(&m, "data/a", "/two", NULL);
    ds_datamap_add(&m, "data/b", "/b", NULL); /* only in the value: proves the source */
    ds_datamap_finish(&m);
    ds_mapref *held = ds_mapstore_acquire(s); /* a request still on the old map */
    ds_mapstore_publish(s, ds_maptable_from_datamap(&m));
    ds_datamap_free(&m);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/two");
    cr_assert_str_eq(lookup(s, "data/b", buf, sizeof buf), "/b");
    cr_assert_str_eq(ds_maptable_get(ds_mapref_table(held), "data/a", 6), "/one");
    ds_mapref_release(held);
    cr_assert_eq(ds_mapstore_check(s), 0, "the handed-over file must not be loaded again");
    cr_assert_str_eq(lookup(s, "data/b", buf, sizeof buf), "/b");

    /* Another process rewrites the file (a new size, so a new identity
     * at any clock resolution): the watcher's check loads it. */
    test_write(dir, "data_map.json", "{\"data/a\": \"/three\"}");
    cr_assert_eq(ds_mapstore_check(s), 1);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/three");
    cr_assert_null(lookup(s, "data/b", buf, sizeof buf));
    ds_mapstore_close(s);
    test_rmtree(dir);
    free(dir);
}

Test(mapstore, malformed_map_at_start_is_an_error)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"data/a\": ");
    ds_err err;
    cr_assert_null(ds_mapstore_open(dir, &err));
    cr_assert(strstr(err.msg, "data_map.json"), "%s", err.msg);
    test_rmtree(dir);
    free(dir);
}

Test(mapstore, swap_keep_old_on_errors)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"data/a\": \"/one\"}");
    ds_err err;
    ds_mapstore *s = ds_mapstore_open(dir, &err);
    cr_assert_not_null(s, "%s", err.msg);
    char buf[64];
    cr_assert_eq(ds_mapstore_check(s), 0); /* nothing changed */
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/one");

    test_write(dir, "data_map.json", "{\"data/a\": \"/two\", \"data/b\": \"/b\"}");
    cr_assert_eq(ds_mapstore_check(s), 1);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/two");
    cr_assert_str_eq(lookup(s, "data/b", buf, sizeof buf), "/b");

    /* malformed: the old map stays, and the same bad file is not retried */
    test_write(dir, "data_map.json", "{\"data/a\": \"/three\"");
    cr_assert_eq(ds_mapstore_check(s), -1);
    cr_assert_eq(ds_mapstore_check(s), 0);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/two");

    /* missing (a clean build in progress): the old map stays */
    char *path = ds_path_join(dir, "data_map.json");
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(ds_mapstore_check(s), -1);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/two");

    /* fixed again */
    test_write(dir, "data_map.json", "{\"data/a\": \"/four\"}");
    cr_assert_eq(ds_mapstore_check(s), 1);
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/four");
    cr_assert_null(lookup(s, "data/b", buf, sizeof buf));
    free(path);
    ds_mapstore_close(s);
    test_rmtree(dir);
    free(dir);
}

Test(mapstore, old_map_lives_while_referenced)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"data/a\": \"/old\"}");
    ds_err err;
    ds_mapstore *s = ds_mapstore_open(dir, &err);
    cr_assert_not_null(s, "%s", err.msg);
    ds_mapref *held = ds_mapstore_acquire(s);
    test_write(dir, "data_map.json", "{\"data/a\": \"/new\"}");
    cr_assert_eq(ds_mapstore_check(s), 1);
    /* the held reference still sees the old map (ASan would catch a free) */
    cr_assert_str_eq(ds_maptable_get(ds_mapref_table(held), "data/a", 6), "/old");
    char buf[64];
    cr_assert_str_eq(lookup(s, "data/a", buf, sizeof buf), "/new");
    ds_mapref_release(held);
    ds_mapstore_close(s);
    test_rmtree(dir);
    free(dir);
}

typedef struct {
    ds_mapstore *s;
    atomic_bool stop;
    atomic_long lookups, bad;
} race_state;

static void *reader(void *arg)
{
    race_state *st = arg;
    while (!atomic_load(&st->stop)) {
        ds_mapref *r = ds_mapstore_acquire(st->s);
        const char *v = ds_maptable_get(ds_mapref_table(r), "data/k", 6);
        /* every map has the key with a value of the form /vN */
        if (!v || v[0] != '/' || v[1] != 'v')
            atomic_fetch_add(&st->bad, 1);
        ds_mapref_release(r);
        atomic_fetch_add(&st->lookups, 1);
    }
    return NULL;
}

/* Readers on several threads while maps are swapped as fast as they can be
 * written, and the watcher thread runs too: no reader ever sees a missing
 * key or freed memory. */
Test(mapstore, concurrent_readers_and_swaps)
{
    char *dir = test_tmpdir();
    test_write(dir, "data_map.json", "{\"data/k\": \"/v0\"}");
    ds_err err;
    race_state st = {0};
    st.s = ds_mapstore_open(dir, &err);
    cr_assert_not_null(st.s, "%s", err.msg);
    cr_assert_eq(ds_mapstore_watch(st.s, 1, &err), 0, "%s", err.msg);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, reader, &st);
    int swaps = 0;
    for (int i = 1; i <= 300; i++) {
        char text[128];
        snprintf(text, sizeof text, "{\"data/k\": \"/v%d\", \"data/pad%d\": \"/x\"}", i, i);
        test_write(dir, "data_map.json", text);
        if (ds_mapstore_check(st.s) == 1)
            swaps++;
    }
    atomic_store(&st.stop, true);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    cr_assert_eq(atomic_load(&st.bad), 0);
    cr_assert_gt(atomic_load(&st.lookups), 0);
    cr_assert_gt(swaps, 0);
    char buf[64];
    cr_assert_str_eq(lookup(st.s, "data/k", buf, sizeof buf), "/v300");
    ds_mapstore_close(st.s);
    test_rmtree(dir);
    free(dir);
}
