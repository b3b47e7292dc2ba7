/* test_server_http.c - HTTP dates, entity tags, conditional requests and
 * Accept-Encoding (src/server/http.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "server/http.h"

static const time_t T = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

Test(http, date_format)
{
    char d[DS_HTTP_DATE_LEN];
    ds_http_date_format(T, d);
    cr_assert_str_eq(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    ds_http_date_format(0, d);
    cr_assert_str_eq(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    ds_http_date_format(1709251199, d); /* leap year end of February */
    cr_assert_str_eq(d, "Thu, 29 Feb 2024 23:59:59 GMT");
}

Test(http, date_parse_three_forms)
{
    time_t t;
    cr_assert(ds_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t));
    cr_assert_eq(t, T);
    cr_assert(ds_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t));
    cr_assert_eq(t, T);
    cr_assert(ds_http_date_parse("Sun Nov  6 08:49:37 1994", &t));
    cr_assert_eq(t, T);
    cr_assert(ds_http_date_parse("Thu, 29 Feb 2024 23:59:59 GMT", &t));
    cr_assert_eq(t, 1709251199);
}

Test(http, date_round_trip)
{
    char d[DS_HTTP_DATE_LEN];
    for (time_t t = 0; t < 4102444800; t += 86399 * 37) {
        time_t back;
        ds_http_date_format(t, d);
        cr_assert(ds_http_date_parse(d, &back), "%s", d);
        cr_assert_eq(back, t, "%s", d);
    }
}

Test(http, date_parse_rejects)
{
    const char *bad[] = {
        "",
        "Sun, 06 Nov 1994 08:49:37",     /* no zone */
        "Sun, 06 Nov 1994 08:49:37 UTC", /* wrong zone */
        "Sun, 6 Nov 1994 08:49:37 GMT",  /* one-digit day */
        "Sun, 06 Nox 1994 08:49:37 GMT",
        "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:00 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT trailing",
        "Xyz, 06 Nov 1994 08:49:37 GMT",
        "sun, 06 Nov 1994 08:49:37 GMT",
        "\"abc\"",
        "1994-11-06T08:49:37Z",
        "Sun Nov 6 08:49:37 1994",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        time_t t;
        cr_assert(!ds_http_date_parse(bad[i], &t), "%s", bad[i]);
    }
}

Test(http, etag_changes_with_every_part)
{
    char a[DS_HTTP_ETAG_LEN], b[DS_HTTP_ETAG_LEN];
    ds_http_etag(a, 10, 100, 1000, 5, "");
    cr_assert_eq(a[0], '"');
    cr_assert_eq(a[strlen(a) - 1], '"');
    ds_http_etag(b, 11, 100, 1000, 5, "");
    cr_assert_str_neq(a, b);
    ds_http_etag(b, 10, 101, 1000, 5, "");
    cr_assert_str_neq(a, b);
    ds_http_etag(b, 10, 100, 1000, 6, ""); /* one nanosecond later */
    cr_assert_str_neq(a, b);
    ds_http_etag(b, 10, 100, 1001, 5, "");
    cr_assert_str_neq(a, b);
    ds_http_etag(b, 10, 100, 1000, 5, "gz");
    cr_assert_str_neq(a, b);
    ds_http_etag(b, 10, 100, 1000, 5, "");
    cr_assert_str_eq(a, b);
    ds_http_etag(b, UINT64_MAX, UINT64_MAX, INT64_MAX, 999999999, "gz");
    cr_assert(strlen(b) < DS_HTTP_ETAG_LEN - 1);
}

Test(http, if_none_match_lists)
{
    const char *e = "\"a-1\"";
    cr_assert(ds_http_etag_list_match("\"a-1\"", e));
    cr_assert(ds_http_etag_list_match("W/\"a-1\"", e)); /* weak comparison */
    cr_assert(ds_http_etag_list_match("\"x\", \"a-1\"", e));
    cr_assert(ds_http_etag_list_match("\"x\",W/\"a-1\" , \"y\"", e));
    cr_assert(ds_http_etag_list_match("*", e));
    cr_assert(ds_http_etag_list_match(" * ", e));
    cr_assert(!ds_http_etag_list_match("\"a-2\"", e));
    cr_assert(!ds_http_etag_list_match("a-1", e)); /* unquoted */
    cr_assert(!ds_http_etag_list_match("\"a-1", e));
    cr_assert(!ds_http_etag_list_match("", e));
    cr_assert(!ds_http_etag_list_match("**", e));
    cr_assert(!ds_http_etag_list_match("\"x\" \"a-1\"", e)); /* no comma */
    cr_assert(!ds_http_etag_list_match("w/\"a-1\"", e));
}

