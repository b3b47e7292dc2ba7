/* test_server_resultstore.c - the stored-results index: which request paths
 * are results, loading and reloading _index.json (missing, malformed, a
 * new version), and the freshness check against real files whose size,
 * mtime or existence change, and folders that gain a file. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/resultstore.h"
#include "testutil.h"

#define HASH_A 0x0123456789abcdefu
#define HASH_B 0xfedcba9876543210u

static int64_t mtime_ns(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* Appends {"path", "size", "mtime_ns"} for FILE as it is now. */
static void add_file(ds_buf *b, const char *file)
{
    struct stat st;
    cr_assert_eq(stat(file, &st), 0, "%s", file);
    ds_buf_printf(b, "{\"path\": \"%s\", \"size\": %lld, \"mtime_ns\": %" PRId64 "}", file,
                  (long long)st.st_size, mtime_ns(&st));
}

static void add_dir(ds_buf *b, const char *dir)
{
    struct stat st;
    cr_assert_eq(stat(dir, &st), 0, "%s", dir);
    ds_buf_printf(b, "{\"path\": \"%s\", \"mtime_ns\": %" PRId64 "}", dir, mtime_ns(&st));
}

/* Writes STATIC/_results/_index.json with result HASH_A reading FILES (NULL
 * terminated) and listing DIR (may be NULL). */
static void write_index(const char *static_dir, const char *const *files, const char *dir)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files\": [");
    for (size_t i = 0; files[i]; i++) {
        if (i)
            ds_buf_puts(&b, ", ");
        add_file(&b, files[i]);
    }
    ds_buf_puts(&b, "], \"dirs\": [");
    if (dir)
        add_dir(&b, dir);
    ds_buf_puts(&b, "]}}}\n");
    test_write(static_dir, "_results/_index.json", ds_buf_str(&b));
    ds_buf_free(&b);
}

/* Rewrites PATH with TEXT and sets its mtime to SEC + NSEC. */
static void write_at(const char *path, const char *text, time_t sec, long nsec)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
    struct timespec times[2] = {{sec, nsec}, {sec, nsec}};
    cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
}

Test(resultstore, request_paths)
{
    uint64_t h = 0;
    cr_assert_eq(ds_resultstore_path("_results/0123456789abcdef.json", &h), DS_RESULT_PATH_RESULT);
    cr_assert_eq(h, HASH_A);
    cr_assert_eq(ds_resultstore_path("_results/fedcba9876543210.json.gz", &h),
                 DS_RESULT_PATH_RESULT);
    cr_assert_eq(h, HASH_B);
    const char *refused[] = {"_results",
                             "_results/_index.json",
                             "_results/_index.json.tmp.12",
                             "_results/0123456789ABCDEF.json", /* upper case */
                             "_results/0123456789abcde.json",  /* 15 digits */
                             "_results/0123456789abcdef0.json",
                             "_results/0123456789abcdef.json.tmp",
                             "_results/0123456789abcdef",
                             "_results/x/0123456789abcdef.json",
                             "_results/notes.txt"};
    for (size_t i = 0; i < DS_ARRAY_LEN(refused); i++)
        cr_assert_eq(ds_resultstore_path(refused[i], NULL), DS_RESULT_PATH_REFUSED, "%s",
                     refused[i]);
    const char *other[] = {"", "index.html", "_results.json", "_resultsx/a.json",
                           "data/_results/0123456789abcdef.json"};
    for (size_t i = 0; i < DS_ARRAY_LEN(other); i++)
        cr_assert_eq(ds_resultstore_path(other[i], NULL), DS_RESULT_PATH_NONE, "%s", other[i]);
}

Test(resultstore, missing_index_has_no_results)
{
    char *dir = test_tmpdir();
    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), 0);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_UNKNOWN);
    cr_assert_eq(ds_resultstore_check(s), 0);
    ds_resultstore_close(s);
    test_rmtree(dir);
    free(dir);
}

/* DIR/lake/a.parquet (A, its mtime set in the past) and b.parquet. */
static void two_files(const char *dir, const char *a)
{
    test_write(dir, "lake/a.parquet", "PAR1 first PAR1");
    test_write(dir, "lake/b.parquet", "PAR1 second PAR1");
    write_at(a, "PAR1 first PAR1", 1700000000, 123456789);
}

