/* test_server_filecache.c - the open-file cache: hits only for the very
 * same file version, small files kept in memory, eviction, and entries
 * outliving their slot while referenced. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <unistd.h>

#include "server/filecache.h"
#include "testutil.h"

static int freed;

static void count_free(void *p)
{
    free(p);
    freed++;
}

static int open_stat(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "%s", path);
    cr_assert_eq(fstat(fd, st), 0);
    return fd;
}

Test(filecache, hit_only_for_the_same_version)
{
    char *dir = test_tmpdir();
    test_write(dir, "a.txt", "version one");
    char *path = ds_path_join(dir, "a.txt");
    ds_filecache *c = ds_filecache_new(16, 1024, 1 << 20, count_free);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_null(ds_filecache_get(c, "sa.txt", &st)); /* empty cache */
    int fd = open_stat(path, &st);
    ds_filecache_entry *e = ds_filecache_put(c, "sa.txt", fd, &st, true);
    cr_assert_not_null(e->bytes);
    cr_assert_eq(memcmp(e->bytes, "version one", 11), 0);
    cr_assert_eq(e->etag[0], '"');
    cr_assert_str_neq(e->etag, e->etag_gz);
    ds_filecache_release(e);

    struct stat now;
    cr_assert_eq(stat(path, &now), 0);
    e = ds_filecache_get(c, "sa.txt", &now);
    cr_assert_not_null(e);
    char old_etag[DS_HTTP_ETAG_LEN];
    strcpy(old_etag, e->etag);
    ds_filecache_release(e);
    cr_assert_null(ds_filecache_get(c, "sb.txt", &now)); /* another key */

    /* replaced by rename: a new inode, so a miss */
    test_write(dir, "a.txt", "version two!");
    cr_assert_eq(stat(path, &now), 0);
    cr_assert_null(ds_filecache_get(c, "sa.txt", &now));
    fd = open_stat(path, &st);
    e = ds_filecache_put(c, "sa.txt", fd, &st, true);
    cr_assert_str_neq(e->etag, old_etag);
    cr_assert_eq(memcmp(e->bytes, "version two!", 12), 0);
    ds_filecache_release(e);
    ds_filecache_free(c);
    free(path);
    test_rmtree(dir);
    free(dir);
}

/* Big files, and data files (read by ranges) however small: their entries
 * hold the descriptor and the validators, never the bytes. */
Test(filecache, big_and_data_files_are_not_read)
{
    char *dir = test_tmpdir();
    test_write(dir, "big.bin", "0123456789");
    test_write(dir, "d.parquet", "PAR1");
    char *path = ds_path_join(dir, "big.bin"), *data = ds_path_join(dir, "d.parquet");
    ds_filecache *c = ds_filecache_new(4, 5, 1 << 20, NULL);
    struct stat st, sd;
    int fd = open_stat(path, &st);
    ds_filecache_entry *e = ds_filecache_put(c, "sbig", fd, &st, true);
    cr_assert_null(e->bytes);
    cr_assert_geq(e->fd, 0);
    ds_filecache_release(e);
    fd = open_stat(data, &sd);
    e = ds_filecache_put(c, "md.parquet", fd, &sd, false);
    cr_assert_null(e->bytes);
    cr_assert_eq(e->fd, fd);
    cr_assert_neq(e->etag[0], '\0');
    ds_filecache_release(e);
    e = ds_filecache_get(c, "md.parquet", &sd); /* a hit for the same version */
    cr_assert_not_null(e);
    cr_assert_null(e->bytes);
    ds_filecache_release(e);
    ds_filecache_free(c);
    free(path);
    free(data);
    test_rmtree(dir);
    free(dir);
}

