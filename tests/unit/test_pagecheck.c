/* test_pagecheck.c - the page check of ${...} placeholders: only the forms
 * the browser fills (web/src/sql.js), outside quotes in SQL, naming an input
 * that gives them a value; each mistake an error naming the file, the line
 * and what to write instead. */
#include <criterion/criterion.h>

#include "site/page.h"
#include "site/pagecheck.h"
#include "testutil.h"

/* The page check's error for TEXT (a page per value of VALUE_NAME when
 * not NULL), or NULL when it passes (freed by caller). */
static char *check_as(const char *text, const char *value_name)
{
    ds_page page;
    ds_err err;
    cr_assert_eq(ds_page_parse(text, "content/p.md", &page, &err), 0, "%s", err.msg);
    ds_query_list queries = {0};
    ds_query_add(&queries, "orders", DS_KIND_MODEL, "SELECT 1 AS region", "sources_sql/o.sql", 1);
    char *out = ds_pagecheck(&page, "content/p.md", value_name, &queries, &err) == 0
                    ? NULL
                    : ds_strdup(err.msg);
    ds_query_list_free(&queries);
    ds_page_free(&page);
    return out;
}

static void expect_error(const char *text, const char *want)
{
    char *got = check_as(text, NULL);
    cr_assert_not_null(got, "no error for:\n%s", text);
    cr_assert(strstr(got, want), "error '%s' lacks '%s'", got, want);
    free(got);
}

static void expect_ok(const char *text)
{
    char *got = check_as(text, NULL);
    cr_assert_null(got, "unexpected error: %s", got);
}

/* A text input r, a dropdown d with a template, and a text input s that
 * makes ${params.pre} through param_name/param_template. */
#define INPUTS                                                                                     \
    "```input r\nvisual_mode: text\n```\n"                                                         \
    "```input d\nvisual_mode: dropdown\noptions: a, b\nexpression_template: region = ?\n```\n"     \
    "```input s\nvisual_mode: text\nparam_name: pre\nparam_template: left(?, 2)\n```\n"

/* Lines: the 13 lines of INPUTS, then "```sql q" on 14, its query on 15. */
#define SQL(q) INPUTS "```sql q\n" q "\n```\n"

Test(pagecheck, placeholders_the_browser_fills_pass)
{
    expect_ok(SQL("SELECT * FROM orders WHERE region = ${inputs.r} AND ${params.d}\n"
                  "  AND ${ inputs.d } IS NOT NULL AND ${params.pre} AND ${inputs.pre}\n"
                  "  AND ${\tinputs.s\n} IS NULL AND ${\xC2\xA0inputs.r\xE3\x80\x80} IS NULL\n"
                  "  AND region LIKE '%' || ${inputs.r} || '%'"));
    /* Comments are left alone, whatever they hold. */
    expect_ok(SQL("SELECT 1 -- ${input.r} and '${inputs.r}'\n/* ${i} */"));
    /* Text that is no placeholder in a string literal without ${ passes. */
    expect_ok(SQL("SELECT '$' || '{x}', $1"));
}

Test(pagecheck, a_placeholder_in_quotes_is_an_error)
{
    expect_error(SQL("SELECT count(*) FROM orders WHERE region = '${inputs.r}'"),
                 "content/p.md:15: sql 'q': '${inputs.r}' is inside quotes, but a placeholder "
                 "is already a quoted literal (or a typed value); remove the quotes around it "
                 "(inside text, join it: '%' || ${inputs.r} || '%')");
    /* On the line it is written on. */
    expect_error(SQL("SELECT 1\nWHERE region LIKE '%${ inputs.r }%'"),
                 "content/p.md:16: sql 'q': '${ inputs.r }' is inside quotes");
    expect_error(SQL("SELECT 1 WHERE $$${inputs.r}$$ = 'x'"), "'${inputs.r}' is inside quotes");
    expect_error(SQL("SELECT 1 WHERE '${params.d}'"),
                 "'${params.d}' is inside quotes, but ${params.d} is SQL (the input's "
                 "expression_template); remove the quotes around it");
    expect_error(SQL("SELECT \"${inputs.r}\" FROM orders"),
                 "'${inputs.r}' is inside a quoted identifier, where it cannot be a value; "
                 "write it bare");
    /* Format expressions are SQL the browser fills too. */
    expect_error(INPUTS "```sql q\nSELECT 1 AS region\n```\n```table q\nformat:\n  region:\n"
                        "    bg_color_expr: CASE WHEN region = '${inputs.r}' THEN 'red' END\n```\n",
                 "content/p.md:20: table 'q': bg_color_expr: '${inputs.r}' is inside quotes");
}

