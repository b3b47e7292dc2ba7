/* test_native.c - native (.so) plugins through the versioned C ABI of
 * include/ducksite/plugin.h: the example sales plugin, the context a plugin
 * gets, strings copied by the host, custom symbols, and every way loading
 * or running one can fail.  The shared objects are compiled from C sources
 * at test time with cc. */
#include <criterion/criterion.h>
#include <jansson.h>

#include "config/config.h"
#include "ducksite/plugin.h"
#include "plugin/native.h"
#include "plugin/plugin.h"
#include "testutil.h"

static void setup(void)
{
    unsetenv("SALES_DIR");
}

TestSuite(native, .init = setup);

static const char *source_dir(void)
{
    const char *env = getenv("DS_SOURCE_DIR");
    return env && *env ? env : DS_SOURCE_DIR;
}

/* Compiles src (a file path) into dir/name; returns the .so path. */
static char *compile_file(const char *dir, const char *name, const char *src)
{
    char *so = ds_path_join(dir, name);
    char *cmd = ds_asprintf("cc -shared -fPIC -I'%s/include' -o '%s' '%s'", source_dir(), so, src);
    cr_assert_eq(system(cmd), 0, "cannot compile: %s", cmd);
    free(cmd);
    return so;
}

/* Compiles C text into dir/name. */
static char *compile_text(const char *dir, const char *name, const char *text)
{
    char *c_rel = ds_asprintf("%s.c", name);
    test_write(dir, c_rel, text);
    char *c_path = ds_path_join(dir, c_rel);
    char *so = compile_file(dir, name, c_path);
    free(c_path);
    free(c_rel);
    return so;
}

static const char *HEADER = "#include <stdio.h>\n"
                            "#include <stdlib.h>\n"
                            "#include <string.h>\n"
                            "#include \"ducksite/plugin.h\"\n"
                            "int ducksite_plugin_abi_version(void) { return "
                            "DUCKSITE_PLUGIN_ABI_VERSION; }\n";

static char *plugin_source(const char *body)
{
    return ds_asprintf("%s%s", HEADER, body);
}

/* Runs ds_native_run and expects failure with every string of want. */
static void expect_native_failure(const char *root, const char *path, const char *symbol,
                                  const char *const *want)
{
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_buf why = {0};
    cr_assert_eq(ds_native_run(root, path, symbol, "src", "{}", NULL, &m, &why), -1, "%s succeeded",
                 path);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(ds_buf_str(&why), want[i]) != NULL, "'%s' lacks '%s'", ds_buf_str(&why),
                  want[i]);
    ds_manifest_free(&m);
    ds_buf_free(&why);
}

static int run_plugin(const ds_config *cfg, size_t i, ds_manifest *m, ds_err *err)
{
    ds_plugin_session *s = ds_plugin_session_new();
    int rc = ds_plugin_run(s, cfg, &cfg->sources[i], NULL, m, err);
    ds_plugin_session_free(s);
    return rc;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const ds_manifest_file *)a)->key, ((const ds_manifest_file *)b)->key);
}

/* ---- the example plugin ---------------------------------------------------- */

static char *build_sales(const char *dir)
{
    char *src = ds_asprintf("%s/examples/native_plugin/sales_plugin.c", source_dir());
    char *so = compile_file(dir, "libsales_plugin.so", src);
    free(src);
    return so;
}

