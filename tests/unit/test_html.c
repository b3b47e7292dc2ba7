/* test_html.c - page documents: the head and body layout the runtime
 * expects, escaping of every user value, the page-config JSON (and that it
 * cannot leave its <script>), navigation grouping and the current page. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "site/html.h"
#include "testutil.h"

static ds_page parse_ok(const char *text)
{
    ds_page page;
    ds_err err;
    cr_assert_eq(ds_page_parse(text, "content/p.md", &page, &err), 0, "%s", err.msg);
    return page;
}

static const ds_asset_versions versions = {"c55", "e44", "j33", "k66", "t77"};

static char *render(const char *md, const char *rel)
{
    ds_page page = parse_ok(md);
    ds_nav_item nav[] = {{rel, "T"}};
    char *html = ds_html_page(&page, rel, "T", nav, 1, &versions);
    ds_page_free(&page);
    return html;
}

/* The text between <main ...> and </main>. */
static char *main_part(const char *html)
{
    const char *start = strstr(html, "<main class=\"ducksite-page\">");
    const char *end = strstr(html, "</main>");
    cr_assert(start && end, "%s", html);
    start += strlen("<main class=\"ducksite-page\">");
    return ds_strndup(start, (size_t)(end - start));
}

static char *config_part(const char *html)
{
    const char *tag = "<script id=\"page-config-json\" type=\"application/json\">";
    const char *start = strstr(html, tag);
    cr_assert_not_null(start, "%s", html);
    start += strlen(tag);
    const char *end = strstr(start, "</script>");
    cr_assert_not_null(end);
    return ds_strndup(start, (size_t)(end - start));
}

Test(html, document_skeleton)
{
    char *html = render("# Hi\n", "index");
    cr_assert(ds_starts_with(
                  html, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<link rel=\"icon\" href=\"data:,\">"
                        "<title>T</title>"
                        "<script src=\"/assets/theme-init.js?v=t77\"></script>"
                        "<link rel=\"stylesheet\" href=\"/assets/ducksite.css?v=c55\">"
                        "<script type=\"module\" src=\"/assets/ducksite.js?v=j33\"></script>"
                        "</head><body><nav class=\"ducksite-nav\">"),
              "%s", html);
    cr_assert(strstr(html, "</nav><main class=\"ducksite-page\"><div class=\"ducksite-md\">"
                           "<h1>Hi</h1>\n</div></main>"
                           "<script id=\"page-config-json\" type=\"application/json\">"),
              "%s", html);
    cr_assert(ds_ends_with(html, "</script></body></html>\n"), "%s", html);
    free(html);
}

Test(html, components_in_document_order)
{
    char *html = render("Intro\n"
                        "```input region\nlabel: R\n```\n"
                        "```sql q\nSELECT 1\n```\n"
                        "Between\n"
                        "```grid cols=2 gap=sm\n| c | q:2 |\n| region |\n```\n"
                        "```echart c\ntype: bar\n```\n"
                        "```table q\n```\n"
                        "Outro\n",
                        "a/b");
    char *m = main_part(html);
    /* Blocks a grid places appear only in the grid. */
    cr_assert_str_eq(m, "<div class=\"ducksite-md\"><p>Intro</p>\n</div>"
                        "<div class=\"ducksite-md\"><p>Between</p>\n</div>"
                        "<div class=\"layout-grid\" data-cols=\"2\" data-gap=\"sm\">"
                        "<div class=\"layout-row\">"
                        "<div class=\"layout-col span-1\">"
                        "<div class=\"ds-chart\" data-ds-chart=\"c\"></div></div>"
                        "<div class=\"layout-col span-2\">"
                        "<div class=\"ds-table\" data-ds-table=\"q\"></div></div></div>"
                        "<div class=\"layout-row\"><div class=\"layout-col span-1\">"
                        "<div class=\"ds-input\" data-ds-input=\"region\"></div></div></div>"
                        "</div>"
                        "<div class=\"ducksite-md\"><p>Outro</p>\n</div>");
    free(m);
    free(html);
}

