/* test_glob.c - upstream_glob expansion: segment matching, `**`, the base
 * directory and rel paths, symlinks, dot-files, sorting, duplicates, and
 * the quiet cases (missing base, non-regular files). */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datamap/glob.h"
#include "testutil.h"

/* Scans and returns the rel paths joined with ',' (caller frees), after
 * checking what every result must satisfy: abs == base + "/" + rel, sorted
 * strictly (so also no duplicates), every abs a regular file. */
static char *scan_rels_base(const char *pattern, const char *root, char **base_out)
{
    ds_glob_result r;
    ds_err err;
    cr_assert_eq(ds_glob_scan(pattern, root, &r, &err), 0, "%s: %s", pattern, err.msg);
    ds_buf out = {0};
    for (size_t i = 0; i < r.len; i++) {
        char *want = ds_path_join(r.base, r.items[i].rel);
        cr_assert_str_eq(r.items[i].abs, want);
        free(want);
        cr_assert(ds_is_file(r.items[i].abs), "%s is not a file", r.items[i].abs);
        if (i > 0)
            cr_assert(strcmp(r.items[i - 1].rel, r.items[i].rel) < 0, "not sorted/unique: %s, %s",
                      r.items[i - 1].rel, r.items[i].rel);
        if (i > 0)
            ds_buf_putc(&out, ',');
        ds_buf_puts(&out, r.items[i].rel);
    }
    if (base_out)
        *base_out = ds_strdup(r.base);
    ds_glob_result_free(&r);
    return ds_buf_take(&out);
}

static char *scan_rels(const char *pattern, const char *root)
{
    return scan_rels_base(pattern, root, NULL);
}

#define assert_scan(pattern, root, expected)                                                       \
    do {                                                                                           \
        char *got_ = scan_rels(pattern, root);                                                     \
        cr_assert_str_eq(got_, expected, "pattern %s", pattern);                                   \
        free(got_);                                                                                \
    } while (0)

static void make_symlink(const char *dir, const char *target, const char *rel)
{
    char *path = ds_path_join(dir, rel);
    cr_assert_eq(symlink(target, path), 0, "symlink %s", path);
    free(path);
}

/* ---- segment matching --------------------------------------------------- */

/* Whole keys, as hierarchy levels match them. */
Test(glob, path_match)
{
    cr_assert(ds_glob_match_path("data/o/*.parquet", "data/o/a.parquet"));
    cr_assert_not(ds_glob_match_path("data/o/*.parquet", "data/o/2024/a.parquet"));
    cr_assert_not(ds_glob_match_path("data/*", "data/o/a.parquet"));
    cr_assert(ds_glob_match_path("data/o/**/*.parquet", "data/o/a.parquet"));
    cr_assert(ds_glob_match_path("data/o/**/*.parquet", "data/o/y=1/m=2/a.parquet"));
    cr_assert(ds_glob_match_path("data/o/**", "data/o/y=1/a.parquet"));
    cr_assert(ds_glob_match_path("data/o/year=202[34]/?.parquet", "data/o/year=2023/a.parquet"));
    cr_assert_not(
        ds_glob_match_path("data/o/year=202[34]/?.parquet", "data/o/year=2022/a.parquet"));
    cr_assert_not(ds_glob_match_path("data/o/a.parquet", "data/o/a.parquet/x"));
    cr_assert_not(ds_glob_match_path("data/o/x/a.parquet", "data/o/a.parquet"));
    cr_assert_not(ds_glob_match_path("data/o/**/b.parquet", "data/o/y/a.parquet"));
}

