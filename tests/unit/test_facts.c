/* test_facts.c - the per-file facts cache (datamap/facts.h): a file is
 * read once, then known while its size and mtime stay; files gone from the
 * lake leave the cache; a damaged cache is ignored and rebuilt; an
 * unchanged build leaves the cache file alone. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "datamap/facts.h"
#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

static char *root;
static char *cache; /* ROOT/.ducksite/file_facts */
static ds_duck *db;

static void setup(void)
{
    root = test_tmpdir();
    cache = ds_asprintf("%s/%s/%s", root, DS_FACTS_DIR, DS_FACTS_FILE);
    ds_err err;
    db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
}

static void teardown(void)
{
    ds_duck_close(db);
    test_rmtree(root);
    free(root);
    free(cache);
}

TestSuite(facts, .init = setup, .fini = teardown);

/* Writes ROOT/lake/NAME with ROWS rows; returns its path (caller frees). */
static char *lake_file(const char *name, int rows)
{
    char *path = ds_asprintf("%s/lake/%s", root, name);
    char *dir = ds_path_dirname(path);
    ds_err err;
    cr_assert_eq(ds_mkdir_p(dir, &err), 0, "%s", err.msg);
    ds_buf sql = {0};
    ds_buf_printf(&sql, "COPY (SELECT range AS a, 'x' AS b FROM range(%d)) TO ", rows);
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, " (FORMAT parquet)");
    cr_assert_eq(ds_duck_exec(db, sql.data, &err), 0, "%s", err.msg);
    ds_buf_free(&sql);
    free(dir);
    return path;
}

/* The facts of PATH through F; the lookup must succeed. */
static ds_footer get(ds_facts *f, const char *path)
{
    ds_footer ft;
    char why[256] = "";
    cr_assert_eq(ds_facts_get(f, path, &ft, why, sizeof why), 0, "%s: %s", path, why);
    return ft;
}

/* A lookup of PATH through F fails, with a reason containing WANT. */
static void get_fails(ds_facts *f, const char *path, const char *want)
{
    ds_footer ft;
    char why[256] = "";
    cr_assert_eq(ds_facts_get(f, path, &ft, why, sizeof why), -1, "%s was read", path);
    cr_assert(strstr(why, want) != NULL, "why = '%s', expected '%s'", why, want);
}

/* One build: opens the cache, looks up N paths, saves and closes.
 * Returns the number of footers read; *HITS gets the number known. */
static size_t build(char *const *paths, size_t n, size_t *hits)
{
    ds_facts *f = ds_facts_open(root);
    for (size_t i = 0; i < n; i++)
        get(f, paths[i]);
    size_t reads = ds_facts_reads(f);
    if (hits)
        *hits = ds_facts_hits(f);
    ds_facts_save(f);
    ds_facts_close(f);
    return reads;
}

