/* test_ref.c - parsing `plugin = "..."` references: path-like refs (with
 * '/' or '\', or ending in .py) are files, .py Python, .so native, anything
 * else path-like an executable; other refs are module names; ":callable"
 * picks the function (default build_manifest / ducksite_build_manifest);
 * Windows drive letters are not callable separators. */
#include <criterion/criterion.h>

#include "plugin/ref.h"
#include "testutil.h"

/* Parses ref, which must succeed, and checks every field. */
static void expect_ref(const char *ref, ds_plugin_kind kind, const char *target,
                       const char *explicit_callable, const char *callable)
{
    ds_plugin_ref r;
    ds_err err;
    cr_assert_eq(ds_plugin_ref_parse(ref, &r, &err), 0, "'%s' rejected: %s", ref, err.msg);
    cr_assert_eq(r.kind, kind, "'%s': kind %d, expected %d", ref, r.kind, kind);
    cr_assert_str_eq(r.target, target, "'%s'", ref);
    if (explicit_callable)
        cr_assert_str_eq(r.callable, explicit_callable, "'%s'", ref);
    else
        cr_assert_null(r.callable, "'%s': callable '%s'", ref, r.callable);
    if (callable)
        cr_assert_str_eq(ds_plugin_ref_callable(&r), callable, "'%s'", ref);
    else
        cr_assert_null(ds_plugin_ref_callable(&r), "'%s'", ref);
    ds_plugin_ref_free(&r);
}

static void expect_bad(const char *ref)
{
    ds_plugin_ref r;
    ds_err err;
    cr_assert_eq(ds_plugin_ref_parse(ref, &r, &err), -1, "'%s' accepted", ref);
    cr_assert(strstr(err.msg, "not a plugin reference") != NULL, "'%s': %s", ref, err.msg);
    char *quoted = ds_asprintf("'%s'", ref);
    cr_assert(strstr(err.msg, quoted) != NULL, "message '%s' does not show %s", err.msg, quoted);
    free(quoted);
}

Test(ref, python_file_default_callable)
{
    expect_ref("plugins/sales.py", DS_PLUGIN_PY_FILE, "plugins/sales.py", NULL, "build_manifest");
}

Test(ref, python_file_explicit_callable)
{
    expect_ref("plugins/sales_lake.py:build_manifest", DS_PLUGIN_PY_FILE, "plugins/sales_lake.py",
               "build_manifest", "build_manifest");
    expect_ref("plugins/sales.py:custom", DS_PLUGIN_PY_FILE, "plugins/sales.py", "custom",
               "custom");
}

Test(ref, bare_py_name_is_a_file)
{
    /* Ends in .py: a file in the project root, not a module named "sales.py". */
    expect_ref("sales.py", DS_PLUGIN_PY_FILE, "sales.py", NULL, "build_manifest");
    expect_ref("sales.py:go", DS_PLUGIN_PY_FILE, "sales.py", "go", "go");
}

Test(ref, absolute_python_file)
{
    expect_ref("/opt/plugins/demo.py", DS_PLUGIN_PY_FILE, "/opt/plugins/demo.py", NULL,
               "build_manifest");
    expect_ref("/opt/plugins/demo.py:make", DS_PLUGIN_PY_FILE, "/opt/plugins/demo.py", "make",
               "make");
}

Test(ref, relative_dot_paths)
{
    expect_ref("./demo.py", DS_PLUGIN_PY_FILE, "./demo.py", NULL, "build_manifest");
    expect_ref("../shared/demo.py:f", DS_PLUGIN_PY_FILE, "../shared/demo.py", "f", "f");
}

Test(ref, backslash_paths_are_path_like)
{
    expect_ref("plugins\\sales.py", DS_PLUGIN_PY_FILE, "plugins\\sales.py", NULL, "build_manifest");
    expect_ref("plugins\\sales.py:custom", DS_PLUGIN_PY_FILE, "plugins\\sales.py", "custom",
               "custom");
    expect_ref("tools\\lake-manifest", DS_PLUGIN_EXEC, "tools\\lake-manifest", NULL, NULL);
}

