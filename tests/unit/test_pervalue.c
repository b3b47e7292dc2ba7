/* test_pervalue.c - pages per value: the [name] of a page path, the
 * ${params.name} substitution, slugs and their collisions, and the front
 * matter keys values_sql: and max_pages:. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "site/page.h"
#include "site/pervalue.h"

static void assert_param(const char *rel, const char *want)
{
    char *got = ds_pervalue_param(rel);
    if (!want)
        cr_assert_null(got, "%s", rel);
    else
        cr_assert_str_eq(got, want, "%s", rel);
    free(got);
}

Test(pervalue, param_of_page_path)
{
    assert_param("customers/[customer]", "customer");
    assert_param("[region]", "region");
    assert_param("a/b/[x_1]", "x_1");
    assert_param("customers/index", NULL);
    assert_param("customers/[customer", NULL);
    assert_param("customers/customer]", NULL);
    assert_param("[a]/b", NULL); /* only the page's own name counts */
    assert_param("customers/[]", "");
}

static void assert_sub(const char *text, const char *want)
{
    char *got = ds_pervalue_substitute(text, "customer", "'Acme'");
    cr_assert_str_eq(got, want);
    free(got);
}

Test(pervalue, substitutes_only_its_param)
{
    assert_sub("WHERE c = ${params.customer}", "WHERE c = 'Acme'");
    assert_sub("${ params.customer }=${params.customer}", "'Acme'='Acme'");
    /* Blanks as the browser reads them: line ends and a no-break space too. */
    assert_sub("${\n params.customer\t}${\xC2\xA0params.customer}", "'Acme''Acme'");
    assert_sub("${params.customers} ${params.custom} ${inputs.customer}",
               "${params.customers} ${params.custom} ${inputs.customer}");
    assert_sub("${params.customer", "${params.customer");
    assert_sub("$", "$");
    assert_sub("", "");
}

Test(pervalue, slugs_and_collisions)
{
    char *values[] = {"Acme Corp", "O'Brien", "Beta & Co", "***"};
    char **slugs = NULL;
    ds_err err;
    cr_assert_eq(ds_pervalue_slugs(values, 4, "content/c/[c].md", 2, &slugs, &err), 0);
    cr_assert_str_eq(slugs[0], "Acme_Corp");
    cr_assert_str_eq(slugs[1], "O_Brien");
    cr_assert_str_eq(slugs[2], "Beta_Co");
    cr_assert_eq(strlen(slugs[3]), 8); /* no usable character: a hash */
    for (int i = 0; i < 4; i++)
        free(slugs[i]);
    free(slugs);

    char *clash[] = {"x", "a b", "a-b"};
    slugs = NULL;
    cr_assert_eq(ds_pervalue_slugs(clash, 3, "content/c/[c].md", 2, &slugs, &err), -1);
    cr_assert_null(slugs);
    cr_assert(strstr(err.msg, "content/c/[c].md:2:"), "%s", err.msg);
    cr_assert(strstr(err.msg, "'a b' and 'a-b'"), "%s", err.msg);
    cr_assert(strstr(err.msg, "a_b.html"), "%s", err.msg);
}

Test(pervalue, front_matter_keys)
{
    ds_page page;
    ds_err err;
    const char *text = "---\ntitle: T\nvalues_sql: SELECT DISTINCT c FROM t\nmax_pages: 20\n---\n";
    cr_assert_eq(ds_page_parse(text, "content/[c].md", &page, &err), 0, "%s", err.msg);
    cr_assert_str_eq(page.values_sql, "SELECT DISTINCT c FROM t");
    cr_assert_eq(page.settings.values_line, 3);
    cr_assert_eq(page.settings.max_pages, 20);
    cr_assert_eq(page.settings.max_pages_line, 4);
    ds_page_free(&page);

    cr_assert_eq(ds_page_parse("# x\n", "content/a.md", &page, &err), 0);
    cr_assert_null(page.values_sql);
    cr_assert_eq(page.settings.max_pages, -1);
    cr_assert_eq(page.settings.values_line, 0);
    ds_page_free(&page);

    cr_assert_eq(ds_page_parse("---\nmax_pages: -1\n---\n", "content/a.md", &page, &err), -1);
    cr_assert(strstr(err.msg, "content/a.md:2: front matter 'max_pages' must be a non-negative"),
              "%s", err.msg);
    cr_assert_eq(ds_page_parse("---\nvalues_sql:\n---\n", "content/a.md", &page, &err), -1);
    cr_assert(strstr(err.msg, "content/a.md:2: front matter 'values_sql' is empty"), "%s",
              err.msg);
    cr_assert_eq(ds_page_parse("---\nmax_page: 3\n---\n", "content/a.md", &page, &err), -1);
    cr_assert(strstr(err.msg, "did you mean 'max_pages'?"), "%s", err.msg);
}
