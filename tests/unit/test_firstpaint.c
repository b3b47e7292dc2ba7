/* test_firstpaint.c - the geometry charts are drawn for at build time (it
 * must follow web/src/ducksite.css) and the data: URL a picture travels in
 * (nothing in it may end the src attribute or the URL).  Drawing itself,
 * with node and ECharts, is tested in tests/e2e/firstpaint.test.mjs. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "site/firstpaint.h"
#include "testutil.h"

static int width_in(const char *config, const char *id)
{
    json_t *c = json_loads(config, 0, NULL);
    cr_assert_not_null(c);
    int w = ds_firstpaint_width(c, id);
    json_decref(c);
    return w;
}

Test(firstpaint, width_follows_the_grid)
{
    /* 1440 - 2 x 28 of page padding = 1384; a chart's box loses 2 x 1 of
     * border and 2 x 10 of padding. */
    cr_assert_eq(width_in("{}", "alone"), 1384 - 22);
    /* Two columns, gap md (16): (1384 - 16) / 2 = 684. */
    const char *two = "{\"grids\": [{\"cols\": 2, \"gap\": \"md\", \"rows\": [[{\"id\": \"a\", "
                      "\"span\": 1}, {\"id\": \"b\", \"span\": 1}]]}]}";
    cr_assert_eq(width_in(two, "a"), 684 - 22);
    cr_assert_eq(width_in(two, "b"), 684 - 22);
    cr_assert_eq(width_in(two, "elsewhere"), 1384 - 22);
    /* Twelve columns (the default), gap none, a span of 8: 1384 * 8 / 12. */
    const char *wide = "{\"grids\": [{\"gap\": \"none\", \"rows\": [[{\"id\": \"w\", \"span\": "
                       "8}]]}]}";
    cr_assert_eq(width_in(wide, "w"), 922 - 22);
    /* Three columns, gap xl (32), span 2: col 440, 2 x 440 + 32. */
    const char *three = "{\"grids\": [{\"cols\": 3, \"gap\": \"xl\", \"rows\": [[{\"id\": \"x\", "
                        "\"span\": 2}]]}]}";
    cr_assert_eq(width_in(three, "x"), 912 - 22);
    /* A span wider than the grid is the grid. */
    const char *over = "{\"grids\": [{\"cols\": 2, \"gap\": \"sm\", \"rows\": [[{\"id\": \"o\", "
                       "\"span\": 5}]]}]}";
    cr_assert_eq(width_in(over, "o"), 1384 - 22);
}

Test(firstpaint, data_url_cannot_end_the_attribute)
{
    ds_buf b = {0};
    ds_firstpaint_data_url(&b, "<svg a=\"1\">x & y #1 100%\n\t'é'</svg>");
    cr_assert_str_eq(b.data, "data:image/svg+xml;charset=utf-8,"
                             "%3Csvg a=%221%22%3Ex %26 y %231 100%25%0A%09'%C3%A9'%3C/svg%3E");
    for (const char *p = b.data; *p; p++)
        cr_assert(strchr("<>\"&#\n\t\r`", *p) == NULL, "unsafe byte %c", *p);
    ds_buf_free(&b);
}