Test(pagecheck, other_forms_are_errors_with_a_did_you_mean)
{
    expect_error(SQL("SELECT 1 WHERE region = ${input.r}"),
                 "content/p.md:15: sql 'q': '${input.r}' is not a placeholder: write "
                 "${inputs.NAME} (an input's value) or ${params.NAME} (the SQL its "
                 "expression_template makes); did you mean '${inputs.r}'?");
    expect_error(SQL("SELECT 1 WHERE ${param.d}"), "did you mean '${params.d}'?");
    expect_error(SQL("SELECT 1 WHERE region = ${inputs. r}"), "did you mean '${inputs.r}'?");
    expect_error(SQL("SELECT 1 WHERE region = ${r}"),
                 "'${r}' is not a placeholder: write ${inputs.NAME}");
    expect_error(SQL("SELECT 1 WHERE region = ${r}"), "did you mean '${inputs.r}'?");
    expect_error(SQL("SELECT 1 WHERE region = ${i}"), "'${i}' is not a placeholder");
    expect_error(SQL("SELECT 1 WHERE region = ${inputs.r"), "'${inputs.r' is not a placeholder");
    /* Quoted text the browser leaves alone stays text (a value of a page
     * per value may hold anything). */
    expect_ok(SQL("SELECT 1 WHERE region = '${input.r}' OR region = 'a ${b} c' OR \"${x}\" = 1"));
    /* In a key's value. */
    expect_error(INPUTS
                 "```sql q\nSELECT 1 AS region\n```\n```table q\ntitle: By ${input.r}\n```\n",
                 "content/p.md:18: table 'q': title: '${input.r}' is not a placeholder");
}

Test(pagecheck, params_need_a_template)
{
    expect_error(SQL("SELECT 1 WHERE ${params.r}"),
                 "content/p.md:15: sql 'q': ${params.r} is always NULL: input 'r' has no "
                 "expression_template; give it one (expression_template: column = ?) or write "
                 "${inputs.r} for its value");
    expect_error(SQL("SELECT 1 WHERE ${params.dd}"),
                 "${params.dd} names no input of this page with an expression_template; did "
                 "you mean 'd'?");
    /* A param_name of a typed input makes no ${params.x} (buildEnv skips it). */
    expect_error("```input day\nvisual_mode: date\nparam_name: dd\nparam_template: ?\n```\n"
                 "```sql q\nSELECT 1 WHERE ${params.dd}\n```\n",
                 "${params.dd} is always NULL: 'dd' is set by a param_name, which makes "
                 "${params.dd} only with a param_template");
    /* A date range with a template. */
    expect_ok(
        "```input p\nvisual_mode: date_range\nexpression_template: d BETWEEN ? AND ?\n```\n"
        "```sql q\nSELECT 1 WHERE ${params.p} AND ${inputs.p_start} < ${inputs.p_end}\n```\n");
}

Test(pagecheck, query_ids_and_templates)
{
    expect_ok(INPUTS "```table t\nquery: orders_${inputs.r}\n```\n");
    expect_error(INPUTS "```table t\nquery: orders_${params.d}\n```\n",
                 "content/p.md:15: table 't': query: '${params.d}': a query id is filled with "
                 "${inputs.NAME} only; ${params.d} there is always empty");
    expect_error("```input r\nvisual_mode: text\nexpression_template: region = ${inputs.r}\n```\n",
                 "content/p.md:3: input 'r': expression_template: '${inputs.r}': placeholders "
                 "are not filled in expression_template (the input's value goes where ? is); "
                 "use ? here, or write the condition in the sql block");
    expect_error("```input r\nvisual_mode: text\nexpression_template: region = ?\n"
                 "all_expression: ${params.r}\n```\n",
                 "content/p.md:4: input 'r': all_expression: '${params.r}': placeholders are "
                 "not filled in all_expression");
}

