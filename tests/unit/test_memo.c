/* test_memo.c - which changes let `ducksite serve` keep the front of its
 * builds (the data map, the views and their DuckDB session), and that a
 * kept front is handed back as it was. */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "site/memo.h"
#include "util/fs.h"

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

/* A file's identity changes when it is replaced, even by the same bytes,
 * and when it is written in place. */
Test(memo, file_identity)
{
    char dir[] = "/tmp/ds-memo-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *path = ds_path_join(dir, "page.html"), *other = ds_path_join(dir, "other.html");
    ds_err err;
    ds_buf a = {0}, b = {0}, c = {0}, none = {0};
    cr_assert(!ds_memo_file_id(path, &none), "a missing file has no identity");
    cr_assert_eq(none.len, 0);
    cr_assert_eq(ds_write_atomic(path, "<p>x</p>", 8, &err), 0, "%s", err.msg);
    cr_assert(ds_memo_file_id(path, &a));
    cr_assert(ds_memo_file_id(path, &b));
    cr_assert_str_eq(a.data, b.data, "the same file, the same identity");
    cr_assert_eq(ds_write_atomic(other, "<p>x</p>", 8, &err), 0, "%s", err.msg);
    cr_assert_eq(rename(other, path), 0);
    cr_assert(ds_memo_file_id(path, &c));
    cr_assert_str_neq(a.data, c.data, "another file with the same bytes is another file");
    cr_assert(!ds_memo_file_id(dir, &none), "a folder is not an output");
    unlink(path);
    rmdir(dir);
    free(path);
    free(other);
    ds_buf_free(&a);
    ds_buf_free(&b);
    ds_buf_free(&c);
}

Test(memo, outputs_and_documents)
{
    ds_memo *m = ds_memo_new();
    cr_assert_null(ds_memo_output_get(m, "index.html"));
    ds_memo_output_put(m, "index.html", "abc 1:2:3:4.5 1:3:4:4.5");
    cr_assert_str_eq(ds_memo_output_get(m, "index.html"), "abc 1:2:3:4.5 1:3:4:4.5");
    ds_memo_output_put(m, "index.html", NULL);
    cr_assert_null(ds_memo_output_get(m, "index.html"), "forgotten");

    json_t *doc = json_pack("{s:s}", "k", "<svg/>");
    ds_memo_doc_put(m, "paint", "id-1", doc);
    cr_assert_eq(ds_memo_doc_get(m, "paint", "id-1"), doc, "the same document, not a copy");
    cr_assert_null(ds_memo_doc_get(m, "paint", "id-2"), "another file: not known");
    cr_assert_null(ds_memo_doc_get(m, "other", "id-1"));
    json_decref(doc); /* the memo holds its own reference */
    cr_assert_str_eq(json_string_value(json_object_get(ds_memo_doc_get(m, "paint", "id-1"), "k")),
                     "<svg/>");
    ds_memo_doc_put(m, "paint", NULL, NULL);
    cr_assert_null(ds_memo_doc_get(m, "paint", "id-1"));
    ds_memo_free(m);
}

/* DESCRIBE's columns are kept while the front is, and go with it: they
 * read the data's schemas. */
Test(memo, columns_go_with_the_front)
{
    ds_memo *m = memo_with_front();
    cr_assert_null(ds_memo_columns_get(m, "DESCRIBE SELECT 1 AS x"));
    ds_memo_columns_put(m, "DESCRIBE SELECT 1 AS x", json_pack("[s]", "x"));
    ds_memo_columns_put(m, "DESCRIBE SELECT nope", json_null());
    json_t *cols = ds_memo_columns_get(m, "DESCRIBE SELECT 1 AS x");
    cr_assert(json_is_array(cols) && json_array_size(cols) == 1);
    cr_assert_str_eq(json_string_value(json_array_get(cols, 0)), "x");
    cr_assert(json_is_null(ds_memo_columns_get(m, "DESCRIBE SELECT nope")), "a failure is known");
    const char *page[] = {"content/index.md"};
    cr_assert(ds_memo_changed(m, page, 1));
    cr_assert_not_null(ds_memo_columns_get(m, "DESCRIBE SELECT 1 AS x"), "kept for a page");
    const char *lake[] = {"/data/lake/orders/a.parquet"};
    ds_memo_changed(m, lake, 1);
    cr_assert_null(ds_memo_columns_get(m, "DESCRIBE SELECT 1 AS x"), "gone with the front");
    ds_memo_free(m);
}