Test(glob, segment_star)
{
    cr_assert(ds_glob_match_segment("*.parquet", "a.parquet"));
    cr_assert(ds_glob_match_segment("*.parquet", ".parquet"));
    cr_assert_not(ds_glob_match_segment("*.parquet", "a.parque"));
    cr_assert_not(ds_glob_match_segment("*.parquet", "a.parquet.tmp"));
    cr_assert(ds_glob_match_segment("*", ".hidden"));
    cr_assert(ds_glob_match_segment("*", ""));
    cr_assert(ds_glob_match_segment("**", "abc"));
    cr_assert(ds_glob_match_segment("a*b*c", "abc"));
    cr_assert(ds_glob_match_segment("a*b*c", "axxbyybc"));
    cr_assert_not(ds_glob_match_segment("a*b*c", "axxbyy"));
    cr_assert(ds_glob_match_segment("*a*b", "aaab"), "needs backtracking");
    cr_assert(ds_glob_match_segment("*ab", "aab"));
    cr_assert(ds_glob_match_segment("part-*", "part-"));
    cr_assert(ds_glob_match_segment("", ""));
    cr_assert_not(ds_glob_match_segment("", "a"));
    cr_assert_not(ds_glob_match_segment("abc", "ab"));
    cr_assert_not(ds_glob_match_segment("ab", "abc"));
}

Test(glob, segment_question_mark)
{
    cr_assert(ds_glob_match_segment("part-?.parquet", "part-1.parquet"));
    cr_assert_not(ds_glob_match_segment("part-?.parquet", "part-12.parquet"));
    cr_assert_not(ds_glob_match_segment("part-?.parquet", "part-.parquet"));
    cr_assert_not(ds_glob_match_segment("?", ""));
    cr_assert(ds_glob_match_segment("??*", "ab"));
    cr_assert_not(ds_glob_match_segment("??*", "a"));
}

Test(glob, segment_sets_and_ranges)
{
    cr_assert(ds_glob_match_segment("[abc]", "b"));
    cr_assert_not(ds_glob_match_segment("[abc]", "d"));
    cr_assert_not(ds_glob_match_segment("[abc]", "ab"));
    cr_assert(ds_glob_match_segment("month=0[1-9]", "month=07"));
    cr_assert_not(ds_glob_match_segment("month=0[1-9]", "month=00"));
    cr_assert(ds_glob_match_segment("[a-cx-z]", "y"));
    cr_assert_not(ds_glob_match_segment("[a-cx-z]", "m"));
    cr_assert(ds_glob_match_segment("[a-]", "-"), "a trailing '-' is literal");
    cr_assert(ds_glob_match_segment("[]]", "]"), "a leading ']' is a member");
    cr_assert(ds_glob_match_segment("[]a]x", "ax"));
    cr_assert(ds_glob_match_segment("*[0-9].parquet", "part-7.parquet"));
}

Test(glob, segment_negated_sets)
{
    cr_assert(ds_glob_match_segment("[!abc]", "d"));
    cr_assert_not(ds_glob_match_segment("[!abc]", "a"));
    cr_assert(ds_glob_match_segment("[^0-9]x", "ax"));
    cr_assert_not(ds_glob_match_segment("[^0-9]x", "5x"));
    cr_assert(ds_glob_match_segment("[!]]", "a"));
    cr_assert_not(ds_glob_match_segment("[!]]", "]"));
    cr_assert_not(ds_glob_match_segment("[!a]", ""), "a set needs one character");
}

Test(glob, segment_unclosed_bracket_is_literal)
{
    cr_assert(ds_glob_match_segment("a[b", "a[b"));
    cr_assert_not(ds_glob_match_segment("a[b", "ab"));
    cr_assert(ds_glob_match_segment("[", "["));
    cr_assert(ds_glob_match_segment("*[", "x["));
    cr_assert(ds_glob_match_segment("[!", "[!"));
    cr_assert(ds_glob_match_segment("[a-", "[a-"));
    cr_assert_not(ds_glob_match_segment("[a-", "a"));
}

/* ---- scanning ----------------------------------------------------------- */

