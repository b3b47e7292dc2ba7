/* test_page.c - the page parser: fences recognised the way CommonMark sees
 * them, parts in document order with their lines, key/value bodies with
 * format: sections, grids, titles, and every error naming file:line. */
#include <criterion/criterion.h>

#include "site/page.h"
#include "testutil.h"

static ds_page parse_ok(const char *text)
{
    ds_page page;
    ds_err err;
    cr_assert_eq(ds_page_parse(text, "content/p.md", &page, &err), 0, "%s", err.msg);
    return page;
}

/* Parsing must fail with a message starting with want_prefix and
 * containing want_part (when given). */
static void parse_err(const char *text, const char *want_prefix, const char *want_part)
{
    ds_page page;
    ds_err err;
    int rc = ds_page_parse(text, "content/p.md", &page, &err);
    cr_assert_eq(rc, -1, "parsed without error: %s", text);
    cr_assert_eq(page.n_parts, 0);
    cr_assert(ds_starts_with(err.msg, want_prefix), "message: %s\nwanted prefix: %s", err.msg,
              want_prefix);
    if (want_part)
        cr_assert(strstr(err.msg, want_part) != NULL, "message: %s\nlacks: %s", err.msg,
                  want_part);
}

static const char *kv(const ds_part *p, const char *key)
{
    for (size_t i = 0; i < p->n_kv; i++)
        if (strcmp(p->kv[i].key, key) == 0)
            return p->kv[i].value;
    return NULL;
}

Test(page, parts_in_document_order_with_lines)
{
    ds_page page = parse_ok("# Title\n"                  /* 1 */
                            "\n"                         /* 2 */
                            "Intro.\n"                   /* 3 */
                            "```sql q1\n"                /* 4 */
                            "SELECT 1 AS x;\n"           /* 5 */
                            "```\n"                      /* 6 */
                            "Middle.\n"                  /* 7 */
                            "```echart c\n"              /* 8 */
                            "type: bar\n"                /* 9 */
                            "```\n"                      /* 10 */
                            "```table t\n"               /* 11 */
                            "```\n"                      /* 12 */
                            "```input region\n"          /* 13 */
                            "label: Region\n"            /* 14 */
                            "```\n"                      /* 15 */
                            "```grid cols=3 gap=lg\n"    /* 16 */
                            "| c | t:2 |\n"              /* 17 */
                            "```\n"                      /* 18 */
                            "End.\n");                   /* 19 */
    cr_assert_str_eq(page.title, "Title");
    cr_assert_eq(page.n_parts, 8);
    ds_part_kind kinds[] = {DS_PART_PROSE, DS_PART_SQL,   DS_PART_PROSE, DS_PART_ECHART,
                            DS_PART_TABLE, DS_PART_INPUT, DS_PART_GRID,  DS_PART_PROSE};
    int lines[] = {1, 4, 7, 8, 11, 13, 16, 19};
    for (size_t i = 0; i < 8; i++) {
        cr_assert_eq(page.parts[i].kind, kinds[i], "part %zu", i);
        cr_assert_eq(page.parts[i].line, lines[i], "part %zu: line %d", i, page.parts[i].line);
    }
    cr_assert_str_eq(page.parts[0].text, "# Title\n\nIntro.\n");
    cr_assert_str_eq(page.parts[1].id, "q1");
    cr_assert_str_eq(page.parts[1].text, "SELECT 1 AS x");
    cr_assert_str_eq(page.parts[2].text, "Middle.\n");
    cr_assert_str_eq(kv(&page.parts[3], "type"), "bar");
    cr_assert_eq(page.parts[4].n_kv, 0);
    cr_assert_str_eq(kv(&page.parts[5], "label"), "Region");
    const ds_part *g = &page.parts[6];
    cr_assert_eq(g->cols, 3);
    cr_assert_str_eq(g->gap, "lg");
    cr_assert_eq(g->n_rows, 1);
    cr_assert_eq(g->rows[0].n_cells, 2);
    cr_assert_str_eq(g->rows[0].cells[1].id, "t");
    cr_assert_eq(g->rows[0].cells[1].span, 2);
    cr_assert_eq(ds_page_find(&page, DS_PART_TABLE, "t"), &page.parts[4]);
    cr_assert_null(ds_page_find(&page, DS_PART_ECHART, "t"));
    ds_page_free(&page);
}

