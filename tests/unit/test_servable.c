/* test_servable.c - which published paths the server can serve: every
 * reason it refuses one, and the ordinary names it must accept. */
#include <criterion/criterion.h>

#include "datamap/servable.h"
#include "testutil.h"

static void refused(const char *rel, const char *reason)
{
    const char *why = ds_servable_why(rel);
    cr_assert_not_null(why, "'%s' was accepted", rel);
    cr_assert(strstr(why, reason) != NULL, "'%s': '%s' lacks '%s'", rel, why, reason);
}

Test(servable, ordinary_names)
{
    const char *ok[] = {"data/lake/a.parquet", "data/lake/year=2024/day=01/part-0.parquet",
                        "index.html", "docs/a page.html", "data/x/caf\xc3\xa9.parquet",
                        "data/x/a+b,c;d=e@f!g$h&i'j(k)l~m.parquet", "data/x/a..b.parquet",
                        "data/my_data_map.json", NULL};
    for (size_t i = 0; ok[i]; i++)
        cr_expect_null(ds_servable_why(ok[i]), "'%s' refused: %s", ok[i], ds_servable_why(ok[i]));
}

Test(servable, refused_names)
{
    refused("", "empty");
    refused(".hidden.parquet", "starts with '.'");
    refused("data/lake/.hidden.parquet", "starts with '.'");
    refused("data/.git/x.parquet", "starts with '.'");
    refused("data/lake/../x.parquet", "starts with '.'");
    refused("data/a?b.parquet", "'?' or '#'");
    refused("data/a#b.parquet", "'?' or '#'");
    refused("data/a%41.parquet", "'%'");
    refused("data/x/caf\xe9.parquet", "not valid UTF-8");     /* Latin-1 */
    refused("data/x/\xc3\x28.parquet", "not valid UTF-8");    /* a broken sequence */
    refused("data/a\\b.parquet", "backslash");
    refused("data/a\tb.parquet", "control character");
    refused("data//a.parquet", "empty path segment");
    refused("data/a/", "empty path segment");
    refused("/data/a.parquet", "empty path segment");
    refused("data/data_map.json", "data_map.json");
    refused("data/lake/data_map_meta.json", "data_map.json");
    refused("data_map.json.html", "data_map.json");
    refused("_results/_index.json", "_results/_index.json");
    char *long_name = ds_xmalloc(300);
    memset(long_name, 'x', 299);
    long_name[299] = '\0';
    char *rel = ds_asprintf("data/%s.parquet", long_name);
    refused(rel, "refuses");
    free(rel);
    free(long_name);
}

/* The one-pass check of the usual keys and the full one agree at the
 * edges: a segment of exactly 255 bytes is served, 256 is not. */
Test(servable, segment_length_edge)
{
    char seg[257];
    memset(seg, 'a', 256);
    seg[256] = '\0';
    char *over = ds_asprintf("data/%s", seg);
    refused(over, "refuses");
    seg[255] = '\0';
    char *edge = ds_asprintf("data/%s", seg);
    cr_expect_null(ds_servable_why(edge), "a 255-byte segment was refused");
    free(over);
    free(edge);
}
