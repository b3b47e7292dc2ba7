/* test_util.c - buffers, string helpers, errors, edit distance, CPU count. */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "util/util.h"

Test(util, buf_grows_and_takes)
{
    ds_buf b = {0};
    cr_assert_str_eq(ds_buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        ds_buf_printf(&b, "%d,", i);
    cr_assert(ds_starts_with(ds_buf_str(&b), "0,1,2,"));
    cr_assert(ds_ends_with(ds_buf_str(&b), "998,999,"));
    ds_buf_putc(&b, 'x');
    ds_buf_add(&b, "yz", 2);
    char *s = ds_buf_take(&b);
    cr_assert(ds_ends_with(s, "999,xyz"));
    cr_assert_null(b.data);
    free(s);
}

Test(util, buf_holds_nul_bytes)
{
    ds_buf b = {0};
    ds_buf_add(&b, "a\0b", 3);
    cr_assert_eq(b.len, 3);
    cr_assert_eq(b.data[1], '\0');
    ds_buf_free(&b);
}

Test(util, strings)
{
    char *s = ds_asprintf("%s-%d", "a", 7);
    cr_assert_str_eq(s, "a-7");
    free(s);
    cr_assert_null(ds_strdup(NULL));
    char *n = ds_strndup("abcdef", 3);
    cr_assert_str_eq(n, "abc");
    free(n);
    cr_assert(ds_starts_with("data/x", "data/"));
    cr_assert(!ds_starts_with("dat", "data/"));
    cr_assert(ds_ends_with("a.parquet", ".parquet"));
    cr_assert(!ds_ends_with("parquet", "a.parquet"));
}

Test(util, err_set_returns_minus_one_and_truncates)
{
    ds_err err;
    cr_assert_eq(ds_err_set(&err, "x=%d", 3), -1);
    cr_assert_str_eq(err.msg, "x=3");
    char big[6000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ds_err_set(&err, "%s", big);
    cr_assert_eq(strlen(err.msg), sizeof err.msg - 1);
    cr_assert_eq(ds_err_set(NULL, "ignored"), -1);
}

Test(util, edit_distance)
{
    cr_assert_eq(ds_edit_distance("upstream_glob", "upstream_glob"), 0);
    cr_assert_eq(ds_edit_distance("upstream_glb", "upstream_glob"), 1);
    cr_assert_eq(ds_edit_distance("", "abc"), 3);
    cr_assert_eq(ds_edit_distance("kitten", "sitting"), 3);
    /* A swap of neighbours is one step. */
    cr_assert_eq(ds_edit_distance("vaule", "value"), 1);
    cr_assert_eq(ds_edit_distance("ab", "ba"), 1);
    cr_assert_eq(ds_edit_distance("abc", ""), 3);
    const char *const kinds[] = {"sql", "echart", "table", "input", "value", "kpi"};
    cr_assert_str_eq(ds_suggest("vaule", kinds, 6), "value");
}

Test(util, suggest)
{
    static const char *const known[] = {"type", "title", "data_query", "page_size"};
    cr_assert_str_eq(ds_suggest("tpye", known, 4), "type");
    cr_assert_str_eq(ds_suggest("data_qeury", known, 4), "data_query");
    cr_assert_str_eq(ds_suggest("page_sise", known, 4), "page_size");
    cr_assert_null(ds_suggest("colour", known, 4));
    cr_assert_null(ds_suggest("x", known, 0));
}

/* Errors, warnings and progress lines share one prefix, so a user (and the
 * CLI scenario tests) can tell them apart on stderr. */
Test(util, messages_have_their_prefix, .init = cr_redirect_stderr)
{
    ds_error("%s:%d: bad", "a.toml", 3);
    ds_warn("careful");
    ds_info("rebuilding");
    fflush(stderr);
    cr_assert_stderr_eq_str("ducksite: error: a.toml:3: bad\n"
                            "ducksite: warning: careful\n"
                            "ducksite: rebuilding\n");
}

/* The CPUs counted are those the process may run on: one when pinned
 * to one (taskset, a container's cpuset). */
Test(util, cpu_count_follows_affinity)
{
    cpu_set_t all, one;
    cr_assert_eq(sched_getaffinity(0, sizeof all, &all), 0);
    cr_assert_eq(ds_cpu_count(), (unsigned)CPU_COUNT(&all));
    int first = 0;
    while (!CPU_ISSET(first, &all))
        first++;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    cr_assert_eq(sched_setaffinity(0, sizeof one, &one), 0);
    unsigned pinned = ds_cpu_count();
    sched_setaffinity(0, sizeof all, &all);
    cr_assert_eq(pinned, 1);
}