Test(page, non_dsl_fences_stay_prose)
{
    ds_page page = parse_ok("```python\n"
                            "```sql inside_python\n"   /* not a fence opener here */
                            "```\n"
                            "```sql\n"                 /* no id: a code sample */
                            "SELECT 1\n"
                            "```\n"
                            "~~~sql tilde\n"           /* tilde fences are always code */
                            "SELECT 2\n"
                            "~~~\n"
                            "````markdown\n"           /* a longer fence shows DSL text */
                            "```sql shown\n"
                            "SELECT 3\n"
                            "```\n"
                            "````\n"
                            "    ```sql indented_code\n" /* 4 spaces: indented code */
                            "    ```\n");
    cr_assert_eq(page.n_parts, 1);
    cr_assert_eq(page.parts[0].kind, DS_PART_PROSE);
    cr_assert_null(page.title);
    ds_page_free(&page);
}

Test(page, fence_details)
{
    /* Up to three spaces of indentation, longer fences, trailing blanks,
     * CRLF line ends, and a closing fence that must be at least as long. */
    ds_page page = parse_ok("   ````sql a  \r\n"
                            "SELECT 1\r\n"
                            "```\r\n"            /* too short: part of the body */
                            "````  \r\n"
                            "``` not a fence ` because of the backtick\n");
    cr_assert_eq(page.n_parts, 2);
    cr_assert_eq(page.parts[0].kind, DS_PART_SQL);
    cr_assert_str_eq(page.parts[0].text, "SELECT 1\n```");
    cr_assert_eq(page.parts[1].kind, DS_PART_PROSE);
    cr_assert_eq(page.parts[1].line, 5);
    ds_page_free(&page);
}

Test(page, unclosed_prose_fence_hides_later_blocks)
{
    /* As in CommonMark, an unclosed fence runs to the end of the page. */
    ds_page page = parse_ok("```text\nfoo\n```sql q\nSELECT 1\n");
    cr_assert_eq(page.n_parts, 1);
    cr_assert_eq(page.parts[0].kind, DS_PART_PROSE);
    ds_page_free(&page);
}

Test(page, title_rules)
{
    ds_page page = parse_ok("Intro\n## Not h1\n#NoSpace\n  # Sales ##  \n# Second\n");
    cr_assert_str_eq(page.title, "Sales");
    ds_page_free(&page);
    page = parse_ok("```\n# in code\n```\n#\n# Real\n");
    cr_assert_str_eq(page.title, "Real");
    ds_page_free(&page);
    page = parse_ok("\xEF\xBB\xBF# With BOM\n");
    cr_assert_str_eq(page.title, "With BOM");
    cr_assert_str_eq(page.parts[0].text, "# With BOM\n");
    ds_page_free(&page);
    page = parse_ok("# C# #\n");
    cr_assert_str_eq(page.title, "C#");
    ds_page_free(&page);
    page = parse_ok("");
    cr_assert_eq(page.n_parts, 0);
    cr_assert_null(page.title);
    ds_page_free(&page);
    /* Values are known only on the page: the title leaves them out, but
     * keeps a page per value's ${params.name}, which the build fills. */
    page = parse_ok("# Total ${q.total} orders in ${ inputs.r }\n");
    cr_assert_str_eq(page.title, "Total orders in");
    ds_page_free(&page);
    page = parse_ok("# ${q.total}\n");
    cr_assert_null(page.title);
    ds_page_free(&page);
    page = parse_ok("# Orders of ${params.region}\n");
    cr_assert_str_eq(page.title, "Orders of ${params.region}");
    ds_page_free(&page);
}

Test(page, key_values_quotes_comments_and_colons)
{
    ds_page page = parse_ok("```echart c\n"
                            "# a comment\n"
                            "\n"
                            "data_query: \"global:demo_${inputs.x}\"\n"
                            "title: 'It''s'\n"
                            "both: \"'inner'\"\n"
                            "empty:\n"
                            "  spaced  :   v  \n"
                            "half: \"open\n"
                            "```\n");
    const ds_part *p = &page.parts[0];
    cr_assert_eq(p->n_kv, 6);
    cr_assert_str_eq(p->kv[0].key, "data_query");
    cr_assert_str_eq(p->kv[0].value, "global:demo_${inputs.x}");
    cr_assert_eq(p->kv[0].line, 4);
    cr_assert_str_eq(kv(p, "title"), "It''s");
    cr_assert_str_eq(kv(p, "both"), "inner");
    cr_assert_str_eq(kv(p, "empty"), "");
    cr_assert_str_eq(kv(p, "spaced"), "v");
    cr_assert_str_eq(kv(p, "half"), "\"open");
    ds_page_free(&page);
}

