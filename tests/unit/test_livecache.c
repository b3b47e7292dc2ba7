/* test_livecache.c - the live-query result cache: hits and misses, the
 * byte bound with the least recently used entry dropped first, replacing a
 * key, a value larger than the cache, and use from several threads. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>

#include "server/livecache.h"
#include "util/util.h"

static char *get(ds_livecache *c, const char *key)
{
    size_t n = 0;
    return ds_livecache_get(c, key, &n);
}

Test(livecache, hit_and_miss)
{
    ds_livecache *c = ds_livecache_new(1024);
    cr_assert_null(get(c, "a"));
    ds_livecache_put(c, "a", "{\"rows\":[]}", 11);
    size_t n = 0;
    char *v = ds_livecache_get(c, "a", &n);
    cr_assert_str_eq(v, "{\"rows\":[]}");
    cr_assert_eq(n, 11);
    free(v);
    cr_assert_null(get(c, "b"));
    cr_assert_eq(ds_livecache_count(c), 1);
    ds_livecache_free(c);
}

Test(livecache, bound_drops_least_recently_used)
{
    /* Each entry costs 1 (key) + 100 (value) + 64: three fit in 500. */
    ds_livecache *c = ds_livecache_new(500);
    char value[101];
    memset(value, 'x', 100);
    value[100] = '\0';
    ds_livecache_put(c, "a", value, 100);
    ds_livecache_put(c, "b", value, 100);
    ds_livecache_put(c, "c", value, 100);
    free(get(c, "a")); /* a is now the most recently used: b goes first */
    ds_livecache_put(c, "d", value, 100);
    char *a = get(c, "a"), *b = get(c, "b"), *cc = get(c, "c"), *d = get(c, "d");
    cr_assert_not_null(a);
    cr_assert_null(b, "the least recently used entry is dropped");
    cr_assert_not_null(cc);
    cr_assert_not_null(d);
    cr_assert_leq(ds_livecache_bytes(c), 500);
    cr_assert_eq(ds_livecache_count(c), 3);
    free(a);
    free(cc);
    free(d);
    ds_livecache_free(c);
}

Test(livecache, replace_and_too_large)
{
    ds_livecache *c = ds_livecache_new(200);
    ds_livecache_put(c, "k", "one", 3);
    ds_livecache_put(c, "k", "two!", 4);
    char *v = get(c, "k");
    cr_assert_str_eq(v, "two!");
    free(v);
    cr_assert_eq(ds_livecache_count(c), 1);
    cr_assert_eq(ds_livecache_bytes(c), 1 + 4 + 64);
    char big[300];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ds_livecache_put(c, "big", big, strlen(big));
    cr_assert_null(get(c, "big"), "a value larger than the cache is not kept");
    v = get(c, "k");
    cr_assert_str_eq(v, "two!", "and evicts nothing");
    free(v);
    ds_livecache_free(c);
}

Test(livecache, many_keys_grow_the_table)
{
    ds_livecache *c = ds_livecache_new(1 << 20);
    for (int i = 0; i < 2000; i++) {
        char key[32];
        snprintf(key, sizeof key, "key-%d", i);
        ds_livecache_put(c, key, key, strlen(key));
    }
    cr_assert_eq(ds_livecache_count(c), 2000);
    for (int i = 0; i < 2000; i += 97) {
        char key[32];
        snprintf(key, sizeof key, "key-%d", i);
        char *v = get(c, key);
        cr_assert_str_eq(v, key);
        free(v);
    }
    ds_livecache_free(c);
}

static void *hammer(void *arg)
{
    ds_livecache *c = arg;
    for (int i = 0; i < 5000; i++) {
        char key[32];
        snprintf(key, sizeof key, "k%d", i % 300);
        if (i % 3 == 0)
            ds_livecache_put(c, key, key, strlen(key));
        else
            free(get(c, key));
    }
    return NULL;
}

Test(livecache, threads)
{
    ds_livecache *c = ds_livecache_new(4096);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, c);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    cr_assert_leq(ds_livecache_bytes(c), 4096);
    ds_livecache_free(c);
}