Test(native, sales_example_raw_entries)
{
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    char *so = build_sales(tools);
    test_write(root, "lake/sales/b.parquet", "x");
    test_write(root, "lake/sales/a.parquet", "x");
    test_write(root, "lake/sales/notes.txt", "x");
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_buf why = {0};
    cr_assert_eq(ds_native_run(root, so, "ducksite_build_manifest", "sales", "{}", NULL, &m, &why),
                 0, "%s", ds_buf_str(&why));
    cr_assert_eq(m.n_files, 2);
    qsort(m.files, m.n_files, sizeof *m.files, by_key);
    cr_assert_str_eq(m.files[0].key, "a.parquet", "raw http_path, not yet normalised");
    char *want = ds_asprintf("%s/lake/sales/a.parquet", root);
    cr_assert_str_eq(m.files[0].path, want);
    free(want);
    cr_assert_str_eq(m.files[0].row_filter, "amount >= 0");
    cr_assert_str_eq(m.files[1].key, "b.parquet");
    cr_assert_str_eq(m.template_name, "sales_[region]");
    cr_assert_str_eq(m.row_filter_template, "region = ?");
    ds_manifest_free(&m);
    ds_buf_free(&why);
    free(so);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

Test(native, sales_example_through_plugin_run)
{
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    char *so = build_sales(tools);
    test_write(root, "lake/sales/2024-01.parquet", "x");
    char *toml = ds_asprintf("[[file_sources]]\nname = \"sales\"\nplugin = \"%s\"\n"
                             "template_name = \"mine_[region]\"\n",
                             so);
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 1);
    cr_assert_str_eq(m.files[0].key, "data/sales/2024-01.parquet");
    cr_assert_str_eq(m.files[0].row_filter, "amount >= 0");
    /* The manifest carries the plugin's template; the config's own wins
     * later, in collect. */
    cr_assert_str_eq(m.template_name, "sales_[region]");
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    free(toml);
    free(so);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

Test(native, sales_example_relative_path_and_sales_dir)
{
    char *root = test_tmpdir();
    char *elsewhere = test_tmpdir();
    char *so = build_sales(root); /* ROOT/libsales_plugin.so */
    free(so);
    test_write(elsewhere, "x.parquet", "x");
    setenv("SALES_DIR", elsewhere, 1);
    const char *toml = "[[file_sources]]\nname = \"s\"\nplugin = \"./libsales_plugin.so\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 1);
    cr_assert_str_eq(m.files[0].key, "data/s/x.parquet");
    char *want = ds_asprintf("%s/x.parquet", elsewhere);
    cr_assert_str_eq(m.files[0].path, want);
    free(want);
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(elsewhere);
    free(elsewhere);
    test_rmtree(root);
    free(root);
}

Test(native, sales_example_failure_is_reported)
{
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    char *so = build_sales(tools);
    char *toml = ds_asprintf("\n\n[[file_sources]]\nname = \"sales\"\nplugin = \"%s\"\n", so);
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), -1);
    char *want = ds_asprintf("ducksite.toml:3: file source 'sales': plugin '%s': cannot open "
                             "%s/lake/sales",
                             so, root);
    cr_assert_str_eq(err.msg, want);
    free(want);
    ds_config_free(&cfg);
    free(toml);
    free(so);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

/* ---- the context -------------------------------------------------------- */

