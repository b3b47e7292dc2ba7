/* test_pathnorm.c - the request path normaliser: what it decodes, what it
 * collapses, and every way of escaping static/ or naming a hidden file. */
#include <criterion/criterion.h>
#include <string.h>

#include "server/pathnorm.h"

static ds_pathnorm_result norm(const char *raw, char *out, bool *dir)
{
    return ds_pathnorm(raw, strlen(raw), out, 256, dir);
}

static void expect_ok(const char *raw, const char *want, bool want_dir)
{
    char out[256];
    bool dir;
    ds_pathnorm_result r = norm(raw, out, &dir);
    cr_assert_eq(r, DS_PATHNORM_OK, "%s: got %d", raw, r);
    cr_assert_str_eq(out, want, "%s", raw);
    cr_assert_eq(dir, want_dir, "%s: dir", raw);
}

static void expect(const char *raw, ds_pathnorm_result want)
{
    char out[256];
    bool dir;
    ds_pathnorm_result r = norm(raw, out, &dir);
    cr_assert_eq(r, want, "%s: expected %d, got %d (\"%s\")", raw, want, r, out);
}

Test(pathnorm, plain_paths)
{
    expect_ok("/", "", true);
    expect_ok("/index.html", "index.html", false);
    expect_ok("/data/x/a.parquet", "data/x/a.parquet", false);
    expect_ok("/docs/", "docs", true);
    expect_ok("/a.b.c", "a.b.c", false);
    expect_ok("/a./b", "a./b", false); /* a dot inside or at the end is fine */
    expect_ok("/x...", "x...", false);
}

Test(pathnorm, slashes_collapse)
{
    expect_ok("//a///b//", "a/b", true);
    expect_ok("///", "", true);
    expect_ok("/a//b", "a/b", false);
}

Test(pathnorm, query_and_fragment_are_not_path)
{
    expect_ok("/a.js?v=3", "a.js", false);
    expect_ok("/dir/?x=1", "dir", true);
    expect_ok("/a#frag", "a", false);
    expect_ok("/a%3Fb", "a?b", false); /* an encoded '?' is part of the name */
    expect_ok("/?../../etc/passwd", "", true);
}

Test(pathnorm, percent_decoding_once)
{
    expect_ok("/a%20b.html", "a b.html", false);
    expect_ok("/%61%62", "ab", false);
    expect_ok("/caf%C3%A9", "caf\xc3\xa9", false);
    expect_ok("/%252e%252e/x", "%2e%2e/x", false); /* decoded once: a harmless name */
    expect_ok("/%25", "%", false);
    expect_ok("/a+b", "a+b", false); /* '+' is not a space in paths */
}

Test(pathnorm, broken_escapes_are_bad_requests)
{
    expect("/%", DS_PATHNORM_BAD_REQUEST);
    expect("/%4", DS_PATHNORM_BAD_REQUEST);
    expect("/%zz", DS_PATHNORM_BAD_REQUEST);
    expect("/%g0", DS_PATHNORM_BAD_REQUEST);
    expect("/a%2", DS_PATHNORM_BAD_REQUEST);
}

Test(pathnorm, not_a_path_is_a_bad_request)
{
    expect("", DS_PATHNORM_BAD_REQUEST);
    expect("index.html", DS_PATHNORM_BAD_REQUEST);
    expect("*", DS_PATHNORM_BAD_REQUEST);
    expect("http://example.com/", DS_PATHNORM_BAD_REQUEST);
}

Test(pathnorm, dot_dot_in_every_spelling)
{
    expect("/..", DS_PATHNORM_NOT_FOUND);
    expect("/../etc/passwd", DS_PATHNORM_NOT_FOUND);
    expect("/a/../../etc/passwd", DS_PATHNORM_NOT_FOUND);
    expect("/a/..", DS_PATHNORM_NOT_FOUND);
    expect("/a/../b", DS_PATHNORM_NOT_FOUND); /* even when it would stay inside */
    expect("/%2e%2e/etc/passwd", DS_PATHNORM_NOT_FOUND);
    expect("/%2E%2E/x", DS_PATHNORM_NOT_FOUND);
    expect("/.%2e/x", DS_PATHNORM_NOT_FOUND);
    expect("/%2e./x", DS_PATHNORM_NOT_FOUND);
    expect("//../x", DS_PATHNORM_NOT_FOUND);
    expect("/./x", DS_PATHNORM_NOT_FOUND);
    expect("/.", DS_PATHNORM_NOT_FOUND);
    expect("/a/./b", DS_PATHNORM_NOT_FOUND);
}

Test(pathnorm, dot_files_and_dot_directories)
{
    expect("/.env", DS_PATHNORM_NOT_FOUND);
    expect("/.git/config", DS_PATHNORM_NOT_FOUND);
    expect("/a/.hidden", DS_PATHNORM_NOT_FOUND);
    expect("/a/.hidden/b.html", DS_PATHNORM_NOT_FOUND);
    expect("/%2egit/config", DS_PATHNORM_NOT_FOUND);
    expect("/a//.git", DS_PATHNORM_NOT_FOUND);
}