Test(pagecheck, a_page_per_value_may_show_its_value)
{
    const char *page = "```sql q\nSELECT 1 AS region\n```\n```table q\ntitle: Rows of "
                       "${params.region}\n```\n";
    char *got = check_as(page, "region");
    cr_assert_null(got, "unexpected error: %s", got);
    got = check_as(page, NULL);
    cr_assert_not_null(got);
    cr_assert(strstr(got, "a title shows input values, and ${params.region} is SQL"), "%s", got);
    free(got);
}

Test(pagecheck, clicks_set_an_input_of_the_page)
{
    const char *q = "```sql q\nSELECT 'east' AS region\n```\n```input region\nvisual_mode: "
                    "text\n```\n";
    char *page = ds_asprintf("%s```table q\nclick_input: regon\n```\n", q);
    expect_error(page, "content/p.md:8: table 'q': click_input: 'regon' names no input of "
                       "this page; did you mean 'region'?");
    free(page);
    page = ds_asprintf("%s```echart q\nx: region\nclick_anti_input: nope\n```\n", q);
    expect_error(page, "content/p.md:9: echart 'q': click_anti_input: 'nope' names no input of "
                       "this page; its inputs: region");
    free(page);
    expect_error("```sql q\nSELECT 1 AS n\n```\n```table q\nclick_input: n\n```\n",
                 "click_input: 'n' names no input of this page; define it with an ```input n "
                 "block");
    page = ds_asprintf("%s```table q\nclick_input: region\n```\n```echart c\ndata_query: q\n"
                       "click_input: region\nclick_anti_input: region\n```\n",
                       q);
    expect_ok(page);
    free(page);
}

/* ---- links between pages ------------------------------------------------ */

static void add_page(ds_pages *pages, const char *rel, const char *text)
{
    pages->items = ds_xrealloc(pages->items, (pages->len + 1) * sizeof *pages->items);
    ds_site_page *p = &pages->items[pages->len++];
    p->rel = ds_strdup(rel);
    p->display = ds_asprintf("content/%s.md", rel);
    p->title = ds_strdup(rel);
    ds_err err;
    cr_assert_eq(ds_page_parse(text, p->display, &p->page, &err), 0, "%s", err.msg);
}

/* The links check's error for a site of index (TABLE_KEYS in its table)
 * and customers/detail (an input customer, URL key cust, and an input
 * region), or NULL. */
static char *check_link(const char *table_keys)
{
    ds_pages pages = {0};
    char *index = ds_asprintf("# Home\n\n```sql q\nSELECT 'a' AS customer\n```\n"
                              "```table q\n%s```\n",
                              table_keys);
    add_page(&pages, "index", index);
    free(index);
    add_page(&pages, "customers/detail",
             "```input customer\nvisual_mode: text\nurl_key: cust\n```\n"
             "```input region\nvisual_mode: text\n```\n");
    add_page(&pages, "plain", "# No inputs\n");
    ds_err err;
    char *out = ds_pagecheck_links(&pages, &err) == 0 ? NULL : ds_strdup(err.msg);
    for (size_t i = 0; i < pages.len; i++)
        ds_site_page_free(&pages.items[i]);
    free(pages.items);
    return out;
}

static void expect_link_error(const char *table_keys, const char *want)
{
    char *got = check_link(table_keys);
    cr_assert_not_null(got, "no error for:\n%s", table_keys);
    cr_assert(strstr(got, want), "error '%s' lacks '%s'", got, want);
    free(got);
}

static void expect_link_ok(const char *table_keys)
{
    char *got = check_link(table_keys);
    cr_assert_null(got, "unexpected error: %s", got);
}

