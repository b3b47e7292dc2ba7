/* test_walk.c - the directory walker: sorted listings (a folder as
 * "name/"), entry types without following symlinks, hidden entries,
 * recursion and pruning, stopping, and directories it cannot open. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "util/walk.h"

/* A small tree: files, folders, a dot-file and a dot-folder, a folder that
 * sorts differently as "name/" ("a" < "a.txt" < "a/"), and symlinks to a
 * folder and a file. */
static char *make_tree(void)
{
    char *dir = test_tmpdir();
    test_write(dir, "b.txt", "b");
    test_write(dir, "a.txt", "a");
    test_write(dir, "a/x.md", "x");
    test_write(dir, "a/sub/y.md", "y");
    test_write(dir, "a-b", "");
    test_write(dir, ".hidden", "");
    test_write(dir, ".dot/z.md", "z");
    char *link_dir = ds_path_join(dir, "link");
    char *link_file = ds_path_join(dir, "c.lnk");
    cr_assert_eq(symlink("a", link_dir), 0);
    cr_assert_eq(symlink("b.txt", link_file), 0);
    free(link_file);
    free(link_dir);
    return dir;
}

static const char *type_name(ds_walk_type t)
{
    switch (t) {
    case DS_WALK_FILE:
        return "f";
    case DS_WALK_DIR:
        return "d";
    case DS_WALK_LINK:
        return "l";
    case DS_WALK_UNREADABLE:
        return "!";
    default:
        return "?";
    }
}

/* "name:type,..." for a listing. */
static char *listing(const char *dir, unsigned flags)
{
    ds_walk_listing l;
    cr_assert_eq(ds_walk_list(dir, flags, &l), 0);
    cr_assert_eq(l.error, 0);
    ds_buf b = {0};
    for (size_t i = 0; i < l.n; i++) {
        cr_assert_eq(strlen(l.items[i].name), l.items[i].len);
        ds_buf_printf(&b, "%s%s:%s", i ? "," : "", l.items[i].name, type_name(l.items[i].type));
    }
    ds_walk_list_free(&l);
    return ds_buf_take(&b);
}

Test(walk, list_is_sorted_with_types_and_no_dot_entries)
{
    char *dir = make_tree();
    char *got = listing(dir, 0);
    cr_assert_str_eq(got, ".dot:d,.hidden:f,a-b:f,a.txt:f,a:d,b.txt:f,c.lnk:l,link:l");
    free(got);
    got = listing(dir, DS_WALK_NO_HIDDEN);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,b.txt:f,c.lnk:l,link:l");
    free(got);
    test_rmtree(dir);
    free(dir);
}

Test(walk, list_fd_leaves_the_descriptor_open)
{
    char *dir = make_tree();
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    cr_assert(fd >= 0);
    ds_walk_listing l;
    cr_assert_eq(ds_walk_list_fd(fd, DS_WALK_NO_HIDDEN | DS_WALK_LAZY_TYPES, &l), 0);
    cr_assert_eq(l.n, 6);
    cr_assert_str_eq(l.items[0].name, "a-b");
    ds_walk_list_free(&l);
    cr_assert_eq(ds_walk_type_at(fd, "a"), DS_WALK_DIR);
    cr_assert_eq(ds_walk_type_at(fd, "link"), DS_WALK_LINK);
    cr_assert_eq(ds_walk_type_at(fd, "none"), DS_WALK_UNKNOWN);
    cr_assert_eq(close(fd), 0);
    test_rmtree(dir);
    free(dir);
}

