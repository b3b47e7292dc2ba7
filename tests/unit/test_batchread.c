/* test_batchread.c - footers read a batch at a time (datamap/batchread.h)
 * say exactly what reading each file alone says (footer.h): the same
 * facts for good files, with the stamp given or the one fstat gives, and
 * no facts for a file that is missing, not a regular file, not Parquet,
 * damaged or no longer the size it was stamped with; the access time is
 * left alone and no descriptor is left open. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datamap/batchread.h"
#include "datamap/footer.h"
#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

static char *tmp;
static ds_duck *db;

static void setup(void)
{
    tmp = test_tmpdir();
    ds_err err;
    db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
}

static void teardown(void)
{
    ds_duck_close(db);
    test_rmtree(tmp);
    free(tmp);
}

TestSuite(batchread, .init = setup, .fini = teardown);

static void parquet(const char *name, const char *select)
{
    char *path = ds_path_join(tmp, name);
    ds_buf sql = {0};
    ds_buf_printf(&sql, "COPY (%s) TO ", select);
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, " (FORMAT parquet)");
    ds_err err;
    cr_assert_eq(ds_duck_exec(db, sql.data, &err), 0, "%s\n%s", err.msg, sql.data);
    ds_buf_free(&sql);
    free(path);
}

static void spit(const char *name, const void *data, size_t len)
{
    char *path = ds_path_join(tmp, name);
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, data, len, &err), 0, "%s", err.msg);
    free(path);
}

static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    size_t n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* The stamp of NAME in tmp (size -1 when it is not a regular file). */
static ds_batchread_file stamped(const char *name)
{
    char *path = ds_path_join(tmp, name);
    struct stat st;
    ds_batchread_file f = {name, -1, 0, 0};
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        f = (ds_batchread_file){name, st.st_size,
                                (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
                                (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec};
    free(path);
    return f;
}

/* Reads FILES with READER and checks each against ds_footer_read_at; the
 * OK ones are counted. */
static size_t same_as_alone(ds_batchread *reader, int dirfd, const ds_batchread_file *files,
                            size_t n)
{
    ds_footer out[DS_BATCHREAD_MAX];
    bool ok[DS_BATCHREAD_MAX];
    ds_batchread_footers(reader, dirfd, files, n, out, ok);
    size_t n_ok = 0;
    for (size_t i = 0; i < n; i++) {
        ds_footer alone;
        char why[200] = "";
        int rc = ds_footer_read_at(dirfd, files[i].name, files[i].size, files[i].mtime_ns, files[i].ctime_ns, &alone,
                                   why, sizeof why);
        cr_assert_eq(ok[i], rc == 0, "%s: batch says %d, alone %d (%s)", files[i].name, ok[i], rc,
                     why);
        if (!ok[i])
            continue;
        n_ok++;
        cr_assert_eq(out[i].num_rows, alone.num_rows, "%s", files[i].name);
        cr_assert_eq(out[i].schema_hash, alone.schema_hash, "%s", files[i].name);
        cr_assert_eq(out[i].n_columns, alone.n_columns, "%s", files[i].name);
        cr_assert_eq(out[i].size, alone.size, "%s", files[i].name);
        cr_assert_eq(out[i].mtime_ns, alone.mtime_ns, "%s", files[i].name);
    }
    return n_ok;
}

/* A folder of good and bad files, read unstamped and stamped, both ways. */
Test(batchread, the_same_facts_as_each_file_alone)
{
    parquet("one.parquet", "SELECT 1 AS a");
    parquet("many.parquet", "SELECT range AS a, range::VARCHAR AS b FROM range(5000)");
    parquet("empty_rows.parquet", "SELECT 1 AS a WHERE false");
    /* A footer over the 64 KiB read first: read again whole. */
    ds_buf sel = {0};
    ds_buf_puts(&sel, "SELECT ");
    for (int i = 0; i < 1500; i++)
        ds_buf_printf(&sel, "%s%d AS column_with_a_long_name_%d", i ? ", " : "", i, i);
    ds_buf_puts(&sel, " FROM range(3)");
    parquet("wide.parquet", sel.data);
    ds_buf_free(&sel);
    spit("text.parquet", "hello, this is plain text and not Parquet\n", 42);
    spit("tiny.parquet", "PAR1", 4);
    spit("zero.parquet", "", 0);
    char *fifo = ds_path_join(tmp, "pipe.parquet");
    cr_assert_eq(mkfifo(fifo, 0600), 0);
    free(fifo);
    char *sub = ds_path_join(tmp, "folder.parquet");
    cr_assert_eq(mkdir(sub, 0700), 0);
    free(sub);

    const char *names[] = {"one.parquet",    "many.parquet", "empty_rows.parquet", "wide.parquet",
                           "text.parquet",   "tiny.parquet", "zero.parquet",       "pipe.parquet",
                           "folder.parquet", "gone.parquet"};
    size_t n = sizeof names / sizeof *names;
    ds_batchread_file unstamped[16], with_stamps[16];
    for (size_t i = 0; i < n; i++) {
        unstamped[i] = (ds_batchread_file){names[i], -1, 0, 0};
        with_stamps[i] = stamped(names[i]);
    }
    /* A stamp that is no longer right: the file grew, or shrank. */
    with_stamps[n] = stamped("one.parquet");
    with_stamps[n].size += 1;
    with_stamps[n + 1] = stamped("many.parquet");
    with_stamps[n + 1].size -= 1;
    /* A stamp's mtime is kept as given. */
    with_stamps[n + 2] = stamped("one.parquet");
    with_stamps[n + 2].mtime_ns = 42;

    int dirfd = open(tmp, O_RDONLY | O_DIRECTORY);
    cr_assert_geq(dirfd, 0);
    size_t fds = open_fds();
    for (int ring = 1; ring >= 0; ring--) {
        ds_batchread *r = ds_batchread_new(ring);
        cr_assert_eq(ds_batchread_batches(r), ring && ds_batchread_available());
        cr_assert_eq(same_as_alone(r, dirfd, unstamped, n), 4);
        cr_assert_eq(same_as_alone(r, dirfd, with_stamps, n + 3), 5);
        ds_footer out[1];
        bool ok[1];
        ds_batchread_footers(r, dirfd, &with_stamps[n + 2], 1, out, ok);
        cr_assert(ok[0]);
        cr_assert_eq(out[0].mtime_ns, 42);
        cr_assert_eq(out[0].num_rows, 1);
        cr_assert_eq(ds_batchread_batches(r), ring && ds_batchread_available(),
                     "the reader gave up its batches");
        ds_batchread_free(r);
        cr_assert_eq(open_fds(), fds, "descriptors left open");
    }
    /* Paths whole, from the current folder's point of view. */
    char *path = ds_path_join(tmp, "many.parquet");
    ds_batchread_file whole = {path, -1, 0, 0};
    ds_batchread *r = ds_batchread_new(true);
    cr_assert_eq(same_as_alone(r, AT_FDCWD, &whole, 1), 1);
    ds_batchread_free(r);
    free(path);
    close(dirfd);
}

/* A full batch of files, their facts each their own (in the right slot). */
Test(batchread, a_full_batch_in_order)
{
    char names[DS_BATCHREAD_MAX][32];
    ds_batchread_file files[DS_BATCHREAD_MAX];
    for (int i = 0; i < DS_BATCHREAD_MAX; i++) {
        snprintf(names[i], sizeof names[i], "f%02d.parquet", i);
        char sel[64];
        snprintf(sel, sizeof sel, "SELECT range AS a FROM range(%d)", i * 3 + 1);
        parquet(names[i], sel);
        files[i] = (ds_batchread_file){names[i], -1, 0, 0};
    }
    int dirfd = open(tmp, O_RDONLY | O_DIRECTORY);
    ds_batchread *r = ds_batchread_new(true);
    ds_footer out[DS_BATCHREAD_MAX];
    bool ok[DS_BATCHREAD_MAX];
    for (int round = 0; round < 3; round++) { /* the reader is used again */
        ds_batchread_footers(r, dirfd, files, DS_BATCHREAD_MAX, out, ok);
        for (int i = 0; i < DS_BATCHREAD_MAX; i++) {
            cr_assert(ok[i], "%s", names[i]);
            cr_assert_eq(out[i].num_rows, i * 3 + 1, "%s", names[i]);
        }
    }
    ds_batchread_free(r);
    close(dirfd);
}

Test(batchread, the_access_time_is_left_alone)
{
    parquet("atime.parquet", "SELECT 1 AS a");
    char *path = ds_path_join(tmp, "atime.parquet");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    struct timespec ts[2] = {{st.st_mtim.tv_sec - 100, 0}, st.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
    ds_batchread *r = ds_batchread_new(true);
    ds_batchread_file f = {path, -1, 0, 0};
    ds_footer out;
    bool ok;
    ds_batchread_footers(r, AT_FDCWD, &f, 1, &out, &ok);
    cr_assert(ok);
    ds_batchread_free(r);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_atim.tv_sec, ts[0].tv_sec, "the access time moved");
    free(path);
}