Test(html, page_config_contract)
{
    ds_page page = parse_ok("```sql qid\nSELECT 1\n```\n"
                            "```echart ch\ntype: bar\nformat:\n  total:\n    k: v\n```\n"
                            "```table tb\nquery: qid\n```\n"
                            "```input nm\nlabel: Name\n```\n"
                            "```grid cols=2 gap=md\n| ch | tb:1 |\n```\n");
    char *json = ds_html_page_config(&page, "a/b");
    cr_assert_str_eq(json, "{\"page\": \"a/b\", "
                           "\"queries\": {\"qid\": {\"sql_path\": \"/sql/pages/a/b/qid.sql\"}}, "
                           "\"charts\": {\"ch\": {\"type\": \"bar\", "
                           "\"format\": {\"total\": {\"k\": \"v\"}}}}, "
                           "\"tables\": {\"tb\": {\"query\": \"qid\"}}, "
                           "\"inputs\": {\"nm\": {\"label\": \"Name\"}}, "
                           "\"grids\": [{\"cols\": 2, \"gap\": \"md\", "
                           "\"rows\": [[{\"id\": \"ch\", \"span\": 1}, "
                           "{\"id\": \"tb\", \"span\": 1}]]}]}");
    free(json);
    ds_page_free(&page);

    /* A page with no blocks still has every key. */
    page = parse_ok("just prose\n");
    json = ds_html_page_config(&page, "index");
    cr_assert_str_eq(json, "{\"page\": \"index\", \"queries\": {}, \"charts\": {}, "
                           "\"tables\": {}, \"inputs\": {}, \"grids\": []}");
    free(json);
    ds_page_free(&page);
}

Test(html, config_cannot_leave_its_script)
{
    char *html = render("```echart c\n"
                        "title: \"</script><script>alert(1)</script>\"\n"
                        "note: <!-- <script> x\n"
                        "sep: a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\n"
                        "```\n",
                        "index");
    char *cfg = config_part(html);
    /* The only "</script" is the real end of the element. */
    cr_assert_null(strstr(cfg, "</"), "%s", cfg);
    cr_assert_null(strstr(cfg, "<!--"), "%s", cfg);
    cr_assert_null(strstr(cfg, "\xe2\x80\xa8"), "%s", cfg);
    cr_assert(strstr(cfg, "<\\/script><script>alert(1)<\\/script>"), "%s", cfg);
    cr_assert(strstr(cfg, "a\\u2028b\\u2029c"), "%s", cfg);
    /* And it still means the same text. */
    json_error_t jerr;
    json_t *doc = json_loads(cfg, 0, &jerr);
    cr_assert_not_null(doc, "%s", jerr.text);
    json_t *c = json_object_get(json_object_get(doc, "charts"), "c");
    cr_assert_str_eq(json_string_value(json_object_get(c, "title")),
                     "</script><script>alert(1)</script>");
    cr_assert_str_eq(json_string_value(json_object_get(c, "note")), "<!-- <script> x");
    cr_assert_str_eq(json_string_value(json_object_get(c, "sep")),
                     "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c");
    json_decref(doc);
    free(cfg);
    free(html);
}

