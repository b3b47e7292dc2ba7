/* test_memo.c - which changes let `ducksite serve` keep the front of its
 * builds (the data map, the views and their DuckDB session), and that a
 * kept front is handed back as it was. */
#include <criterion/criterion.h>

#include "site/memo.h"

/* A memo holding a front with a session and one view. */
static ds_memo *memo_with_front(void)
{
    ds_memo *m = ds_memo_new();
    ds_err err;
    ds_memo_front f = {0};
    f.db = ds_duck_open(&err);
    cr_assert_not_null(f.db, "%s", err.msg);
    ds_query_add(&f.views, "orders", DS_KIND_FILE_SOURCE, "SELECT 1 AS x", "ducksite.toml", 3);
    ds_memo_front_set(m, &f);
    cr_assert_null(f.db, "the front is taken over");
    return m;
}

Test(memo, pages_and_models_keep_the_front)
{
    ds_memo *m = memo_with_front();
    const char *edits[] = {"content/index.md", "content/a/b.md", "sources_sql/m.sql"};
    cr_assert(ds_memo_changed(m, edits, 3));
    ds_memo_front *f = ds_memo_front_get(m);
    cr_assert_not_null(f);
    cr_assert_eq(f->views.len, 1);
    cr_assert_str_eq(f->views.items[0].name, "orders");
    ds_memo_free(m);
}

Test(memo, anything_else_drops_it)
{
    const char *other[] = {"ducksite.toml",
                           "content/sub",             /* a folder of pages */
                           "content/notes.txt",       /* not a page */
                           "sources_sql/old/m.sql",   /* not a model */
                           "/data/lake/orders/a.parquet",
                           "plugins/p.py",
                           "contents/x.md"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        ds_memo *m = memo_with_front();
        const char *paths[] = {"content/index.md", other[i]};
        cr_assert_not(ds_memo_changed(m, paths, 2), "%s", other[i]);
        cr_assert_null(ds_memo_front_get(m), "%s", other[i]);
        ds_memo_free(m);
    }
}

Test(memo, dialect_findings_by_text)
{
    ds_memo *m = memo_with_front();
    cr_assert_null(ds_memo_dialect_get(m, "SELECT 1"));
    ds_memo_dialect_put(m, "SELECT 1", "");
    ds_memo_dialect_put(m, "SELECT list_sort(x)", "list_sort");
    cr_assert_str_eq(ds_memo_dialect_get(m, "SELECT 1"), "");
    cr_assert_str_eq(ds_memo_dialect_get(m, "SELECT list_sort(x)"), "list_sort");
    const char *toml[] = {"ducksite.toml"};
    ds_memo_changed(m, toml, 1); /* a full build reads the dialect again */
    cr_assert_null(ds_memo_dialect_get(m, "SELECT 1"));
    ds_memo_free(m);
}
