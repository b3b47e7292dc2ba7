/* test_fs.c - whole-file reads, atomic writes, mkdir -p, path helpers. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "testutil.h"

Test(fs, write_atomic_then_read)
{
    char *dir = test_tmpdir();
    char *path = ds_path_join(dir, "f.txt");
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, "one", 3, &err), 0, "%s", err.msg);
    cr_assert_eq(ds_write_atomic(path, "two\0x", 5, &err), 0, "%s", err.msg);
    size_t len;
    char *text = ds_read_file(path, &len, &err);
    cr_assert_not_null(text);
    cr_assert_eq(len, 5);
    cr_assert_eq(memcmp(text, "two\0x", 5), 0);
    free(text);
    /* no temporary file is left behind */
    char *cmd = ds_asprintf("test $(ls '%s' | wc -l) -eq 1", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(path);
    test_rmtree(dir);
    free(dir);
}

Test(fs, read_missing_names_the_file)
{
    ds_err err;
    cr_assert_null(ds_read_file("/nonexistent/ds/x", NULL, &err));
    cr_assert(strstr(err.msg, "/nonexistent/ds/x") != NULL);
}

Test(fs, write_into_missing_dir_fails)
{
    ds_err err;
    cr_assert_eq(ds_write_atomic("/nonexistent/ds/x", "a", 1, &err), -1);
    cr_assert(strstr(err.msg, "cannot write") != NULL);
}

Test(fs, mkdir_p_nested_and_existing)
{
    char *dir = test_tmpdir();
    char *deep = ds_path_join(dir, "a/b/c");
    ds_err err;
    cr_assert_eq(ds_mkdir_p(deep, &err), 0, "%s", err.msg);
    cr_assert(ds_is_dir(deep));
    cr_assert_eq(ds_mkdir_p(deep, &err), 0, "existing directories are fine");
    test_write(dir, "file", "x");
    char *blocked = ds_path_join(dir, "file/sub");
    cr_assert_eq(ds_mkdir_p(blocked, &err), -1);
    free(blocked);
    free(deep);
    test_rmtree(dir);
    free(dir);
}

Test(fs, path_helpers)
{
    char *p = ds_path_join("a", "b");
    cr_assert_str_eq(p, "a/b");
    free(p);
    p = ds_path_join("a/", "b");
    cr_assert_str_eq(p, "a/b");
    free(p);
    p = ds_path_join("a", "/abs");
    cr_assert_str_eq(p, "/abs");
    free(p);
    p = ds_path_abs("/x/./y/../z//w/");
    cr_assert_str_eq(p, "/x/z/w");
    free(p);
    p = ds_path_abs("/..");
    cr_assert_str_eq(p, "/");
    free(p);
    p = ds_path_abs("rel");
    cr_assert(p[0] == '/' && ds_ends_with(p, "/rel"));
    free(p);
    p = ds_path_dirname("a/b/c");
    cr_assert_str_eq(p, "a/b");
    free(p);
    p = ds_path_dirname("c");
    cr_assert_str_eq(p, ".");
    free(p);
    p = ds_path_dirname("/c");
    cr_assert_str_eq(p, "/");
    free(p);
}