static char *cache_text(void)
{
    size_t len;
    ds_err err;
    char *text = ds_read_file(cache, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    return text;
}

static size_t count_lines(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void set_mtime(const char *path, time_t sec, long nsec)
{
    struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
    cr_assert_eq(utimensat(AT_FDCWD, path, ts, 0), 0, "%s", path);
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
}

Test(facts, read_once_then_known)
{
    char *a = lake_file("a.parquet", 7);
    ds_facts *f = ds_facts_open(root);
    ds_footer first = get(f, a);
    cr_assert_eq(ds_facts_reads(f), 1);
    cr_assert_eq(ds_facts_hits(f), 0);
    cr_assert_eq(first.num_rows, 7);
    cr_assert(!ds_exists(cache), "written before the save");
    ds_facts_save(f);
    ds_facts_close(f);

    char *text = cache_text();
    cr_assert(strncmp(text, "ducksite file facts 3\n", 22) == 0, "%s", text);
    cr_assert_eq(count_lines(text), 2, "%s", text);
    cr_assert(strstr(text, a) != NULL, "%s", text);
    free(text);

    f = ds_facts_open(root);
    ds_footer again = get(f, a);
    cr_assert_eq(ds_facts_hits(f), 1);
    cr_assert_eq(ds_facts_reads(f), 0);
    cr_assert_eq(again.num_rows, first.num_rows);
    cr_assert_eq(again.schema_hash, first.schema_hash);
    cr_assert_eq(again.n_columns, first.n_columns);
    cr_assert_eq(again.size, first.size);
    cr_assert_eq(again.mtime_ns, first.mtime_ns);
    ds_facts_close(f);
    free(a);
}

Test(facts, a_touched_file_is_read_again)
{
    char *a = lake_file("a.parquet", 3);
    set_mtime(a, 1700000000, 5);
    cr_assert_eq(build(&a, 1, NULL), 1);
    size_t hits;
    cr_assert_eq(build(&a, 1, &hits), 0);
    cr_assert_eq(hits, 1);

    /* The same bytes, a new mtime (even one nanosecond apart). */
    set_mtime(a, 1700000000, 6);
    cr_assert_eq(build(&a, 1, &hits), 1);
    cr_assert_eq(hits, 0);
    cr_assert_eq(build(&a, 1, &hits), 0, "the new mtime was saved");
    cr_assert_eq(hits, 1);
    free(a);
}

Test(facts, bytes_copied_with_size_and_mtime_kept_are_read_again)
{
    /* cp -p, or a rewrite followed by touch -d: the size and the mtime
     * are the old ones, the ctime is not. */
    char *a = lake_file("a.parquet", 3);
    cr_assert_eq(build(&a, 1, NULL), 1);
    struct stat old;
    cr_assert_eq(stat(a, &old), 0);
    struct timespec pause = {0, 20 * 1000 * 1000}; /* past the clock's tick */
    nanosleep(&pause, NULL);
    set_mtime(a, old.st_mtim.tv_sec, old.st_mtim.tv_nsec);
    struct stat now;
    cr_assert_eq(stat(a, &now), 0);
    cr_assert_eq(now.st_size, old.st_size);
    cr_assert(now.st_ctim.tv_sec != old.st_ctim.tv_sec ||
              now.st_ctim.tv_nsec != old.st_ctim.tv_nsec, "the ctime moved");
    size_t hits;
    cr_assert_eq(build(&a, 1, &hits), 1, "read again");
    cr_assert_eq(hits, 0);
    cr_assert_eq(build(&a, 1, &hits), 0, "the new ctime was saved");
    cr_assert_eq(hits, 1);
    free(a);
}

Test(facts, a_rewritten_file_is_read_again)
{
    char *a = lake_file("a.parquet", 3);
    cr_assert_eq(build(&a, 1, NULL), 1);
    struct stat old;
    cr_assert_eq(stat(a, &old), 0);
    free(lake_file("a.parquet", 3000));
    /* Another size, even with the old mtime. */
    set_mtime(a, old.st_mtim.tv_sec, old.st_mtim.tv_nsec);
    ds_facts *f = ds_facts_open(root);
    cr_assert_eq(get(f, a).num_rows, 3000);
    cr_assert_eq(ds_facts_reads(f), 1);
    cr_assert_eq(ds_facts_hits(f), 0);
    ds_facts_save(f);
    ds_facts_close(f);
    f = ds_facts_open(root);
    cr_assert_eq(get(f, a).num_rows, 3000);
    cr_assert_eq(ds_facts_hits(f), 1);
    ds_facts_close(f);
    free(a);
}

Test(facts, a_file_that_turns_bad_is_refused)
{
    char *a = lake_file("a.parquet", 3);
    char *b = lake_file("b.parquet", 4);
    char *both[] = {a, b};
    cr_assert_eq(build(both, 2, NULL), 2);
    /* b truncated: its cached facts must not answer for it. */
    cr_assert_eq(truncate(b, 100), 0);
    ds_facts *f = ds_facts_open(root);
    get(f, a);
    get_fails(f, b, "PAR1");
    ds_facts_save(f);
    ds_facts_close(f);
    char *text = cache_text();
    cr_assert_eq(count_lines(text), 2, "%s", text);
    cr_assert(strstr(text, b) == NULL, "%s", text);
    free(text);
    free_paths(both, 2);
}

Test(facts, a_removed_file_leaves_the_cache)
{
    char *p[] = {lake_file("a.parquet", 1), lake_file("b.parquet", 2), lake_file("c.parquet", 3)};
    cr_assert_eq(build(p, 3, NULL), 3);
    char *text = cache_text();
    cr_assert_eq(count_lines(text), 4, "%s", text);
    /* Sorted by path. */
    cr_assert(strstr(text, p[0]) < strstr(text, p[1]) && strstr(text, p[1]) < strstr(text, p[2]),
              "%s", text);
    free(text);

    cr_assert_eq(unlink(p[1]), 0);
    char *left[] = {p[0], p[2]};
    size_t hits;
    cr_assert_eq(build(left, 2, &hits), 0);
    cr_assert_eq(hits, 2);
    text = cache_text();
    cr_assert_eq(count_lines(text), 3, "%s", text);
    cr_assert(strstr(text, p[1]) == NULL, "%s", text);
    cr_assert(strstr(text, p[0]) != NULL && strstr(text, p[2]) != NULL, "%s", text);
    free(text);
    free_paths(p, 3);
}

Test(facts, a_file_looked_up_twice_in_a_build_is_read_once)
{
    /* A source with an unreadable file looks its files up three times. */
    char *p[] = {lake_file("a.parquet", 1), lake_file("b.parquet", 2)};
    ds_facts *f = ds_facts_open(root);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 2; i++)
            cr_assert_eq(get(f, p[i]).num_rows, i + 1);
    cr_assert_eq(ds_facts_reads(f), 2);
    cr_assert_eq(ds_facts_hits(f), 4);
    /* Changed during the build: read again, and that is what is saved. */
    free(lake_file("a.parquet", 5));
    cr_assert_eq(get(f, p[0]).num_rows, 5);
    cr_assert_eq(ds_facts_reads(f), 3);
    ds_facts_save(f);
    /* Still found after the save (which sorts them). */
    cr_assert_eq(get(f, p[1]).num_rows, 2);
    cr_assert_eq(get(f, p[0]).num_rows, 5);
    cr_assert_eq(ds_facts_reads(f), 3);
    ds_facts_close(f);
    char *text = cache_text();
    cr_assert_eq(count_lines(text), 3, "%s", text);
    free(text);

    /* Next build: known from the cache; a changes, is read once. */
    f = ds_facts_open(root);
    get(f, p[0]);
    free(lake_file("a.parquet", 7));
    for (int round = 0; round < 3; round++)
        cr_assert_eq(get(f, p[0]).num_rows, 7);
    cr_assert_eq(ds_facts_reads(f), 1);
    cr_assert_eq(ds_facts_hits(f), 3);
    ds_facts_save(f);
    ds_facts_close(f);
    text = cache_text();
    cr_assert_eq(count_lines(text), 2, "one line for a (b was not looked up):\n%s", text);
    free(text);
    f = ds_facts_open(root);
    cr_assert_eq(get(f, p[0]).num_rows, 7);
    cr_assert_eq(ds_facts_hits(f), 1);
    ds_facts_close(f);
    free_paths(p, 2);
}

Test(facts, many_files)
{
    /* Past the first sizes of the in-build index, and a cache of more
     * than one block of text (written a block at a time). */
    char *a = lake_file("a.parquet", 1);
    enum { N = 15000 };
    char **p = ds_xcalloc(N, sizeof *p);
    for (int i = 0; i < N; i++) {
        p[i] = ds_asprintf("%s/lake/l%04d.parquet", root, i);
        cr_assert_eq(link(a, p[i]), 0);
    }
    cr_assert_eq(build(p, N, NULL), N);
    char *text = cache_text();
    size_t len = strlen(text);
    cr_assert_gt(len, 1 << 20, "%zu bytes", len);
    cr_assert_eq(count_lines(text), N + 1); /* and the header */
    cr_assert(strstr(text, p[N - 1]) && text[len - 1] == '\n');
    free(text);
    size_t hits;
    cr_assert_eq(build(p, N, &hits), 0);
    cr_assert_eq(hits, N);
    ds_facts *f = ds_facts_open(NULL);
    for (int round = 0; round < 2; round++)
        for (int i = N - 1; i >= 0; i--)
            cr_assert_eq(get(f, p[i]).num_rows, 1);
    cr_assert_eq(ds_facts_reads(f), N);
    ds_facts_close(f);
    free_paths(p, N);
    free(p);
    free(a);
}

/* Files of many folders (runs of files that end mid-folder), some of them
 * bad, read as a first build does (unstamped) and as a rebuild does
 * (stamped), in batches and one at a time: the same facts either way. */
Test(facts, batches_and_one_at_a_time_agree)
{
    enum { FOLDERS = 7, PER = 41, N = FOLDERS * PER + 3 };
    char *src[3] = {lake_file("src1.parquet", 1), lake_file("src2.parquet", 2),
                    lake_file("src3.parquet", 3)};
    char **p = ds_xcalloc(N, sizeof *p);
    ds_err err;
    for (int i = 0; i < FOLDERS * PER; i++) {
        char *dir = ds_asprintf("%s/lake/d=%d", root, i / PER);
        cr_assert_eq(ds_mkdir_p(dir, &err), 0, "%s", err.msg);
        p[i] = ds_asprintf("%s/f%03d.parquet", dir, i);
        free(dir);
        if (i % 13 == 5)
            cr_assert_eq(ds_write_atomic(p[i], "not parquet at all", 18, &err), 0);
        else
            cr_assert_eq(link(src[i % 3], p[i]), 0);
    }
    p[FOLDERS * PER] = ds_asprintf("%s/lake/missing.parquet", root);
    p[FOLDERS * PER + 1] = ds_asprintf("%s/lake/d=0", root); /* a folder */
    p[FOLDERS * PER + 2] = ds_strdup(src[1]);
    ds_facts_want *want = ds_xcalloc(N, sizeof *want);
    ds_footer *a = ds_xcalloc(N, sizeof *a), *b = ds_xcalloc(N, sizeof *b);
    bool *ok_a = ds_xcalloc(N, sizeof *ok_a), *ok_b = ds_xcalloc(N, sizeof *ok_b);
    for (int stamped = 0; stamped < 2; stamped++) {
        for (int i = 0; i < N; i++) {
            want[i] = (ds_facts_want){p[i], {-1, 0, 0}};
            if (stamped && ds_file_stamp_of(p[i], &want[i].stamp) != 0)
                want[i].stamp = (ds_file_stamp){-1, 0, 0};
        }
        for (int way = 0; way < 2; way++) {
            ds_facts *f = ds_facts_open(NULL);
            if (way)
                ds_facts_one_by_one(f);
            if (stamped)
                ds_facts_get_all(f, want, N, way ? b : a, way ? ok_b : ok_a);
            else
                ds_facts_read_unstamped(f, want, N, way ? b : a, way ? ok_b : ok_a);
            ds_facts_close(f);
        }
        size_t good = 0;
        for (int i = 0; i < N; i++) {
            cr_assert_eq(ok_a[i], ok_b[i], "%s", p[i]);
            bool parquet = i < FOLDERS * PER ? i % 13 != 5 : i == N - 1;
            cr_assert_eq(ok_a[i], parquet, "%s: ok %d", p[i], ok_a[i]);
            if (!ok_a[i])
                continue;
            good++;
            cr_assert_eq(a[i].num_rows, i < FOLDERS * PER ? i % 3 + 1 : 2, "%s", p[i]);
            cr_assert_eq(memcmp(&a[i], &b[i], sizeof a[i]), 0, "%s", p[i]);
            struct stat st;
            cr_assert_eq(stat(p[i], &st), 0);
            cr_assert_eq(a[i].size, st.st_size);
            cr_assert_eq(a[i].mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 +
                                            st.st_mtim.tv_nsec);
        }
        cr_assert_eq(good, FOLDERS * PER - 22 + 1);
    }
    free(want);
    free(a);
    free(b);
    free(ok_a);
    free(ok_b);
    free_paths(p, N);
    free(p);
    free_paths(src, 3);
}

/* ---- a damaged cache ---------------------------------------------------- */

/* Builds a, b, c once; replaces the cache with DAMAGE(good text); builds
 * again: every lookup gives the right facts, and the cache is rewritten
 * to the good text.  Returns the footers read by the second build. */
static size_t after_damage(char *(*damage)(const char *good))
{
    char *p[] = {lake_file("a.parquet", 1), lake_file("b.parquet", 2), lake_file("c.parquet", 3)};
    cr_assert_eq(build(p, 3, NULL), 3);
    char *good = cache_text();
    char *bad = damage(good);
    ds_err err;
    cr_assert_eq(ds_write_atomic(cache, bad, strlen(bad), &err), 0, "%s", err.msg);

    ds_facts *f = ds_facts_open(root);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(get(f, p[i]).num_rows, i + 1);
    size_t reads = ds_facts_reads(f);
    cr_assert_eq(reads + ds_facts_hits(f), 3);
    ds_facts_save(f);
    ds_facts_close(f);

    char *now = cache_text();
    cr_assert_str_eq(now, good, "the damaged cache was not rebuilt:\n%s", bad);
    free(now);
    free(bad);
    free(good);
    free_paths(p, 3);
    return reads;
}

static char *garbage(const char *good)
{
    (void)good;
    return ds_strdup("\x01\x02 not a cache at all\n\tzz\n\n\n");
}

static char *wrong_header(const char *good)
{
    char *s = ds_strdup(good);
    s[strlen("ducksite file facts ")] = '9';
    return s;
}

/* The lines of a and b swapped. */
static char *unsorted(const char *good)
{
    const char *l1 = strchr(good, '\n') + 1;
    const char *l2 = strchr(l1, '\n') + 1;
    const char *l3 = strchr(l2, '\n') + 1;
    return ds_asprintf("%.*s%.*s%.*s%s", (int)(l1 - good), good, (int)(l3 - l2), l2, (int)(l2 - l1),
                       l1, l3);
}

/* The last line cut in the middle, without its newline. */
static char *cut_last_line(const char *good)
{
    char *s = ds_strdup(good);
    s[strlen(s) - 8] = '\0';
    return s;
}

/* b's line cut after its second field. */
static char *cut_middle_line(const char *good)
{
    const char *l1 = strchr(good, '\n') + 1;
    const char *l2 = strchr(l1, '\n') + 1;
    const char *tab = strchr(strchr(l2, '\t') + 1, '\t');
    const char *l3 = strchr(l2, '\n') + 1;
    return ds_asprintf("%.*s\n%s", (int)(tab - good), good, l3);
}

/* Good lines, then a line of garbage at the end. */
static char *trailing_garbage(const char *good)
{
    return ds_asprintf("%sgarbage\n", good);
}

/* A line with a relative path, and one whose numbers are not numbers. */
static char *bad_fields(const char *good)
{
    const char *l1 = strchr(good, '\n') + 1;
    return ds_asprintf("%.*s1\t2\t3\t4\tff\trelative/x.parquet\nx\ty\tz\n%s", (int)(l1 - good),
                       good, l1);
}

static char *empty(const char *good)
{
    (void)good;
    return ds_strdup("");
}

/* Each damage, and how many footers the build after it reads.  (The
 * parameters reach the test's process as bytes: an index, not a pointer.) */
static const struct {
    char *(*damage)(const char *good);
    size_t reads;
} damages[] = {
    {garbage, 3},
    {empty, 3},
    {wrong_header, 3},
    {bad_fields, 3},
    /* Known up to the line out of order (b) or cut; the rest read again. */
    {unsorted, 2},
    {cut_middle_line, 2},
    {cut_last_line, 1},
    {trailing_garbage, 0},
};

ParameterizedTestParameters(facts, damaged_cache)
{
    static int which[] = {0, 1, 2, 3, 4, 5, 6, 7};
    _Static_assert(sizeof which / sizeof *which == sizeof damages / sizeof *damages,
                   "one index per damage");
    return cr_make_param_array(int, which, sizeof which / sizeof *which);
}

ParameterizedTest(int *which, facts, damaged_cache)
{
    cr_assert_eq(after_damage(damages[*which].damage), damages[*which].reads, "damage %d", *which);
}

/* ---- what is written, and when ------------------------------------------ */

Test(facts, no_root_writes_nothing)
{
    char *a = lake_file("a.parquet", 2);
    char *cwd = getcwd(NULL, 0);
    char *lake = ds_path_join(root, "lake");
    cr_assert_eq(chdir(lake), 0);
    ds_facts *f = ds_facts_open(NULL);
    cr_assert_eq(get(f, a).num_rows, 2);
    cr_assert_eq(get(f, a).num_rows, 2);
    /* A cache for this build only. */
    cr_assert_eq(ds_facts_reads(f), 1);
    cr_assert_eq(ds_facts_hits(f), 1);
    ds_facts_save(f);
    ds_facts_close(f);
    cr_assert_eq(chdir(cwd), 0);
    char *in_lake = ds_path_join(lake, DS_FACTS_DIR);
    cr_assert(!ds_exists(in_lake));
    cr_assert(!ds_exists(cache));
    char *in_root = ds_path_join(root, DS_FACTS_DIR);
    cr_assert(!ds_exists(in_root));
    free(in_root);
    free(in_lake);
    free(lake);
    free(cwd);
    free(a);
}

Test(facts, an_unchanged_build_does_not_rewrite)
{
    char *p[] = {lake_file("a.parquet", 1), lake_file("b.parquet", 2)};
    cr_assert_eq(build(p, 2, NULL), 2);
    set_mtime(cache, 1000000000, 0);
    struct stat before, after;
    cr_assert_eq(stat(cache, &before), 0);
    size_t hits;
    cr_assert_eq(build(p, 2, &hits), 0);
    cr_assert_eq(hits, 2);
    cr_assert_eq(stat(cache, &after), 0);
    cr_assert_eq(after.st_mtim.tv_sec, 1000000000);
    cr_assert_eq(after.st_ino, before.st_ino, "replaced");
    /* A build that looks nothing up (the lake emptied) rewrites it. */
    cr_assert_eq(build(NULL, 0, NULL), 0);
    char *text = cache_text();
    cr_assert_str_eq(text, "ducksite file facts 3\n");
    free(text);
    free_paths(p, 2);
}

Test(facts, a_missing_file_is_an_error)
{
    char *gone = ds_path_join(root, "lake/gone.parquet");
    ds_facts *f = ds_facts_open(root);
    get_fails(f, gone, "cannot open");
    ds_facts_save(f);
    ds_facts_close(f);
    cr_assert(!ds_exists(cache), "nothing to remember");
    free(gone);
}

Test(facts, an_unwritable_cache_is_only_a_warning)
{
    /* .ducksite is a file: the cache can be neither read nor written. */
    test_write(root, DS_FACTS_DIR, "not a directory\n");
    char *a = lake_file("a.parquet", 2);
    cr_assert_eq(build(&a, 1, NULL), 1);
    cr_assert_eq(build(&a, 1, NULL), 1);
    char *dot = ds_path_join(root, DS_FACTS_DIR);
    cr_assert(ds_is_file(dot));
    free(dot);
    free(a);
}

Test(facts, odd_file_names)
{
    /* A tab in a name is kept (the path ends the line); a newline cannot
     * be, so that file is read at every build and the others still hit. */
    char *p[] = {lake_file("a\tb.parquet", 1), lake_file("c\nd.parquet", 2),
                 lake_file("e.parquet", 3), lake_file("\xc3\xa9t\xc3\xa9.parquet", 4)};
    cr_assert_eq(build(p, 4, NULL), 4);
    size_t hits;
    cr_assert_eq(build(p, 4, &hits), 1);
    cr_assert_eq(hits, 3);
    set_mtime(cache, 1000000000, 0);
    cr_assert_eq(build(p, 4, &hits), 1);
    struct stat st;
    cr_assert_eq(stat(cache, &st), 0);
    cr_assert_eq(st.st_mtim.tv_sec, 1000000000, "rewritten for the name it cannot keep");
    free_paths(p, 4);
}

/* The wants of PATHS, stamped now (an unstamped one: size -1). */
static ds_facts_want *wants_of(char *const *paths, size_t n)
{
    ds_facts_want *w = ds_xcalloc(n, sizeof *w);
    for (size_t i = 0; i < n; i++) {
        w[i].path = paths[i];
        if (ds_file_stamp_of(paths[i], &w[i].stamp) != 0)
            w[i].stamp = (ds_file_stamp){-1, 0, 0};
    }
    return w;
}

Test(facts, many_files_at_once)
{
    /* Folders of files (enough for several reading threads), with files
     * that cannot be read among them. */
    char *one = lake_file("one.parquet", 1), *two = lake_file("two.parquet", 2);
    enum { N = 1500 };
    char **p = ds_xcalloc(N, sizeof *p);
    for (int i = 0; i < N; i++) {
        p[i] = ds_asprintf("%s/lake/d%d/f%04d.parquet", root, i / 500, i);
        char *dir = ds_path_dirname(p[i]);
        ds_err err;
        cr_assert_eq(ds_mkdir_p(dir, &err), 0, "%s", err.msg);
        free(dir);
        if (i == 700)
            cr_assert_eq(ds_write_atomic(p[i], "this is not parquet", 19, &err), 0, "%s", err.msg);
        else if (i == 600) /* rewritten below: a link's rewrite would change its others' ctime */
            free(lake_file("d1/f0600.parquet", 2));
        else if (i != 900) /* 900 is missing */
            cr_assert_eq(link(i % 3 ? one : two, p[i]), 0);
    }
    ds_facts_want *w = wants_of(p, N);
    w[5].stamp = (ds_file_stamp){-1, 0, 0}; /* not stamped: left to ds_facts_get */
    ds_footer *out = ds_xcalloc(N, sizeof *out);
    bool *ok = ds_xcalloc(N, sizeof *ok);
    ds_facts *f = ds_facts_open(root);
    ds_facts_get_all(f, w, N, out, ok);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(ok[i], i != 5 && i != 700 && i != 900, "file %d", i);
        if (ok[i]) {
            cr_assert_eq(out[i].num_rows, i % 3 ? 1 : 2, "file %d", i);
            cr_assert_eq(out[i].size, w[i].stamp.size);
            cr_assert_eq(out[i].mtime_ns, w[i].stamp.mtime_ns);
        }
    }
    cr_assert_eq(ds_facts_reads(f), N - 3);
    cr_assert_eq(ds_facts_hits(f), 0);
    /* The files left out: one at a time, with their reasons. */
    get(f, p[5]);
    get_fails(f, p[700], "PAR1");
    get_fails(f, p[900], "cannot open");
    cr_assert_eq(ds_facts_reads(f), N); /* the failed attempts count */
    /* Asked again in the same build: known, none read twice. */
    ds_facts_get_all(f, w, N, out, ok);
    cr_assert_eq(ds_facts_reads(f), N);
    cr_assert_eq(ds_facts_hits(f), N - 3);
    ds_facts_save(f);
    ds_facts_close(f);
    char *at_once = cache_text();
    cr_assert_eq(count_lines(at_once), 1 + N - 2);

    /* The cache is the one files looked up one by one make. */
    cr_assert_eq(unlink(cache), 0);
    f = ds_facts_open(root);
    for (int i = N - 1; i >= 0; i--) {
        ds_footer ft;
        char why[256];
        (void)ds_facts_get(f, p[i], &ft, why, sizeof why);
    }
    ds_facts_save(f);
    ds_facts_close(f);
    char *one_by_one = cache_text();
    cr_assert_str_eq(at_once, one_by_one);

    /* Next build: all known; a file rewritten is read again. */
    free(lake_file("d1/f0600.parquet", 5));
    free(w);
    w = wants_of(p, N);
    f = ds_facts_open(root);
    ds_facts_get_all(f, w, N, out, ok);
    cr_assert_eq(ds_facts_reads(f), 1);
    cr_assert_eq(ds_facts_hits(f), N - 3);
    cr_assert(ok[600]);
    cr_assert_eq(out[600].num_rows, 5);
    ds_facts_close(f);

    free(at_once);
    free(one_by_one);
    free(out);
    free(ok);
    free(w);
    free_paths(p, N);
    free(p);
    free(one);
    free(two);
}