/* In keys that hold SQL a value in single quotes is an SQL string: kept. */
Test(page, sql_keys_keep_single_quotes)
{
    ds_page page = parse_ok("```echart c\n"
                            "color_expr: 'red'\n"
                            "label_color_expr: \"'white'\"\n"
                            "expression_template: 'x' = ?\n"
                            "title: 'Sales'\n"
                            "```\n");
    const ds_part *p = &page.parts[0];
    cr_assert_str_eq(kv(p, "color_expr"), "'red'");
    cr_assert_str_eq(kv(p, "label_color_expr"), "'white'");
    cr_assert_str_eq(kv(p, "expression_template"), "'x' = ?");
    cr_assert_str_eq(kv(p, "title"), "Sales");
    ds_page_free(&page);
}

Test(page, format_section)
{
    ds_page page = parse_ok("```table t\n"
                            "query: q\n"
                            "format:\n"
                            "  total:\n"
                            "    decimals: 2\n"
                            "    prefix: \"$\"\n"
                            "\n"
                            "  \"Region name\":\n"
                            "    bold: true\n"
                            "  empty_target:\n"
                            "title: after\n"
                            "```\n");
    const ds_part *p = &page.parts[0];
    cr_assert_eq(p->n_kv, 2);
    cr_assert_str_eq(kv(p, "title"), "after");
    cr_assert_eq(p->n_formats, 3);
    cr_assert_str_eq(p->formats[0].target, "total");
    cr_assert_eq(p->formats[0].line, 4);
    cr_assert_eq(p->formats[0].n_items, 2);
    cr_assert_str_eq(p->formats[0].items[1].key, "prefix");
    cr_assert_str_eq(p->formats[0].items[1].value, "$");
    cr_assert_str_eq(p->formats[1].target, "Region name");
    cr_assert_str_eq(p->formats[1].items[0].value, "true");
    cr_assert_eq(p->formats[2].n_items, 0);
    ds_page_free(&page);

    /* The whole body may be indented: the section ends at format:'s own depth. */
    page = parse_ok("```echart c\n"
                    "  format:\n"
                    "\tx:\n"
                    "\t  k: v\n"
                    "  type: line\n"
                    "```\n");
    p = &page.parts[0];
    cr_assert_str_eq(kv(p, "type"), "line");
    cr_assert_eq(p->n_formats, 1);
    cr_assert_str_eq(p->formats[0].items[0].key, "k");
    ds_page_free(&page);
}

Test(page, grid_rules)
{
    ds_page page = parse_ok("```grid cols=12\n"
                            "# comment\n"
                            "|a|b:3|\n"
                            "| . | | c : 12 |\n"
                            "| . |\n"
                            "| d\n"
                            "```\n");
    const ds_part *g = &page.parts[0];
    cr_assert_eq(g->cols, 12);
    cr_assert_str_eq(g->gap, "md");
    cr_assert_eq(g->n_rows, 3); /* the row of only gaps is dropped */
    cr_assert_eq(g->rows[0].n_cells, 2);
    cr_assert_eq(g->rows[0].cells[1].span, 3);
    cr_assert_eq(g->rows[1].n_cells, 1);
    cr_assert_str_eq(g->rows[1].cells[0].id, "c");
    cr_assert_eq(g->rows[1].cells[0].span, 12);
    cr_assert_str_eq(g->rows[2].cells[0].id, "d");
    ds_page_free(&page);

    page = parse_ok("```grid\n| a | b |\n```\n");
    cr_assert_eq(page.parts[0].cols, 2); /* the defaults */
    cr_assert_str_eq(page.parts[0].gap, "md");
    ds_page_free(&page);
    page = parse_ok("```grid gap=12.5 cols=4\n| a:4 |\n```\n");
    cr_assert_eq(page.parts[0].cols, 4);
    cr_assert_str_eq(page.parts[0].gap, "12.5");
    ds_page_free(&page);
    page = parse_ok("```grid gap=none\n| a |\n```\n");
    cr_assert_str_eq(page.parts[0].gap, "none");
    ds_page_free(&page);
}

