/* test_pagecheck_kpi.c - the page check of values, KPI cards and the typed
 * inputs (date, date_range, slider, buttons, checkbox, toggle): unknown
 * keys and bad defaults are errors naming the file and line, with a
 * did-you-mean; what is documented passes. */
#include <criterion/criterion.h>

#include "site/page.h"
#include "site/pagecheck.h"
#include "testutil.h"

/* The page check's error for TEXT, or NULL when it passes (freed by caller). */
static char *check(const char *text)
{
    ds_page page;
    ds_err err;
    cr_assert_eq(ds_page_parse(text, "content/k.md", &page, &err), 0, "%s", err.msg);
    ds_query_list queries = {0};
    char *out = ds_pagecheck(&page, "content/k.md", NULL, &queries, &err) == 0 ? NULL
                                                                          : ds_strdup(err.msg);
    ds_page_free(&page);
    return out;
}

static void expect_error(const char *text, const char *want)
{
    char *got = check(text);
    cr_assert_not_null(got, "no error for:\n%s", text);
    cr_assert(strstr(got, want), "error '%s' lacks '%s'", got, want);
    free(got);
}

static void expect_ok(const char *text)
{
    char *got = check(text);
    cr_assert_null(got, "unexpected error: %s", got);
}

#define Q "```sql q\nSELECT 1 AS total, 2 AS prev, DATE '2024-01-01' AS d\n```\n"

Test(pagecheck_kpi, values_and_kpis_pass_with_documented_keys)
{
    expect_ok(Q "Total: ${q.total | currency:0}, last ${q.total[last]}.\n\n"
                "```value v\nquery: q\ncolumn: total\nrow: 0\nfmt: percent\ndecimals: 1\n"
                "prefix: ~\nsuffix: \" pts\"\ntitle: T\ncurrency: EUR\n```\n"
                "```kpi k\nquery: q\nvalue: total\ncomparison: prev\ncomparison_title: vs "
                "last\ndelta: absolute\ndown_is_good: true\nsparkline: d\nsparkline_type: "
                "area\nfmt: compact\n```\n"
                "```grid cols=2\n| k | v |\n```\n");
}

Test(pagecheck_kpi, kpi_unknown_key_suggests)
{
    expect_error(Q "```kpi k\nquery: q\nvalue: total\ndown_is_god: true\n```\n",
                 "content/k.md:7: kpi 'k': unknown key 'down_is_god'; did you mean "
                 "'down_is_good'?");
}

Test(pagecheck_kpi, bad_choices_and_rows)
{
    expect_error(Q "```kpi k\nvalue: total\nquery: q\ndelta: percnt\n```\n",
                 "content/k.md:7: kpi 'k': delta: 'percnt' is not one of percent, absolute; did "
                 "you mean 'percent'?");
    expect_error(Q "```value v\nquery: q\ncolumn: total\nrow: first\n```\n",
                 "content/k.md:7: value 'v': row: 'first' is not a row number");
    expect_error(Q "```value v\nquery: q\n```\n", "value 'v': column: is missing");
    expect_error(Q "```kpi k\nquery: q\n```\n", "kpi 'k': value: is missing");
    expect_error(Q "```value v\nquery: q\ncolumn: total\ndecimals: 30\n```\n",
                 "decimals: '30' is not a whole number from 0 to 20");
}

Test(pagecheck_kpi, inline_values_name_a_query_and_a_format)
{
    expect_error(Q "\nSee ${qq.total}.\n", "content/k.md:5: value ${qq.total}: query: 'qq' names "
                                           "no sql block of this page and no model or source; "
                                           "did you mean 'q'?");
    expect_error(Q "\n\nSee ${q.total | curency}.\n",
                 "content/k.md:6: value ${q.total}: fmt: 'curency' is not one of");
    /* In code it is text. */
    expect_ok(Q "See `${qq.total}`.\n\n    ${qq.x}\n");
}

Test(pagecheck_kpi, typed_inputs_pass_with_good_defaults)
{
    expect_ok("```input d\nvisual_mode: date\ndefault: 2024-02-29\n```\n"
              "```input p\nvisual_mode: date_range\ndefault: 2024-01-01..\n```\n"
              "```input p2\nvisual_mode: date_range\ndefault: last_30_days\n```\n"
              "```input n\nvisual_mode: slider\nmin: 0\nmax: 100\nstep: 5\ndefault: 50\n```\n"
              "```input b\nvisual_mode: buttons\noptions: a, b\n```\n"
              "```input c\nvisual_mode: checkbox\ndefault: true\n```\n"
              "```input t\nvisual_mode: toggle\n```\n"
              "```input s\nvisual_mode: dropdown\nsearchable: true\noptions: x, y\n```\n"
              "```sql q\nSELECT ${inputs.d}, ${inputs.p_start}, ${inputs.p_end}, ${inputs.n}, "
              "${inputs.c}\n```\n");
}

Test(pagecheck_kpi, typed_inputs_bad_defaults)
{
    expect_error("```input d\nvisual_mode: date\ndefault: 2024-02-30\n```\n",
                 "content/k.md:3: input 'd': default: '2024-02-30' is not a date");
    expect_error("```input p\nvisual_mode: date_range\ndefault: last_30_day\n```\n",
                 "content/k.md:3: input 'p': default: 'last_30_day' is not a date range; write "
                 "START..END");
    expect_error("```input p\nvisual_mode: date_range\ndefault: last_30_day\n```\n",
                 "did you mean 'last_30_days'?");
    expect_error("```input n\nvisual_mode: slider\nmin: 0\nmax: 10\ndefault: 11\n```\n",
                 "content/k.md:5: input 'n': default: 11 is above max (10)");
    expect_error("```input n\nvisual_mode: slider\nmin: 0\nmax: 10\ndefault: -1\n```\n",
                 "default: -1 is below min (0)");
    expect_error("```input n\nvisual_mode: slider\nmax: 10\n```\n", "a slider needs min: and max:");
    expect_error("```input n\nvisual_mode: slider\nmin: 0\nmax: 100\nstep: 10\ndefault: 55\n```\n",
                 "content/k.md:6: input 'n': default: 55 is not a step of the slider (min 0, step 10)");
    expect_ok("```input n\nvisual_mode: slider\nmin: 0.5\nmax: 2\nstep: 0.25\ndefault: 1.25\n```\n");
    expect_error("```input n\nvisual_mode: slider\nmin: 5\nmax: 1\n```\n",
                 "max: 1 is not above min (5)");
    expect_error("```input n\nvisual_mode: slider\nmin: a\nmax: 1\n```\n", "a is not a number (min)");
    expect_error("```input c\nvisual_mode: checkbox\ndefault: yes\n```\n",
                 "default: 'yes' is not true or false");
    expect_error("```input b\nvisual_mode: buttons\n```\n", "buttons has no choices");
    expect_error("```input d\nvisual_mode: dropdown\nmin: 1\n```\n",
                 "content/k.md:3: input 'd': min applies to slider inputs only");
    expect_error("```input d\nvisual_mode: daterange\n```\n", "did you mean 'date_range'?");
    expect_error("```input d\nvisual_mode: date\nmni: 1\n```\n", "unknown key 'mni'; did you "
                                                                  "mean 'min'?");
}

Test(pagecheck_kpi, date_range_gives_start_and_end)
{
    expect_error("```input p\nvisual_mode: date_range\n```\n```sql q\nSELECT ${inputs.p_begin}\n```\n",
                 "${inputs.p_begin} names no input of this page; its inputs: p, p_start, p_end");
}