Test(html, escaping_of_text_and_attributes)
{
    ds_buf b = {0};
    ds_html_escape(&b, "a&b<c>d\"e'f");
    cr_assert_str_eq(b.data, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    ds_buf_free(&b);

    /* The page check refuses such a gap; the HTML escapes it all the same. */
    ds_page page = parse_ok("```grid gap=md\n| a |\n```\n");
    free(page.parts[0].gap);
    page.parts[0].gap = ds_strdup("\"x\"><script>");
    ds_nav_item nav[] = {{"x&y", "<b>\"T\"</b>"}};
    char *html = ds_html_page(&page, "x&y", "<b>\"T\"</b>", nav, 1, &versions);
    cr_assert(strstr(html, "<title>&lt;b&gt;&quot;T&quot;&lt;/b&gt;</title>"), "%s", html);
    cr_assert(strstr(html, "data-gap=\"&quot;x&quot;&gt;&lt;script&gt;\""), "%s", html);
    cr_assert(strstr(html, "<a href=\"/x%26y.html\" aria-current=\"page\">"
                           "&lt;b&gt;&quot;T&quot;&lt;/b&gt;</a>"),
              "%s", html);
    char *m = main_part(html);
    cr_assert_null(strstr(m, "<script"), "%s", m);
    free(m);
    free(html);
    ds_page_free(&page);

    ds_buf u = {0};
    ds_html_url_path(&u, "a b/c%d/é.x-_~");
    cr_assert_str_eq(u.data, "a%20b/c%25d/%C3%A9.x-_~");
    ds_buf_free(&u);
}

/* Front matter description: a meta element after the title, escaped. */
Test(html, description_meta)
{
    char *html = render("---\ndescription: Sales <b>&\"x\"\n---\n# Hi\n", "index");
    cr_assert(strstr(html, "<title>T</title><meta name=\"description\" "
                           "content=\"Sales &lt;b&gt;&amp;&quot;x&quot;\"><script"),
              "%s", html);
    free(html);
    html = render("# Hi\n", "index");
    cr_assert_null(strstr(html, "name=\"description\""), "%s", html);
    free(html);
}

Test(html, missing_asset_versions)
{
    ds_page page = parse_ok("x\n");
    ds_asset_versions none = {NULL, "", NULL, NULL, NULL};
    char *html = ds_html_page(&page, "index", "T", NULL, 0, &none);
    cr_assert(strstr(html, "ducksite.css?v=0\""), "%s", html);
    cr_assert(strstr(html, "theme-init.js?v=0\""), "%s", html);
    cr_assert(strstr(html, "<nav class=\"ducksite-nav\"><ul class=\"ducksite-nav-list\"></ul>"
                           "<div class=\"ds-nav-tools\">"),
              "%s", html);
    free(html);
    ds_page_free(&page);
}

Test(html, markdown_dialect)
{
    ds_buf b = {0};
    ds_html_markdown(&b, "| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ https://x.org\n\n"
                         "```python\nprint('<hi>')\n```\n");
    cr_assert(strstr(b.data, "<table>"), "%s", b.data);
    cr_assert(strstr(b.data, "<td>1</td>"), "%s", b.data);
    cr_assert(strstr(b.data, "<del>gone</del>"), "%s", b.data);
    cr_assert(strstr(b.data, "<a href=\"https://x.org\">"), "%s", b.data);
    cr_assert(strstr(b.data, "<pre><code class=\"language-python\">print('&lt;hi&gt;')"),
              "%s", b.data);
    ds_buf_free(&b);
}

Test(html, nav_groups_folders_and_marks_current)
{
    ds_nav_item nav[] = {{"index", "Home"},      {"about", "About"},
                         {"a/index", "A"},       {"a/x", "AX"},
                         {"a/b/index", "AB"},    {"a/b/c/deep", "Deep"},
                         {"a/z/zz", "AZ"},       {"q/r", "QR"}};
    ds_buf b = {0};
    ds_html_nav(&b, nav, DS_ARRAY_LEN(nav), "a/b/index");
    const char *li = "<li class=\"ducksite-nav-folder\"><span class=\"ducksite-nav-folder-name\">";
    char *want = ds_asprintf(
        "<nav class=\"ducksite-nav\"><ul class=\"ducksite-nav-list\">"
        "<li><a href=\"/index.html\">Home</a></li>"
        "<li><a href=\"/about.html\">About</a></li>"
        "%sa</span><ul>"
        "<li><a href=\"/a/index.html\">A</a></li>"
        "<li><a href=\"/a/x.html\">AX</a></li>"
        "%sb</span><ul>"
        "<li><a href=\"/a/b/index.html\" aria-current=\"page\">AB</a></li>"
        "%sc</span><ul>"
        "<li><a href=\"/a/b/c/deep.html\">Deep</a></li>"
        "</ul></li></ul></li>"
        "%sz</span><ul>"
        "<li><a href=\"/a/z/zz.html\">AZ</a></li>"
        "</ul></li></ul></li>"
        "%sq</span><ul>"
        "<li><a href=\"/q/r.html\">QR</a></li>"
        "</ul></li></ul><div class=\"ds-nav-tools\">",
        li, li, li, li, li);
    /* The links, then the tools: search and the theme switch. */
    cr_assert(ds_starts_with(b.data, want), "%s", b.data);
    cr_assert(ds_ends_with(b.data, "</button></div></nav>"), "%s", b.data);
    cr_assert(strstr(b.data, "<input type=\"search\" class=\"ds-search-input\""), "%s", b.data);
    cr_assert(strstr(b.data, "<button type=\"button\" class=\"ds-theme-toggle\""), "%s", b.data);
    free(want);
    ds_buf_free(&b);

    /* Folders whose names share a prefix are different groups. */
    ds_nav_item nav2[] = {{"ab/x", "X"}, {"abc/y", "Y"}};
    ds_html_nav(&b, nav2, 2, NULL);
    cr_assert(strstr(b.data, "X</a></li></ul></li><li class=\"ducksite-nav-folder\">"), "%s",
              b.data);
    cr_assert_null(strstr(b.data, "aria-current"));
    ds_buf_free(&b);
}

Test(html, nav_marks_the_folder_index_of_a_page_it_leaves_out)
{
    ds_nav_item nav[] = {{"index", "Home"}, {"customers/index", "Customers"}, {"q/r", "QR"}};
    ds_buf b = {0};
    /* One page per value (hidden): its folder's index is where the reader is. */
    ds_html_nav(&b, nav, DS_ARRAY_LEN(nav), "customers/Acme_Corp");
    cr_assert(strstr(b.data, "<a href=\"/customers/index.html\" aria-current=\"page\">"), "%s",
              b.data);
    cr_assert_null(strstr(strstr(b.data, "aria-current") + 1, "aria-current"), "only one");
    ds_buf_free(&b);
    /* A hidden page at the top, or in a folder without a listed index: none. */
    ds_html_nav(&b, nav, DS_ARRAY_LEN(nav), "secret");
    cr_assert_null(strstr(b.data, "aria-current"), "%s", b.data);
    ds_buf_free(&b);
    ds_html_nav(&b, nav, DS_ARRAY_LEN(nav), "q/hidden");
    cr_assert_null(strstr(b.data, "aria-current"), "%s", b.data);
    ds_buf_free(&b);
}

Test(html, script_json_helper)
{
    char *s = ds_html_script_json("\"</a><!--x-->\"");
    cr_assert_str_eq(s, "\"<\\/a>\\u003c!--x-->\"");
    free(s);
}

/* A page loads no ECharts without charts, the common build when every chart
 * is a bar, line, area, scatter or pie chart, and the full one otherwise. */
Test(html, echarts_build_per_page)
{
    char *html = render("# Hi\n", "index");
    cr_assert_null(strstr(html, "echarts"), "%s", html);
    free(html);
    html = render("```echart a\ntype: Line \n```\n```echart b\nx: k\n```\n", "index");
    cr_assert(strstr(html, "<script defer src=\"/assets/echarts.common.min.js?v=k66\"></script>"),
              "%s", html);
    free(html);
    html = render("```echart a\ntype: bar\n```\n```echart b\ntype: gauge\n```\n", "index");
    cr_assert(strstr(html, "<script defer src=\"/assets/echarts.min.js?v=e44\"></script>"), "%s",
              html);
    free(html);
    html = render("```echart a\ntype: bar\noption_column: o\n```\n", "index");
    cr_assert(strstr(html, "/assets/echarts.min.js?v=e44"), "%s", html);
    free(html);
    /* Without a version for the common build (an older runtime folder), the
     * full one. */
    ds_page page = parse_ok("```echart a\ntype: bar\n```\n");
    ds_asset_versions old = {"c", "e", "j", NULL, NULL};
    html = ds_html_page(&page, "index", "T", NULL, 0, &old);
    cr_assert(strstr(html, "/assets/echarts.min.js?v=e\""), "%s", html);
    free(html);
    ds_page_free(&page);
}

/* Values and KPI cards formatted by the build (page.first_paint's
 * "value:ID" / "kpi:ID"): their text in the placeholders and in the
 * ${query.column} spans of prose, escaped; those without a text stay empty. */
Test(html, painted_values_and_kpis)
{
    ds_page page = parse_ok("# V\n\nTook ${q.total} from ${q.orders} orders.\n\n"
                            "```value best\nquery: q\ncolumn: total\ntitle: Best <one>\n```\n\n"
                            "```kpi card\nquery: q\nvalue: total\n```\n\n"
                            "```value plain\nquery: q\ncolumn: total\n```\n");
    page.first_paint = ds_strdup("{\"value:inline-1\": \"$1,234 <b>\", \"value:best\": \"1,234\","
                                 " \"kpi:card\": \"$1.2k\"}");
    char *html = ds_html_page(&page, "index", "T", NULL, 0, &versions);
    char *m = main_part(html);
    cr_assert(strstr(m, "Took <span class=\"ds-value ds-value-inline\" data-ds-value=\"inline-1\" "
                        "data-ds-painted=\"\"><span class=\"ds-value-text\">$1,234 &lt;b&gt;</span></span>"
                        " from <span class=\"ds-value ds-value-inline\" data-ds-value=\"inline-2\"></span>"),
              "%s", m);
    cr_assert(strstr(m, "<div class=\"ds-value\" data-ds-value=\"best\" data-ds-painted=\"\">"
                        "<span class=\"ds-value-title\">Best &lt;one&gt;</span>"
                        "<span class=\"ds-value-text\">1,234</span></div>"),
              "%s", m);
    cr_assert(strstr(m, "<div class=\"ds-kpi\" data-ds-kpi=\"card\" data-ds-painted=\"\">"
                        "<div class=\"ds-kpi-title\">total</div><div class=\"ds-kpi-value\">$1.2k</div></div>"),
              "%s", m);
    cr_assert(strstr(m, "<div class=\"ds-value\" data-ds-value=\"plain\"></div>"), "%s", m);
    free(m);
    free(html);
    ds_page_free(&page);
}
