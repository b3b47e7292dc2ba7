/* test_query.c - the named-query list: add, find, kind names. */
#include <criterion/criterion.h>

#include "sql/query.h"
#include "testutil.h"

Test(query, add_and_find)
{
    ds_query_list l = {0};
    ds_query_add(&l, "orders", DS_KIND_FILE_SOURCE, "SELECT * FROM read_parquet(['a'])",
                 "ducksite.toml", 3);
    ds_query_add(&l, "big", DS_KIND_MODEL, "SELECT * FROM orders", "sources_sql/m.sql", 7);
    cr_assert_eq(l.len, 2);

    const ds_query *q = ds_query_find(&l, "big");
    cr_assert_not_null(q);
    cr_assert_eq(q, &l.items[1]);
    cr_assert_str_eq(q->name, "big");
    cr_assert_eq(q->kind, DS_KIND_MODEL);
    cr_assert_str_eq(q->sql, "SELECT * FROM orders");
    cr_assert_str_eq(q->file, "sources_sql/m.sql");
    cr_assert_eq(q->line, 7);

    q = ds_query_find(&l, "orders");
    cr_assert_eq(q, &l.items[0]);
    cr_assert_eq(q->kind, DS_KIND_FILE_SOURCE);
    cr_assert_eq(q->line, 3);

    cr_assert_eq(ds_query_find(&l, "Orders"), &l.items[0], "view names are SQL names: no case");
    cr_assert_null(ds_query_find(&l, "order"));
    ds_query_add(&l, "Sales/q", DS_KIND_PAGE_QUERY, "SELECT 1", "content/Sales.md", 3);
    cr_assert_null(ds_query_find(&l, "sales/q"), "a page query's name holds a file's path");
    cr_assert_not_null(ds_query_find(&l, "Sales/q"));
    cr_assert_null(ds_query_find(&l, ""));

    ds_query_list_free(&l);
    cr_assert_eq(l.len, 0);
    cr_assert_null(l.items);
    cr_assert_null(ds_query_find(&l, "orders"));
}

Test(query, add_copies_strings)
{
    ds_query_list l = {0};
    char name[] = "a", sql[] = "SELECT 1", file[] = "f.sql";
    ds_query_add(&l, name, DS_KIND_PAGE_QUERY, sql, file, 1);
    name[0] = 'z';
    sql[0] = 'X';
    file[0] = 'g';
    cr_assert_str_eq(l.items[0].name, "a");
    cr_assert_str_eq(l.items[0].sql, "SELECT 1");
    cr_assert_str_eq(l.items[0].file, "f.sql");
    ds_query_list_free(&l);
}

Test(query, many_entries_grow)
{
    ds_query_list l = {0};
    char name[16];
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "q%d", i);
        ds_query_add(&l, name, DS_KIND_FILE_SOURCE_TEMPLATE, "SELECT 1", "ducksite.toml", i);
    }
    cr_assert_eq(l.len, 100);
    for (int i = 0; i < 100; i++) {
        snprintf(name, sizeof name, "q%d", i);
        const ds_query *q = ds_query_find(&l, name);
        cr_assert_not_null(q, "%s", name);
        cr_assert_eq(q->line, i);
        cr_assert_eq(q->kind, DS_KIND_FILE_SOURCE_TEMPLATE);
    }
    ds_query_list_free(&l);
}

Test(query, first_of_duplicate_names_is_found)
{
    ds_query_list l = {0};
    ds_query_add(&l, "a", DS_KIND_FILE_SOURCE, "SELECT 1", "x", 1);
    ds_query_add(&l, "a", DS_KIND_MODEL, "SELECT 2", "y", 2);
    cr_assert_eq(ds_query_find(&l, "a"), &l.items[0]);
    ds_query_list_free(&l);
}

Test(query, kind_names)
{
    cr_assert_str_eq(ds_query_kind_name(DS_KIND_FILE_SOURCE), "file_source");
    cr_assert_str_eq(ds_query_kind_name(DS_KIND_FILE_SOURCE_TEMPLATE), "file_source_template");
    cr_assert_str_eq(ds_query_kind_name(DS_KIND_MODEL), "model");
    cr_assert_str_eq(ds_query_kind_name(DS_KIND_PAGE_QUERY), "page_query");
}
