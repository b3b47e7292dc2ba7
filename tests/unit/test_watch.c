/* test_watch.c - what counts as a change to a project while serving. */
#include <criterion/criterion.h>

#include "site/watch.h"
#include "testutil.h"

static char *change_after(ds_watch *w, const char *dir, const char *rel, const char *text)
{
    test_write(dir, rel, text);
    return ds_watch_collect(w, 100);
}

Test(watch, inputs_of_the_build_count)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml", "[[file_sources]]\nname = \"s\"\nplugin = \"plugins/p.py\"\n");
    test_write(dir, "content/index.md", "# hi\n");
    test_write(dir, "content/sub/page.md", "# sub\n");
    test_write(dir, "sources_sql/m.sql", "-- name: m\nSELECT 1\n");
    test_write(dir, "plugins/p.py", "x = 1\n");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);
    cr_assert(ds_watch_fd(w) >= 0);

    char *c = change_after(w, dir, "content/index.md", "# changed\n");
    cr_assert_str_eq(c, "content/index.md");
    free(c);
    c = change_after(w, dir, "content/sub/page.md", "# changed\n");
    cr_assert_str_eq(c, "content/sub/page.md");
    free(c);
    c = change_after(w, dir, "sources_sql/m.sql", "-- name: m\nSELECT 2\n");
    cr_assert_str_eq(c, "sources_sql/m.sql");
    free(c);
    c = change_after(w, dir, "ducksite.toml", "# edited\n");
    cr_assert_str_eq(c, "ducksite.toml");
    free(c);
    c = change_after(w, dir, "plugins/helpers.py", "y = 2\n");
    cr_assert(c && ds_ends_with(c, "plugins/helpers.py"), "%s", c ? c : "(none)");
    free(c);
    ds_watch_close(w);
    test_rmtree(dir);
    free(dir);
}

Test(watch, outputs_and_scratch_files_do_not)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml", "[[file_sources]]\nname = \"s\"\nplugin = \"plugins/p.py\"\n");
    test_write(dir, "content/index.md", "# hi\n");
    test_write(dir, "plugins/p.py", "x = 1\n");
    test_write(dir, "static/index.html", "<p>old</p>\n");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);
    cr_assert_null(change_after(w, dir, "static/index.html", "<p>new</p>\n"));
    cr_assert_null(change_after(w, dir, "plugins/cache.parquet", "data"));
    cr_assert_null(change_after(w, dir, "content/.index.md.swp", "swap"));
    cr_assert_null(change_after(w, dir, "notes.txt", "root-level file"));
    cr_assert_null(change_after(w, dir, "content/image.png", "png"));
    ds_watch_close(w);
    test_rmtree(dir);
    free(dir);
}
