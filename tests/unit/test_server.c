/* test_server.c - the server as a library: the cache policy, start-up
 * errors (nothing built, port in use, bad host, bad map), and one request
 * over a real socket.  tests/server/test_serve.py covers HTTP in depth. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/server.h"
#include "testutil.h"

#define IMMUTABLE "public, max-age=31536000, immutable"

Test(server, cache_policy)
{
    /* data: always revalidated */
    cr_assert_str_eq(ds_server_cache_control("data/x/a.parquet", true, false), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("data/x/a.parquet", true, true), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("data/a.3f9a1c2e.parquet", false, true), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("t.csv", false, false), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("sql/_manifest.json", false, true), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("x.js", true, false), "no-cache");
    /* HTML: short-lived, whatever the URL says */
    cr_assert_str_eq(ds_server_cache_control("index.html", false, true), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("page.3f9a1c2e.html", false, false), "no-cache");
    /* versioned assets: immutable */
    cr_assert_str_eq(ds_server_cache_control("app.js", false, true), IMMUTABLE);
    cr_assert_str_eq(ds_server_cache_control("app.3f9a1c2e.js", false, false), IMMUTABLE);
    /* stored results are revalidated, even a sidecar asked for by name */
    cr_assert_str_eq(ds_server_cache_control("_results/0123456789abcdef.json", false, true),
                     "no-cache");
    cr_assert_str_eq(ds_server_cache_control("_results/0123456789abcdef.json.gz", false, true),
                     "no-cache");
    cr_assert_str_eq(ds_server_cache_control("duckdb-eh-0123abcd.wasm", false, false), IMMUTABLE);
    /* unversioned assets: revalidated */
    cr_assert_str_eq(ds_server_cache_control("app.js", false, false), "no-cache");
    cr_assert_str_eq(ds_server_cache_control("duckdb-eh.wasm", false, false), "no-cache");
}

Test(server, nothing_built_yet)
{
    char *dir = test_tmpdir();
    ds_server_options opt = {dir, "127.0.0.1", 0, false, 1, 0, NULL, 0, NULL, false, NULL};
    ds_err err;
    cr_assert_null(ds_server_start(&opt, &err));
    cr_assert(strstr(err.msg, "ducksite build"), "%s", err.msg);
    cr_assert(strstr(err.msg, "static"), "%s", err.msg);
    test_rmtree(dir);
    free(dir);
}

Test(server, malformed_map_at_start)
{
    char *dir = test_tmpdir();
    test_write(dir, "static/data_map.json", "{\"data/a\": 1");
    ds_server_options opt = {dir, "127.0.0.1", 0, false, 1, 0, NULL, 0, NULL, false, NULL};
    ds_err err;
    cr_assert_null(ds_server_start(&opt, &err));
    cr_assert(strstr(err.msg, "data_map.json"), "%s", err.msg);
    cr_assert(strstr(err.msg, "ducksite build"), "%s", err.msg);
    test_rmtree(dir);
    free(dir);
}

Test(server, port_in_use_and_bad_host)
{
    char *dir = test_tmpdir();
    test_write(dir, "static/index.html", "hi");
    ds_server_options opt = {dir, "127.0.0.1", 0, false, 1, 0, NULL, 0, NULL, false, NULL};
    ds_err err;
    ds_server *a = ds_server_start(&opt, &err);
    cr_assert_not_null(a, "%s", err.msg);
    cr_assert_gt(ds_server_port(a), 0);
    opt.port = ds_server_port(a);
    cr_assert_null(ds_server_start(&opt, &err));
    cr_assert(strstr(err.msg, "already in use"), "%s", err.msg);
    cr_assert(strstr(err.msg, "--port"), "%s", err.msg);
    ds_server_stop(a);
    opt.port = 0;
    opt.host = "no.such.host.invalid";
    cr_assert_null(ds_server_start(&opt, &err));
    cr_assert(strstr(err.msg, "--host"), "%s", err.msg);
    test_rmtree(dir);
    free(dir);
}

/* Sends REQ and reads until the peer closes; returns the whole answer. */
static char *roundtrip(unsigned port, const char *req)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    ds_buf b = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        ds_buf_add(&b, chunk, (size_t)n);
    close(fd);
    return ds_buf_take(&b);
}

Test(server, serves_a_file_and_a_range)
{
    char *dir = test_tmpdir();
    test_write(dir, "static/index.html", "<p>hello</p>");
    test_write(dir, "lake/a.parquet", "0123456789");
    char *lake = ds_path_join(dir, "lake/a.parquet");
    char *map = ds_asprintf("{\n  \"data/a.parquet\": \"%s\"\n}\n", lake);
    test_write(dir, "static/data_map.json", map);
    ds_server_options opt = {dir, "127.0.0.1", 0, false, 2, 0, NULL, 0, NULL, false, NULL};
    ds_err err;
    ds_server *s = ds_server_start(&opt, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert(strstr(ds_server_url(s), "http://127.0.0.1:"));

    char *r =
        roundtrip(ds_server_port(s), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    cr_assert(strstr(r, "HTTP/1.1 200"), "%s", r);
    cr_assert(strstr(r, "\r\n\r\n<p>hello</p>"), "%s", r);
    free(r);
    r = roundtrip(ds_server_port(s), "GET /data/a.parquet HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Range: bytes=2-4\r\nConnection: close\r\n\r\n");
    cr_assert(strstr(r, "HTTP/1.1 206"), "%s", r);
    cr_assert(strstr(r, "Content-Range: bytes 2-4/10"), "%s", r);
    cr_assert(strstr(r, "\r\n\r\n234"), "%s", r);
    free(r);
    r = roundtrip(ds_server_port(s), "GET /data_map.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "Connection: close\r\n\r\n");
    cr_assert(strstr(r, "HTTP/1.1 404"), "%s", r);
    free(r);
    ds_server_stop(s);
    free(map);
    free(lake);
    test_rmtree(dir);
    free(dir);
}
