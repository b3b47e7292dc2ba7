/* test_fs.c - whole-file reads, atomic writes (whole or in parts), comparing a file with bytes, mkdir -p, path
 * helpers. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* How many entries DIR holds. */
static int entries(const char *dir)
{
    char *cmd = ds_asprintf("exit $(ls -A '%s' | wc -l)", dir);
    int status = system(cmd);
    free(cmd);
    return WEXITSTATUS(status);
}

Test(fs, stream_in_parts_replaces_at_commit)
{
    char *dir = test_tmpdir();
    char *path = ds_path_join(dir, "f.txt");
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, "old", 3, &err), 0, "%s", err.msg);
    /* 3 MiB in parts of 1000 bytes: the old file stays until the commit. */
    ds_stream s;
    cr_assert_eq(ds_stream_open(&s, path, 0600, &err), 0, "%s", err.msg);
    char part[1000];
    size_t total = 3 << 20;
    for (size_t at = 0; at < total; at += sizeof part) {
        for (size_t k = 0; k < sizeof part; k++)
            part[k] = (char)('a' + (at + k) % 26);
        ds_stream_write(&s, part, at + sizeof part <= total ? sizeof part : total - at);
    }
    size_t len;
    char *text = ds_read_file(path, &len, &err);
    cr_assert_eq(len, 3);
    free(text);
    cr_assert_eq(entries(dir), 2); /* the file and its temporary */
    cr_assert_eq(ds_stream_commit(&s, true, &err), 0, "%s", err.msg);
    text = ds_read_file(path, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    cr_assert_eq(len, total);
    for (size_t k = 0; k < total; k++)
        cr_assert_eq(text[k], (char)('a' + k % 26), "byte %zu", k);
    free(text);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(entries(dir), 1);

    /* Given up: the file is as it was, no temporary left. */
    cr_assert_eq(ds_stream_open(&s, path, 0644, &err), 0, "%s", err.msg);
    ds_stream_write(&s, "new", 3);
    ds_stream_abort(&s);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq((size_t)st.st_size, total);
    cr_assert_eq(entries(dir), 1);
    free(path);
    test_rmtree(dir);
    free(dir);
}

Test(fs, stream_write_error_is_reported_at_commit)
{
    /* A file size limit makes write fail part-way (EFBIG): the commit
     * names the error, the old file stays, the temporary is removed. */
    char *dir = test_tmpdir();
    char *path = ds_path_join(dir, "f.txt");
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, "old", 3, &err), 0, "%s", err.msg);
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    struct rlimit before, lim = {4096, 4096};
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &before), 0);
    lim.rlim_max = before.rlim_max;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
    ds_stream s;
    cr_assert_eq(ds_stream_open(&s, path, 0644, &err), 0, "%s", err.msg);
    char part[3000];
    memset(part, 'x', sizeof part);
    ds_stream_write(&s, part, sizeof part);
    ds_stream_write(&s, part, sizeof part);
    int rc = ds_stream_commit(&s, false, &err);
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &before), 0);
    signal(SIGXFSZ, was);
    cr_assert_eq(rc, -1);
    cr_assert(strstr(err.msg, "cannot write") && strstr(err.msg, "too large"), "%s", err.msg);
    size_t len;
    char *text = ds_read_file(path, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    cr_assert_eq(len, 3);
    free(text);
    cr_assert_eq(entries(dir), 1);
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

/* What decides whether a published file is written again: its exact
 * bytes, read a block at a time (across the 1 MiB block edge here). */
Test(fs, file_holds_exact_bytes_only)
{
    char *dir = test_tmpdir();
    size_t len = (1 << 20) + 100;
    char *data = ds_xmalloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)('a' + i % 26);
    char *path = ds_path_join(dir, "f");
    ds_err err;
    cr_assert_eq(ds_write_atomic(path, data, len, &err), 0, "%s", err.msg);
    cr_assert(ds_file_holds(path, data, len));
    data[len - 1] ^= 1; /* past the first block */
    cr_assert(!ds_file_holds(path, data, len));
    data[len - 1] ^= 1;
    cr_assert(!ds_file_holds(path, data, len - 1), "shorter data");
    char *missing = ds_path_join(dir, "missing");
    cr_assert(!ds_file_holds(missing, data, len));
    char *link = ds_path_join(dir, "link");
    cr_assert_eq(symlink(path, link), 0);
    cr_assert(!ds_file_holds(link, data, len), "a symlink is not followed");
    free(link);
    free(missing);
    free(path);
    free(data);
    test_rmtree(dir);
    free(dir);
}