Test(glob, base_and_rel_paths)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/orders/year=2024/part-0.parquet", "");
    test_write(dir, "lake/orders/year=2023/sub/part-1.parquet", "");
    test_write(dir, "lake/orders/top.parquet", "");
    test_write(dir, "lake/orders/notes.txt", "");
    test_write(dir, "lake/other/x.parquet", "");

    char *base = NULL;
    char *got = scan_rels_base("lake/orders/**/*.parquet", dir, &base);
    cr_assert_str_eq(got, "top.parquet,year=2023/sub/part-1.parquet,year=2024/part-0.parquet");
    char *want_base = ds_path_join(dir, "lake/orders");
    cr_assert_str_eq(base, want_base);
    free(want_base);
    free(base);
    free(got);

    /* The base stops at the first wildcard segment. */
    got = scan_rels_base("lake/*/top.parquet", dir, &base);
    cr_assert_str_eq(got, "orders/top.parquet");
    want_base = ds_path_join(dir, "lake");
    cr_assert_str_eq(base, want_base);
    free(want_base);
    free(base);
    free(got);

    /* A literal middle segment after a wildcard. */
    assert_scan("lake/*/year=2024/*.parquet", dir, "orders/year=2024/part-0.parquet");

    test_rmtree(dir);
    free(dir);
}

Test(glob, globstar_zero_and_many_levels)
{
    char *dir = test_tmpdir();
    test_write(dir, "a/x.parquet", "");
    test_write(dir, "a/b/c/x.parquet", "");
    test_write(dir, "a/b/y.csv", "");
    test_write(dir, "a/c/1.parquet", "");
    test_write(dir, "a/b/c/d/c/3.parquet", "");

    assert_scan("a/**/*.parquet", dir, "b/c/d/c/3.parquet,b/c/x.parquet,c/1.parquet,x.parquet");
    assert_scan("a/**/x.parquet", dir, "b/c/x.parquet,x.parquet");
    assert_scan("a/**/c/*.parquet", dir, "b/c/d/c/3.parquet,b/c/x.parquet,c/1.parquet");
    assert_scan("a/**/c/**/*.parquet", dir, "b/c/d/c/3.parquet,b/c/x.parquet,c/1.parquet");
    assert_scan("a/*/*.parquet", dir, "c/1.parquet");
    assert_scan("**/y.csv", dir, "a/b/y.csv");

    /* A trailing `**` takes every file below, at any depth. */
    assert_scan("a/**", dir, "b/c/d/c/3.parquet,b/c/x.parquet,b/y.csv,c/1.parquet,x.parquet");
    assert_scan("a/b/**", dir, "c/d/c/3.parquet,c/x.parquet,y.csv");

    test_rmtree(dir);
    free(dir);
}

Test(glob, no_duplicates)
{
    char *dir = test_tmpdir();
    test_write(dir, "a/x", "");
    test_write(dir, "a/b/x", "");
    test_write(dir, "a/b/b/x", "");
    test_write(dir, "a/b/b/b/x", "");

    assert_scan("a/**/**/x", dir, "b/b/b/x,b/b/x,b/x,x");
    /* Several ways to place the `b`: still one result per file. */
    assert_scan("a/**/b/**/x", dir, "b/b/b/x,b/b/x,b/x");
    assert_scan("a/**/b/**/b/**", dir, "b/b/b/x,b/b/x");
    assert_scan("a/**/*/**/x", dir, "b/b/b/x,b/b/x,b/x");

    test_rmtree(dir);
    free(dir);
}

Test(glob, relative_and_absolute_patterns)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/a.parquet", "");
    test_write(dir, "lake/b.parquet", "");
    test_write(dir, "proj/ducksite.toml", "");

    assert_scan("lake/*.parquet", dir, "a.parquet,b.parquet");
    assert_scan("./lake//*.parquet", dir, "a.parquet,b.parquet");

    /* An absolute pattern ignores the root. */
    char *abs_pattern = ds_path_join(dir, "lake/*.parquet");
    assert_scan(abs_pattern, "/nonexistent/root", "a.parquet,b.parquet");
    free(abs_pattern);

    /* ".." before the first wildcard is folded into the base. */
    char *proj = ds_path_join(dir, "proj");
    char *base = NULL;
    char *got = scan_rels_base("../lake/*.parquet", proj, &base);
    cr_assert_str_eq(got, "a.parquet,b.parquet");
    char *want_base = ds_path_join(dir, "lake");
    cr_assert_str_eq(base, want_base);
    free(want_base);
    free(base);
    free(got);
    free(proj);

    test_rmtree(dir);
    free(dir);
}

