/* test_doctor.c - the verdicts of `ducksite doctor` over canned answers
 * (no network): each server behaviour DuckDB-Wasm meets, and the verdict
 * and fix it must get; plus the page and SQL readers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/doctor.h"

#define R(status, ...)                                                                             \
    ds_doctor_resp_make(status, (const char *const[]){__VA_ARGS__, NULL}, NULL, 0)

static void verdict(ds_doctor_line l, ds_doctor_verdict want, const char *needle)
{
    cr_assert_eq(l.verdict, want, "%s: got %s (%s), want %s", l.check,
                 ds_doctor_verdict_name(l.verdict), l.detail, ds_doctor_verdict_name(want));
    if (needle)
        cr_assert(strstr(l.detail, needle), "%s: '%s' lacks '%s'", l.check, l.detail, needle);
    cr_assert_eq(want == DS_DOCTOR_OK, l.fix == NULL, "%s: a fix goes with warn and FAIL only",
                 l.check);
    ds_doctor_line_free(&l);
}

Test(doctor, header_lookup_ignores_case)
{
    ds_doctor_resp r = R(200, "content-length: 10", "ETag: \"a\"", "Etag: \"b\"");
    cr_assert_str_eq(ds_doctor_header(&r, "Content-Length"), "10");
    cr_assert_str_eq(ds_doctor_header(&r, "ETAG"), "\"b\""); /* the last one */
    cr_assert_null(ds_doctor_header(&r, "Vary"));
    ds_doctor_resp_free(&r);
}

Test(doctor, head)
{
    ds_doctor_resp ok = R(200, "Content-Length: 5"), missing = R(404, "Content-Length: 5");
    verdict(ds_doctor_check_head(&ok), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_head(&missing), DS_DOCTOR_FAIL, "404");
    ds_doctor_resp_free(&ok);
    ds_doctor_resp_free(&missing);
}

Test(doctor, head_range_206_with_length)
{
    ds_doctor_resp h = R(206, "Content-Length: 1000", "Content-Range: bytes 0-999/1000");
    verdict(ds_doctor_check_head_range(&h, NULL, false), DS_DOCTOR_OK, "1000");
    cr_assert_eq(ds_doctor_size(&h), 1000);
    ds_doctor_resp_free(&h);
}

Test(doctor, head_range_200_then_probe_206)
{
    /* HEAD stripped of its Range: DuckDB-Wasm's GET bytes=0-0 rescues it,
     * but only with allowFullHTTPReads. */
    ds_doctor_resp h = R(200, "Content-Length: 1000", "Accept-Ranges: bytes");
    ds_doctor_resp p = R(206, "Content-Length: 1", "Content-Range: bytes 0-0/1000");
    verdict(ds_doctor_check_head_range(&h, &p, true), DS_DOCTOR_WARN, "one more request");
    verdict(ds_doctor_check_head_range(&h, &p, false), DS_DOCTOR_FAIL, "allowFullHTTPReads");
    ds_doctor_resp_free(&h);
    ds_doctor_resp_free(&p);
}

