/* test_inline.c - ${query.column} values inside prose: found with their
 * row, format and line, replaced by numbered placeholder spans, and left
 * alone in code (fenced and indented blocks, code spans) and for
 * ${inputs.x} / ${params.x}. */
#include <criterion/criterion.h>

#include "site/inline.h"
#include "testutil.h"

Test(inline, values_become_numbered_spans)
{
    int next = 3;
    ds_inline_ref *refs;
    size_t n;
    ds_err err;
    char *out = ds_inline_rewrite("Total ${ q.total } and ${q.share[last] | percent:1}.\n"
                                  "Then ${q.n[2]|integer}, ${inputs.x}, ${params.y}, ${q}.\n",
                                  10, &next, &refs, &n, "content/a.md", &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_str_eq(out,
                     "Total <span class=\"ds-value ds-value-inline\" data-ds-value=\"inline-3\">"
                     "</span> and <span class=\"ds-value ds-value-inline\" "
                     "data-ds-value=\"inline-4\"></span>.\nThen <span class=\"ds-value "
                     "ds-value-inline\" data-ds-value=\"inline-5\"></span>, ${inputs.x}, "
                     "${params.y}, ${q}.\n");
    cr_assert_eq(next, 6);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(refs[0].query, "q");
    cr_assert_str_eq(refs[0].column, "total");
    cr_assert_null(refs[0].row);
    cr_assert_null(refs[0].fmt);
    cr_assert_eq(refs[0].line, 10);
    cr_assert_str_eq(refs[1].row, "last");
    cr_assert_str_eq(refs[1].fmt, "percent");
    cr_assert_str_eq(refs[1].decimals, "1");
    cr_assert_str_eq(refs[2].row, "2");
    cr_assert_str_eq(refs[2].fmt, "integer");
    cr_assert_null(refs[2].decimals);
    cr_assert_eq(refs[2].line, 11);
    ds_inline_refs_free(refs, n);
    free(out);
}

Test(inline, code_is_left_alone)
{
    const char *md = "`${a.b}` and ``x ${a.b} ` y`` stay, ${c.d} goes\n"
                     "\n"
                     "    ${e.f} indented code\n"
                     "\n"
                     "~~~\n"
                     "${g.h}\n"
                     "~~~\n"
                     "```sql\n"
                     "${i.j}\n"
                     "```\n"
                     "after ${k.l}\n";
    int next = 1;
    ds_inline_ref *refs;
    size_t n;
    ds_err err;
    char *out = ds_inline_rewrite(md, 1, &next, &refs, &n, "content/a.md", &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(refs[0].query, "c");
    cr_assert_eq(refs[0].line, 1);
    cr_assert_str_eq(refs[1].query, "k");
    cr_assert_eq(refs[1].line, 11);
    cr_assert(strstr(out, "`${a.b}`"));
    cr_assert(strstr(out, "``x ${a.b} ` y``"));
    cr_assert(strstr(out, "    ${e.f}"));
    cr_assert(strstr(out, "\n${g.h}\n"));
    cr_assert(strstr(out, "\n${i.j}\n"));
    ds_inline_refs_free(refs, n);
    free(out);
}

/* The format's decimals may follow the colon after blanks, as typed. */
Test(inline, blanks_around_the_decimals_colon)
{
    int next = 1;
    ds_inline_ref *refs;
    size_t n;
    ds_err err;
    char *out = ds_inline_rewrite("A ${q.total | currency: 2} B ${q.total|percent : 1 }\n", 1,
                                  &next, &refs, &n, "content/a.md", &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(refs[0].fmt, "currency");
    cr_assert_str_eq(refs[0].decimals, "2");
    cr_assert_str_eq(refs[1].fmt, "percent");
    cr_assert_str_eq(refs[1].decimals, "1");
    cr_assert_null(strstr(out, "${"), "%s", out);
    ds_inline_refs_free(refs, n);
    free(out);
}

/* The error of rewriting MD (its first line numbered 4), which must fail
 * and leave nothing behind. */
static ds_err rewrite_error(const char *md)
{
    int next = 1;
    ds_inline_ref *refs = NULL;
    size_t n = 0;
    ds_err err;
    char *out = ds_inline_rewrite(md, 4, &next, &refs, &n, "content/a.md", &err);
    cr_assert_null(out, "no error for: %s", md);
    cr_assert_null(refs);
    cr_assert_eq(n, 0);
    return err;
}

static void expect_not_a_value(const char *md, const char *want)
{
    ds_err err = rewrite_error(md);
    cr_assert_str_eq(err.msg, want);
}

/* Text that starts like a value but is none would be published raw: an
 * error naming the line and the form. */
Test(inline, what_starts_like_a_value_must_be_one)
{
    static const char *const FORM =
        "' is not a value; write ${QUERY.COLUMN}, with an optional row and format: "
        "${QUERY.COLUMN[ROW] | FMT:DECIMALS} (ROW a row number or last, DECIMALS 0 to 20; to "
        "show the text as it is, put it in `code`)";
    static const char *const BAD[] = {"${q.total[-1]}",   "${q.total | currency:}",
                                      "${q.total.x}",     "${q.}",
                                      "${ q.total | }",   "${q.total",
                                      "${q.total[first}", "${q.total | currency: 2 x}"};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        char *md = ds_asprintf("Fine ${q.ok} first.\n\nThen %s.\n", BAD[i]);
        char *want = ds_asprintf("content/a.md:6: '%s%s", BAD[i], FORM);
        /* The text shown ends at the line's end when there is no '}'. */
        if (!strchr(BAD[i], '}'))
            want = (free(want), ds_asprintf("content/a.md:6: '%s.%s", BAD[i], FORM));
        expect_not_a_value(md, want);
        free(want);
        free(md);
    }
    /* Not meant as values: they stay text. */
    int next = 1;
    ds_inline_ref *refs;
    size_t n;
    ds_err err;
    char *out = ds_inline_rewrite("${inputs.r.x} ${params.y} ${q} $ {q.x} `${q.x.y}`\n", 1, &next,
                                  &refs, &n, "content/a.md", &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_eq(n, 0);
    free(out);
}

static void expect_unsafe(const char *md, const char *want)
{
    ds_err err = rewrite_error(md);
    cr_assert(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
    cr_assert(strstr(err.msg, "put it in the text around it"), "%s", err.msg);
}

/* A value becomes an element of its own: a link's URL, an image's text
 * and an HTML tag cannot hold one, so it is an error there; in a link's
 * text it is fine. */
Test(inline, places_that_cannot_hold_a_value)
{
    expect_unsafe("See [the list](/orders?min=${q.total}).\n",
                       "content/a.md:4: '${q.total}' stands inside a link's or an image's URL");
    expect_unsafe("![Total ${q.total}](chart.png)\n",
                       "content/a.md:4: '${q.total}' stands inside an image's text");
    expect_unsafe("<div title=\"${q.total}\">x</div>\n",
                       "content/a.md:4: '${q.total}' stands inside an HTML tag");
    int next = 0;
    ds_inline_ref *refs = NULL;
    size_t n = 0;
    ds_err err;
    char *out = ds_inline_rewrite("[Total ${q.total}](/orders) and <b>${q.n}</b>, (${q.x}) a]b ${q.y}\n",
                                  1, &next, &refs, &n, "content/a.md", &err);
    cr_assert_not_null(out, "%s", err.msg);
    cr_assert_eq(n, 4);
    free(out);
    ds_inline_refs_free(refs, n);
}