Test(pathnorm, encoded_slashes)
{
    expect("/a%2fb", DS_PATHNORM_NOT_FOUND);
    expect("/a%2Fb", DS_PATHNORM_NOT_FOUND);
    expect("/%2f", DS_PATHNORM_NOT_FOUND);
    expect("/..%2f..%2fetc/passwd", DS_PATHNORM_NOT_FOUND);
    expect("/%2e%2e%2f%2e%2e%2fetc%2fpasswd", DS_PATHNORM_NOT_FOUND);
}

Test(pathnorm, backslashes)
{
    expect("/a\\b", DS_PATHNORM_NOT_FOUND);
    expect("/..\\..\\etc\\passwd", DS_PATHNORM_NOT_FOUND);
    expect("/a%5cb", DS_PATHNORM_NOT_FOUND);
    expect("/a%5Cb", DS_PATHNORM_NOT_FOUND);
    expect("/%5c..%5c", DS_PATHNORM_NOT_FOUND);
}

Test(pathnorm, nul_and_control_bytes)
{
    expect("/a%00b", DS_PATHNORM_NOT_FOUND);
    expect("/index.html%00.txt", DS_PATHNORM_NOT_FOUND);
    expect("/%00", DS_PATHNORM_NOT_FOUND);
    expect("/a%0d%0aSet-Cookie:x", DS_PATHNORM_NOT_FOUND);
    expect("/a%09b", DS_PATHNORM_NOT_FOUND);
    expect("/a%7fb", DS_PATHNORM_NOT_FOUND);
    expect("/a\tb", DS_PATHNORM_NOT_FOUND);
    /* A raw NUL inside the given length is refused too (not a terminator). */
    char out[256];
    bool dir;
    cr_assert_eq(ds_pathnorm("/a\0b", 4, out, sizeof out, &dir), DS_PATHNORM_NOT_FOUND);
}

Test(pathnorm, length_limits)
{
    char raw[600], out[64], big[600];
    bool dir;
    raw[0] = '/';
    memset(raw + 1, 'a', 300);
    raw[301] = '\0';
    /* a 300-byte segment is longer than any file name can be */
    cr_assert_eq(ds_pathnorm(raw, strlen(raw), big, sizeof big, &dir), DS_PATHNORM_NOT_FOUND);
    /* output too small */
    cr_assert_eq(ds_pathnorm("/abcdefghijklmnopqrstuvwxyz/abcdefghijklmnopqrstuvwxyz/abcdefgh", 63,
                             out, 32, &dir),
                 DS_PATHNORM_NOT_FOUND);
    cr_assert_eq(ds_pathnorm("/abc", 4, out, 0, &dir), DS_PATHNORM_NOT_FOUND);
    /* exactly fitting */
    cr_assert_eq(ds_pathnorm("/abc", 4, out, 4, &dir), DS_PATHNORM_OK);
    cr_assert_str_eq(out, "abc");
    cr_assert_eq(ds_pathnorm("/abcd", 5, out, 4, &dir), DS_PATHNORM_NOT_FOUND);
    /* 255 is the longest name */
    memset(raw + 1, 'b', 255);
    raw[256] = '\0';
    cr_assert_eq(ds_pathnorm(raw, 256, out, sizeof out, &dir), DS_PATHNORM_NOT_FOUND);
    cr_assert_eq(ds_pathnorm(raw, 256, big, sizeof big, &dir), DS_PATHNORM_OK);
    cr_assert_eq(strlen(big), 255);
    /* a trailing slash needs no room */
    cr_assert_eq(ds_pathnorm("/abc/", 5, out, 4, &dir), DS_PATHNORM_OK);
    cr_assert(dir);
    cr_assert_eq(ds_pathnorm("/abc/d", 6, out, 5, &dir), DS_PATHNORM_NOT_FOUND);
    cr_assert_eq(ds_pathnorm("/abc/d", 6, out, 6, &dir), DS_PATHNORM_OK);
    cr_assert_str_eq(out, "abc/d");
}

Test(pathnorm, length_is_respected_without_nul)
{
    char out[64];
    bool dir;
    cr_assert_eq(ds_pathnorm("/abc/../x", 4, out, sizeof out, &dir), DS_PATHNORM_OK);
    cr_assert_str_eq(out, "abc");
}

Test(pathnorm, private_files)
{
    cr_assert(ds_pathnorm_is_private("data_map.json"));
    cr_assert(ds_pathnorm_is_private("data_map_meta.json"));
    cr_assert(ds_pathnorm_is_private("sub/data_map.json"));
    cr_assert(ds_pathnorm_is_private("data_map.json.gz"));
    cr_assert(ds_pathnorm_is_private("data_map.json.tmp.1234"));
    cr_assert(!ds_pathnorm_is_private("data/map.json"));
    cr_assert(!ds_pathnorm_is_private("my_data_map.json"));
    cr_assert(!ds_pathnorm_is_private("index.html"));
    cr_assert(!ds_pathnorm_is_private(""));
    /* the stored-results index (and its temporary files) */
    cr_assert(ds_pathnorm_is_private("_results/_index.json"));
    cr_assert(ds_pathnorm_is_private("_results/_index.json.tmp.99"));
    cr_assert(!ds_pathnorm_is_private("_results/0123456789abcdef.json"));
    cr_assert(!ds_pathnorm_is_private("docs/_index.json"));
}
