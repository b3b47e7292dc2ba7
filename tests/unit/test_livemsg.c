/* test_livemsg.c - what `ducksite serve` tells open pages: which pages a
 * rebuild's outputs reload, a failed build's file, line and message, and
 * the server-sent event framing. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "serve/livemsg.h"

static void reload_is(const char *const *changed, size_t n, const char *want)
{
    char *got = ds_livemsg_reload(changed, n);
    if (!want)
        cr_assert_null(got, "%s", got);
    else
        cr_assert_str_eq(got, want);
    free(got);
}

Test(livemsg, pages_whose_html_changed)
{
    const char *changed[] = {"sub/b.html", "sub/b.html.gz", "search.json", "sitemap.json",
                             "_results/index.json", "a.html"};
    reload_is(changed, 6, "{\"pages\":[\"sub/b.html\",\"a.html\"],\"all\":false}");
}

Test(livemsg, the_runtime_reloads_every_page)
{
    const char *changed[] = {"assets/ducksite.js"};
    reload_is(changed, 1, "{\"pages\":[],\"all\":true}");
}

Test(livemsg, nothing_a_page_shows)
{
    const char *changed[] = {"sql/_global/x.sql", "data_map.json", "assets/duckdb/x.wasm.gz"};
    reload_is(changed, 3, NULL);
    reload_is(NULL, 0, NULL);
}

static void error_is(const char *msg, const char *want)
{
    char *got = ds_livemsg_error(msg);
    cr_assert_str_eq(got, want);
    free(got);
}

Test(livemsg, error_file_line_message)
{
    error_is("content/a.md:12: sql 'x': syntax error",
             "{\"file\":\"content/a.md\",\"line\":12,\"message\":\"sql 'x': syntax error\","
             "\"text\":\"content/a.md:12: sql 'x': syntax error\"}");
    /* A column stays in the message. */
    error_is("ducksite.toml:3:7: unknown key",
             "{\"file\":\"ducksite.toml\",\"line\":3,\"message\":\"7: unknown key\","
             "\"text\":\"ducksite.toml:3:7: unknown key\"}");
}

Test(livemsg, error_without_location)
{
    error_is("query 'broken': no such table", "{\"file\":\"\",\"line\":0,\"message\":\"query "
                                              "'broken': no such table\",\"text\":\"query "
                                              "'broken': no such table\"}");
    /* A time of day is no file and line. */
    error_is("at 10:30 the lake", "{\"file\":\"\",\"line\":0,\"message\":\"at 10:30 the lake\","
                                  "\"text\":\"at 10:30 the lake\"}");
}

Test(livemsg, frame)
{
    char *f = ds_livemsg_frame("reload", "{\"all\":true}");
    cr_assert_str_eq(f, "event: reload\ndata: {\"all\":true}\n\n");
    free(f);
    f = ds_livemsg_frame("x", "a\nb");
    cr_assert_str_eq(f, "event: x\ndata: a\ndata: b\n\n");
    free(f);
}