Test(resultstore, files_that_change)
{
    char *dir = test_tmpdir();
    char *lake = ds_path_join(dir, "lake");
    char *a = ds_path_join(dir, "lake/a.parquet");
    char *b = ds_path_join(dir, "lake/b.parquet");
    two_files(dir, a);
    const char *files[] = {a, b, NULL};
    write_index(dir, files, NULL);

    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), 1);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);
    cr_assert_eq(ds_resultstore_state(s, HASH_B), DS_RESULT_UNKNOWN);

    /* a different size, same mtime */
    write_at(a, "PAR1 first, longer PAR1", 1700000000, 123456789);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    write_at(a, "PAR1 first PAR1", 1700000000, 123456789);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);

    /* the same size, one nanosecond later */
    write_at(a, "PAR1 FIRST PAR1", 1700000000, 123456790);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    write_at(a, "PAR1 first PAR1", 1700000000, 123456789);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);

    /* deleted, then a folder in its place */
    cr_assert_eq(unlink(b), 0);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    cr_assert_eq(mkdir(b, 0755), 0);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);

    ds_resultstore_close(s);
    test_rmtree(dir);
    free(a);
    free(b);
    free(lake);
    free(dir);
}

/* A file the build recorded as missing (size -2, as the build writes it)
 * is refused while it is missing: missing means changed.  A directory
 * listed under "files" is not a file. */
Test(resultstore, missing_and_misplaced_entries)
{
    char *dir = test_tmpdir();
    char *lake = ds_path_join(dir, "lake");
    struct stat st;
    cr_assert_eq(mkdir(lake, 0755), 0);
    cr_assert_eq(stat(lake, &st), 0);
    char *text = ds_asprintf(
        "{\"version\": 1, \"results\": {"
        "\"0123456789abcdef\": {\"files\": [{\"path\": \"%s/gone.parquet\", \"size\": -2, "
        "\"mtime_ns\": -1}], \"dirs\": []},"
        "\"fedcba9876543210\": {\"files\": [{\"path\": \"%s\", \"size\": %lld, "
        "\"mtime_ns\": %" PRId64 "}], \"dirs\": []}}}",
        dir, lake, (long long)st.st_size, mtime_ns(&st));
    test_write(dir, "_results/_index.json", text);
    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), 2);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    cr_assert_eq(ds_resultstore_state(s, HASH_B), DS_RESULT_CHANGED);
    ds_resultstore_close(s);
    test_rmtree(dir);
    free(text);
    free(lake);
    free(dir);
}

Test(resultstore, folder_that_gains_a_file)
{
    char *dir = test_tmpdir();
    char *lake = ds_path_join(dir, "lake");
    char *a = ds_path_join(dir, "lake/a.parquet");
    test_write(dir, "lake/a.parquet", "PAR1 PAR1");
    /* An mtime in the past, so that adding a file visibly moves it even on
     * a file system with coarse timestamps. */
    struct timespec old[2] = {{1600000000, 0}, {1600000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, lake, old, 0), 0);
    const char *files[] = {a, NULL};
    write_index(dir, files, lake);

    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);
    test_write(dir, "lake/new.parquet", "PAR1 PAR1");
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    ds_resultstore_close(s);
    test_rmtree(dir);
    free(a);
    free(lake);
    free(dir);
}

Test(resultstore, reload_and_malformed_indexes)
{
    char *dir = test_tmpdir();
    char *a = ds_path_join(dir, "lake/a.parquet");
    test_write(dir, "lake/a.parquet", "PAR1 PAR1");
    const char *files[] = {a, NULL};
    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), 0);

    /* the index appears: picked up once */
    write_index(dir, files, NULL);
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_check(s), 0);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);

    /* malformed in several ways: no stored results at all (and the same bad
     * file is not loaded again) */
    const char *bad[] = {
        "{\"version\": 1, \"results\": ",
        "{\"version\": 2, \"results\": {}}",
        "{\"results\": {}}",
        "{\"version\": 1, \"results\": {\"0123456789ABCDEF\": {\"files\": []}}}",
        "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files\": [{\"path\": 1}]}}}",
        "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files\": [{\"path\": \"/x\", "
        "\"mtime_ns\": 1}]}}}",
        "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"dirs\": []}}}",
    };
    for (size_t i = 0; i < DS_ARRAY_LEN(bad); i++) {
        write_index(dir, files, NULL);
        cr_assert_eq(ds_resultstore_check(s), 1);
        cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);
        test_write(dir, "_results/_index.json", bad[i]);
        cr_assert_eq(ds_resultstore_check(s), 1, "%s", bad[i]);
        cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_UNKNOWN, "%s", bad[i]);
        cr_assert_eq(ds_resultstore_check(s), 0);
    }

    /* dirs may be left out; the index disappears: no stored results */
    test_write(dir, "_results/_index.json",
               "{\"version\": 1, \"results\": {\"fedcba9876543210\": {\"files\": []}}}");
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_state(s, HASH_B), DS_RESULT_FRESH);
    char *index = ds_path_join(dir, "_results/_index.json");
    cr_assert_eq(unlink(index), 0);
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_state(s, HASH_B), DS_RESULT_UNKNOWN);

    ds_resultstore_close(s);
    test_rmtree(dir);
    free(index);
    free(a);
    free(dir);
}