Test(pagecheck, links_lead_to_a_page_and_its_input)
{
    expect_link_ok("link_column: customer\nlink_page: customers/detail\nlink_input: cust\n");
    /* Written as the runtime reads it: a leading / and .html are dropped. */
    expect_link_ok("link_column: customer\nlink_page: /customers/detail.html\nlink_input: cust\n");
    expect_link_ok("link_column: region\nlink_page: customers/detail\n");

    expect_link_error("link_column: customer\nlink_page: customers/detial\nlink_input: cust\n",
                      "content/index.md:8: table 'q': link_page: 'customers/detial' names no "
                      "page of the site (a page is its path under content/ without .md, e.g. "
                      "customers/detail); did you mean 'customers/detail'?");
    expect_link_error("link_column: customer\nlink_page: customers/detail\nlink_input: customer\n",
                      "content/index.md:9: table 'q': link_input: 'customer' is the URL key of "
                      "no input of content/customers/detail.md (an input's URL key is its "
                      "url_key, else its name); input 'customer' reads the URL key 'cust'");
    expect_link_error("link_column: customer\nlink_page: customers/detail\nlink_input: regon\n",
                      "did you mean 'region'?");
    expect_link_error("link_column: customer\nlink_page: customers/detail\n",
                      "content/index.md:7: table 'q': link_column: the links set ?customer=, "
                      "the column's name, but that is the URL key of no input of "
                      "content/customers/detail.md");
    expect_link_error("link_column: customer\nlink_page: customers/detail\n",
                      "set link_input: to the input the value is for");
    expect_link_error("link_column: customer\nlink_page: plain\nlink_input: x\n",
                      "content/plain.md, which has no inputs; add one there, or link to a page "
                      "that has one");
}

/* An input's definition: one spelling per key, one source of choices,
 * keys of its kind only, a date range that does not end before it starts,
 * one input per URL key. */
Test(pagecheck, input_definitions)
{
    /* No visual_mode: a dropdown, so its options and searchable belong. */
    expect_ok("# T\n\n```input r\noptions: a, b\nsearchable: true\nmultiple: true\n```\n");
    expect_error("# T\n\n```input r\nvisual_mode: text\ntype: dropdown\n```\n",
                 "content/p.md:5: input 'r': type: is another spelling of visual_mode: (line 4), "
                 "which the runtime reads instead; keep one");
    expect_error("# T\n\n```input r\nurl-key: a\nurl_key: b\n```\n",
                 "content/p.md:5: input 'r': url_key: is another spelling of url-key: (line 4)");
    expect_error("# T\n\n```input r\nmulti: true\nmultiple: false\n```\n",
                 "content/p.md:5: input 'r': multiple: is another spelling of multi:");
    expect_error("# T\n\n```input r\noptions: a, b\noptions_query: orders\n```\n",
                 "content/p.md:5: input 'r': options: and options_query: both give the choices "
                 "(line 4 and 5); keep one");
    expect_error("# T\n\n```input r\noptions: a, b\nvalue_column: region\n```\n",
                 "content/p.md:5: input 'r': value_column: names a column of the input's "
                 "options_query, and it has none");
    expect_error("# T\n\n```input r\nvisual_mode: text\nlabel-column: x\n```\n",
                 "content/p.md:5: input 'r': label-column: names a column");
    expect_ok("# T\n\n```input r\noptions_query: orders\nvalue_column: region\n```\n");
    expect_error("# T\n\n```input r\nvisual_mode: text\nmultiple: true\n```\n",
                 "content/p.md:5: input 'r': multiple applies to dropdown and hidden inputs only");
    expect_ok("# T\n\n```input r\nvisual_mode: hidden\nmultiple: true\n```\n");
    expect_error("# T\n\n```input p\nvisual_mode: date_range\ndefault: 2024-03-31..2024-01-01\n```\n",
                 "content/p.md:5: input 'p': default: '2024-03-31..2024-01-01' starts after it "
                 "ends; write 2024-01-01..2024-03-31");
    expect_ok("# T\n\n```input p\nvisual_mode: date_range\ndefault: 2024-01-01..2024-01-01\n```\n");
    expect_ok("# T\n\n```input p\nvisual_mode: date_range\ndefault: 2024-03-31..\n```\n");
    expect_error("# T\n\n```input region\noptions: a\n```\n\n```input r2\noptions: b\nurl_key: region\n```\n",
                 "content/p.md:9: input 'r2': its URL key 'region' is also the URL key of input "
                 "'region' (line 3); give one of them another url_key");
    expect_error("# T\n\n```input a\nurl_key: k\n```\n\n```input b\nurl-key: k\n```\n",
                 "content/p.md:8: input 'b': its URL key 'k' is also the URL key of input 'a' (line 4)");
    expect_ok("# T\n\n```input a\nurl_key: b\n```\n\n```input b\nurl_key: a\n```\n");
    /* A default among the options written in the block, or the "all" choice. */
    expect_error("# T\n\n```input r\noptions: east, west\ndefault: East\n```\n",
                 "content/p.md:5: input 'r': default: 'East' is not one of its options (east, "
                 "west), and the page would open filtered on it; did you mean 'east'?");
    expect_error("# T\n\n```input r\nvisual_mode: buttons\noptions: a, b\ndefault: b\n```\n"
                 "\n```input s\noptions: a, b\nmultiple: true\ndefault: a, c\n```\n",
                 "input 's': default: 'c' is not one of its options (a, b)");
    expect_ok("# T\n\n```input r\noptions: east, west\ndefault:  west \n```\n");
    expect_ok("# T\n\n```input r\noptions: east, west\ndefault: All\n```\n");
    expect_ok("# T\n\n```input r\noptions: east, west\nall_value: *\ndefault: *\n```\n");
    expect_ok("# T\n\n```input r\noptions: a, b, c\nmultiple: true\ndefault: c, a\n```\n");
    expect_ok("# T\n\n```input r\noptions: a, b\ndefault:\n```\n");
}