Test(ref, windows_drive_letter)
{
    expect_ref("C:\\plugins\\demo.py", DS_PLUGIN_PY_FILE, "C:\\plugins\\demo.py", NULL,
               "build_manifest");
    expect_ref("C:\\plugins\\demo.py:custom", DS_PLUGIN_PY_FILE, "C:\\plugins\\demo.py", "custom",
               "custom");
    expect_ref("d:/plugins/demo.py", DS_PLUGIN_PY_FILE, "d:/plugins/demo.py", NULL,
               "build_manifest");
    expect_ref("D:/plugins/demo.py:custom", DS_PLUGIN_PY_FILE, "D:/plugins/demo.py", "custom",
               "custom");
    expect_ref("C:\\plugins\\libsales.so", DS_PLUGIN_NATIVE, "C:\\plugins\\libsales.so", NULL,
               "ducksite_build_manifest");
    expect_ref("C:\\tools\\manifest.exe", DS_PLUGIN_EXEC, "C:\\tools\\manifest.exe", NULL, NULL);
}

Test(ref, module_default_callable)
{
    expect_ref("sales_lake", DS_PLUGIN_PY_MODULE, "sales_lake", NULL, "build_manifest");
    expect_ref("my_pkg.plugins.sales", DS_PLUGIN_PY_MODULE, "my_pkg.plugins.sales", NULL,
               "build_manifest");
}

Test(ref, module_explicit_callable)
{
    expect_ref("my_pkg.sales:build", DS_PLUGIN_PY_MODULE, "my_pkg.sales", "build", "build");
    expect_ref("sales:build_manifest", DS_PLUGIN_PY_MODULE, "sales", "build_manifest",
               "build_manifest");
}

Test(ref, bare_names_are_modules_whatever_they_end_in)
{
    /* Only '/', '\\' or a .py ending make a ref path-like: "libsales.so"
     * alone is a module name (write "./libsales.so" for the file). */
    expect_ref("libsales.so", DS_PLUGIN_PY_MODULE, "libsales.so", NULL, "build_manifest");
    expect_ref("lake-manifest", DS_PLUGIN_PY_MODULE, "lake-manifest", NULL, "build_manifest");
    expect_ref("./libsales.so", DS_PLUGIN_NATIVE, "./libsales.so", NULL, "ducksite_build_manifest");
}

Test(ref, module_is_not_confused_with_drive_letter)
{
    /* A one-letter module with a callable is not a drive letter: no
     * separator follows the colon. */
    expect_ref("m:build", DS_PLUGIN_PY_MODULE, "m", "build", "build");
}

Test(ref, native_shared_object)
{
    expect_ref("plugins/libsales.so", DS_PLUGIN_NATIVE, "plugins/libsales.so", NULL,
               "ducksite_build_manifest");
    expect_ref("plugins/libsales.so:my_manifest", DS_PLUGIN_NATIVE, "plugins/libsales.so",
               "my_manifest", "my_manifest");
    expect_ref("/usr/lib/ducksite/libsales.so", DS_PLUGIN_NATIVE, "/usr/lib/ducksite/libsales.so",
               NULL, "ducksite_build_manifest");
}

Test(ref, executables)
{
    expect_ref("bin/lake-manifest", DS_PLUGIN_EXEC, "bin/lake-manifest", NULL, NULL);
    expect_ref("./manifest.sh", DS_PLUGIN_EXEC, "./manifest.sh", NULL, NULL);
    expect_ref("/usr/local/bin/manifest", DS_PLUGIN_EXEC, "/usr/local/bin/manifest", NULL, NULL);
    /* .pyc, .py.bak, .sox are not .py / .so */
    expect_ref("bin/tool.pyc", DS_PLUGIN_EXEC, "bin/tool.pyc", NULL, NULL);
    expect_ref("bin/tool.py.bak", DS_PLUGIN_EXEC, "bin/tool.py.bak", NULL, NULL);
    expect_ref("lib/x.sox", DS_PLUGIN_EXEC, "lib/x.sox", NULL, NULL);
}

Test(ref, empty_parts_are_errors)
{
    expect_bad("");
    expect_bad(":build");
    expect_bad("plugins/sales.py:");
    expect_bad("my_pkg.sales:");
    expect_bad("C:\\plugins\\demo.py:");
}

Test(ref, free_is_idempotent)
{
    ds_plugin_ref r;
    ds_err err;
    cr_assert_eq(ds_plugin_ref_parse("a.py:f", &r, &err), 0);
    ds_plugin_ref_free(&r);
    cr_assert_null(r.target);
    cr_assert_null(r.callable);
    ds_plugin_ref_free(&r);
}