/* Many results sharing the files of one source, each reading 1,000 files:
 * every lookup finds its own result, and the cost of one check is printed
 * (one stat() per file). */
Test(resultstore, thousand_files_per_result)
{
    char *dir = test_tmpdir();
    enum { FILES = 1000, RESULTS = 50 };
    char **paths = ds_xcalloc(FILES + 1, sizeof *paths);
    for (int i = 0; i < FILES; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "lake/day=%03d/part-0.parquet", i);
        test_write(dir, rel, "PAR1 PAR1");
        paths[i] = ds_path_join(dir, rel);
    }
    ds_buf files = {0};
    for (int i = 0; i < FILES; i++) {
        if (i)
            ds_buf_puts(&files, ", ");
        add_file(&files, paths[i]);
    }
    ds_buf b = {0};
    ds_buf_puts(&b, "{\"version\": 1, \"results\": {");
    for (int r = 0; r < RESULTS; r++)
        ds_buf_printf(&b, "%s\"%016" PRIx64 "\": {\"files\": [%s], \"dirs\": []}", r ? ", " : "",
                      (uint64_t)r * 0x9e3779b97f4a7c15u, ds_buf_str(&files));
    ds_buf_puts(&b, "}}");
    test_write(dir, "_results/_index.json", ds_buf_str(&b));

    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), RESULTS);
    for (int r = 0; r < RESULTS; r++)
        cr_assert_eq(ds_resultstore_state(s, (uint64_t)r * 0x9e3779b97f4a7c15u), DS_RESULT_FRESH);
    cr_assert_eq(ds_resultstore_state(s, 1), DS_RESULT_UNKNOWN);

    struct timespec t0, t1;
    enum { ROUNDS = 200 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < ROUNDS; i++)
        cr_assert_eq(ds_resultstore_state(s, 0x9e3779b97f4a7c15u), DS_RESULT_FRESH);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
                ROUNDS / 1000.0;
    fprintf(stderr, "freshness check of a result reading %d files: %.0f us\n", FILES, us);

    /* the last file changes: the whole result is refused */
    write_at(paths[FILES - 1], "PAR1 changed PAR1", 1700000000, 0);
    cr_assert_eq(ds_resultstore_state(s, 0x9e3779b97f4a7c15u), DS_RESULT_CHANGED);

    ds_resultstore_close(s);
    for (int i = 0; i < FILES; i++)
        free(paths[i]);
    free(paths);
    ds_buf_free(&files);
    ds_buf_free(&b);
    test_rmtree(dir);
    free(dir);
}

/* A result over more than 1,000 files found fresh is not checked again for
 * a second (a stat per file per request would cost 100 ms over 100,000
 * files); then a change is seen.  Up to 1,000 files every request checks
 * (thousand_files_per_result above). */
Test(resultstore, large_results_are_rechecked_once_a_second)
{
    char *dir = test_tmpdir();
    enum { FILES = 1001 };
    char **paths = ds_xcalloc(FILES + 1, sizeof *paths);
    for (int i = 0; i < FILES; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "lake/part-%04d.parquet", i);
        test_write(dir, rel, "PAR1 PAR1");
        paths[i] = ds_path_join(dir, rel);
    }
    write_index(dir, (const char *const *)paths, NULL);
    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);

    write_at(paths[FILES - 1], "PAR1 changed PAR1", 1700000000, 0);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH, "within the second");
    struct timespec wait = {1, 100 * 1000 * 1000};
    nanosleep(&wait, NULL);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED, "a change is not cached");

    ds_resultstore_close(s);
    for (int i = 0; i < FILES; i++)
        free(paths[i]);
    free(paths);
    test_rmtree(dir);
    free(dir);
}