Test(http, not_modified_precedence)
{
    const char *e = "\"a-1\"";
    const char *same = "Sun, 06 Nov 1994 08:49:37 GMT";
    const char *earlier = "Sun, 06 Nov 1994 08:49:36 GMT";
    cr_assert(!ds_http_not_modified(NULL, NULL, e, T));
    cr_assert(ds_http_not_modified("\"a-1\"", NULL, e, T));
    cr_assert(!ds_http_not_modified("\"b\"", NULL, e, T));
    cr_assert(ds_http_not_modified(NULL, same, e, T));
    cr_assert(ds_http_not_modified(NULL, same, e, T - 10));
    cr_assert(!ds_http_not_modified(NULL, earlier, e, T));
    cr_assert(!ds_http_not_modified(NULL, "garbage", e, T));
    /* If-None-Match decides alone when present */
    cr_assert(!ds_http_not_modified("\"b\"", same, e, T));
    cr_assert(ds_http_not_modified("\"a-1\"", earlier, e, T));
}

Test(http, if_range)
{
    const char *e = "\"a-1\"";
    cr_assert(ds_http_if_range_ok(NULL, e, T));
    cr_assert(ds_http_if_range_ok("\"a-1\"", e, T));
    cr_assert(!ds_http_if_range_ok("\"a-2\"", e, T));
    cr_assert(!ds_http_if_range_ok("W/\"a-1\"", e, T));      /* strong comparison */
    cr_assert(!ds_http_if_range_ok("\"a-1\", \"b\"", e, T)); /* one tag only */
    cr_assert(ds_http_if_range_ok("Sun, 06 Nov 1994 08:49:37 GMT", e, T));
    cr_assert(!ds_http_if_range_ok("Sun, 06 Nov 1994 08:49:38 GMT", e, T));
    cr_assert(!ds_http_if_range_ok("Sun, 06 Nov 1994 08:49:36 GMT", e, T));
    cr_assert(!ds_http_if_range_ok("", e, T));
    cr_assert(!ds_http_if_range_ok("junk", e, T));
}

