/* test_login.c - the pure parts of site-wide sign-in (server/login.h):
 * next= paths that must stay on this site, form
 * fields, which paths are public and which requests want a page. */
#include <criterion/criterion.h>
#include <string.h>

#include "server/login.h"

Test(login, next_paths)
{
    cr_assert(ds_login_next_ok("/"));
    cr_assert(ds_login_next_ok("/reports/sales.html?region=EU&x=%2F"));
    cr_assert(ds_login_next_ok("/a//b"));
    cr_assert_not(ds_login_next_ok(NULL));
    cr_assert_not(ds_login_next_ok(""));
    cr_assert_not(ds_login_next_ok("//evil.example"));
    cr_assert_not(ds_login_next_ok("//evil.example/x"));
    cr_assert_not(ds_login_next_ok("/\\evil.example"));
    cr_assert_not(ds_login_next_ok("/a\\b"));
    cr_assert_not(ds_login_next_ok("http://evil.example/"));
    cr_assert_not(ds_login_next_ok("https:evil.example"));
    cr_assert_not(ds_login_next_ok("evil.example"));
    cr_assert_not(ds_login_next_ok("javascript:alert(1)"));
    cr_assert_not(ds_login_next_ok("/\r\nSet-Cookie: x=1"));
    cr_assert_not(ds_login_next_ok("/\t/evil.example"));
    cr_assert_not(ds_login_next_ok("/a\x7f"));
    char longer[3000];
    memset(longer, 'a', sizeof longer - 1);
    longer[0] = '/';
    longer[sizeof longer - 1] = '\0';
    cr_assert_not(ds_login_next_ok(longer), "too long");
}

Test(login, form_values)
{
    const char *body = "email=Alice%40Example.org&password=p%C3%A4ss+word%26%3D&next=%2Fa%3Fb%3D1"
                       "&empty=&bare";
    char out[64];
    size_t n = strlen(body);
    cr_assert(ds_login_form_value(body, n, "email", out, sizeof out));
    cr_assert_str_eq(out, "Alice@Example.org");
    cr_assert(ds_login_form_value(body, n, "password", out, sizeof out));
    cr_assert_str_eq(out, "p\xc3\xa4ss word&=");
    cr_assert(ds_login_form_value(body, n, "next", out, sizeof out));
    cr_assert_str_eq(out, "/a?b=1");
    cr_assert(ds_login_form_value(body, n, "empty", out, sizeof out));
    cr_assert_str_eq(out, "");
    cr_assert(ds_login_form_value(body, n, "bare", out, sizeof out));
    cr_assert_str_eq(out, "");
    cr_assert_not(ds_login_form_value(body, n, "mail", out, sizeof out));
    cr_assert_not(ds_login_form_value(body, n, "emailx", out, sizeof out));
    /* the first of a repeated field; only the body's N bytes are read */
    cr_assert(ds_login_form_value("a=1&a=2", 7, "a", out, sizeof out));
    cr_assert_str_eq(out, "1");
    cr_assert_not(ds_login_form_value("a=1&b=2", 3, "b", out, sizeof out));
    /* bad escapes, NUL, no room */
    cr_assert_not(ds_login_form_value("a=%zz", 5, "a", out, sizeof out));
    cr_assert_not(ds_login_form_value("a=%4", 4, "a", out, sizeof out));
    cr_assert_not(ds_login_form_value("a=%", 3, "a", out, sizeof out));
    cr_assert_not(ds_login_form_value("a=x%00y", 7, "a", out, sizeof out));
    cr_assert_not(ds_login_form_value("a=12345", 7, "a", out, 5));
    cr_assert(ds_login_form_value("a=1234", 6, "a", out, 5));
}

Test(login, public_paths)
{
    cr_assert(ds_login_public_path("assets/ducksite.css"));
    cr_assert(ds_login_public_path("assets/ducksite.js"));
    cr_assert(ds_login_public_path("assets/duckdb/duckdb-eh.wasm"));
    cr_assert_not(ds_login_public_path("assets/duckdb-dialect.json"), "data types are not");
    cr_assert_not(ds_login_public_path("assets/x.parquet"));
    cr_assert_not(ds_login_public_path(""));
    cr_assert_not(ds_login_public_path("index.html"));
    cr_assert_not(ds_login_public_path("sql/_manifest.json"));
    cr_assert_not(ds_login_public_path("sql/q.sql"));
    cr_assert_not(ds_login_public_path("_results/0123456789abcdef.json"));
    cr_assert_not(ds_login_public_path("data/x/a.parquet"));
    cr_assert_not(ds_login_public_path("sitemap.json"));
    cr_assert_not(ds_login_public_path("assetsx/a.js"));
}

Test(login, wants_html)
{
    cr_assert(ds_login_wants_html("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;"
                                  "q=0.8"));
    cr_assert(ds_login_wants_html("TEXT/HTML"));
    cr_assert(ds_login_wants_html("application/json, text/html;q=0.5"));
    cr_assert_not(ds_login_wants_html(NULL));
    cr_assert_not(ds_login_wants_html("*/*"));
    cr_assert_not(ds_login_wants_html("application/json"));
    cr_assert_not(ds_login_wants_html("text/html;q=0"));
    cr_assert_not(ds_login_wants_html("text/htmlx"));
}