Test(facts, the_lines_as_documented)
{
    /* Each field as the format says: decimal (an mtime before 1970 is
     * negative), the schema hash in 16 hex digits; files out of order
     * are saved sorted. */
    char *b = lake_file("b.parquet", 3), *a = lake_file("a.parquet", 12);
    set_mtime(a, -2, 500000000); /* -1.5 s */
    set_mtime(b, 1700000000, 7);
    char *p[] = {b, a};
    cr_assert_eq(build(p, 2, NULL), 2);
    ds_facts *f = ds_facts_open(NULL);
    ds_footer fa = get(f, a), fb = get(f, b);
    ds_facts_close(f);
    char *want = ds_asprintf("ducksite file facts 3\n"
                             "%lld\t-1500000000\t%lld\t12\t3\t0002\t%016llx\t%s\n"
                             "%lld\t1700000000000000007\t%lld\t3\t3\t0002\t%016llx\t%s\n",
                             (long long)fa.size, (long long)fa.ctime_ns,
                             (unsigned long long)fa.schema_hash, a, (long long)fb.size,
                             (long long)fb.ctime_ns, (unsigned long long)fb.schema_hash, b);
    char *text = cache_text();
    cr_assert_str_eq(text, want);
    free(text);
    free(want);
    free(a);
    free(b);
}