Test(glob, literal_last_segment_must_be_a_file)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/x.parquet", "");
    test_write(dir, "lake/sub.parquet/y.parquet", "");

    char *base = NULL;
    char *got = scan_rels_base("lake/x.parquet", dir, &base);
    cr_assert_str_eq(got, "x.parquet");
    char *want_base = ds_path_join(dir, "lake");
    cr_assert_str_eq(base, want_base);
    free(want_base);
    free(base);
    free(got);

    assert_scan("lake/missing.parquet", dir, "");
    assert_scan("lake/sub.parquet", dir, "");
    assert_scan("*/x.parquet", dir, "lake/x.parquet");

    test_rmtree(dir);
    free(dir);
}

Test(glob, symlinked_directories_are_not_followed)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/real/a.parquet", "");
    test_write(dir, "elsewhere/b.parquet", "");
    make_symlink(dir, "real", "lake/link");
    make_symlink(dir, "../elsewhere", "lake/outside");

    assert_scan("lake/**/*.parquet", dir, "real/a.parquet");
    assert_scan("lake/*/*.parquet", dir, "real/a.parquet");
    assert_scan("lake/**", dir, "real/a.parquet");
    assert_scan("lake/*", dir, "");
    assert_scan("lake/*/a.parquet", dir, "real/a.parquet");

    /* The base itself is the user's own path: a symlink there is fine. */
    assert_scan("lake/link/*.parquet", dir, "a.parquet");

    test_rmtree(dir);
    free(dir);
}

Test(glob, symlinked_files_are_included)
{
    char *dir = test_tmpdir();
    test_write(dir, "elsewhere/real.parquet", "");
    test_write(dir, "lake/plain.parquet", "");
    make_symlink(dir, "../elsewhere/real.parquet", "lake/linked.parquet");
    make_symlink(dir, "missing.parquet", "lake/dangling.parquet");
    make_symlink(dir, "loop.parquet", "lake/loop.parquet");

    assert_scan("lake/*.parquet", dir, "linked.parquet,plain.parquet");
    assert_scan("lake/linked.parquet", dir, "linked.parquet");
    assert_scan("lake/dangling.parquet", dir, "");

    /* abs is the link's own path, not its target. */
    ds_glob_result r;
    ds_err err;
    cr_assert_eq(ds_glob_scan("lake/linked.parquet", dir, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.len, 1);
    cr_assert(ds_ends_with(r.items[0].abs, "/lake/linked.parquet"));
    ds_glob_result_free(&r);

    test_rmtree(dir);
    free(dir);
}

Test(glob, dot_files_match_like_any_name)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/.hidden.parquet", "");
    test_write(dir, "lake/.dir/x.parquet", "");
    test_write(dir, "lake/v.parquet", "");

    assert_scan("lake/**/*.parquet", dir, ".dir/x.parquet,.hidden.parquet,v.parquet");
    assert_scan("lake/?hidden.parquet", dir, ".hidden.parquet");
    assert_scan("lake/*", dir, ".hidden.parquet,v.parquet");

    test_rmtree(dir);
    free(dir);
}