Test(filecache, eviction_and_references)
{
    char *dir = test_tmpdir();
    test_write(dir, "a", "a");
    test_write(dir, "b", "b");
    char *pa = ds_path_join(dir, "a"), *pb = ds_path_join(dir, "b");
    freed = 0;
    ds_filecache *c = ds_filecache_new(1, 1024, 1 << 20, count_free); /* one slot */
    struct stat sa, sb;
    ds_filecache_entry *a = ds_filecache_put(c, "sa", open_stat(pa, &sa), &sa, true);
    cr_assert_eq(ds_filecache_set_extra(a, 0, ds_strdup("x")), atomic_load(&a->extra[0]));
    /* a second object for the same slot loses and is freed at once */
    char *loser = ds_strdup("y");
    cr_assert_neq(ds_filecache_set_extra(a, 0, loser), loser);
    cr_assert_eq(freed, 1);
    ds_filecache_entry *b = ds_filecache_put(c, "sb", open_stat(pb, &sb), &sb, true);
    /* a was pushed out, but we still hold it: still usable */
    cr_assert_null(ds_filecache_get(c, "sa", &sa));
    cr_assert_eq(a->bytes[0], 'a');
    cr_assert_eq(freed, 1);
    ds_filecache_release(a); /* last reference: its extra object goes */
    cr_assert_eq(freed, 2);
    ds_filecache_release(b);
    ds_filecache_free(c);
    free(pa);
    free(pb);
    test_rmtree(dir);
    free(dir);
}

/* ds_filecache_get_path: a file written in place, replaced by rename or
 * deleted is a miss at once (fstat of the cached descriptor: its ctime
 * moved); a path that names another file while the old one is untouched
 * (a changed symlink) is a miss once the entry's trust window is over, or
 * after ds_filecache_revalidate. */
static ds_filecache_entry *put_path(ds_filecache *c, const char *key, const char *path)
{
    struct stat st;
    int fd = open_stat(path, &st);
    return ds_filecache_put(c, key, fd, &st, false);
}

Test(filecache, get_path_sees_changes_of_the_file_at_once)
{
    char *dir = test_tmpdir();
    test_write(dir, "a.parquet", "version one");
    char *path = ds_path_join(dir, "a.parquet");
    const int64_t hour = 3600 * 1000000000LL;
    ds_filecache *c = ds_filecache_new(16, 1024, 1 << 20, NULL);
    cr_assert_null(ds_filecache_get_path(c, "m1", path, hour)); /* empty cache */
    ds_filecache_release(put_path(c, "m1", path));
    ds_filecache_entry *e = ds_filecache_get_path(c, "m1", path, hour);
    cr_assert_not_null(e);
    ds_filecache_release(e);

    /* rewritten in place, same size: seen although the path is trusted */
    FILE *f = fopen(path, "r+");
    cr_assert_not_null(f);
    fputs("VERSION", f);
    fclose(f);
    cr_assert_null(ds_filecache_get_path(c, "m1", path, hour));
    ds_filecache_release(put_path(c, "m1", path));
    /* replaced by rename: the old inode lost its link, its ctime moved */
    test_write(dir, "a.parquet", "version two");
    cr_assert_null(ds_filecache_get_path(c, "m1", path, hour));
    ds_filecache_release(put_path(c, "m1", path));
    /* deleted */
    cr_assert_eq(unlink(path), 0);
    cr_assert_null(ds_filecache_get_path(c, "m1", path, hour));
    ds_filecache_free(c);
    free(path);
    test_rmtree(dir);
    free(dir);
}

