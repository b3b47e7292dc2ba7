/* test_project.c - `ducksite init` never overwrites and reports each item. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "scaffold/project.h"
#include "testutil.h"

Test(project, init_creates_a_valid_project)
{
    char *dir = test_tmpdir();
    char *root = ds_path_join(dir, "new/site");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_project_init(root, &report, &err), 0, "%s", err.msg);
    cr_assert(strstr(ds_buf_str(&report), "created ducksite.toml") != NULL);
    cr_assert(strstr(ds_buf_str(&report), "created static/forms/") != NULL);
    char *forms = ds_path_join(root, "static/forms");
    cr_assert(ds_is_dir(forms));
    free(forms);

    ds_config cfg;
    cr_assert_eq(ds_config_load(root, &cfg, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ds_config_dir(&cfg, "DIR_FORMS"), "static/forms");
    ds_config_free(&cfg);
    ds_buf_free(&report);
    free(root);
    test_rmtree(dir);
    free(dir);
}

Test(project, init_never_overwrites)
{
    char *dir = test_tmpdir();
    test_write(dir, "ducksite.toml", "# mine\n");
    test_write(dir, "content/index.md", "# hello\n");
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_project_init(dir, &report, &err), 0, "%s", err.msg);
    cr_assert(strstr(ds_buf_str(&report), "kept    ducksite.toml") != NULL);
    cr_assert(strstr(ds_buf_str(&report), "kept    content/") != NULL);
    cr_assert(strstr(ds_buf_str(&report), "created sources_sql/") != NULL);
    char *toml = ds_path_join(dir, "ducksite.toml");
    char *text = ds_read_file(toml, NULL, &err);
    cr_assert_str_eq(text, "# mine\n");
    free(text);
    free(toml);
    ds_buf_free(&report);
    test_rmtree(dir);
    free(dir);
}

Test(project, add_plugin_writes_a_stub_once)
{
    char *dir = test_tmpdir();
    ds_buf report = {0};
    ds_err err;
    cr_assert_eq(ds_project_add_plugin(dir, "plugins", "sales_lake", &report, &err), 0, "%s",
                 err.msg);
    cr_assert(strstr(ds_buf_str(&report), "created plugins/sales_lake.py") != NULL);
    cr_assert(strstr(ds_buf_str(&report), "plugin = \"plugins/sales_lake.py\"") != NULL);
    char *path = ds_path_join(dir, "plugins/sales_lake.py");
    char *text = ds_read_file(path, NULL, &err);
    cr_assert(strstr(text, "def build_manifest(cfg: ProjectConfig") != NULL);
    cr_assert(strstr(text, "return VirtualParquetManifest(files=files)") != NULL);
    free(text);
    cr_assert_eq(ds_project_add_plugin(dir, "plugins", "sales_lake", &report, &err), -1);
    cr_assert(strstr(err.msg, "already exists") != NULL, "%s", err.msg);
    cr_assert_eq(ds_project_add_plugin(dir, "plugins", "1bad", &report, &err), -1);
    cr_assert(strstr(err.msg, "Python identifier") != NULL, "%s", err.msg);
    cr_assert_eq(ds_project_add_plugin(dir, "plugins", "a-b", &report, &err), -1);
    free(path);
    ds_buf_free(&report);
    test_rmtree(dir);
    free(dir);
}