/* A first build stamps a lake by reading it: each footer read once, the
 * stamp from the open file, and the lookup that follows is not a hit. */
Test(facts, read_unstamped_stamps_and_remembers)
{
    char *a = lake_file("a.parquet", 4);
    char *bad = ds_asprintf("%s/lake/bad.parquet", root);
    test_write(root, "lake/bad.parquet", "not parquet\n");
    ds_facts *f = ds_facts_open(root);
    cr_assert(ds_facts_empty(f));
    ds_facts_want want[] = {{a, {-1, 0, 0}}, {bad, {-1, 0, 0}}};
    ds_footer out[2];
    bool ok[2];
    ds_facts_read_unstamped(f, want, 2, out, ok);
    cr_assert(ok[0]);
    cr_assert(!ok[1], "a file that is not Parquet has no facts");
    struct stat st;
    cr_assert_eq(stat(a, &st), 0);
    cr_assert_eq(out[0].size, (int64_t)st.st_size);
    cr_assert_eq(out[0].mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    cr_assert_eq(out[0].ctime_ns, (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec);
    cr_assert_eq(out[0].num_rows, 4);
    cr_assert_eq(ds_facts_reads(f), 1);
    ds_file_stamp now = {out[0].size, out[0].mtime_ns, out[0].ctime_ns};
    ds_footer again;
    char why[200];
    cr_assert_eq(ds_facts_get_stamped(f, a, &now, &again, why, sizeof why), 0, "%s", why);
    cr_assert_eq(again.num_rows, 4);
    cr_assert_eq(ds_facts_reads(f), 1, "read once");
    cr_assert_eq(ds_facts_hits(f), 0, "read this build, not known");
    cr_assert_eq(ds_facts_get_stamped(f, a, &now, &again, why, sizeof why), 0, "%s", why);
    cr_assert_eq(ds_facts_hits(f), 1, "asked again: known");
    ds_facts_save(f);
    ds_facts_close(f);
    f = ds_facts_open(root);
    cr_assert(!ds_facts_empty(f), "saved");
    ds_facts_close(f);
    free(bad);
    free(a);
}

/* A save by a thread (ds_facts_save_start/_finish, while the build goes
 * on) writes the same cache as one made in place, and a cache that cannot
 * be written is said to be unsaved; an unchanged cache is not written. */
Test(facts, saved_in_background_same_as_in_place)
{
    char *paths[3] = {lake_file("b.parquet", 2), lake_file("a.parquet", 3),
                      lake_file("c/d.parquet", 4)};
    build(paths, 3, NULL);
    char *in_place = cache_text();
    cr_assert_eq(unlink(cache), 0);

    ds_facts *f = ds_facts_open(root);
    for (size_t i = 0; i < 3; i++)
        get(f, paths[i]);
    double ms = -1;
    cr_assert(ds_facts_save_finish(ds_facts_save_start(f), &ms));
    cr_assert_geq(ms, 0);
    char *background = cache_text();
    cr_assert_str_eq(background, in_place);

    /* Nothing changed: the file is left alone (same inode, same mtime). */
    struct stat before, after;
    cr_assert_eq(stat(cache, &before), 0);
    f = ds_facts_open(root);
    for (size_t i = 0; i < 3; i++)
        get(f, paths[i]);
    cr_assert_eq(ds_facts_reads(f), 0);
    cr_assert(ds_facts_save_finish(ds_facts_save_start(f), NULL));
    cr_assert_eq(stat(cache, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino);

    /* The cache's folder is a file: the save fails, and says so. */
    cr_assert_eq(unlink(cache), 0);
    char *dir = ds_asprintf("%s/%s", root, DS_FACTS_DIR);
    cr_assert_eq(rmdir(dir), 0);
    test_write(root, DS_FACTS_DIR, "not a folder\n");
    f = ds_facts_open(root);
    get(f, paths[0]);
    cr_assert_not(ds_facts_save_finish(ds_facts_save_start(f), NULL));
    cr_assert(ds_facts_save_finish(NULL, NULL), "no save at all counts as saved");
    free(dir);
    free(in_place);
    free(background);
    free_paths(paths, 3);
}