/* Appends FILE's "files_text" line (size, mtime_ns, path) as it is now,
 * escaped for a JSON string. */
static void add_line(ds_buf *b, const char *file)
{
    struct stat st;
    cr_assert_eq(stat(file, &st), 0, "%s", file);
    ds_buf_printf(b, "%lld\\t%" PRId64 "\\t%s\\n", (long long)st.st_size, mtime_ns(&st), file);
}

/* A result over many files lists them as one "files_text" string: loaded
 * and checked like "files" (a file changed or gone: changed), and a
 * malformed line is refused, naming the index, the result and the line. */
Test(resultstore, files_text)
{
    char *dir = test_tmpdir();
    char *lake = ds_path_join(dir, "lake");
    char *a = ds_path_join(dir, "lake/a.parquet");
    char *b = ds_path_join(dir, "lake/b.parquet");
    two_files(dir, a);
    struct timespec past[2] = {{1600000000, 0}, {1600000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, lake, past, 0), 0);
    ds_buf good = {0};
    ds_buf_puts(&good, "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files_text\": \"");
    add_line(&good, a);
    add_line(&good, b);
    ds_buf_puts(&good, "\", \"dirs\": [");
    add_dir(&good, lake);
    ds_buf_puts(&good, "]}}}");
    test_write(dir, "_results/_index.json", ds_buf_str(&good));

    ds_resultstore *s = ds_resultstore_open(dir);
    cr_assert_eq(ds_resultstore_count(s), 1);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);
    write_at(a, "PAR1 FIRST PAR1", 1700000000, 123456790); /* touched */
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    write_at(a, "PAR1 first PAR1", 1700000000, 123456789);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);
    cr_assert_eq(rename(b, a), 0); /* b missing, a another size */
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);
    test_write(dir, "lake/b.parquet", "PAR1 second PAR1");
    write_at(a, "PAR1 first PAR1", 1700000000, 123456789);
    cr_assert_eq(utimensat(AT_FDCWD, lake, past, 0), 0);
    /* b rewritten: its mtime is now, not the recorded one */
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_CHANGED);

    const char *bad[][2] = {
        {"12\\t34\\t/x", "line 1"},             /* no newline at the end */
        {"12\\t34\\t/x\\n12\\t/y\\n", "line 2"}, /* no mtime */
        {"12\\t34\\t\\n", "line 1"},            /* no path */
        {"x\\t34\\t/x\\n", "line 1"},
        {"12\\t34\\t/x\\ty\\n", "line 1"},
        {"12\\t99999999999999999999\\t/x\\n", "line 1"},
        {"\\n", "line 1"},
    };
    ds_buf warnings = {0};
    for (size_t i = 0; i < DS_ARRAY_LEN(bad); i++) {
        char *text = ds_asprintf(
            "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files_text\": \"%s\"}}}",
            bad[i][0]);
        test_write(dir, "_results/_index.json", text);
        warnings.len = 0;
        ds_warn_record(&warnings);
        cr_assert_eq(ds_resultstore_check(s), 1, "%s", bad[i][0]);
        ds_warn_record(NULL);
        cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_UNKNOWN, "%s", bad[i][0]);
        char *want = ds_asprintf("_results/_index.json: results.\"0123456789abcdef\".files_text, "
                                 "%s: expected",
                                 bad[i][1]);
        cr_assert(strstr(ds_buf_str(&warnings), want), "%s: %s", bad[i][0],
                  ds_buf_str(&warnings));
        free(want);
        free(text);
    }
    /* "files_text" is a string, and not beside "files" */
    test_write(dir, "_results/_index.json",
               "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files_text\": [], "
               "\"dirs\": []}}}");
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_count(s), 0);
    test_write(dir, "_results/_index.json",
               "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files_text\": \"\", "
               "\"files\": []}}}");
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_count(s), 0);
    /* an empty text is no files */
    test_write(dir, "_results/_index.json",
               "{\"version\": 1, \"results\": {\"0123456789abcdef\": {\"files_text\": \"\"}}}");
    cr_assert_eq(ds_resultstore_check(s), 1);
    cr_assert_eq(ds_resultstore_state(s, HASH_A), DS_RESULT_FRESH);

    ds_resultstore_close(s);
    ds_buf_free(&warnings);
    ds_buf_free(&good);
    test_rmtree(dir);
    free(a);
    free(b);
    free(lake);
    free(dir);
}