/* A title shows ${inputs.NAME} of an input block; ${params.x} is SQL. */
Test(pagecheck, titles_show_inputs)
{
    expect_ok(INPUTS "```table orders\ntitle: Orders in ${inputs.d} (${ inputs.r })\n```\n");
    expect_ok(INPUTS "```kpi k\nquery: orders\nvalue: region\ncomparison_title: vs ${inputs.d}\n```\n");
    expect_ok("```input p\nvisual_mode: date_range\n```\n"
              "```table orders\ntitle: From ${inputs.p_start} to ${inputs.p_end}\n```\n");
    expect_error("```input p\nvisual_mode: date\n```\n```table orders\ntitle: ${inputs.p_start}\n```\n",
                 "there is none named 'p_start'");
    expect_error(INPUTS "```table orders\ntitle: Orders where ${params.d}\n```\n",
                 "content/p.md:15: table 'orders': title: '${params.d}': a title shows input "
                 "values, and ${params.d} is SQL; write ${inputs.NAME}");
    expect_error(INPUTS "```echart orders\ntitle: By ${inputs.pre}\n```\n",
                 "content/p.md:15: echart 'orders': title: '${inputs.pre}': a title shows the "
                 "value of an input block of this page, and there is none named 'pre'");
}

Test(pagecheck, value_and_kpi_currency_is_a_code)
{
    /* Intl.NumberFormat takes the code in any case and throws on others. */
    expect_ok("# T\n\n```value v\nquery: q\ncolumn: x\nfmt: currency\ncurrency: eur\n```\n"
              "```sql q\nSELECT 1 AS x\n```\n");
    expect_error("# T\n\n```value v\nquery: q\ncolumn: x\nfmt: currency\ncurrency: EURO\n```\n"
                 "```sql q\nSELECT 1 AS x\n```\n",
                 "content/p.md:7: value 'v': currency: 'EURO' is not a currency code; write its "
                 "three letters, such as USD or EUR");
    expect_error("# T\n\n```kpi k\nquery: q\nvalue: x\ncurrency: $\n```\n"
                 "```sql q\nSELECT 1 AS x\n```\n",
                 "content/p.md:6: kpi 'k': currency: '$' is not a currency code");
}