Test(doctor, head_range_no_ranges_or_no_length)
{
    ds_doctor_resp h = R(200, "Content-Length: 1000"), p = R(200, "Content-Length: 1000");
    ds_doctor_line l = ds_doctor_check_head_range(&h, &p, true);
    cr_assert(strstr(l.fix, "max_ranges"), "the fix names nginx's max_ranges: %s", l.fix);
    verdict(l, DS_DOCTOR_FAIL, "whole file");
    ds_doctor_resp chunked = R(200, "Transfer-Encoding: chunked", "Content-Encoding: gzip");
    verdict(ds_doctor_check_head_range(&chunked, NULL, true), DS_DOCTOR_FAIL,
            "without Content-Length");
    /* 206 without Content-Length is not enough either. */
    ds_doctor_resp nolen = R(206, "Content-Range: bytes 0-999/1000");
    verdict(ds_doctor_check_head_range(&nolen, NULL, true), DS_DOCTOR_FAIL, NULL);
    ds_doctor_resp none = {0};
    none.error = strdup("Connection refused");
    verdict(ds_doctor_check_head_range(&none, NULL, true), DS_DOCTOR_FAIL, "Connection refused");
    ds_doctor_resp *all[] = {&h, &p, &chunked, &nolen, &none};
    for (size_t i = 0; i < 5; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, size_from_answers)
{
    ds_doctor_resp a = R(206, "Content-Length: 1", "Content-Range: bytes 0-0/77");
    ds_doctor_resp b = R(200, "Content-Length: 12");
    ds_doctor_resp c = R(200, "Transfer-Encoding: chunked");
    cr_assert_eq(ds_doctor_size(&a), 77);
    cr_assert_eq(ds_doctor_size(&b), 12);
    cr_assert_eq(ds_doctor_size(&c), -1);
    ds_doctor_resp_free(&a);
    ds_doctor_resp_free(&b);
    ds_doctor_resp_free(&c);
}

/* A 206 of [from, from+len) of a file whose byte i is i % 251. */
static ds_doctor_resp part(uint64_t from, uint64_t len, uint64_t total, unsigned char shift)
{
    unsigned char *b = malloc(len);
    for (uint64_t i = 0; i < len; i++)
        b[i] = (unsigned char)((from + i) % 251 + shift);
    char cr[80];
    snprintf(cr, sizeof cr, "Content-Range: bytes %llu-%llu/%llu", (unsigned long long)from,
             (unsigned long long)(from + len - 1), (unsigned long long)total);
    ds_doctor_resp r = ds_doctor_resp_make(206, (const char *const[]){cr, NULL}, b, len);
    free(b);
    return r;
}

Test(doctor, range_exact_bytes)
{
    ds_doctor_resp a = part(100, 50, 1000, 0), b = part(125, 50, 1000, 0);
    verdict(ds_doctor_check_range(&a, 100, 50, 1000, &b, 125), DS_DOCTOR_OK, "exactly");
    ds_doctor_resp_free(&b);
    /* Another version's bytes where the two overlap: a cache mixes them. */
    b = part(125, 50, 1000, 1);
    verdict(ds_doctor_check_range(&a, 100, 50, 1000, &b, 125), DS_DOCTOR_FAIL, "disagree");
    ds_doctor_resp_free(&b);
    /* Wrong Content-Range, wrong length, wrong total. */
    b = part(101, 50, 1000, 0);
    verdict(ds_doctor_check_range(&b, 100, 50, 1000, NULL, 0), DS_DOCTOR_FAIL, "want bytes");
    ds_doctor_resp_free(&b);
    b = part(100, 50, 999, 0);
    verdict(ds_doctor_check_range(&b, 100, 50, 1000, NULL, 0), DS_DOCTOR_FAIL, "/999");
    ds_doctor_resp_free(&b);
    b = part(100, 49, 1000, 0);
    ds_doctor_resp_free(&a);
    a = R(206, "Content-Range: bytes 100-149/1000");
    verdict(ds_doctor_check_range(&a, 100, 50, 1000, NULL, 0), DS_DOCTOR_FAIL, "0 bytes");
    ds_doctor_resp_free(&a);
    ds_doctor_resp_free(&b);
}

Test(doctor, range_answered_200_is_a_whole_file_per_read)
{
    ds_doctor_resp r = R(200, "Content-Length: 1000");
    verdict(ds_doctor_check_range(&r, 500, 10, 1000, NULL, 0), DS_DOCTOR_FAIL,
            "whole file for every read");
    ds_doctor_resp_free(&r);
}

Test(doctor, tail_par1)
{
    ds_doctor_resp t =
        ds_doctor_resp_make(206, (const char *const[]){"X: y", NULL}, "\x10\0\0\0PAR1", 8);
    verdict(ds_doctor_check_tail(&t, 1000, true), DS_DOCTOR_OK, "PAR1");
    ds_doctor_resp_free(&t);
    t = ds_doctor_resp_make(206, NULL, "</html>\n", 8);
    verdict(ds_doctor_check_tail(&t, 1000, true), DS_DOCTOR_FAIL, "not a Parquet");
    verdict(ds_doctor_check_tail(&t, 1000, false), DS_DOCTOR_OK, NULL); /* a CSV ends anyhow */
    ds_doctor_resp_free(&t);
}

Test(doctor, if_range)
{
    ds_doctor_resp m = R(206, "X: y"), o = R(200, "X: y"), bad = R(206, "X: y");
    verdict(ds_doctor_check_if_range("\"e\"", &m, &o), DS_DOCTOR_OK, NULL);
    /* Ignoring If-Range mixes versions: a failure. */
    verdict(ds_doctor_check_if_range("\"e\"", &m, &bad), DS_DOCTOR_FAIL, "mixed");
    /* Never matching only costs whole downloads. */
    verdict(ds_doctor_check_if_range("\"e\"", &o, &o), DS_DOCTOR_WARN, "want 206");
    verdict(ds_doctor_check_if_range(NULL, &m, &o), DS_DOCTOR_WARN, "no strong ETag");
    ds_doctor_resp_free(&m);
    ds_doctor_resp_free(&o);
    ds_doctor_resp_free(&bad);
}

Test(doctor, range_past_the_end)
{
    ds_doctor_resp ok = R(416, "Content-Range: bytes */1000");
    ds_doctor_resp bare = R(416, "X: y");
    ds_doctor_resp whole = R(200, "Content-Length: 1000");
    ds_doctor_resp invented = R(206, "Content-Range: bytes 1000-1999/2000");
    verdict(ds_doctor_check_416(&ok, 1000), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_416(&bare, 1000), DS_DOCTOR_WARN, "want bytes */1000");
    verdict(ds_doctor_check_416(&whole, 1000), DS_DOCTOR_WARN, "want 416");
    verdict(ds_doctor_check_416(&invented, 1000), DS_DOCTOR_FAIL, NULL);
    ds_doctor_resp *all[] = {&ok, &bare, &whole, &invented};
    for (size_t i = 0; i < 4; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, data_encoding)
{
    ds_doctor_resp plain = R(206, "Content-Length: 5"), id = R(206, "Content-Encoding: identity");
    ds_doctor_resp gz = R(200, "Content-Encoding: gzip");
    verdict(ds_doctor_check_data_encoding(&plain, &id), DS_DOCTOR_OK, NULL);
    ds_doctor_line l = ds_doctor_check_data_encoding(&plain, &gz);
    cr_assert(strstr(l.fix, "gzip_types") && strstr(l.fix, "Caddy") && strstr(l.fix, "S3") &&
                  strstr(l.fix, "CDN"),
              "the fix speaks nginx, Caddy, S3 and CDN: %s", l.fix);
    verdict(l, DS_DOCTOR_FAIL, "gzip");
    ds_doctor_resp_free(&plain);
    ds_doctor_resp_free(&id);
    ds_doctor_resp_free(&gz);
}

Test(doctor, data_type)
{
    ds_doctor_resp pq = R(200, "Content-Type: application/vnd.apache.parquet");
    ds_doctor_resp oct = R(200, "Content-Type: application/octet-stream");
    ds_doctor_resp txt = R(200, "Content-Type: text/plain");
    ds_doctor_resp html = R(200, "Content-Type: text/html; charset=utf-8");
    ds_doctor_resp csv = R(200, "Content-Type: text/csv");
    verdict(ds_doctor_check_data_type("http://h/a.parquet", &pq), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_data_type("http://h/a.PARQUET?x=1", &oct), DS_DOCTOR_OK, NULL);
    ds_doctor_resp s3 = R(200, "Content-Type: binary/octet-stream");
    verdict(ds_doctor_check_data_type("http://h/a.parquet", &s3), DS_DOCTOR_OK, NULL);
    ds_doctor_resp_free(&s3);
    verdict(ds_doctor_check_data_type("http://h/a.parquet", &txt), DS_DOCTOR_WARN, "text/plain");
    verdict(ds_doctor_check_data_type("http://h/a.parquet", &html), DS_DOCTOR_FAIL, "text/html");
    verdict(ds_doctor_check_data_type("http://h/a.csv", &csv), DS_DOCTOR_OK, NULL);
    ds_doctor_resp *all[] = {&pq, &oct, &txt, &html, &csv};
    for (size_t i = 0; i < 5; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, cache_rules)
{
    ds_doctor_resp good = R(206, "Cache-Control: no-cache", "ETag: \"abc\"");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &good), DS_DOCTOR_OK, "no-cache");
    ds_doctor_resp weak = R(206, "Cache-Control: no-cache", "ETag: W/\"abc\"");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &weak), DS_DOCTOR_WARN, "weak ETag");
    ds_doctor_resp none = R(206, "Cache-Control: no-cache");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &none), DS_DOCTOR_WARN, "no ETag");
    ds_doctor_resp heur = R(206, "Last-Modified: Mon, 01 Jan 2024 00:00:00 GMT");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &heur), DS_DOCTOR_WARN, "no Cache-Control");
    ds_doctor_resp pub = R(206, "Cache-Control: public, max-age=86400", "ETag: \"abc\"");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &pub), DS_DOCTOR_WARN, "unversioned");
    /* A URL that names its version may be cached for good. */
    verdict(ds_doctor_check_cache("http://h/a.0123abcd.parquet", &pub), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_cache("http://h/a.parquet?v=3", &pub), DS_DOCTOR_OK, NULL);
    ds_doctor_resp star = R(206, "Cache-Control: no-cache", "ETag: \"a\"", "Vary: *");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &star), DS_DOCTOR_WARN, "Vary");
    /* Behind a CDN, no-transform keeps the bytes as sent. */
    ds_doctor_resp cdn = R(206, "Cache-Control: no-cache", "ETag: \"a\"", "Via: 1.1 cdn");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &cdn), DS_DOCTOR_WARN, "no-transform");
    ds_doctor_resp cdn_ok =
        R(206, "Cache-Control: no-cache, no-transform", "ETag: \"a\"", "X-Cache: HIT");
    verdict(ds_doctor_check_cache("http://h/a.parquet", &cdn_ok), DS_DOCTOR_OK, NULL);
    ds_doctor_resp *all[] = {&good, &weak, &none, &heur, &pub, &star, &cdn, &cdn_ok};
    for (size_t i = 0; i < 8; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, consistent)
{
    ds_doctor_resp a = R(206, "Content-Range: bytes 0-0/100", "ETag: \"v1\"");
    ds_doctor_resp b = R(206, "Content-Range: bytes 5-9/100", "ETag: \"v1\"");
    ds_doctor_resp c = R(206, "Content-Range: bytes 5-9/120", "ETag: \"v1\"");
    ds_doctor_resp d = R(206, "Content-Range: bytes 5-9/100", "ETag: \"v2\"");
    ds_doctor_resp missing = {0};
    const ds_doctor_resp *same[] = {&a, &missing, &b};
    verdict(ds_doctor_check_consistent(same, 3), DS_DOCTOR_OK, NULL);
    const ds_doctor_resp *sizes[] = {&a, &c};
    verdict(ds_doctor_check_consistent(sizes, 2), DS_DOCTOR_FAIL, "size");
    const ds_doctor_resp *tags[] = {&a, &d};
    verdict(ds_doctor_check_consistent(tags, 2), DS_DOCTOR_FAIL, "ETag");
    ds_doctor_resp *all[] = {&a, &b, &c, &d};
    for (size_t i = 0; i < 4; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, cors)
{
    const char *page = "https://site.example", *data = "https://data.example";
    ds_doctor_resp get = R(206, "Access-Control-Allow-Origin: https://site.example",
                           "Access-Control-Expose-Headers: Content-Range, Content-Length");
    ds_doctor_resp pre =
        R(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Headers: If-Range, Range");
    verdict(ds_doctor_check_cors(page, page, &get, NULL), DS_DOCTOR_OK, "no CORS needed");
    verdict(ds_doctor_check_cors(page, data, &get, &pre), DS_DOCTOR_OK, NULL);
    ds_doctor_resp bare = R(206, "X: y");
    verdict(ds_doctor_check_cors(page, data, &bare, &pre), DS_DOCTOR_FAIL, "blocks");
    ds_doctor_resp other = R(206, "Access-Control-Allow-Origin: https://else.example");
    verdict(ds_doctor_check_cors(page, data, &other, &pre), DS_DOCTOR_FAIL, "else.example");
    ds_doctor_resp no_range =
        R(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Headers: content-type");
    verdict(ds_doctor_check_cors(page, data, &get, &no_range), DS_DOCTOR_FAIL, "preflight");
    ds_doctor_resp hidden = R(206, "Access-Control-Allow-Origin: *");
    verdict(ds_doctor_check_cors(page, data, &hidden, &pre), DS_DOCTOR_WARN, "Content-Range");
    ds_doctor_resp *all[] = {&get, &pre, &bare, &other, &no_range, &hidden};
    for (size_t i = 0; i < 6; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, engine_types_and_compression)
{
    ds_doctor_resp wasm = R(200, "Content-Type: application/wasm", "Content-Encoding: gzip",
                            "Content-Length: 8000000");
    ds_doctor_resp octet =
        R(200, "Content-Type: application/octet-stream", "Content-Length: 36000000");
    ds_doctor_resp js = R(200, "Content-Type: application/javascript; charset=utf-8");
    ds_doctor_resp plain = R(200, "Content-Type: text/plain");
    ds_doctor_resp gone = R(404, "Content-Type: text/html");
    verdict(ds_doctor_check_engine_type("u", "wasm", &wasm), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_engine_type("u", "wasm", &octet), DS_DOCTOR_WARN, "streaming");
    verdict(ds_doctor_check_engine_type("u", "module", &js), DS_DOCTOR_OK, NULL);
    verdict(ds_doctor_check_engine_type("u", "worker", &plain), DS_DOCTOR_FAIL, "refuse");
    verdict(ds_doctor_check_engine_type("u", "wasm", &gone), DS_DOCTOR_FAIL, "404");
    verdict(ds_doctor_check_engine_compression("u", &wasm), DS_DOCTOR_OK, "8.0 MB");
    verdict(ds_doctor_check_engine_compression("u", &octet), DS_DOCTOR_WARN, "36.0 MB");
    ds_doctor_resp *all[] = {&wasm, &octet, &js, &plain, &gone};
    for (size_t i = 0; i < 5; i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, file_list_encoding)
{
    static const unsigned char gz[] = {0x1f, 0x8b};
    ds_doctor_resp gzip = ds_doctor_resp_make(
        200, (const char *const[]){"Content-Encoding: gzip", "Content-Length: 150000", NULL}, gz,
        2);
    ds_doctor_resp br = ds_doctor_resp_make(200, (const char *const[]){"Content-Encoding: br", NULL},
                                            "\x0b\x02", 2);
    ds_doctor_resp plain = ds_doctor_resp_make(
        200, (const char *const[]){"Content-Type: application/json", "Content-Length: 22400000",
                                   NULL},
        "{\"", 2);
    ds_doctor_resp liar = ds_doctor_resp_make(
        200, (const char *const[]){"Content-Encoding: gzip", NULL}, "{\"", 2);
    ds_doctor_resp bare = ds_doctor_resp_make(200, (const char *const[]){NULL}, gz, 2);
    ds_doctor_resp gone = ds_doctor_resp_make(404, (const char *const[]){NULL}, "<h", 2);
    verdict(ds_doctor_check_list_encoding(&gzip, 22400000), DS_DOCTOR_OK,
            "Content-Encoding: gzip, 150.0 kB for 22.4 MB of JSON");
    verdict(ds_doctor_check_list_encoding(&br, 100), DS_DOCTOR_OK, "br");
    verdict(ds_doctor_check_list_encoding(&plain, 22400000), DS_DOCTOR_WARN,
            "sent uncompressed (22.4 MB)");
    verdict(ds_doctor_check_list_encoding(&liar, 100), DS_DOCTOR_FAIL, "the body is not gzip");
    verdict(ds_doctor_check_list_encoding(&bare, 100), DS_DOCTOR_FAIL,
            "gzip bytes without Content-Encoding");
    verdict(ds_doctor_check_list_encoding(&gone, 100), DS_DOCTOR_FAIL, "404");
    ds_doctor_resp *all[] = {&gzip, &br, &plain, &liar, &bare, &gone};
    for (size_t i = 0; i < DS_ARRAY_LEN(all); i++)
        ds_doctor_resp_free(all[i]);
}

Test(doctor, page_config_and_module)
{
    const char *html =
        "<html><head><script defer src=\"/assets/echarts.min.js?v=1\"></script>"
        "<script type=\"module\" src=\"/assets/ducksite.js?v=2&amp;x=3\"></script></head>"
        "<body><script id=\"page-config-json\" type=\"application/json\">{\"page\": "
        "\"index\"}</script></body></html>";
    char *config = ds_doctor_page_config(html), *src = ds_doctor_module_src(html);
    cr_assert_str_eq(config, "{\"page\": \"index\"}");
    cr_assert_str_eq(src, "/assets/ducksite.js?v=2&x=3");
    free(config);
    free(src);
    cr_assert_null(ds_doctor_page_config("<html><script>1</script></html>"));
    cr_assert_null(ds_doctor_module_src("<html><script src=\"a.js\"></script></html>"));
}

Test(doctor, sql_files)
{
    char **list = NULL;
    size_t n = 0;
    ds_doctor_sql_files("SELECT 'x.parquet' -- 'comment.parquet'\n"
                        "FROM read_parquet(['data/a.parquet', 'data/a.parquet', "
                        "'https://cdn.example/b.csv', 's3://bucket/c.parquet', 'data/*.parquet'])"
                        " WHERE name = 'plain'",
                        &list, &n);
    cr_assert_eq(n, 3, "got %zu", n);
    cr_assert_str_eq(list[0], "x.parquet");
    cr_assert_str_eq(list[1], "data/a.parquet");
    cr_assert_str_eq(list[2], "https://cdn.example/b.csv");
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

Test(doctor, engine_chunk)
{
    char *c = ds_doctor_engine_chunk("var a;function f(){return import(\"./duckdb-UMJVD5CL.js\")}");
    cr_assert_str_eq(c, "./duckdb-UMJVD5CL.js");
    free(c);
    cr_assert_null(ds_doctor_engine_chunk("import(\"./other.js\")"));
    cr_assert_null(ds_doctor_engine_chunk("\"./duckdb-x.wasm\""));
}

Test(doctor, sql_lists_and_their_files)
{
    char **views = NULL;
    size_t n = 0;
    ds_doctor_sql_lists("WITH lake AS (SELECT * FROM read_parquet('ducksite:files/lake/0'))\n"
                        "SELECT * FROM lake UNION ALL SELECT * FROM read_parquet("
                        "'ducksite:files/lake/1') UNION ALL SELECT * FROM read_parquet("
                        "'ducksite:files/other_v/0') -- 'ducksite:files/comment/0'\n"
                        "WHERE s = 'ducksite:files/'",
                        &views, &n);
    cr_assert_eq(n, 2, "got %zu", n);
    cr_assert_str_eq(views[0], "lake");
    cr_assert_str_eq(views[1], "other_v");
    for (size_t i = 0; i < n; i++)
        free(views[i]);
    free(views);

    char **files = NULL;
    size_t lists = 0, count = 0;
    n = 0;
    cr_assert(ds_doctor_list_files(
        "{\"hive\": null, \"lists\": [[[\"data/h/year=2000/\", [\"a.parquet\", \"b.parquet\"], "
        "[1, 2]], [\"data/h/year=2001/\", [\"c.parquet\", \"e.parquet\"], [3, 5]]], "
        "[[\"data/h/x/\", [\"d.parquet\"], [4]]], [[\"data/h/year=2000/\", [\"a.parquet\"], "
        "[1]]]]}",
        &files, &n, &lists, &count));
    cr_assert_eq(lists, 3);
    cr_assert_eq(count, 6);
    cr_assert_eq(n, 4, "the first, middle and last file of each list, once: got %zu", n);
    cr_assert_str_eq(files[0], "data/h/year=2000/a.parquet");
    cr_assert_str_eq(files[1], "data/h/year=2001/c.parquet"); /* the middle, in the next run */
    cr_assert_str_eq(files[2], "data/h/year=2001/e.parquet");
    cr_assert_str_eq(files[3], "data/h/x/d.parquet");
    cr_assert(!ds_doctor_list_files("<html>not found</html>", &files, &n, &lists, &count));
    cr_assert(!ds_doctor_list_files("{\"lists\": [[[\"data/\"]]]}", &files, &n, &lists, &count));
    cr_assert_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}