Test(native, context_fields)
{
    char *root = test_tmpdir();
    char *src = plugin_source(
        "int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
        "    char buf[4096];\n"
        "    snprintf(buf, sizeof buf, \"abi-%d\", ctx->abi_version);\n"
        "    ctx->add_file(ctx->host, buf, ctx->project_root, NULL);\n"
        "    ctx->add_file(ctx->host, ctx->source_name, \"src\", \"\");\n"
        "    ctx->add_file(ctx->host, \"filter\", \"f\", ctx->filter_expr ? ctx->filter_expr "
        ": \"(none)\");\n"
        "    ctx->add_file(ctx->host, \"config\", \"c\", ctx->config_json);\n"
        "    return 0;\n"
        "}\n");
    char *so = compile_text(root, "ctx.so", src);
    free(src);
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_buf why = {0};
    cr_assert_eq(ds_native_run(root, "ctx.so", "ducksite_build_manifest", "orders",
                               "{\"source\": \"orders\"}", "amount > 0", &m, &why),
                 0, "%s", ds_buf_str(&why));
    cr_assert_eq(m.n_files, 4);
    char *abi = ds_asprintf("abi-%d", DUCKSITE_PLUGIN_ABI_VERSION);
    cr_assert_str_eq(m.files[0].key, abi);
    free(abi);
    cr_assert_str_eq(m.files[0].path, root);
    cr_assert_null(m.files[0].row_filter);
    cr_assert_str_eq(m.files[1].key, "orders");
    cr_assert_null(m.files[1].row_filter, "an empty row filter is no row filter");
    cr_assert_str_eq(m.files[2].row_filter, "amount > 0");
    cr_assert_str_eq(m.files[3].row_filter, "{\"source\": \"orders\"}");
    cr_assert_null(m.template_name);
    cr_assert_null(m.row_filter_template);
    ds_manifest_free(&m);
    ds_buf_free(&why);

    /* Without a filter the plugin gets NULL. */
    cr_assert_eq(
        ds_native_run(root, "ctx.so", "ducksite_build_manifest", "orders", "{}", NULL, &m, &why), 0,
        "%s", ds_buf_str(&why));
    cr_assert_str_eq(m.files[2].row_filter, "(none)");
    ds_manifest_free(&m);
    ds_buf_free(&why);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, context_through_plugin_run)
{
    /* ds_plugin_run gives the plugin the config document and the source's
     * filter (row_filter AND time_window). */
    char *root = test_tmpdir();
    char *src =
        plugin_source("int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
                      "    ctx->add_file(ctx->host, \"cfg.parquet\", \"cfg\", ctx->config_json);\n"
                      "    ctx->add_file(ctx->host, \"flt.parquet\", \"flt\", ctx->filter_expr);\n"
                      "    return 0;\n"
                      "}\n");
    char *so = compile_text(root, "plugins/libctx.so", src);
    free(src);
    const char *toml = "[[file_sources]]\nname = \"n\"\nplugin = \"plugins/libctx.so\"\n"
                       "row_filter = \"a > 1\"\n"
                       "time_window = { column = \"day\", end = 2024-01-01 }\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 2);
    json_t *doc = json_loads(m.files[0].row_filter, 0, NULL);
    cr_assert_not_null(doc, "config_json is not JSON: %s", m.files[0].row_filter);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "source")), "n");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "project"), "root")),
                     root);
    json_decref(doc);
    cr_assert_str_eq(m.files[1].row_filter, "(a > 1) AND (day < DATE '2024-01-01')");
    char *want = ds_asprintf("%s/flt", root);
    cr_assert_str_eq(m.files[1].path, want);
    free(want);
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, strings_are_copied_and_many_files)
{
    char *root = test_tmpdir();
    char *src =
        plugin_source("int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
                      "    for (int i = 0; i < 1000; i++) {\n"
                      "        char *h = malloc(64), *p = malloc(64), *f = malloc(64);\n"
                      "        snprintf(h, 64, \"f%04d.parquet\", i);\n"
                      "        snprintf(p, 64, \"/lake/%d\", i);\n"
                      "        snprintf(f, 64, \"i = %d\", i);\n"
                      "        ctx->add_file(ctx->host, h, p, f);\n"
                      "        memset(h, 'X', 63); memset(p, 'X', 63); memset(f, 'X', 63);\n"
                      "        free(h); free(p); free(f);\n"
                      "    }\n"
                      "    char *t = strdup(\"t_[x]\"), *r = strdup(\"x = ?\");\n"
                      "    ctx->set_template(ctx->host, t, r);\n"
                      "    t[0] = 'X'; r[0] = 'X';\n"
                      "    free(t); free(r);\n"
                      "    return 0;\n"
                      "}\n");
    char *so = compile_text(root, "many.so", src);
    free(src);
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_buf why = {0};
    cr_assert_eq(ds_native_run(root, so, "ducksite_build_manifest", "s", "{}", NULL, &m, &why), 0,
                 "%s", ds_buf_str(&why));
    cr_assert_eq(m.n_files, 1000);
    cr_assert_str_eq(m.files[0].key, "f0000.parquet");
    cr_assert_str_eq(m.files[999].key, "f0999.parquet");
    cr_assert_str_eq(m.files[500].path, "/lake/500");
    cr_assert_str_eq(m.files[500].row_filter, "i = 500");
    cr_assert_str_eq(m.template_name, "t_[x]");
    cr_assert_str_eq(m.row_filter_template, "x = ?");
    ds_manifest_free(&m);
    ds_buf_free(&why);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, set_template_twice_and_nulls)
{
    char *root = test_tmpdir();
    char *src = plugin_source("int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
                              "    ctx->set_template(ctx->host, \"first_[a]\", \"a = ?\");\n"
                              "    ctx->set_template(ctx->host, \"second_[a]\", NULL);\n"
                              "    ctx->add_file(ctx->host, \"a.parquet\", \"a\", NULL);\n"
                              "    return 0;\n"
                              "}\n"
                              "int only_nulls(const ducksite_plugin_context *ctx) {\n"
                              "    ctx->set_template(ctx->host, NULL, NULL);\n"
                              "    return 0;\n"
                              "}\n");
    char *so = compile_text(root, "tmpl.so", src);
    free(src);
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_buf why = {0};
    cr_assert_eq(ds_native_run(root, so, "ducksite_build_manifest", "s", "{}", NULL, &m, &why), 0,
                 "%s", ds_buf_str(&why));
    cr_assert_str_eq(m.template_name, "second_[a]");
    cr_assert_null(m.row_filter_template);
    ds_manifest_free(&m);
    cr_assert_eq(ds_native_run(root, so, "only_nulls", "s", "{}", NULL, &m, &why), 0, "%s",
                 ds_buf_str(&why));
    cr_assert_eq(m.n_files, 0);
    cr_assert_null(m.template_name);
    ds_manifest_free(&m);
    ds_buf_free(&why);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, custom_symbol)
{
    char *root = test_tmpdir();
    char *src =
        plugin_source("int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
                      "    ctx->add_file(ctx->host, \"default.parquet\", \"d\", NULL); return 0;\n"
                      "}\n"
                      "int my_manifest(const ducksite_plugin_context *ctx) {\n"
                      "    ctx->add_file(ctx->host, \"custom.parquet\", \"c\", NULL); return 0;\n"
                      "}\n");
    char *so = compile_text(root, "plugins/libtwo.so", src);
    free(src);
    const char *toml =
        "[[file_sources]]\nname = \"a\"\nplugin = \"plugins/libtwo.so\"\n"
        "[[file_sources]]\nname = \"b\"\nplugin = \"plugins/libtwo.so:my_manifest\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/a/default.parquet");
    ds_manifest_free(&m);
    cr_assert_eq(run_plugin(&cfg, 1, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/b/custom.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    free(so);
    test_rmtree(root);
    free(root);
}

/* ---- failures ----------------------------------------------------------- */

Test(native, file_not_found)
{
    char *root = test_tmpdir();
    char *abs = ds_asprintf("%s/plugins/libnone.so", root);
    const char *want[] = {"plugin file not found", abs, NULL};
    expect_native_failure(root, "plugins/libnone.so", "ducksite_build_manifest", want);
    free(abs);
    test_rmtree(root);
    free(root);
}

Test(native, not_a_shared_object)
{
    char *root = test_tmpdir();
    test_write(root, "libfake.so", "this is not ELF\n");
    char *abs = ds_asprintf("%s/libfake.so", root);
    const char *want[] = {"cannot load", abs, NULL};
    expect_native_failure(root, "libfake.so", "ducksite_build_manifest", want);
    free(abs);
    test_rmtree(root);
    free(root);
}

Test(native, missing_version_symbol)
{
    char *root = test_tmpdir();
    char *so = compile_text(root, "noversion.so",
                            "#include \"ducksite/plugin.h\"\n"
                            "int ducksite_build_manifest(const ducksite_plugin_context *ctx) "
                            "{ (void)ctx; return 0; }\n");
    const char *want[] = {"ducksite_plugin_abi_version", so, NULL};
    expect_native_failure(root, so, "ducksite_build_manifest", want);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, wrong_abi_version)
{
    char *root = test_tmpdir();
    char *so = compile_text(root, "old.so",
                            "#include \"ducksite/plugin.h\"\n"
                            "int ducksite_plugin_abi_version(void) { return 99; }\n"
                            "int ducksite_build_manifest(const ducksite_plugin_context *ctx) "
                            "{ ctx->add_file(ctx->host, \"a\", \"b\", 0); return 0; }\n");
    char *mine = ds_asprintf("%d", DUCKSITE_PLUGIN_ABI_VERSION);
    const char *want[] = {"ABI version 99", mine, so, NULL};
    expect_native_failure(root, so, "ducksite_build_manifest", want);
    free(mine);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, missing_manifest_symbol)
{
    char *root = test_tmpdir();
    char *src = plugin_source("int something_else(void) { return 0; }\n");
    char *so = compile_text(root, "nomanifest.so", src);
    free(src);
    const char *want[] = {"virtual parquet plugin target 'ducksite_build_manifest' not found in",
                          so, NULL};
    expect_native_failure(root, so, "ducksite_build_manifest", want);
    const char *want2[] = {"virtual parquet plugin target 'custom' not found in", NULL};
    expect_native_failure(root, so, "custom", want2);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, plugin_reports_failure)
{
    char *root = test_tmpdir();
    char *src = plugin_source("int with_message(const ducksite_plugin_context *ctx) {\n"
                              "    ctx->add_file(ctx->host, \"partial.parquet\", \"p\", NULL);\n"
                              "    char *msg = strdup(\"warehouse offline\");\n"
                              "    ctx->fail(ctx->host, msg);\n"
                              "    free(msg);\n"
                              "    ctx->fail(ctx->host, \"second message is ignored\");\n"
                              "    return 1;\n"
                              "}\n"
                              "int fail_but_zero(const ducksite_plugin_context *ctx) {\n"
                              "    ctx->fail(ctx->host, \"failed, then returned 0\");\n"
                              "    return 0;\n"
                              "}\n"
                              "int bare_nonzero(const ducksite_plugin_context *ctx) {\n"
                              "    (void)ctx; return 3;\n"
                              "}\n"
                              "int null_message(const ducksite_plugin_context *ctx) {\n"
                              "    ctx->fail(ctx->host, NULL); return 1;\n"
                              "}\n");
    char *so = compile_text(root, "fails.so", src);
    free(src);
    const char *w1[] = {"warehouse offline", NULL};
    expect_native_failure(root, so, "with_message", w1);
    const char *w2[] = {"failed, then returned 0", NULL};
    expect_native_failure(root, so, "fail_but_zero", w2);
    const char *w3[] = {"bare_nonzero", "3", NULL};
    expect_native_failure(root, so, "bare_nonzero", w3);
    const char *w4[] = {"fail", NULL};
    expect_native_failure(root, so, "null_message", w4);

    /* Through ds_plugin_run: the standard prefix and no manifest. */
    char *toml =
        ds_asprintf("[[file_sources]]\nname = \"w\"\nplugin = \"./fails.so:with_message\"\n");
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), -1);
    cr_assert_str_eq(err.msg, "ducksite.toml:1: file source 'w': plugin './fails.so:with_message': "
                              "warehouse offline");
    cr_assert_eq(m.n_files, 0);
    ds_config_free(&cfg);
    free(toml);
    free(so);
    test_rmtree(root);
    free(root);
}

