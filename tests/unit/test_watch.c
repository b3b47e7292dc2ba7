/* test_watch.c - what counts as a change to a project while serving,
 * including the upstream folders of glob sources. */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve/watch.h"
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

/* The base folder of an upstream_glob, recursively: Parquet files that are
 * written, moved in or deleted, and folders that appear or go. */
Test(watch, lake_files_and_folders)
{
    char *dir = test_tmpdir();
    char *toml = ds_asprintf("[[file_sources]]\nname = \"orders\"\n"
                             "upstream_glob = \"%s/lake/orders/**/*.parquet\"\n",
                             dir);
    test_write(dir, "ducksite.toml", toml);
    test_write(dir, "lake/orders/day=1/a.parquet", "PAR1");
    test_write(dir, "lake/other/x.parquet", "PAR1");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);

    char *c = change_after(w, dir, "lake/orders/day=1/a.parquet", "PAR1 changed");
    cr_assert(c && ds_ends_with(c, "/lake/orders/day=1/a.parquet"), "%s", c ? c : "(none)");
    free(c);
    c = change_after(w, dir, "lake/orders/day=1/b.parquet", "PAR1 new");
    cr_assert(c && ds_ends_with(c, "/lake/orders/day=1/b.parquet"), "%s", c ? c : "(none)");
    free(c);
    char *b = ds_asprintf("%s/lake/orders/day=1/b.parquet", dir);
    cr_assert_eq(unlink(b), 0);
    c = ds_watch_collect(w, 100);
    cr_assert(c && ds_ends_with(c, "/b.parquet"), "%s", c ? c : "(none)");
    free(c);
    char *folder = ds_asprintf("%s/lake/orders/day=2", dir);
    cr_assert_eq(mkdir(folder, 0755), 0);
    c = ds_watch_collect(w, 100);
    cr_assert(c && ds_ends_with(c, "/lake/orders/day=2"), "%s", c ? c : "(none)");
    free(c);

    /* not Parquet, not below the base */
    cr_assert_null(change_after(w, dir, "lake/orders/day=1/_SUCCESS", ""));
    cr_assert_null(change_after(w, dir, "lake/other/x.parquet", "PAR1 changed"));

    /* a file being written counts when it is closed, not when created */
    char *c_path = ds_asprintf("%s/lake/orders/day=1/c.parquet", dir);
    FILE *f = fopen(c_path, "wb");
    cr_assert_not_null(f);
    cr_assert_null(ds_watch_collect(w, 100));
    fputs("PAR1", f);
    fclose(f);
    c = ds_watch_collect(w, 100);
    cr_assert(c && ds_ends_with(c, "/c.parquet"), "%s", c ? c : "(none)");
    free(c);

    ds_watch_close(w);
    test_rmtree(dir);
    free(c_path);
    free(folder);
    free(b);
    free(toml);
    free(dir);
}

/* A glob whose base is the project itself: the build's outputs under
 * static/ still do not count. */
Test(watch, lake_around_the_project_skips_static)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml",
               "[[file_sources]]\nname = \"all\"\nupstream_glob = \"**/*.parquet\"\n");
    test_write(dir, "static/data/x.parquet", "PAR1");
    test_write(dir, "data/y.parquet", "PAR1");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);
    cr_assert_null(change_after(w, dir, "static/data/x.parquet", "PAR1 changed"));
    cr_assert_null(change_after(w, dir, "static/_results/0123456789abcdef.json", "{}"));
    char *c = change_after(w, dir, "data/y.parquet", "PAR1 changed");
    cr_assert(c && ds_ends_with(c, "/data/y.parquet"), "%s", c ? c : "(none)");
    free(c);
    ds_watch_close(w);
    test_rmtree(dir);
    free(dir);
}

/* Watch set-up over a lake of 3,000 folders (each with a few files): one
 * readdir and one watch per folder; the time is printed. */
Test(watch, lake_of_thousands_of_folders)
{
    char *dir = test_tmpdir();
    char *toml = ds_asprintf("[[file_sources]]\nname = \"big\"\n"
                             "upstream_glob = \"%s/lake/**/*.parquet\"\n",
                             dir);
    test_write(dir, "ducksite.toml", toml);
    for (int i = 0; i < 3000; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "lake/y=%d/m=%d/part-0.parquet", i / 30, i % 30);
        test_write(dir, rel, "PAR1");
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    cr_assert_not_null(w, "%s", err.msg);
    fprintf(stderr, "watching a lake of 3,100 folders: %.1f ms\n",
            (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    char *c = change_after(w, dir, "lake/y=99/m=29/part-1.parquet", "PAR1");
    cr_assert(c && ds_ends_with(c, "/lake/y=99/m=29/part-1.parquet"), "%s", c ? c : "(none)");
    free(c);
    ds_watch_close(w);
    test_rmtree(dir);
    free(toml);
    free(dir);
}

Test(watch, every_changed_path_once)
{
    char *dir = test_tmpdir();
    test_write(dir, "content/a.md", "# a\n");
    test_write(dir, "content/b.md", "# b\n");
    test_write(dir, "sources_sql/m.sql", "-- name: m\nSELECT 1\n");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);
    test_write(dir, "content/a.md", "# a changed\n");
    test_write(dir, "sources_sql/m.sql", "-- name: m\nSELECT 2\n");
    test_write(dir, "content/a.md", "# a changed again\n");
    test_write(dir, "content/.a.md.swp", "editor");
    char **paths;
    size_t n;
    char *first = ds_watch_collect_all(w, 100, &paths, &n);
    cr_assert_str_eq(first, "content/a.md");
    cr_assert_eq(n, 2, "%zu paths", n);
    cr_assert_str_eq(paths[0], "content/a.md");
    cr_assert_str_eq(paths[1], "sources_sql/m.sql");
    cr_assert_null(paths[2]);
    ds_watch_paths_free(paths, n);
    free(first);
    cr_assert_null(ds_watch_collect_all(w, 50, &paths, &n));
    cr_assert_eq(n, 0);
    ds_watch_close(w);
    test_rmtree(dir);
    free(dir);
}

/* How long the quiet after a change lasts: a fifth once a save has ended
 * (a file closed after writing), the whole of it while a file is only
 * created (an editor may still be writing it). */
Test(watch, quiet_is_short_once_a_save_ends)
{
    char *dir = test_tmpdir();
    test_write(dir, "content/a.md", "# a\n");
    ds_err err;
    ds_watch *w = ds_watch_open(dir, &err);
    cr_assert_not_null(w, "%s", err.msg);
    char **paths;
    size_t n;

    test_write(dir, "content/a.md", "# a saved\n");
    double t = ds_monotonic();
    char *first = ds_watch_collect_all(w, 1000, &paths, &n);
    double saved = ds_monotonic() - t;
    cr_assert_str_eq(first, "content/a.md");
    cr_assert(saved >= 0.19 && saved < 0.9, "a save counted after %.3f s", saved);
    ds_watch_paths_free(paths, n);
    free(first);

    char *path = ds_path_join(dir, "content/b.md");
    FILE *f = fopen(path, "w"); /* created, still open */
    cr_assert_not_null(f);
    t = ds_monotonic();
    first = ds_watch_collect_all(w, 1000, &paths, &n);
    double created = ds_monotonic() - t;
    cr_assert_str_eq(first, "content/b.md");
    cr_assert(created >= 0.99, "a file being written counted after %.3f s", created);
    ds_watch_paths_free(paths, n);
    free(first);
    fclose(f);
    free(path);
    ds_watch_close(w);
    test_rmtree(dir);
    free(dir);
}