/* Grid arguments are cols=N and gap=G, each once, with values the page can
 * use; a cell spans at most the grid's columns. */
Test(page, grid_argument_errors)
{
    parse_err("```grid colz=2\n| a |\n```\n",
              "content/p.md:1: grid: unknown argument 'colz=2'; did you mean 'cols'? "
              "(arguments: cols=N, 1 to 12, and gap=G)",
              NULL);
    parse_err("```grid wide\n| a |\n```\n", "content/p.md:1: grid: unknown argument 'wide' "
                                              "(arguments: cols=N, 1 to 12, and gap=G)",
              NULL);
    parse_err("```grid cols=2 cols=3\n| a |\n```\n",
              "content/p.md:1: grid: cols is given twice; keep one", NULL);
    parse_err("```grid gap=lg gap=sm\n| a |\n```\n",
              "content/p.md:1: grid: gap is given twice; keep one", NULL);
    parse_err("```grid gap=huge\n| a |\n```\n",
              "content/p.md:1: grid: gap must be none, xs, sm, md, lg, xl or a number of "
              "pixels, got 'huge'",
              NULL);
    parse_err("```grid gap=lgg\n| a |\n```\n", "content/p.md:1: grid: gap must be",
              "got 'lgg'; did you mean 'lg'?");
    parse_err("```grid gap=16px\n| a |\n```\n", "content/p.md:1: grid: gap must be",
              "got '16px'; write the number without px");
    parse_err("```grid gap=\n| a |\n```\n", "content/p.md:1: grid: gap must be", "got ''");
    parse_err("```grid gap=1.\n| a |\n```\n", "content/p.md:1: grid: gap must be", NULL);
    parse_err("```grid cols\n| a |\n```\n",
              "content/p.md:1: grid: cols must be a whole number from 1 to 12, got 'cols'",
              NULL);
    parse_err("```grid cols=2\n| a | b |\n| q:3 |\n```\n",
              "content/p.md:3: grid: cell 'q' spans 3 columns, more than the grid's 2 (cols=2); "
              "lower the span or raise cols",
              NULL);
    parse_err("```grid\n| q:3 |\n```\n", "content/p.md:2: grid: cell 'q' spans 3 columns", NULL);
}

Test(page, same_id_in_different_kinds_is_fine)
{
    ds_page page = parse_ok("```sql x\nSELECT 1\n```\n```echart x\n```\n```table x\n```\n"
                            "```input x\n```\n");
    cr_assert_eq(page.n_parts, 4);
    ds_page_free(&page);
}

Test(page, errors_name_file_and_line)
{
    parse_err("text\n```sql q\nSELECT 1\n```\n\n```sql q\nSELECT 2\n```\n",
              "content/p.md:6: sql 'q' is defined twice, at lines 2 and 6", NULL);
    parse_err("```echart my-chart\n```\n", "content/p.md:1: echart id 'my-chart' may use only",
              NULL);
    parse_err("```input a b\n```\n", "content/p.md:1: input 'a': unexpected 'b'", NULL);
    parse_err("\n```sql q\nSELECT 1\n", "content/p.md:2: sql block is not closed", NULL);
    parse_err("```sql q\n  ;\n```\n", "content/p.md:1: sql 'q' is empty", NULL);
    parse_err("```table t\nquery: q\nno colon here\n```\n",
              "content/p.md:3: table 't': expected 'key: value', got 'no colon here'", NULL);
    parse_err("```table t\n: v\n```\n", "content/p.md:2: table 't': the line has no key", NULL);
    parse_err("```table t\nquery: a\nquery: b\n```\n",
              "content/p.md:3: table 't': key 'query' is already set at line 2", NULL);
    parse_err("```echart c\nformat: x\n```\n", "content/p.md:2: echart 'c': 'format:' takes no",
              NULL);
    parse_err("```echart c\nformat:\n  a:\nformat:\n```\n",
              "content/p.md:4: echart 'c': 'format:' is already given at line 2", NULL);
    parse_err("```echart c\nformat:\n  a: 1\n```\n",
              "content/p.md:3: echart 'c': under format:, expected a target line", NULL);
    parse_err("```echart c\nformat:\n  a:\n    k: 1\n    k: 2\n```\n",
              "content/p.md:5: echart 'c': format key 'k' of target 'a' is already set at line 4",
              NULL);
    parse_err("```echart c\nformat:\n  a:\n  a:\n```\n",
              "content/p.md:4: echart 'c': format target 'a' is already defined at line 3",
              NULL);
    parse_err("```grid cols=0\n```\n", "content/p.md:1: grid: cols must be a whole number", NULL);
    parse_err("```grid cols=x\n```\n", "content/p.md:1: grid: cols must be", NULL);
    parse_err("```grid\n| a:0 |\n```\n", "content/p.md:2: grid: cell 'a' has span '0'", NULL);
    parse_err("```grid\n| a:13 |\n```\n", "content/p.md:2: grid: cell 'a' has span '13'", NULL);
    parse_err("```grid\n| a-b |\n```\n", "content/p.md:2: grid: cell 'a-b' is not a block id",
              NULL);
    parse_err("```grid\na | b\n```\n", "content/p.md:2: grid: expected a row like", NULL);
    parse_err("ok\n\xff\n", "content/p.md:2: the text is not valid UTF-8", NULL);
    parse_err("\xc0\x80", "content/p.md:1: the text is not valid UTF-8", NULL);   /* overlong */
    parse_err("\xed\xa0\x80", "content/p.md:1: the text is not valid UTF-8", NULL); /* surrogate */
}

