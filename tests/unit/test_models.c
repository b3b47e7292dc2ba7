/* test_models.c - sources_sql/ *.sql files -> model queries: block parsing,
 * names, duplicates and clashes, file order. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "sql/models.h"
#include "testutil.h"

static int parse(const char *text, ds_query_list *out, ds_err *err)
{
    return ds_models_parse(text, "sources_sql/m.sql", out, err);
}

static void expect_error(const char *text, const char *want)
{
    ds_query_list l = {0};
    ds_err err;
    cr_assert_eq(parse(text, &l, &err), -1, "accepted: %s", text);
    cr_assert_str_eq(err.msg, want);
    ds_query_list_free(&l);
}

Test(models, blocks)
{
    ds_query_list l = {0};
    ds_err err;
    const char *text = "-- name: first\n"
                       "SELECT 1 AS x;\n"
                       "\n"
                       "--name:second\n"
                       "SELECT *\n"
                       "FROM first -- a comment; kept\n"
                       "WHERE x > 0\n"
                       "  ;  \n"
                       "   --   name:   third_3   \n"
                       "SELECT 3";
    cr_assert_eq(parse(text, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 3);
    cr_assert_str_eq(l.items[0].name, "first");
    cr_assert_str_eq(l.items[0].sql, "SELECT 1 AS x");
    cr_assert_eq(l.items[0].line, 1);
    cr_assert_str_eq(l.items[0].file, "sources_sql/m.sql");
    cr_assert_eq(l.items[0].kind, DS_KIND_MODEL);
    cr_assert_str_eq(l.items[1].name, "second");
    cr_assert_str_eq(l.items[1].sql, "SELECT *\nFROM first -- a comment; kept\nWHERE x > 0");
    cr_assert_eq(l.items[1].line, 4);
    cr_assert_str_eq(l.items[2].name, "third_3");
    cr_assert_str_eq(l.items[2].sql, "SELECT 3");
    cr_assert_eq(l.items[2].line, 9);
    ds_query_list_free(&l);
}

Test(models, crlf_and_empty_text)
{
    ds_query_list l = {0};
    ds_err err;
    cr_assert_eq(parse("", &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 0);
    cr_assert_eq(parse("-- just a comment\n\n", &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 0);
    cr_assert_eq(parse("-- name: a\r\nSELECT 1;\r\n", &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 1);
    cr_assert_str_eq(l.items[0].name, "a");
    cr_assert_str_eq(l.items[0].sql, "SELECT 1");
    ds_query_list_free(&l);
}

Test(models, text_before_first_marker_ignored)
{
    ds_query_list l = {0};
    ds_err err;
    cr_assert_eq(parse("SELECT 'stray';\n-- a comment\n\n-- name: m\nSELECT 2\n", &l, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(l.len, 1);
    cr_assert_str_eq(l.items[0].name, "m");
    cr_assert_str_eq(l.items[0].sql, "SELECT 2");
    cr_assert_eq(l.items[0].line, 4);
    ds_query_list_free(&l);
}

Test(models, other_comments_are_part_of_the_body)
{
    ds_query_list l = {0};
    ds_err err;
    cr_assert_eq(parse("-- name: m\n-- names: not a marker\nSELECT 1\n-- trailing\n", &l, &err),
                 0, "%s", err.msg);
    cr_assert_eq(l.len, 1);
    cr_assert_str_eq(l.items[0].sql, "-- names: not a marker\nSELECT 1\n-- trailing");
    ds_query_list_free(&l);
}

Test(models, names_must_be_identifiers)
{
    expect_error("-- name: my-model\nSELECT 1\n",
                 "sources_sql/m.sql:1: model name 'my-model' is not an SQL identifier "
                 "(letters, digits and _, not starting with a digit)");
    expect_error("-- name: ok\nSELECT 1\n-- name: 2x\nSELECT 2\n",
                 "sources_sql/m.sql:3: model name '2x' is not an SQL identifier (letters, "
                 "digits and _, not starting with a digit)");
    expect_error("-- name:\nSELECT 1\n", "sources_sql/m.sql:1: model name '' is not an SQL "
                                         "identifier (letters, digits and _, not starting "
                                         "with a digit)");
}

Test(models, empty_model_is_an_error)
{
    expect_error("-- name: a\nSELECT 1\n-- name: empty\n  ;\n\n-- name: c\nSELECT 3\n",
                 "sources_sql/m.sql:3: model 'empty' has no SQL");
    expect_error("-- name: last\n", "sources_sql/m.sql:1: model 'last' has no SQL");
}

Test(models, duplicate_names_mention_both_places)
{
    ds_query_list l = {0};
    ds_err err;
    cr_assert_eq(ds_models_parse("-- name: a\nSELECT 1\n", "sources_sql/one.sql", &l, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(ds_models_parse("\n\n-- name: b\nSELECT 2\n-- name: a\nSELECT 3\n",
                                 "sources_sql/two.sql", &l, &err),
                 -1);
    cr_assert_str_eq(err.msg, "sources_sql/two.sql:5: model 'a' is defined twice: here and at "
                              "sources_sql/one.sql:1");
    /* What was parsed before the error is kept (the caller frees it). */
    cr_assert_eq(l.len, 2);
    cr_assert_str_eq(l.items[1].name, "b");
    ds_query_list_free(&l);

    expect_error("-- name: x\nSELECT 1\n-- name: x\nSELECT 1\n",
                 "sources_sql/m.sql:3: model 'x' is defined twice: here and at "
                 "sources_sql/m.sql:1");
}

