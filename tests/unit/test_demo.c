/* test_demo.c - the demo project: its files, its generated data, and that it
 * never overwrites an existing project. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "scaffold/demo.h"
#include "sql/duck.h"
#include "testutil.h"

Test(demo, creates_a_valid_project_with_data)
{
    char *dir = test_tmpdir();
    char *root = ds_path_join(dir, "demo");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_demo_create(root, &report, &err), 0, "%s", err.msg);
    cr_assert(strstr(ds_buf_str(&report), "created content/index.md") != NULL);

    ds_config cfg;
    cr_assert_eq(ds_config_load(root, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.n_sources, 2);
    cr_assert_str_eq(cfg.sources[0].name, "orders");
    cr_assert_str_eq(cfg.sources[1].plugin, "plugins/store_sales.py");
    ds_config_free(&cfg);

    const char *files[] = {"plugins/store_sales.py", "sources_sql/orders.sql",
                           "content/index.md",       "content/charts.md",
                           "content/inputs.md",      "content/templates.md",
                           "content/plugin.md",      "content/feedback.md",
                           "content/regions/index.md", "content/regions/[region].md",
                           "lake/sales/store_a.parquet"};
    for (size_t i = 0; i < DS_ARRAY_LEN(files); i++) {
        char *p = ds_path_join(root, files[i]);
        cr_assert(ds_is_file(p), "missing %s", files[i]);
        free(p);
    }
    char *forms = ds_path_join(root, "static/forms");
    cr_assert(ds_is_dir(forms));
    free(forms);

    ds_duck *db = ds_duck_open(&err);
    char *sql = ds_asprintf("SELECT count(*), count(DISTINCT region), count(DISTINCT filename) "
                            "FROM read_parquet('%s/lake/orders/**/*.parquet', filename = true)",
                            root);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, sql, &rows, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ds_rows_get(&rows, 0, 0), "1000000");
    cr_assert_str_eq(ds_rows_get(&rows, 0, 1), "4");
    cr_assert_str_eq(ds_rows_get(&rows, 0, 2), "24", "one file per month over two years");
    ds_rows_free(&rows);
    free(sql);
    ds_duck_close(db);

    ds_buf_free(&report);
    free(root);
    test_rmtree(dir);
    free(dir);
}

Test(demo, refuses_an_existing_project)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml", "# mine\n");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_demo_create(dir, &report, &err), -1);
    cr_assert(strstr(err.msg, "already holds a project") != NULL, "%s", err.msg);
    char *toml = ds_path_join(dir, "ducksite.toml");
    char *text = ds_read_file(toml, NULL, &err);
    cr_assert_str_eq(text, "# mine\n");
    free(text);
    free(toml);
    ds_buf_free(&report);
    test_rmtree(dir);
    free(dir);
}