Test(page, ids)
{
    cr_assert(ds_page_is_id("abc_123"));
    cr_assert(ds_page_is_id("9lives"));
    cr_assert_not(ds_page_is_id(""));
    cr_assert_not(ds_page_is_id("a-b"));
    cr_assert_not(ds_page_is_id("a.b"));
    cr_assert_not(ds_page_is_id("\xc3\xa9"));
    cr_assert_str_eq(ds_part_kind_name(DS_PART_GRID), "grid");
    cr_assert_str_eq(ds_part_kind_name(DS_PART_PROSE), "prose");
}

Test(page, utf8_text_is_kept)
{
    ds_page page =
        parse_ok("# Caf\xc3\xa9 \xf0\x9f\xa6\x86\n```input x\nlabel: \xe2\x80\xa8\n```\n");
    cr_assert_str_eq(page.title, "Caf\xc3\xa9 \xf0\x9f\xa6\x86");
    cr_assert_str_eq(page.parts[1].kv[0].value, "\xe2\x80\xa8");
    ds_page_free(&page);
}

/* Front matter: settings for the page's stored results, every mistake
 * named with its line. */
Test(page, front_matter)
{
    ds_page p = parse_ok("---\nprerender: false\n# a comment\nprerender_max_options: 3\n"
                         "prerender_max_bytes: \"1000\"\n---\n# T\n");
    cr_assert_eq(p.settings.prerender, 0);
    cr_assert_eq(p.settings.prerender_max_options, 3);
    cr_assert_eq(p.settings.prerender_max_bytes, 1000);
    cr_assert_str_eq(p.title, "T");
    cr_assert_eq(p.parts[0].line, 7, "prose after the front matter keeps its line");
    ds_page_free(&p);

    p = parse_ok("# T\n");
    cr_assert_eq(p.settings.prerender, -1);
    cr_assert_eq(p.settings.prerender_max_options, -1);
    cr_assert_eq(p.settings.prerender_max_bytes, -1);
    ds_page_free(&p);

    parse_err("---\nprerender: maybe\n---\n", "content/p.md:2:", "must be true or false");
    parse_err("---\nprerender_max_bytes: -5\n---\n", "content/p.md:2:",
              "must be a non-negative integer");
    parse_err("---\nprerender_max_options: lots\n---\n", "content/p.md:2:",
              "must be a non-negative integer");
    parse_err("---\nprerender\n---\n", "content/p.md:2:", "has no ':'");
    parse_err("---\nprerendr: false\n---\n", "content/p.md:2:", "did you mean 'prerender'?");
    parse_err("---\nprerender: false\n# T\n", "content/p.md:1:", "not closed");
    /* A key given twice: the first would silently lose. */
    parse_err("---\ntitle: Hi\norder: 1\ntitle: Ho\n---\n",
              "content/p.md:4: front matter 'title' is already given at line 2; keep one", NULL);
    parse_err("---\nhidden: true\nhidden: true\n---\n",
              "content/p.md:3: front matter 'hidden' is already given at line 2", NULL);
}

