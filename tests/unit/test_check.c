/* test_check.c - `ducksite check`'s report: one line per file source with
 * its defaults filled in, a summary line, nothing on an error. */
#include <criterion/criterion.h>

#include "site/check.h"
#include "testutil.h"

Test(check, describes_each_source)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml",
               "[[file_sources]]\nname = \"orders\"\npattern = \"data/*.parquet\"\n");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_check(dir, &report, &err), 0, "%s", err.msg);
    const char *text = ds_buf_str(&report);
    cr_assert(ds_starts_with(text, "file_sources[0] orders: pattern static/data/*.parquet, "
                                   "union_all_by_name, on_empty=warn\n"),
              "%s", text);
    cr_assert(ds_ends_with(text, "/ducksite.toml is valid: 1 file source, 0 dirs\n"), "%s", text);
    ds_buf_free(&report);
    test_rmtree(dir);
    free(dir);
}

Test(check, an_error_reports_nothing)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml", "[[file_sources]]\nnmae = \"orders\"\n");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_check(dir, &report, &err), -1);
    cr_assert(strstr(err.msg, "nmae") != NULL, "%s", err.msg);
    cr_assert_str_eq(ds_buf_str(&report), "");
    ds_buf_free(&report);
    test_rmtree(dir);
    free(dir);
}