Test(walk, list_of_a_missing_directory_fails_with_errno)
{
    ds_walk_listing l;
    errno = 0;
    cr_assert_eq(ds_walk_list("/nonexistent/ds-walk", 0, &l), -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(l.n, 0);
    ds_walk_list_free(&l);
}

typedef struct {
    ds_buf seen;
    const char *skip; /* rel of a folder not to enter */
    const char *stop; /* rel at which to stop */
    size_t top_len;
} record_ctx;

static int record(const ds_walk_item *it, void *arg)
{
    record_ctx *r = arg;
    if (it->type == DS_WALK_UNREADABLE) {
        ds_buf_printf(&r->seen, "%s%s:!:%d", r->seen.len ? "," : "", *it->rel ? it->rel : it->path,
                      it->error);
        return 0;
    }
    /* path is the top, '/', rel; name is path's last part */
    cr_assert_str_eq(it->path + r->top_len + 1, it->rel);
    cr_assert_str_eq(strrchr(it->path, '/') + 1, it->name);
    ds_buf_printf(&r->seen, "%s%s:%s", r->seen.len ? "," : "", it->rel, type_name(it->type));
    if (r->stop && strcmp(it->rel, r->stop) == 0)
        return -7;
    return r->skip && strcmp(it->rel, r->skip) == 0 ? DS_WALK_SKIP : 0;
}

static char *walk(const char *dir, unsigned flags, record_ctx *r, int want_rc)
{
    r->top_len = strlen(dir);
    cr_assert_eq(ds_walk(dir, flags, record, r), want_rc);
    return ds_buf_take(&r->seen);
}

Test(walk, recursion_yields_paths_in_order_and_never_follows_symlinks)
{
    char *dir = make_tree();
    record_ctx r = {0};
    char *got = walk(dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, &r, 0);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,a/sub:d,a/sub/y.md:f,a/x.md:f,b.txt:f,c.lnk:l,link:l");
    free(got);
    /* Hidden entries are walked too when asked for. */
    got = walk(dir, DS_WALK_RECURSE, &r, 0);
    cr_assert_str_eq(got, ".dot:d,.dot/z.md:f,.hidden:f,a-b:f,a.txt:f,a:d,a/sub:d,a/sub/y.md:f,"
                          "a/x.md:f,b.txt:f,c.lnk:l,link:l");
    free(got);
    test_rmtree(dir);
    free(dir);
}

Test(walk, without_recurse_only_the_top_and_skip_prunes)
{
    char *dir = make_tree();
    record_ctx r = {0};
    char *got = walk(dir, DS_WALK_NO_HIDDEN, &r, 0);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,b.txt:f,c.lnk:l,link:l");
    free(got);
    r.skip = "a/sub";
    got = walk(dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, &r, 0);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,a/sub:d,a/x.md:f,b.txt:f,c.lnk:l,link:l");
    free(got);
    test_rmtree(dir);
    free(dir);
}

Test(walk, a_negative_return_stops_the_walk)
{
    char *dir = make_tree();
    record_ctx r = {.stop = "a/sub/y.md"};
    char *got = walk(dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, &r, -7);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,a/sub:d,a/sub/y.md:f");
    free(got);
    test_rmtree(dir);
    free(dir);
}

Test(walk, a_missing_top_fails_or_is_reported)
{
    record_ctx r = {0};
    errno = 0;
    cr_assert_eq(ds_walk("/nonexistent/ds-walk", DS_WALK_RECURSE, record, &r), -1);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(r.seen.len, 0);
    /* With DS_WALK_ERRORS the callback hears of it: the path and errno. */
    char *got = walk("/nonexistent/ds-walk", DS_WALK_RECURSE | DS_WALK_ERRORS, &r, 0);
    cr_assert_str_eq(got, "/nonexistent/ds-walk:!:2");
    free(got);
}

Test(walk, an_unreadable_folder_is_skipped_or_reported)
{
    if (geteuid() == 0)
        cr_skip_test("root can read any directory");
    char *dir = make_tree();
    char *sub = ds_path_join(dir, "a/sub");
    cr_assert_eq(chmod(sub, 0), 0);
    record_ctx r = {0};
    char *got = walk(dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, &r, 0);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,a/sub:d,a/x.md:f,b.txt:f,c.lnk:l,link:l");
    free(got);
    got = walk(dir, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN | DS_WALK_ERRORS, &r, 0);
    cr_assert_str_eq(got, "a-b:f,a.txt:f,a:d,a/sub:d,a/sub:!:13,a/x.md:f,b.txt:f,c.lnk:l,link:l");
    free(got);
    cr_assert_eq(chmod(sub, 0755), 0);
    free(sub);
    test_rmtree(dir);
    free(dir);
}