/* Prose that starts like a value but is none is an error at its line. */
Test(page, prose_value_mistakes)
{
    parse_err("---\ntitle: T\n---\n# T\n\n```sql q\nSELECT 1 AS total\n```\n\nA ${q.total | "
              "currency:}\n",
              "content/p.md:10: '${q.total | currency:}' is not a value; write ${QUERY.COLUMN}",
              NULL);
    ds_page page = parse_ok("A ${q.total | currency: 2}.\n");
    cr_assert_eq(page.n_parts, 2);
    cr_assert_eq(page.parts[1].kind, DS_PART_VALUE);
    cr_assert_str_eq(ds_part_get(&page.parts[1], "decimals")->value, "2");
    ds_page_free(&page);
}

/* A component fence without an id is an error, not a code block of that
 * language; ```sql without one stays a code block (a way to show SQL). */
Test(page, component_fence_without_id)
{
    static const char *const kinds[] = {"echart", "table", "value", "kpi", "form"};
    for (size_t i = 0; i < DS_ARRAY_LEN(kinds); i++) {
        char *text = ds_asprintf("# T\n\n```%s\ntype: bar\n```\n", kinds[i]);
        char *want = ds_asprintf("content/p.md:3: %s block without an id; write ```%s <id> (to "
                                 "show a code block, fence it with ~~~)",
                                 kinds[i], kinds[i]);
        parse_err(text, want, NULL);
        free(want);
        free(text);
    }
    parse_err("```input   \nlabel: x\n```\n",
              "content/p.md:1: input block without a name; write ```input <name>", NULL);
    ds_page page = parse_ok("```sql\nSELECT 1\n```\n~~~echart\ntype: bar\n~~~\n"
                            "```yaml\ntype: bar\n```\n````markdown\n```echart\n```\n````\n");
    cr_assert_eq(page.n_parts, 1);
    cr_assert_eq(page.parts[0].kind, DS_PART_PROSE);
    ds_page_free(&page);
}

/* Front matter for the document and the navigation: title, description,
 * order, hidden. */
Test(page, front_matter_title_description_order_hidden)
{
    ds_page p = parse_ok("---\ntitle: Sales <b>&\"x\"\ndescription: 'Per region'\norder: -3\n"
                         "hidden: true\n---\n# Heading\n");
    cr_assert_str_eq(p.title, "Sales <b>&\"x\"", "the front matter title wins over the heading");
    cr_assert_str_eq(p.description, "Per region");
    cr_assert(p.settings.has_order);
    cr_assert_eq(p.settings.order, -3);
    cr_assert(p.settings.hidden);
    cr_assert_eq(p.settings.prerender, -1);
    ds_page_free(&p);

    p = parse_ok("---\norder: 0\nhidden: false\n---\n# Heading\n");
    cr_assert_str_eq(p.title, "Heading");
    cr_assert_null(p.description);
    cr_assert(p.settings.has_order);
    cr_assert_eq(p.settings.order, 0);
    cr_assert_not(p.settings.hidden);
    ds_page_free(&p);

    p = parse_ok("# Heading\n");
    cr_assert_not(p.settings.has_order);
    cr_assert_not(p.settings.hidden);
    ds_page_free(&p);

    parse_err("---\norder: x\n---\n", "content/p.md:2:",
              "front matter 'order' must be an integer, not 'x'");
    parse_err("---\norder: 1.5\n---\n", "content/p.md:2:", "must be an integer");
    parse_err("---\norder:\n---\n", "content/p.md:2:", "must be an integer, not ''");
    parse_err("---\nhidden: yes\n---\n", "content/p.md:2:",
              "front matter 'hidden' must be true or false, not 'yes'");
    parse_err("---\ntitle:\n---\n", "content/p.md:2:", "front matter 'title' is empty");
    parse_err("---\ndescription: \"\"\n---\n", "content/p.md:2:", "'description' is empty");
    parse_err("---\ntitel: X\n---\n", "content/p.md:2:", "did you mean 'title'?");
    parse_err("---\nhiden: true\n---\n", "content/p.md:2:", "did you mean 'hidden'?");
    parse_err("---\nzzz: 1\n---\n", "content/p.md:2:",
              "known keys: title, description, order, hidden, prerender");
}