Test(models, clash_with_file_source_view)
{
    ds_query_list l = {0};
    ds_err err;
    ds_query_add(&l, "orders", DS_KIND_FILE_SOURCE, "SELECT 1", "ducksite.toml", 4);
    ds_query_add(&l, "orders_north", DS_KIND_FILE_SOURCE_TEMPLATE, "SELECT 1", "ducksite.toml",
                 4);
    cr_assert_eq(parse("-- name: orders\nSELECT 2\n", &l, &err), -1);
    cr_assert_str_eq(err.msg, "sources_sql/m.sql:1: model 'orders' has the name of a "
                              "file-source view defined at ducksite.toml:4");
    cr_assert_eq(parse("\n-- name: orders_north\nSELECT 2\n", &l, &err), -1);
    cr_assert_str_eq(err.msg, "sources_sql/m.sql:2: model 'orders_north' has the name of a "
                              "file-source view defined at ducksite.toml:4");
    cr_assert_eq(l.len, 2);
    ds_query_list_free(&l);
}

Test(models, load_reads_files_in_sorted_order)
{
    char *root = test_tmpdir();
    test_write(root, "sources_sql/b.sql", "-- name: from_b\nSELECT 2;\n");
    test_write(root, "sources_sql/a.sql", "-- name: from_a1\nSELECT 1\n-- name: from_a2\n"
                                          "SELECT * FROM from_b\n");
    test_write(root, "sources_sql/c_2.sql", "-- name: from_c\nSELECT 3\n");
    test_write(root, "sources_sql/.hidden.sql", "-- name: hidden\nSELECT 0\n");
    test_write(root, "sources_sql/notes.txt", "-- name: txt\nSELECT 0\n");
    test_write(root, "sources_sql/dir.sql/inner.sql", "-- name: inner\nSELECT 0\n");
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse("", 0, root, "ducksite.toml", &cfg, &err), 0, "%s", err.msg);
    ds_query_list l = {0};
    ds_query_add(&l, "src", DS_KIND_FILE_SOURCE, "SELECT 1", "ducksite.toml", 1);
    cr_assert_eq(ds_models_load(&cfg, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 5);
    cr_assert_str_eq(l.items[0].name, "src");
    cr_assert_str_eq(l.items[1].name, "from_a1");
    cr_assert_str_eq(l.items[1].file, "sources_sql/a.sql");
    cr_assert_str_eq(l.items[2].name, "from_a2");
    cr_assert_eq(l.items[2].line, 3);
    cr_assert_str_eq(l.items[3].name, "from_b");
    cr_assert_str_eq(l.items[3].file, "sources_sql/b.sql");
    cr_assert_str_eq(l.items[3].sql, "SELECT 2");
    cr_assert_str_eq(l.items[4].name, "from_c");
    cr_assert_str_eq(l.items[4].file, "sources_sql/c_2.sql");
    ds_query_list_free(&l);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(models, load_duplicate_across_files)
{
    char *root = test_tmpdir();
    test_write(root, "sources_sql/z.sql", "-- name: dup\nSELECT 2\n");
    test_write(root, "sources_sql/a.sql", "\n-- name: dup\nSELECT 1\n");
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse("", 0, root, "ducksite.toml", &cfg, &err), 0, "%s", err.msg);
    ds_query_list l = {0};
    cr_assert_eq(ds_models_load(&cfg, &l, &err), -1);
    cr_assert_str_eq(err.msg, "sources_sql/z.sql:1: model 'dup' is defined twice: here and at "
                              "sources_sql/a.sql:2");
    ds_query_list_free(&l);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(models, load_without_directory)
{
    char *root = test_tmpdir();
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse("", 0, root, "ducksite.toml", &cfg, &err), 0, "%s", err.msg);
    ds_query_list l = {0};
    cr_assert_eq(ds_models_load(&cfg, &l, &err), 0, "%s", err.msg);
    cr_assert_eq(l.len, 0);
    ds_query_list_free(&l);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}
