/* test_search.c - the site search index (src/site/search.c). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <string.h>

#include "site/search.h"

/* PAGES from (rel, markdown) pairs, parsed as the build parses them. */
static ds_pages make(const char *const *files, size_t n)
{
    ds_pages pages = {ds_xcalloc(n + 1, sizeof(ds_site_page)), 0};
    for (size_t i = 0; i < n; i++) {
        ds_site_page *p = &pages.items[pages.len++];
        p->rel = ds_strdup(files[2 * i]);
        p->display = ds_asprintf("content/%s.md", files[2 * i]);
        ds_err err;
        cr_assert_eq(ds_page_parse(files[2 * i + 1], p->display, &p->page, &err), 0, "%s", err.msg);
        p->title = ds_strdup(p->page.title ? p->page.title : p->rel);
    }
    return pages;
}

static json_t *index_of(const ds_pages *pages)
{
    char *text = ds_search_index(pages);
    cr_assert(ds_ends_with(text, "\n"));
    json_error_t e;
    json_t *doc = json_loads(text, 0, &e);
    cr_assert_not_null(doc, "%s: %s", e.text, text);
    free(text);
    return json_object_get(doc, "pages") ? doc : NULL;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

Test(search, titles_headings_and_plain_prose)
{
    const char *files[] = {
        "index", "# Sales overview\n\nRevenue by **region** and [month](/m.html).\n\n"
                 "## By region\n\nSee `orders` &amp; returns.<br>\n\n<div>raw html</div>\n\n"
                 "```sql x\nselect 1\n```\n\n### Last &lt;heading&gt;\n",
        "guides/setup", "---\ntitle: Set up\ndescription: How to start\n---\n# Install\n\ntext\n",
    };
    ds_pages pages = make(files, 2);
    json_t *doc = index_of(&pages);
    json_t *list = json_object_get(doc, "pages");
    cr_assert_eq(json_array_size(list), 2);
    json_t *a = json_array_get(list, 0), *b = json_array_get(list, 1);
    cr_assert_str_eq(str(a, "url"), "/index.html");
    cr_assert_str_eq(str(a, "title"), "Sales overview");
    /* The title's own heading is not repeated; entities are decoded. */
    json_t *h = json_object_get(a, "headings");
    cr_assert_eq(json_array_size(h), 2, "%s", json_dumps(h, 0));
    cr_assert_str_eq(json_string_value(json_array_get(h, 0)), "By region");
    cr_assert_str_eq(json_string_value(json_array_get(h, 1)), "Last <heading>");
    /* Prose as a reader sees it: no markup, no raw HTML, no sql block. */
    cr_assert_str_eq(str(a, "text"), "Revenue by region and month. See orders & returns.");
    cr_assert_str_eq(str(b, "url"), "/guides/setup.html");
    cr_assert_str_eq(str(b, "title"), "Set up");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(b, "headings"), 0)),
                     "Install");
    cr_assert_str_eq(str(b, "text"), "How to start text");
    json_decref(doc);
    ds_pages_free(&pages);
}

Test(search, hidden_pages_left_out)
{
    const char *files[] = {"a", "# A\n", "b", "---\nhidden: true\n---\n# Secret\n\nhush\n"};
    ds_pages pages = make(files, 2);
    json_t *doc = index_of(&pages);
    json_t *list = json_object_get(doc, "pages");
    cr_assert_eq(json_array_size(list), 1);
    cr_assert_str_eq(str(json_array_get(list, 0), "url"), "/a.html");
    json_decref(doc);
    ds_pages_free(&pages);
}

/* Long prose is cut at DS_SEARCH_TEXT_MAX bytes, never inside a UTF-8
 * character; a URL is percent-encoded like the navigation's links. */
Test(search, text_cut_at_a_character)
{
    ds_buf md = {0};
    ds_buf_puts(&md, "# T\n\nx");
    for (int i = 0; i < DS_SEARCH_TEXT_MAX; i++)
        ds_buf_puts(&md, "é");
    ds_buf_puts(&md, "\n");
    const char *files[] = {"a b/é", md.data};
    ds_pages pages = make(files, 1);
    json_t *doc = index_of(&pages);
    json_t *p = json_array_get(json_object_get(doc, "pages"), 0);
    const char *text = str(p, "text");
    cr_assert_not_null(text);
    cr_assert_eq(strlen(text), DS_SEARCH_TEXT_MAX - 1, "%zu", strlen(text));
    cr_assert_str_eq(str(p, "url"), "/a%20b/%C3%A9.html");
    json_decref(doc);
    ds_pages_free(&pages);
    ds_buf_free(&md);
}

/* Past the whole index's budget, pages keep titles and headings only. */
Test(search, total_budget)
{
    size_t n = DS_SEARCH_TOTAL_MAX / DS_SEARCH_TEXT_MAX + 3;
    char **files = ds_xcalloc(2 * n, sizeof *files);
    ds_buf md = {0};
    ds_buf_puts(&md, "# T\n\n## H\n\n");
    for (int i = 0; i < DS_SEARCH_TEXT_MAX + 100; i++)
        ds_buf_putc(&md, i % 7 == 0 ? ' ' : (char)('a' + i % 26));
    for (size_t i = 0; i < n; i++) {
        files[2 * i] = ds_asprintf("p%05zu", i);
        files[2 * i + 1] = md.data;
    }
    ds_pages pages = make((const char *const *)files, n);
    json_t *doc = index_of(&pages);
    json_t *list = json_object_get(doc, "pages");
    cr_assert_eq(json_array_size(list), n);
    size_t total = 0;
    json_t *last = json_array_get(list, n - 1);
    for (size_t i = 0; i < n; i++)
        total += strlen(str(json_array_get(list, i), "text"));
    cr_assert_leq(total, DS_SEARCH_TOTAL_MAX);
    cr_assert_str_eq(str(last, "text"), "");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(last, "headings"), 0)), "H");
    json_decref(doc);
    ds_pages_free(&pages);
    for (size_t i = 0; i < n; i++)
        free(files[2 * i]);
    free(files);
    ds_buf_free(&md);
}
