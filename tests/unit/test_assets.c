/* test_assets.c - runtime assets: recursive copy into static/assets/, only
 * when content differs, .gz sidecars that decompress to the file, content
 * hashes, and where the runtime is looked for. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <zlib.h>

#include "site/assets.h"
#include "testutil.h"

static char *read_rel(const char *root, const char *rel, size_t *len)
{
    char *path = ds_path_join(root, rel);
    ds_err err;
    char *text = ds_read_file(path, len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

static bool exists_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    bool ok = ds_exists(path);
    free(path);
    return ok;
}

/* Inflates a gzip member. */
static char *gunzip(const char *data, size_t len, size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    cr_assert_eq(inflateInit2(&z, 31), Z_OK);
    size_t cap = 1 << 20;
    char *out = ds_xmalloc(cap);
    z.next_in = (Bytef *)data;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    cr_assert_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

static void set_old_mtime(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    struct timespec t[2] = {{1000000, 0}, {1000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0);
    free(path);
}

static long long mtime_of(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    free(path);
    return (long long)st.st_mtime;
}

/* ds_assets_copy into static/assets/, published at once. */
static int copy(const char *dist, const char *static_dir, int *copied, ds_err *err)
{
    ds_publish *pub = ds_publish_begin(static_dir, err);
    cr_assert_not_null(pub, "%s", err->msg);
    if (ds_assets_copy(dist, pub, "assets", copied, err) != 0) {
        ds_publish_abort(pub);
        return -1;
    }
    return ds_publish_commit(pub, err);
}

Test(assets, copy_gzip_and_skip_unchanged)
{
    char *root = test_tmpdir();
    test_write(root, "dist/ducksite.js", "console.log('hi');\n");
    test_write(root, "dist/ducksite.css", "body { margin: 0 }\n");
    test_write(root, "dist/duckdb/duckdb-eh.wasm", "\x01wasm-ish");
    test_write(root, "dist/duckdb/readme.txt", "not compressed");
    test_write(root, "dist/stale.js.gz", "ignored: we make our own");
    test_write(root, "dist/.hidden", "ignored");
    char *dist = ds_path_join(root, "dist");
    char *out = ds_path_join(root, "static");
    int copied = 0;
    ds_err err;
    cr_assert_eq(copy(dist, out, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 4);
    size_t len, zlen, plain_len;
    char *js = read_rel(root, "static/assets/ducksite.js", &len);
    cr_assert_str_eq(js, "console.log('hi');\n");
    char *z = read_rel(root, "static/assets/ducksite.js.gz", &zlen);
    cr_assert_eq((unsigned char)z[0], 0x1f); /* gzip magic */
    cr_assert_eq((unsigned char)z[1], 0x8b);
    char *plain = gunzip(z, zlen, &plain_len);
    cr_assert_eq(plain_len, len);
    cr_assert_eq(memcmp(plain, js, len), 0);
    free(plain);
    free(z);
    free(js);
    cr_assert(exists_rel(root, "static/assets/ducksite.css.gz"));
    cr_assert(exists_rel(root, "static/assets/duckdb/duckdb-eh.wasm.gz"));
    cr_assert(exists_rel(root, "static/assets/duckdb/readme.txt"));
    cr_assert_not(exists_rel(root, "static/assets/duckdb/readme.txt.gz"));
    cr_assert_not(exists_rel(root, "static/assets/stale.js.gz"));
    cr_assert_not(exists_rel(root, "static/assets/.hidden"));

    /* Unchanged files are left alone; a missing .gz is made again. */
    set_old_mtime(root, "static/assets/ducksite.js");
    set_old_mtime(root, "static/assets/ducksite.js.gz");
    char *gz = ds_path_join(root, "static/assets/ducksite.css.gz");
    cr_assert_eq(unlink(gz), 0);
    free(gz);
    copied = 0;
    cr_assert_eq(copy(dist, out, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 0);
    cr_assert_eq(mtime_of(root, "static/assets/ducksite.js"), 1000000);
    cr_assert_eq(mtime_of(root, "static/assets/ducksite.js.gz"), 1000000);
    cr_assert(exists_rel(root, "static/assets/ducksite.css.gz"));

    /* A changed file is copied with a new .gz. */
    test_write(root, "dist/ducksite.js", "console.log('v2');\n");
    cr_assert_eq(copy(dist, out, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 1);
    z = read_rel(root, "static/assets/ducksite.js.gz", &zlen);
    plain = gunzip(z, zlen, &plain_len);
    cr_assert_eq(memcmp(plain, "console.log('v2');\n", plain_len), 0);
    free(plain);
    free(z);

    cr_assert_eq(copy("/nonexistent/dist", out, &copied, &err), -1);
    free(out);
    free(dist);
    test_rmtree(root);
    free(root);
}

Test(assets, gzip_is_deterministic)
{
    size_t a_len, b_len;
    char *a = ds_gzip("same bytes", 10, &a_len);
    char *b = ds_gzip("same bytes", 10, &b_len);
    cr_assert_eq(a_len, b_len);
    cr_assert_eq(memcmp(a, b, a_len), 0);
    free(a);
    free(b);
    char *e = ds_gzip("", 0, &a_len);
    size_t n;
    char *plain = gunzip(e, a_len, &n);
    cr_assert_eq(n, 0);
    free(plain);
    free(e);
}

Test(assets, hash)
{
    char *root = test_tmpdir();
    test_write(root, "a.txt", "123456789");
    char *path = ds_path_join(root, "a.txt");
    char *h = ds_assets_hash(path);
    cr_assert_str_eq(h, "cbf43926"); /* the CRC-32 check value */
    free(h);
    free(path);
    h = ds_assets_hash("/nonexistent/file");
    cr_assert_str_eq(h, "0");
    free(h);
    test_rmtree(root);
    free(root);
}

Test(assets, dist_dir)
{
    setenv("DUCKSITE_WEB_DIST", "/somewhere/dist", 1);
    char *d = ds_assets_dist_dir();
    cr_assert_str_eq(d, "/somewhere/dist");
    free(d);
    setenv("DUCKSITE_WEB_DIST", "", 1);
    d = ds_assets_dist_dir();
    cr_assert_str_eq(d, DS_SOURCE_DIR "/web/dist");
    free(d);
    unsetenv("DUCKSITE_WEB_DIST");
}

/* The bundle's own sidecar (NAME.gz next to NAME in the runtime build, not
 * older than it) is copied, not made again; a stale one is not used. */
Test(assets, bundle_sidecars_are_reused_when_fresh)
{
    char *root = test_tmpdir();
    test_write(root, "dist/app.js", "console.log('a');\n");
    size_t zlen;
    char *made = ds_gzip("from the bundle", 15, &zlen);
    char *gz_path = ds_path_join(root, "dist/app.js.gz");
    ds_err err;
    cr_assert_eq(ds_write_atomic(gz_path, made, zlen, &err), 0, "%s", err.msg);
    char *dist = ds_path_join(root, "dist");
    char *out = ds_path_join(root, "static");
    int copied = 0;
    cr_assert_eq(copy(dist, out, &copied, &err), 0, "%s", err.msg);
    size_t got_len;
    char *got = read_rel(root, "static/assets/app.js.gz", &got_len);
    cr_assert_eq(got_len, zlen);
    cr_assert_eq(memcmp(got, made, zlen), 0, "the bundle's sidecar, as it is");
    free(got);

    /* The file changes and its sidecar is older: made from the file. */
    test_write(root, "dist/app.js", "console.log('b');\n");
    set_old_mtime(root, "dist/app.js.gz");
    cr_assert_eq(copy(dist, out, &copied, &err), 0, "%s", err.msg);
    got = read_rel(root, "static/assets/app.js.gz", &got_len);
    size_t plain_len;
    char *plain = gunzip(got, got_len, &plain_len);
    cr_assert_eq(plain_len, strlen("console.log('b');\n"));
    cr_assert_eq(memcmp(plain, "console.log('b');\n", plain_len), 0);
    free(plain);
    free(got);
    free(made);
    free(gz_path);
    free(out);
    free(dist);
    test_rmtree(root);
    free(root);
}

/* ds_assets_copy_stamped into static/assets/ with the stamp static/stamp.json. */
static int copy_stamped(const char *root, int *copied, ds_err *err)
{
    char *dist = ds_path_join(root, "dist");
    char *static_dir = ds_path_join(root, "static");
    ds_publish *pub = ds_publish_begin(static_dir, err);
    cr_assert_not_null(pub, "%s", err->msg);
    *copied = 0;
    int rc = ds_assets_copy_stamped(dist, pub, "assets", "stamp.json", copied, err);
    rc = rc == 0 ? ds_publish_commit(pub, err) : (ds_publish_abort(pub), -1);
    free(static_dir);
    free(dist);
    return rc;
}

/* Rewrites ROOT/REL in place with TEXT (same inode) and puts back its
 * mtime: only a byte comparison could tell it changed. */
static void rewrite_keeping_stat(const char *root, const char *rel, const char *text)
{
    char *path = ds_path_join(root, rel);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    FILE *f = fopen(path, "r+");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    struct timespec t[2] = {st.st_atim, st.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0);
    free(path);
}

Test(assets, stamp_keeps_unchanged_files_with_a_stat)
{
    char *root = test_tmpdir();
    test_write(root, "dist/ducksite.js", "console.log('one');\n");
    test_write(root, "dist/engine.wasm", "\x01wasm-one");
    int copied;
    ds_err err;
    cr_assert_eq(copy_stamped(root, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 2);
    cr_assert(exists_rel(root, "static/stamp.json"));

    /* Same size, mtime and inode: kept without being read (the byte
     * comparison would have copied it). */
    rewrite_keeping_stat(root, "dist/ducksite.js", "console.log('two');\n");
    cr_assert_eq(copy_stamped(root, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 0);
    size_t len;
    char *js = read_rel(root, "static/assets/ducksite.js", &len);
    cr_assert_str_eq(js, "console.log('one');\n");
    free(js);
    cr_assert(exists_rel(root, "static/assets/ducksite.js.gz"), "kept files stay outputs");

    /* A rebuilt runtime (a new file) is picked up. */
    test_write(root, "dist/ducksite.js", "console.log('three');\n");
    cr_assert_eq(copy_stamped(root, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 1);
    js = read_rel(root, "static/assets/ducksite.js", &len);
    cr_assert_str_eq(js, "console.log('three');\n");
    free(js);

    /* A copy changed by hand (a new mtime) is compared and put back, and
     * so is a missing .gz. */
    test_write(root, "static/assets/engine.wasm", "\x01wasm-two");
    char *gz = ds_path_join(root, "static/assets/ducksite.js.gz");
    cr_assert_eq(unlink(gz), 0);
    cr_assert_eq(copy_stamped(root, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 1);
    char *wasm = read_rel(root, "static/assets/engine.wasm", &len);
    cr_assert_str_eq(wasm, "\x01wasm-one");
    free(wasm);
    cr_assert(ds_exists(gz));
    free(gz);

    /* A stamp that is not JSON is no stamp. */
    test_write(root, "static/stamp.json", "{not json");
    cr_assert_eq(copy_stamped(root, &copied, &err), 0, "%s", err.msg);
    cr_assert_eq(copied, 0);
    free(root);
}