Test(filecache, get_path_checks_the_path_after_its_window)
{
    char *dir = test_tmpdir();
    test_write(dir, "one.parquet", "version one");
    test_write(dir, "two.parquet", "version two");
    char *link = ds_path_join(dir, "cur.parquet"), *tmp = ds_path_join(dir, "new.parquet");
    cr_assert_eq(symlink("one.parquet", link), 0);
    const int64_t hour = 3600 * 1000000000LL;
    ds_filecache *c = ds_filecache_new(16, 1024, 1 << 20, NULL);
    ds_filecache_release(put_path(c, "m1", link));
    /* the link now names two.parquet; one.parquet is untouched */
    cr_assert_eq(symlink("two.parquet", tmp), 0);
    cr_assert_eq(rename(tmp, link), 0);
    ds_filecache_entry *e = ds_filecache_get_path(c, "m1", link, hour);
    cr_assert_not_null(e, "within the window the descriptor is trusted");
    ds_filecache_release(e);
    cr_assert_null(ds_filecache_get_path(c, "m1", link, 0), "the window is over: a miss");

    /* after ds_filecache_revalidate, whatever the window */
    ds_filecache_release(put_path(c, "m2", link));
    cr_assert_eq(symlink("one.parquet", tmp), 0);
    cr_assert_eq(rename(tmp, link), 0);
    e = ds_filecache_get_path(c, "m2", link, hour);
    cr_assert_not_null(e);
    ds_filecache_release(e);
    ds_filecache_revalidate(c);
    cr_assert_null(ds_filecache_get_path(c, "m2", link, hour));
    /* a check by path that finds the same file trusts it again */
    ds_filecache_release(put_path(c, "m3", link));
    ds_filecache_revalidate(c);
    e = ds_filecache_get_path(c, "m3", link, hour);
    cr_assert_not_null(e, "still the file the path names");
    ds_filecache_release(e);
    cr_assert_eq(symlink("two.parquet", tmp), 0);
    cr_assert_eq(rename(tmp, link), 0);
    e = ds_filecache_get_path(c, "m3", link, hour);
    cr_assert_not_null(e, "checked by path just now: trusted again");
    ds_filecache_release(e);
    ds_filecache_free(c);
    free(link);
    free(tmp);
    test_rmtree(dir);
    free(dir);
}

/* In a cache this small, its four slots are one set of 4 ways: four keys
 * stay, a fifth pushes out the least recently used one (not the oldest),
 * and the cache never holds more entries (descriptors) than its slots, 5
 * rounded down to 4. */
Test(filecache, a_set_keeps_its_recently_used_keys)
{
    char *dir = test_tmpdir();
    test_write(dir, "f", "f");
    char *path = ds_path_join(dir, "f");
    freed = 0;
    ds_filecache *c = ds_filecache_new(5, 1024, 1 << 20, count_free);
    const char *keys[] = {"k0", "k1", "k2", "k3"};
    ds_filecache_entry *e[4];
    for (int i = 0; i < 4; i++) {
        struct stat st;
        e[i] = ds_filecache_put(c, keys[i], open_stat(path, &st), &st, true);
        ds_filecache_set_extra(e[i], 0, ds_strdup("x")); /* freed with the entry */
        ds_filecache_release(e[i]);
    }
    for (int i = 0; i < 4; i++) {
        ds_filecache_entry *hit = ds_filecache_get_path(c, keys[i], path, 0);
        cr_assert_eq(hit, e[i], "%s stays", keys[i]);
        ds_filecache_release(hit);
    }
    ds_filecache_release(ds_filecache_get_path(c, "k0", path, 0)); /* k1 is now the LRU */
    struct stat st;
    ds_filecache_release(ds_filecache_put(c, "k4", open_stat(path, &st), &st, true));
    cr_assert_eq(freed, 1, "one entry pushed out");
    ds_filecache_entry *gone = ds_filecache_get_path(c, "k1", path, 0);
    cr_assert_null(gone);
    const char *stay[] = {"k0", "k2", "k3", "k4"};
    for (int i = 0; i < 4; i++) {
        ds_filecache_entry *hit = ds_filecache_get_path(c, stay[i], path, 0);
        cr_assert_not_null(hit, "%s stays", stay[i]);
        ds_filecache_release(hit);
    }
    ds_filecache_free(c);
    cr_assert_eq(freed, 4);
    free(path);
    test_rmtree(dir);
    free(dir);
}