Test(http, accept_encoding)
{
    cr_assert(!ds_http_accepts_gzip(NULL));
    cr_assert(!ds_http_accepts_gzip(""));
    cr_assert(!ds_http_accepts_gzip("identity"));
    cr_assert(!ds_http_accepts_gzip("br"));
    cr_assert(ds_http_accepts_gzip("gzip"));
    cr_assert(ds_http_accepts_gzip("GZIP"));
    cr_assert(ds_http_accepts_gzip("x-gzip"));
    cr_assert(ds_http_accepts_gzip("gzip, deflate, br"));
    cr_assert(ds_http_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
    cr_assert(ds_http_accepts_gzip("deflate,gzip"));
    cr_assert(ds_http_accepts_gzip("gzip ; q=0.5"));
    cr_assert(!ds_http_accepts_gzip("gzip;q=0"));
    cr_assert(!ds_http_accepts_gzip("gzip;q=0.000"));
    cr_assert(!ds_http_accepts_gzip("gzip; Q=0"));
    cr_assert(ds_http_accepts_gzip("gzip;q=0.001"));
    cr_assert(ds_http_accepts_gzip("*"));
    cr_assert(!ds_http_accepts_gzip("*;q=0"));
    cr_assert(!ds_http_accepts_gzip("gzip;q=0, *")); /* explicit refusal wins */
    cr_assert(ds_http_accepts_gzip("*;q=0, gzip"));
    cr_assert(!ds_http_accepts_gzip("gzipx"));
    cr_assert(!ds_http_accepts_gzip("xgzip"));
    cr_assert(ds_http_accepts_gzip("gzip;level=9"));
    cr_assert(ds_http_accepts_gzip(",,gzip,,"));
}

Test(http, host_allowed)
{
    const char *names[] = {"dash.example.com", "intranet"};
    const char *ok[] = {"localhost",       "LOCALHOST:8080", "127.0.0.1",        "127.0.0.1:80",
                        "10.1.2.3:8080",   "[::1]",          "[::1]:8080",       "[fe80::1]",
                        "dash.example.com", "DASH.example.COM:443", "intranet"};
    const char *bad[] = {"evil.example", "evil.example:8080", "localhost.",     "localhost.evil",
                         "127.0.0.1.nip.io", "dash.example.com.evil", "", ":8080", "[::1",
                         "[::1]x",       "[evil]",           "[127.0.0.1]",   "localhost:",
                         "localhost:80x", "intranet:8080:1", "example.com"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        cr_assert(ds_http_host_allowed(ok[i], names, 2), "%s", ok[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert(!ds_http_host_allowed(bad[i], names, 2), "%s", bad[i]);
    cr_assert(ds_http_host_allowed(NULL, NULL, 0));
    cr_assert(!ds_http_host_allowed("dash.example.com", NULL, 0));
}

Test(http, same_origin)
{
    /* No Origin: not a browser's cross-site request. */
    cr_assert(ds_http_same_origin(NULL, NULL, "127.0.0.1:8080", NULL));
    cr_assert(ds_http_same_origin("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", NULL));
    cr_assert(ds_http_same_origin("http://Example.COM", NULL, "example.com", NULL));
    cr_assert(ds_http_same_origin("http://example.com", NULL, "example.com:80", NULL));
    cr_assert(ds_http_same_origin("http://example.com:80", NULL, "example.com", NULL));
    cr_assert(ds_http_same_origin("https://example.com", NULL, "example.com", NULL));
    cr_assert(ds_http_same_origin("https://example.com", NULL, "example.com:443", NULL));
    cr_assert(ds_http_same_origin("http://[::1]:8080", NULL, "[::1]:8080", NULL));
    /* Another host, port or scheme's default port. */
    cr_assert(!ds_http_same_origin("http://evil.example", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://example.com.evil.net", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://127.0.0.1:8081", NULL, "127.0.0.1:8080", NULL));
    cr_assert(!ds_http_same_origin("http://127.0.0.1", NULL, "127.0.0.1:8080", NULL));
    cr_assert(!ds_http_same_origin("https://example.com", NULL, "example.com:80", NULL));
    cr_assert(!ds_http_same_origin("http://[::1]:8080", NULL, "[::2]:8080", NULL));
    /* Not an origin at all. */
    cr_assert(!ds_http_same_origin("null", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("file://", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("ftp://example.com", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://example.com/path", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://user@example.com", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://example.com:", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://example.com:99999", NULL, "example.com:99999", NULL));
    cr_assert(!ds_http_same_origin("http://", NULL, "example.com", NULL));
    cr_assert(!ds_http_same_origin("http://example.com", NULL, NULL, NULL));
}

Test(http, same_origin_from_referer)
{
    const char *host = "127.0.0.1:8080";
    cr_assert(ds_http_same_origin(NULL, "http://127.0.0.1:8080/login?next=/", host, NULL),
              "Referer when there is no Origin");
    cr_assert(ds_http_same_origin(NULL, "http://127.0.0.1:8080", host, NULL));
    cr_assert(ds_http_same_origin(NULL, "http://127.0.0.1:8080?x=1", host, NULL));
    cr_assert_not(ds_http_same_origin(NULL, "http://evil.example/x", host, NULL));
    cr_assert_not(ds_http_same_origin(NULL, "http://127.0.0.1:8080.evil/x", host, NULL));
    cr_assert_not(ds_http_same_origin(NULL, "about:blank", host, NULL));
    cr_assert_not(ds_http_same_origin("http://evil.example", "http://127.0.0.1:8080/", host, NULL),
                  "Origin decides when present");
}

Test(http, same_origin_with_the_servers_scheme)
{
    cr_assert(ds_http_same_origin("http://127.0.0.1:8080", NULL, "127.0.0.1:8080", "http"));
    cr_assert_not(ds_http_same_origin("https://127.0.0.1:8080", NULL, "127.0.0.1:8080", "http"),
                  "another scheme is another origin");
    cr_assert(ds_http_same_origin("https://dash.example.com", NULL, "dash.example.com", "https"));
    cr_assert_not(ds_http_same_origin("http://dash.example.com", NULL, "dash.example.com", "https"),
                  "behind TLS, http is another origin");
    cr_assert_not(ds_http_same_origin(NULL, "http://dash.example.com/", "dash.example.com", "https"));
}