Test(native, bad_http_path_from_native)
{
    char *root = test_tmpdir();
    char *src = plugin_source(
        "int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
        "    ctx->add_file(ctx->host, NULL, \"/x\", NULL); return 0;\n"
        "}\n"
        "int dotdot(const ducksite_plugin_context *ctx) {\n"
        "    ctx->add_file(ctx->host, \"a/../../b.parquet\", \"/x\", NULL); return 0;\n"
        "}\n");
    char *so = compile_text(root, "bad.so", src);
    free(src);
    const char *toml = "[[file_sources]]\nname = \"n\"\nplugin = \"./bad.so\"\n"
                       "[[file_sources]]\nname = \"d\"\nplugin = \"./bad.so:dotdot\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_eq(run_plugin(&cfg, 0, &m, &err), -1);
    cr_assert(strstr(err.msg, "file source 'n': plugin './bad.so': ") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "empty") != NULL, "%s", err.msg);
    cr_assert_eq(run_plugin(&cfg, 1, &m, &err), -1);
    cr_assert(strstr(err.msg, "a/../../b.parquet") != NULL, "%s", err.msg);
    ds_config_free(&cfg);
    free(so);
    test_rmtree(root);
    free(root);
}

/* A physical path that is not UTF-8 (a Latin-1 file name) is refused
 * naming the entry: data_map.json would hold it, and the server refuses
 * such a map. */
Test(native, physical_path_not_utf8_is_refused)
{
    char *root = test_tmpdir();
    char *src =
        plugin_source("int ducksite_build_manifest(const ducksite_plugin_context *ctx) {\n"
                      "    ctx->add_file(ctx->host, \"a.parquet\", \"lake/a.parquet\", 0);\n"
                      "    ctx->add_file(ctx->host, \"b.parquet\", \"lake/caf\\xe9.parquet\", 0);\n"
                      "    return 0;\n"
                      "}\n");
    char *so = compile_text(root, "plugins/liblatin.so", src);
    free(src);
    const char *toml = "[[file_sources]]\nname = \"n\"\nplugin = \"plugins/liblatin.so\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_manifest m;
    cr_assert_neq(run_plugin(&cfg, 0, &m, &err), 0);
    cr_assert(strstr(err.msg, "files[1].physical_path \"lake/caf"), "%s", err.msg);
    cr_assert(strstr(err.msg, "is not valid UTF-8"), "%s", err.msg);
    ds_config_free(&cfg);
    free(so);
    test_rmtree(root);
    free(root);
}
