/* test_server_staticfs.c - confined opening under static/: files, a
 * directory, symlinks that stay inside (served) and ones that leave, or
 * point at hidden or private files (refused); with openat2 and with the
 * realpath fallback. */
#include <criterion/criterion.h>
#include <errno.h>
#include <unistd.h>

#include "server/staticfs.h"
#include "testutil.h"

typedef struct {
    char *root, *static_dir;
    ds_staticfs fs;
} fixture;

static void make(fixture *f)
{
    f->root = test_tmpdir();
    f->static_dir = ds_path_join(f->root, "static");
    test_write(f->root, "static/index.html", "<p>hi</p>");
    test_write(f->root, "static/sub/page.html", "page");
    test_write(f->root, "static/.secret", "s");
    test_write(f->root, "static/data_map.json", "{}");
    test_write(f->root, "outside.txt", "outside");
    char *p;
#define LINK(target, name)                                                                         \
    p = ds_path_join(f->root, name);                                                               \
    cr_assert_eq(symlink(target, p), 0, "%s", name);                                               \
    free(p)
    LINK("index.html", "static/link_inside.html");
    LINK("sub", "static/sublink");
    LINK("../outside.txt", "static/link_out.txt");
    LINK("/etc/passwd", "static/link_abs");
    LINK("..", "static/up");
    LINK(".secret", "static/link_secret");
    LINK("data_map.json", "static/link_map.txt");
    LINK("nowhere", "static/dangling");
#undef LINK
    ds_err err;
    cr_assert_eq(ds_staticfs_open(&f->fs, f->static_dir, &err), 0, "%s", err.msg);
}

static void destroy(fixture *f)
{
    ds_staticfs_close(&f->fs);
    test_rmtree(f->root);
    free(f->root);
    free(f->static_dir);
}

static void opens(fixture *f, const char *rel, bool dir)
{
    struct stat st;
    int fd = ds_staticfs_openat(&f->fs, rel, &st);
    cr_assert_geq(fd, 0, "%s: %s", rel, strerror(errno));
    cr_assert_eq(S_ISDIR(st.st_mode), dir, "%s", rel);
    close(fd);
}

static void refused(fixture *f, const char *rel)
{
    struct stat st;
    int fd = ds_staticfs_openat(&f->fs, rel, &st);
    cr_assert_lt(fd, 0, "%s was opened", rel);
}

static void check_all(fixture *f)
{
    opens(f, "index.html", false);
    opens(f, "sub/page.html", false);
    opens(f, "", true);
    opens(f, "sub", true);
    opens(f, "link_inside.html", false);
    opens(f, "sublink/page.html", false);
    refused(f, "missing.html");
    refused(f, "link_out.txt");
    refused(f, "link_abs");
    refused(f, "up/outside.txt");
    refused(f, "up");
    refused(f, "link_secret");
    refused(f, "link_map.txt");
    refused(f, "dangling");
    refused(f, "index.html/x");
}

Test(staticfs, with_openat2_when_available)
{
    fixture f;
    make(&f);
    check_all(&f);
    destroy(&f);
}

Test(staticfs, realpath_fallback)
{
    fixture f;
    make(&f);
    f.fs.use_openat2 = false;
    check_all(&f);
    destroy(&f);
}

Test(staticfs, missing_directory)
{
    ds_staticfs fs;
    ds_err err;
    cr_assert_neq(ds_staticfs_open(&fs, "/nonexistent/static", &err), 0);
    cr_assert(strstr(err.msg, "/nonexistent/static"), "%s", err.msg);
}