Test(glob, sorted_bytewise_by_rel)
{
    char *dir = test_tmpdir();
    /* Written out of order; '-' < '.' < '/' < 'B' < 'a' bytewise, so a
     * directory's files do not simply come before or after its siblings. */
    test_write(dir, "d/a/b", "");
    test_write(dir, "d/a.x", "");
    test_write(dir, "d/a-b", "");
    test_write(dir, "d/B", "");
    test_write(dir, "d/a/a", "");
    test_write(dir, "d/a0", "");

    assert_scan("d/**", dir, "B,a-b,a.x,a/a,a/b,a0");

    /* Many files: the helper checks strict order and abs == base/rel. */
    for (int i = 0; i < 300; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "m/k%d/f%d.parquet", (i * 37) % 11, (i * 101) % 300);
        test_write(dir, rel, "");
    }
    char *got = scan_rels("m/**/*.parquet", dir);
    size_t commas = 0;
    for (const char *s = got; *s; s++)
        commas += (*s == ',');
    cr_assert_eq(commas + 1, 300);
    free(got);

    test_rmtree(dir);
    free(dir);
}

Test(glob, missing_base_is_empty_not_an_error)
{
    char *dir = test_tmpdir();
    ds_glob_result r;
    ds_err err;
    cr_assert_eq(ds_glob_scan("nope/**/*.parquet", dir, &r, &err), 0, "%s", err.msg);
    cr_assert_eq(r.len, 0);
    char *want_base = ds_path_join(dir, "nope");
    cr_assert_str_eq(r.base, want_base);
    free(want_base);
    ds_glob_result_free(&r);

    /* A base that is a file is just as empty. */
    test_write(dir, "file", "");
    assert_scan("file/*.parquet", dir, "");

    test_rmtree(dir);
    free(dir);
}

Test(glob, non_regular_files_are_ignored)
{
    char *dir = test_tmpdir();
    test_write(dir, "lake/a.parquet", "");
    test_write(dir, "lake/d.parquet/inner.parquet", "");
    char *fifo = ds_path_join(dir, "lake/p.parquet");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    free(fifo);

    assert_scan("lake/*.parquet", dir, "a.parquet");
    assert_scan("lake/p.parquet", dir, "");
    assert_scan("lake/**/*.parquet", dir, "a.parquet,d.parquet/inner.parquet");

    test_rmtree(dir);
    free(dir);
}

Test(glob, unreadable_directories_are_skipped)
{
    if (geteuid() == 0)
        cr_skip_test("root can read any directory");
    char *dir = test_tmpdir();
    test_write(dir, "lake/ok/a.parquet", "");
    test_write(dir, "lake/locked/b.parquet", "");
    char *locked = ds_path_join(dir, "lake/locked");
    cr_assert_eq(chmod(locked, 0), 0);

    assert_scan("lake/**/*.parquet", dir, "ok/a.parquet");

    cr_assert_eq(chmod(locked, 0755), 0);
    free(locked);
    test_rmtree(dir);
    free(dir);
}

Test(glob, pattern_errors)
{
    ds_glob_result r;
    ds_err err;
    cr_assert_eq(ds_glob_scan("", "/tmp", &r, &err), -1);
    cr_assert(strstr(err.msg, "names no file") != NULL, "%s", err.msg);
    ds_glob_result_free(&r);

    cr_assert_eq(ds_glob_scan("a/*/../b", "/tmp", &r, &err), -1);
    cr_assert(strstr(err.msg, "..") != NULL, "%s", err.msg);
    ds_glob_result_free(&r);
}

/* ds_glob_base: the folder ds_glob_scan walks, without walking it. */
Test(glob, base_without_scanning)
{
    ds_err err;
    char *b = ds_glob_base("/srv/lake/orders/**/*.parquet", "/proj", &err);
    cr_assert_str_eq(b, "/srv/lake/orders");
    free(b);
    b = ds_glob_base("lake/./orders/year=*/x.parquet", "/proj", &err);
    cr_assert_str_eq(b, "/proj/lake/orders");
    free(b);
    b = ds_glob_base("/srv/lake/a.parquet", "/proj", &err);
    cr_assert_str_eq(b, "/srv/lake");
    free(b);
    cr_assert_null(ds_glob_base("/srv/*/../x.parquet", "/proj", &err));
    cr_assert(strstr(err.msg, ".."), "%s", err.msg);
    cr_assert_null(ds_glob_base("", "/proj", &err));
}
