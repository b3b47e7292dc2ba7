/* test_plugin.c - running virtual Parquet plugins and normalising their
 * manifests: http_path -> data-map keys, the filter and config given to
 * plugins, Python file and module plugins in one interpreter per session
 * (sys.path handling, sibling imports, plugins outside the project), the
 * Python interpreter choice, executables, and every error naming the file
 * source and the plugin reference. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "plugin/plugin.h"
#include "sql/timewindow.h"
#include "testutil.h"

/* Python children: a dying child must not kill the test with SIGPIPE. */
static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    unsetenv("DUCKSITE_PYTHON");
    unsetenv("DUCKSITE_PYTHONPATH");
    unsetenv("VIRTUAL_ENV");
}

TestSuite(plugin, .init = setup);

/* ---- helpers ------------------------------------------------------------ */

static void parse_cfg(const char *root, const char *text, ds_config *cfg)
{
    ds_err err;
    cr_assert_eq(ds_config_parse(text, strlen(text), root, "ducksite.toml", cfg, &err), 0, "%s",
                 err.msg);
}

static void write_exec(const char *dir, const char *rel, const char *text)
{
    test_write(dir, rel, text);
    char *path = ds_path_join(dir, rel);
    cr_assert_eq(chmod(path, 0755), 0);
    free(path);
}

/* Runs source i of cfg in a new session. */
static int run_one(const ds_config *cfg, size_t i, ds_manifest *m, ds_err *err)
{
    ds_plugin_session *s = ds_plugin_session_new();
    int rc = ds_plugin_run(s, cfg, &cfg->sources[i], NULL, m, err);
    ds_plugin_session_free(s);
    return rc;
}

/* Runs a config whose only source must fail; checks the message starts
 * with the standard prefix and contains every string in want (NULL-ended). */
static void expect_failure(const char *root, const char *toml, const char *const *want)
{
    ds_config cfg;
    parse_cfg(root, toml, &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), -1, "the plugin succeeded");
    char *prefix =
        ds_asprintf("ducksite.toml:%d: file source '%s': plugin '%s': ", cfg.sources[0].line,
                    cfg.sources[0].name, cfg.sources[0].plugin);
    cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message '%s' does not start '%s'",
              err.msg, prefix);
    for (size_t i = 0; want[i]; i++)
        cr_assert(strstr(err.msg, want[i]) != NULL, "message '%s' lacks '%s'", err.msg, want[i]);
    cr_assert_eq(m.n_files, 0);
    cr_assert_null(m.files);
    free(prefix);
    ds_config_free(&cfg);
}

static const char *PY_HEADER =
    "import os, sys\n"
    "from ducksite.virtual_parquet import VirtualParquetFile as F, VirtualParquetManifest as M\n";

/* ---- http keys ---------------------------------------------------------- */

static void expect_key(const char *http, const char *source, const char *want)
{
    const char *why = "unset";
    char *key = ds_plugin_http_key(http, source, &why);
    cr_assert_not_null(key, "'%s' rejected: %s", http, why);
    cr_assert_str_eq(key, want, "'%s'", http);
    cr_assert_null(why, "'%s'", http);
    free(key);
}

static void expect_bad_key(const char *http, const char *why_part)
{
    const char *why = NULL;
    char *key = ds_plugin_http_key(http, "s", &why);
    cr_assert_null(key, "'%s' accepted as '%s'", http, key);
    cr_assert_not_null(why, "'%s'", http);
    cr_assert(strstr(why, why_part) != NULL, "'%s': '%s' lacks '%s'", http, why, why_part);
}

Test(plugin, http_key_normalisation)
{
    expect_key("data/sales/2024-01.parquet", "sales", "data/sales/2024-01.parquet");
    expect_key("data/other/x.parquet", "sales", "data/other/x.parquet");
    expect_key("2024-01.parquet", "sales", "data/sales/2024-01.parquet");
    expect_key("year=2024/part-0.parquet", "sales", "data/sales/year=2024/part-0.parquet");
    expect_key("2024\\01\\a.parquet", "sales", "data/sales/2024/01/a.parquet");
    expect_key("data\\sales\\a.parquet", "sales", "data/sales/a.parquet");
    /* "data" must be a whole first segment to be kept. */
    expect_key("database/a.parquet", "s", "data/s/database/a.parquet");
    expect_key("data.parquet", "s", "data/s/data.parquet");
    expect_key("..hidden/a.parquet", "s", "data/s/..hidden/a.parquet");
    expect_key("a b/é.parquet", "s", "data/s/a b/é.parquet");
}

Test(plugin, http_key_rejections)
{
    expect_bad_key("", "empty");
    expect_bad_key("/abs/a.parquet", "absolute");
    expect_bad_key("/data/s/a.parquet", "absolute");
    expect_bad_key("\\abs\\a.parquet", "absolute");
    expect_bad_key("C:\\data\\a.parquet", "absolute");
    expect_bad_key("c:/data/a.parquet", "absolute");
    expect_bad_key("../a.parquet", "'..'");
    expect_bad_key("data/s/../../etc/passwd", "'..'");
    expect_bad_key("a/..", "'..'");
    expect_bad_key("..\\a.parquet", "'..'");
    expect_bad_key("./a.parquet", "'.'");
    expect_bad_key("a/./b.parquet", "'.'");
    expect_bad_key("a//b.parquet", "empty");
    expect_bad_key("a/", "empty");
    expect_bad_key("data/", "empty");
    expect_bad_key("a\\\\b.parquet", "empty");
    expect_bad_key("a\nb.parquet", "control");
    expect_bad_key("a\tb.parquet", "control");
    expect_bad_key("a\x7f.parquet", "control");
    expect_bad_key("data/s/\x1b[31m.parquet", "control");
}

/* ---- what plugins are given --------------------------------------------- */

Test(plugin, filter_expr_combinations)
{
    ds_config cfg;
    parse_cfg("/proj",
              "[[file_sources]]\nname = \"both\"\nplugin = \"p.py\"\nrow_filter = \"amount > 0\"\n"
              "time_window = { column = \"day\", start = 2024-01-01 }\n"
              "[[file_sources]]\nname = \"row\"\nplugin = \"p.py\"\nrow_filter = \"a OR b\"\n"
              "[[file_sources]]\nname = \"win\"\nplugin = \"p.py\"\n"
              "time_window = { column = \"ts\", start = 2024-01-01T00:00:00, end = "
              "2024-02-01T00:00:00 }\n"
              "[[file_sources]]\nname = \"none\"\nplugin = \"p.py\"\n",
              &cfg);
    char *f = ds_plugin_filter_expr(&cfg.sources[0]);
    cr_assert_str_eq(f, "(amount > 0) AND (day >= DATE '2024-01-01')");
    free(f);
    f = ds_plugin_filter_expr(&cfg.sources[1]);
    cr_assert_str_eq(f, "a OR b");
    free(f);
    f = ds_plugin_filter_expr(&cfg.sources[2]);
    char *window = ds_sql_time_window(&cfg.sources[2]);
    cr_assert_str_eq(f, window);
    cr_assert(strstr(f, "ts >= TIMESTAMP") != NULL, "%s", f);
    free(window);
    free(f);
    cr_assert_null(ds_plugin_filter_expr(&cfg.sources[3]));
    ds_config_free(&cfg);
}

Test(plugin, config_json_document)
{
    ds_config cfg;
    parse_cfg("/proj",
              "[dirs]\nDIR_P = \"plugins\"\n"
              "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/*.parquet\"\n"
              "template_name = \"o_[r]\"\nrow_filter_template = \"r = ?\"\n"
              "union_mode = \"union_all\"\non_empty = \"error\"\non_bad_file = \"skip\"\n"
              "time_window = { column = \"day\", end = 2024-02-01 }\n"
              "[[file_sources]]\nname = \"sales\"\nplugin = \"${DIR_P}/s.py:go\"\n"
              "row_filter = \"amount > 0\"\nplugin_timeout = 2.5\n",
              &cfg);
    char *text = ds_plugin_config_json(&cfg, &cfg.sources[1], NULL);
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    cr_assert_not_null(doc, "%s: %s", jerr.text, text);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "source")), "sales");
    cr_assert_str_eq(json_string_value(json_object_get(doc, "filter_expr")), "amount > 0");
    json_t *p = json_object_get(doc, "project");
    cr_assert(json_is_object(p));
    cr_assert_str_eq(json_string_value(json_object_get(p, "root")), "/proj");
    cr_assert_str_eq(json_string_value(json_object_get(p, "content_dir")), "/proj/content");
    cr_assert_str_eq(json_string_value(json_object_get(p, "sources_sql_dir")), "/proj/sources_sql");
    cr_assert_str_eq(json_string_value(json_object_get(p, "site_root")), "/proj/static");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(p, "dirs"), "DIR_P")),
                     "plugins");
    json_t *fss = json_object_get(p, "file_sources");
    cr_assert_eq(json_array_size(fss), 2);
    json_t *o = json_array_get(fss, 0);
    cr_assert_str_eq(json_string_value(json_object_get(o, "name")), "orders");
    cr_assert_str_eq(json_string_value(json_object_get(o, "upstream_glob")), "lake/*.parquet");
    cr_assert_str_eq(json_string_value(json_object_get(o, "template_name")), "o_[r]");
    cr_assert_str_eq(json_string_value(json_object_get(o, "row_filter_template")), "r = ?");
    cr_assert_str_eq(json_string_value(json_object_get(o, "union_mode")), "union_all");
    cr_assert_str_eq(json_string_value(json_object_get(o, "on_empty")), "error");
    cr_assert_str_eq(json_string_value(json_object_get(o, "on_bad_file")), "skip");
    cr_assert_str_eq(json_string_value(json_object_get(o, "pattern")), "data/*.parquet");
    cr_assert(json_is_null(json_object_get(o, "plugin")));
    cr_assert(json_is_null(json_object_get(o, "row_filter")));
    json_t *tw = json_object_get(o, "time_window");
    cr_assert_str_eq(json_string_value(json_object_get(tw, "column")), "day");
    cr_assert(json_is_null(json_object_get(tw, "start")));
    cr_assert_str_eq(json_string_value(json_object_get(tw, "end")), "DATE '2024-02-01'");
    json_t *s = json_array_get(fss, 1);
    cr_assert_str_eq(json_string_value(json_object_get(s, "plugin")), "plugins/s.py:go");
    cr_assert_str_eq(json_string_value(json_object_get(s, "union_mode")), "union_all_by_name");
    cr_assert_str_eq(json_string_value(json_object_get(s, "on_empty")), "warn");
    cr_assert_str_eq(json_string_value(json_object_get(s, "on_bad_file")), "error");
    cr_assert(json_is_null(json_object_get(s, "time_window")));
    cr_assert_float_eq(json_real_value(json_object_get(s, "plugin_timeout")), 2.5, 1e-9);
    cr_assert_float_eq(json_real_value(json_object_get(o, "plugin_timeout")),
                       DS_DEFAULT_PLUGIN_TIMEOUT, 1e-9);
    json_decref(doc);
    free(text);

    /* Without any filter, filter_expr is null (present, not missing). */
    text = ds_plugin_config_json(&cfg, &cfg.sources[0], NULL);
    doc = json_loads(text, 0, &jerr);
    cr_assert_not_null(doc);
    cr_assert_str_eq(json_string_value(json_object_get(doc, "filter_expr")),
                     "day < DATE '2024-02-01'");
    json_decref(doc);
    free(text);
    ds_config_free(&cfg);
}

/* ---- Python file plugins -------------------------------------------------- */

Test(plugin, python_file_manifest_normalised)
{
    char *root = test_tmpdir();
    test_write(root, "plugins/sales.py",
               "from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest\n"
               "def build_manifest(cfg):\n"
               "    return VirtualParquetManifest(\n"
               "        files=[VirtualParquetFile('2024\\\\01.parquet', 'lake/a.parquet',\n"
               "                                  row_filter=\"day < '2024-02-01'\"),\n"
               "               VirtualParquetFile('data/sales/b.parquet', '/srv/lake/b.parquet'),\n"
               "               VirtualParquetFile('c.parquet', 'lake/../lake/c.parquet', "
               "row_filter='')],\n"
               "        template_name='sales_[region]', row_filter_template='region = ?')\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"sales\"\nplugin = \"plugins/sales.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 3);
    cr_assert_str_eq(m.files[0].key, "data/sales/2024/01.parquet");
    char *want = ds_asprintf("%s/lake/a.parquet", root);
    cr_assert_str_eq(m.files[0].path, want);
    free(want);
    cr_assert_str_eq(m.files[0].row_filter, "day < '2024-02-01'");
    cr_assert_str_eq(m.files[1].key, "data/sales/b.parquet");
    cr_assert_str_eq(m.files[1].path, "/srv/lake/b.parquet");
    cr_assert_null(m.files[1].row_filter);
    cr_assert_str_eq(m.files[2].key, "data/sales/c.parquet");
    want = ds_asprintf("%s/lake/c.parquet", root);
    cr_assert_str_eq(m.files[2].path, want, "'..' in a physical path is resolved");
    free(want);
    cr_assert_null(m.files[2].row_filter, "an empty row filter is no row filter");
    cr_assert_str_eq(m.template_name, "sales_[region]");
    cr_assert_str_eq(m.row_filter_template, "region = ?");
    ds_manifest_free(&m);
    cr_assert_eq(m.n_files, 0);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, python_values_survive_the_trip)
{
    /* Backslashes, tabs, newlines and non-ASCII text in what a Python
     * plugin returns arrive unchanged; many files arrive in order. */
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def odd(cfg):\n"
               "    return M([F('r\u00e9gion.parquet', '/lake/a\\\\b\\tc', "
               "\"s = 'x\\ny' OR t = '\\\\t'\")],\n"
               "             template_name='t_[x]', row_filter_template='x = ?\\t')\n"
               "def many(cfg):\n"
               "    return M([F(f'f{i:05d}.parquet', f'/lake/{i}', f'i = {i}' if i % 2 else None)\n"
               "              for i in range(20000)])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"o\"\nplugin = \"p.py:odd\"\n"
              "[[file_sources]]\nname = \"m\"\nplugin = \"p.py:many\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 1);
    cr_assert_str_eq(m.files[0].key, "data/o/r\xc3\xa9gion.parquet");
    cr_assert_str_eq(m.files[0].path, "/lake/a\\b\tc");
    cr_assert_str_eq(m.files[0].row_filter, "s = 'x\ny' OR t = '\\t'");
    cr_assert_str_eq(m.template_name, "t_[x]");
    cr_assert_str_eq(m.row_filter_template, "x = ?\t");
    ds_manifest_free(&m);
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[1], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 20000);
    cr_assert_str_eq(m.files[0].key, "data/m/f00000.parquet");
    cr_assert_null(m.files[0].row_filter);
    cr_assert_str_eq(m.files[19999].key, "data/m/f19999.parquet");
    cr_assert_str_eq(m.files[19999].path, "/lake/19999");
    cr_assert_str_eq(m.files[19999].row_filter, "i = 19999");
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, python_callable_and_filter_expr)
{
    char *root = test_tmpdir();
    /* The plugin reports what it got through the http_path. */
    test_write(root, "p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F('default.parquet', 'x.parquet')])\n"
               "def with_filter(cfg, filter_expr):\n"
               "    return M([F('f/' + repr(filter_expr).replace(' ', '_'), 'x.parquet')])\n"
               "def cfg_only(cfg):\n"
               "    return M([F('cfg_only/' + type(cfg).__name__, 'x.parquet')])\n"
               "def defaulted(cfg, filter_expr='unset'):\n"
               "    return M([F('d/' + repr(filter_expr).replace(' ', '_'), 'x.parquet')])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nrow_filter = \"x > 1\"\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"p.py:with_filter\"\n"
              "row_filter = \"x > 1\"\n"
              "time_window = { column = \"d\", start = 2024-01-01 }\n"
              "[[file_sources]]\nname = \"c\"\nplugin = \"p.py:with_filter\"\n"
              "[[file_sources]]\nname = \"d\"\nplugin = \"p.py:cfg_only\"\n"
              "row_filter = \"x > 1\"\n"
              "[[file_sources]]\nname = \"e\"\nplugin = \"p.py:defaulted\"\n",
              &cfg);
    const char *want[] = {
        "data/a/default.parquet", "data/b/f/\"(x_>_1)_AND_(d_>=_DATE_'2024-01-01')\"",
        "data/c/f/None",          "data/d/cfg_only/ProjectConfig",
        "data/e/d/None",
    };
    ds_plugin_session *s = ds_plugin_session_new();
    for (size_t i = 0; i < cfg.n_sources; i++) {
        ds_manifest m;
        ds_err err;
        cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[i], NULL, &m, &err), 0, "%s", err.msg);
        cr_assert_eq(m.n_files, 1);
        cr_assert_str_eq(m.files[0].key, want[i]);
        ds_manifest_free(&m);
    }
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, one_interpreter_per_session)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "import os\n"
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F(str(os.getpid()) + '.parquet', 'x.parquet')])\n");
    test_write(root, "q.py",
               "import os\n"
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F(str(os.getpid()) + '.parquet', 'x.parquet')])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"q.py\"\n"
              "[[file_sources]]\nname = \"c\"\nplugin = \"p.py\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    char *pids[3];
    for (size_t i = 0; i < 3; i++) {
        ds_manifest m;
        ds_err err;
        cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[i], NULL, &m, &err), 0, "%s", err.msg);
        const char *key = m.files[0].key;
        pids[i] = ds_strdup(strrchr(key, '/') + 1);
        ds_manifest_free(&m);
    }
    ds_plugin_session_free(s);
    cr_assert_str_eq(pids[0], pids[1]);
    cr_assert_str_eq(pids[0], pids[2]);
    char own[32];
    snprintf(own, sizeof own, "%d.parquet", (int)getpid());
    cr_assert_str_neq(pids[0], own, "the plugin ran in a separate process");
    for (size_t i = 0; i < 3; i++)
        free(pids[i]);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, sibling_imports_and_sys_path_restored)
{
    char *root = test_tmpdir();
    test_write(root, "plugins/a/helpers.py", "X = 'a'\n");
    test_write(root, "plugins/b/helpers.py", "X = 'b'\n");
    /* Each plugin reports whether its own directory was first on sys.path
     * while it was imported, and which other project directories were on
     * sys.path at import and at call time. */
    const char *body =
        "from helpers import X\n"
        "HERE = os.path.dirname(os.path.realpath(__file__))\n"
        "FIRST = os.path.realpath(sys.path[0]) == HERE\n"
        "def others(root):\n"
        "    found = [os.path.realpath(p) for p in sys.path if p]\n"
        "    return '+'.join(os.path.basename(p) for p in found\n"
        "                    if p.startswith(str(root)) and p != HERE) or 'none'\n"
        "AT_IMPORT = others(os.path.dirname(os.path.dirname(HERE)))\n"
        "def build_manifest(cfg):\n"
        "    return M([F(f'{X}-first={FIRST}-import={AT_IMPORT}-call={others(cfg.root)}.parquet', "
        "'x.parquet')])\n";
    char *a = ds_asprintf("%s%s", PY_HEADER, body);
    test_write(root, "plugins/a/plugin.py", a);
    test_write(root, "plugins/b/plugin.py", a);
    free(a);
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"plugins/a/plugin.py\"\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"plugins/b/plugin.py\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/a/a-first=True-import=none-call=none.parquet");
    ds_manifest_free(&m);
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[1], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/b/b-first=True-import=none-call=none.parquet",
                     "the second plugin saw the first one's helpers or directory");
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, sibling_import_inside_the_callable)
{
    /* "from helpers import X" inside build_manifest (a lazy import) works
     * too: the plugin's directory is on sys.path while the plugin runs. */
    char *root = test_tmpdir();
    test_write(root, "plugins/helpers.py", "X = 'lazy'\n");
    char *src = ds_asprintf("%sdef build_manifest(cfg):\n"
                            "    from helpers import X\n"
                            "    return M([F(X + '.parquet', 'x.parquet')])\n",
                            PY_HEADER);
    test_write(root, "plugins/p.py", src);
    free(src);
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"l\"\nplugin = \"plugins/p.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    /* cr_expect, so that a failure still frees everything (ASan). */
    int rc = run_one(&cfg, 0, &m, &err);
    cr_expect_eq(rc, 0, "%s", err.msg);
    if (rc == 0) {
        cr_expect_str_eq(m.files[0].key, "data/l/lazy.parquet");
        ds_manifest_free(&m);
    }
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, sys_path_changes_made_by_a_callable_are_undone)
{
    /* A plugin that changes sys.path while it runs does not leave the
     * change to the next plugin. */
    char *root = test_tmpdir();
    char *src = ds_asprintf("%sdef change(cfg):\n"
                            "    sys.path.insert(0, '/ducksite-test-inserted')\n"
                            "    sys.path.append('/ducksite-test-appended')\n"
                            "    return M([F('a.parquet', 'x.parquet')])\n"
                            "def check(cfg):\n"
                            "    bad = [p for p in sys.path if p.startswith('/ducksite-test-')]\n"
                            "    return M([F('left-' + ('+'.join(bad) or 'nothing').replace('/', "
                            "'') + '.parquet', 'x.parquet')])\n",
                            PY_HEADER);
    test_write(root, "p.py", src);
    free(src);
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"p.py:change\"\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"p.py:check\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), 0, "%s", err.msg);
    ds_manifest_free(&m);
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[1], NULL, &m, &err), 0, "%s", err.msg);
    /* cr_expect, so that a failure still frees everything (ASan). */
    cr_expect_str_eq(m.files[0].key, "data/b/left-nothing.parquet");
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, working_directory_and_stdin_are_the_plugins_own)
{
    /* One plugin's os.chdir does not move the next plugin (the host runs
     * them all), and stdin reads end-of-file at once, in the plugin and in
     * a program it runs: it is not the host's request pipe, where a read
     * would wait until plugin_timeout. */
    char *root = test_tmpdir();
    test_write(root, "scratch/.keep", "");
    char *src = ds_asprintf("%simport subprocess\n"
                            "def wander(cfg):\n"
                            "    os.chdir('scratch')\n"
                            "    got = sys.stdin.read() + os.read(0, 10).decode()\n"
                            "    child = subprocess.run(['cat'], capture_output=True).stdout\n"
                            "    return M([F(f'read-{len(got)}-{len(child)}.parquet', "
                            "'x.parquet')])\n"
                            "def check(cfg):\n"
                            "    here = os.path.samefile(os.getcwd(), cfg.root)\n"
                            "    return M([F(f'at-root-{here}.parquet', 'x.parquet')])\n"
                            "def fail(cfg):\n"
                            "    os.chdir('scratch')\n"
                            "    raise ValueError('no')\n",
                            PY_HEADER);
    test_write(root, "p.py", src);
    free(src);
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"p.py:wander\"\nplugin_timeout = 20\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"p.py:check\"\n"
              "[[file_sources]]\nname = \"c\"\nplugin = \"p.py:fail\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    /* cr_expect, so that a failure still frees everything (ASan). */
    int rc = ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err);
    cr_expect_eq(rc, 0, "%s", err.msg);
    if (rc == 0) {
        cr_expect_str_eq(m.files[0].key, "data/a/read-0-0.parquet");
        ds_manifest_free(&m);
    }
    /* check after a plugin that moved and returned, then after one that
     * moved and raised. */
    static const size_t order[] = {1, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        rc = ds_plugin_run(s, &cfg, &cfg.sources[order[i]], NULL, &m, &err);
        if (order[i] == 2) {
            cr_expect_eq(rc, -1, "the failing plugin succeeded");
            continue;
        }
        cr_expect_eq(rc, 0, "%s", err.msg);
        if (rc == 0) {
            cr_expect_str_eq(m.files[0].key, "data/b/at-root-True.parquet",
                             "run %zu: an earlier plugin's chdir leaked", i);
            ds_manifest_free(&m);
        }
    }
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, plugin_defined_dataclasses)
{
    /* The plugin module is a proper module while it loads: dataclasses and
     * subclasses of the contract's classes work. */
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "from dataclasses import dataclass\n"
               "from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest\n"
               "@dataclass\n"
               "class Month:\n"
               "    name: str\n"
               "@dataclass\n"
               "class MonthFile(VirtualParquetFile):\n"
               "    month: str = ''\n"
               "def build_manifest(cfg):\n"
               "    m = Month('2024-01')\n"
               "    return VirtualParquetManifest([MonthFile(m.name + '.parquet', 'x', "
               "month=m.name)])\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"d\"\nplugin = \"p.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/d/2024-01.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, absolute_plugin_outside_the_project)
{
    char *tmp = test_tmpdir();
    char *root = ds_path_join(tmp, "project");
    test_write(root, "ducksite.toml", "");
    test_write(tmp, "shared/plugins/helpers.py", "PREFIX = 'outside'\n");
    char *src = ds_asprintf("%sfrom helpers import PREFIX\n"
                            "def build_manifest(cfg):\n"
                            "    return M([F(PREFIX + '/' + os.path.basename(str(cfg.root)) + "
                            "'.parquet', 'x.parquet')])\n",
                            PY_HEADER);
    test_write(tmp, "shared/plugins/lake plugin.py", src);
    free(src);
    char *toml = ds_asprintf("[[file_sources]]\nname = \"ext\"\n"
                             "plugin = \"%s/shared/plugins/lake plugin.py:build_manifest\"\n",
                             tmp);
    ds_config cfg;
    parse_cfg(root, toml, &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 1);
    cr_assert_str_eq(m.files[0].key, "data/ext/outside/project.parquet");
    char *want = ds_asprintf("%s/x.parquet", root);
    cr_assert_str_eq(m.files[0].path, want, "physical paths are relative to the project root");
    free(want);
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    free(toml);
    free(root);
    test_rmtree(tmp);
    free(tmp);
}

Test(plugin, relative_plugin_path_outside_the_project)
{
    char *tmp = test_tmpdir();
    char *root = ds_path_join(tmp, "site");
    test_write(root, "ducksite.toml", "");
    test_write(tmp, "common/helpers.py", "NAME = 'common'\n");
    char *src = ds_asprintf("%sfrom helpers import NAME\n"
                            "def make(cfg):\n"
                            "    return M([F(NAME + '.parquet', 'x.parquet')])\n",
                            PY_HEADER);
    test_write(tmp, "common/p.py", src);
    free(src);
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"up\"\nplugin = \"../common/p.py:make\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/up/common.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    free(root);
    test_rmtree(tmp);
    free(tmp);
}

/* ---- Python module plugins ------------------------------------------------- */

Test(plugin, python_module_from_project_root)
{
    char *root = test_tmpdir();
    test_write(root, "mypkg/__init__.py", "");
    char *src =
        ds_asprintf("%sROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))\n"
                    "FIRST = os.path.realpath(sys.path[0]) == ROOT\n"
                    "def build_manifest(cfg):\n"
                    "    raise RuntimeError('wrong callable')\n"
                    "def build(cfg, filter_expr=None):\n"
                    "    return M([F(f'first={FIRST}/{filter_expr}.parquet', 'x.parquet')])\n",
                    PY_HEADER);
    test_write(root, "mypkg/lake.py", src);
    free(src);
    test_write(root, "toplevel.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F('top.parquet', 'x.parquet')], template_name='t_[x]')\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"m\"\nplugin = \"mypkg.lake:build\"\n"
              "row_filter = \"x=1\"\n"
              "[[file_sources]]\nname = \"t\"\nplugin = \"toplevel\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/m/first=True/x=1.parquet");
    ds_manifest_free(&m);
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[1], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/t/top.parquet");
    cr_assert_str_eq(m.template_name, "t_[x]");
    cr_assert_null(m.row_filter_template);
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, ducksite_package_is_importable)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "import dataclasses, pathlib\n"
               "import ducksite\n"
               "from ducksite.config import ProjectConfig, FileSourceConfig\n"
               "from ducksite.virtual_parquet import VirtualParquetFile, VirtualParquetManifest\n"
               "def build_manifest(cfg):\n"
               "    assert isinstance(cfg, ProjectConfig)\n"
               "    assert isinstance(cfg.root, pathlib.Path) and cfg.root.is_absolute()\n"
               "    assert all(isinstance(fs, FileSourceConfig) for fs in cfg.file_sources)\n"
               "    f = VirtualParquetFile('a.parquet', 'x.parquet')\n"
               "    assert f.row_filter is None\n"
               "    m = VirtualParquetManifest([f])\n"
               "    assert m.template_name is None and m.row_filter_template is None\n"
               "    names = [x.name for x in dataclasses.fields(FileSourceConfig)]\n"
               "    return VirtualParquetManifest([VirtualParquetFile('+'.join(names), "
               "'x.parquet')])\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"p\"\nplugin = \"p.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    const char *keys[] = {"name",     "template_name", "pattern",    "upstream_glob",
                          "plugin",   "union_mode",    "row_filter", "row_filter_template",
                          "on_empty", "time_window",   "on_bad_file", "plugin_timeout"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        cr_assert(strstr(m.files[0].key, keys[i]) != NULL, "FileSourceConfig lacks %s: %s", keys[i],
                  m.files[0].key);
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

/* ---- Python errors ------------------------------------------------------ */

Test(plugin, error_file_not_found_shows_absolute_path)
{
    char *root = test_tmpdir();
    char *abs = ds_asprintf("%s/plugins/missing.py", root);
    const char *want[] = {"plugin file not found", abs, NULL};
    expect_failure(root, "\n[[file_sources]]\nname = \"gone\"\nplugin = \"plugins/missing.py\"\n",
                   want);
    free(abs);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_callable_missing)
{
    char *root = test_tmpdir();
    test_write(root, "p.py", "def build_manifest(cfg):\n    pass\n");
    const char *want[] = {"virtual parquet plugin target 'x' not found in", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:x\"\n", want);
    const char *want2[] = {"virtual parquet plugin target 'build_manifest' not found in", NULL};
    test_write(root, "q.py", "def other(cfg):\n    pass\n");
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"q.py\"\n", want2);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_not_callable)
{
    char *root = test_tmpdir();
    test_write(root, "p.py", "build_manifest = 'a string'\n");
    const char *want[] = {"not callable", "str", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_wrong_return_type)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "def none(cfg):\n    pass\n"
               "def lst(cfg):\n    return []\n");
    const char *want[] = {"VirtualParquetManifest", "NoneType", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:none\"\n", want);
    const char *want2[] = {"VirtualParquetManifest", "list", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:lst\"\n", want2);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_wrong_file_entries)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def dicts(cfg):\n    return M(files=[{'http_path': 'a', 'physical_path': 'b'}])\n"
               "def number(cfg):\n    return M(files=[F('a.parquet', 42)])\n");
    const char *want[] = {"files[0]", "VirtualParquetFile", "dict", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:dicts\"\n", want);
    const char *want2[] = {"physical_path", "int", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:number\"\n", want2);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_exception_has_traceback)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "def helper():\n    raise KeyError('no such month')\n"
               "def build_manifest(cfg):\n    helper()\n");
    const char *want[] = {"Traceback", "in helper", "KeyError: 'no such month'", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_process_exit_and_signal)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "import os, signal\n"
               "def quit(cfg):\n    os._exit(9)\n"
               "def crash(cfg):\n    os.kill(os.getpid(), signal.SIGSEGV)\n");
    const char *want[] = {"died", "exited with status 9", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:quit\"\n", want);
    const char *want2[] = {"died", "signal 11", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:crash\"\n", want2);
    test_rmtree(root);
    free(root);
}

Test(plugin, session_survives_a_dead_interpreter)
{
    /* After the interpreter died, the next Python plugin of the same
     * session gets a fresh one. */
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "import os\n"
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def quit(cfg):\n    os._exit(1)\n"
               "def ok(cfg):\n    return M([F('ok.parquet', 'x.parquet')])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"a\"\nplugin = \"p.py:quit\"\n"
              "[[file_sources]]\nname = \"b\"\nplugin = \"p.py:ok\"\n",
              &cfg);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_manifest m;
    ds_err err;
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[0], NULL, &m, &err), -1);
    cr_assert_eq(ds_plugin_run(s, &cfg, &cfg.sources[1], NULL, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/b/ok.parquet");
    ds_manifest_free(&m);
    ds_plugin_session_free(s);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_bad_http_path_names_the_plugin)
{
    char *root = test_tmpdir();
    test_write(root, "p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def dotdot(cfg):\n    return M([F('ok.parquet', 'x'), F('../up.parquet', 'x')])\n"
               "def absolute(cfg):\n    return M([F('/srv/a.parquet', 'x')])\n"
               "def empty(cfg):\n    return M([F('', 'x')])\n"
               "def nophys(cfg):\n    return M([F('a.parquet', '')])\n");
    const char *w1[] = {"files[1]", "../up.parquet", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:dotdot\"\n", w1);
    const char *w2[] = {"/srv/a.parquet", "absolute", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:absolute\"\n", w2);
    const char *w3[] = {"files[0]", "empty", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:empty\"\n", w3);
    const char *w4[] = {"files[0]", "physical_path", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py:nophys\"\n", w4);
    test_rmtree(root);
    free(root);
}

/* ---- choosing the interpreter -------------------------------------------- */

/* A wrapper around python3 that leaves a mark in the project root. */
static void write_python_wrapper(const char *dir, const char *rel, const char *mark)
{
    char *text =
        ds_asprintf("#!/bin/sh\necho %s > \"$PWD/used_python.txt\"\nexec python3 \"$@\"\n", mark);
    write_exec(dir, rel, text);
    free(text);
}

static char *used_python(const char *root)
{
    char *path = ds_path_join(root, "used_python.txt");
    ds_err err;
    char *out = ds_read_file(path, NULL, &err);
    free(path);
    return out;
}

static int run_simple_python(const char *root)
{
    test_write(root, "p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n    return M([F('a.parquet', 'x')])\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    int rc = run_one(&cfg, 0, &m, &err);
    if (rc == 0)
        ds_manifest_free(&m);
    else
        fprintf(stderr, "%s\n", err.msg);
    ds_config_free(&cfg);
    return rc;
}

Test(plugin, ducksite_python_wins)
{
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    write_python_wrapper(tools, "mypython", "ducksite_python");
    write_python_wrapper(tools, "venv/bin/python", "virtual_env");
    char *exe = ds_path_join(tools, "mypython");
    char *venv = ds_path_join(tools, "venv");
    setenv("DUCKSITE_PYTHON", exe, 1);
    setenv("VIRTUAL_ENV", venv, 1);
    cr_assert_eq(run_simple_python(root), 0);
    char *used = used_python(root);
    cr_assert_not_null(used);
    cr_assert_str_eq(used, "ducksite_python\n");
    free(used);
    free(exe);
    free(venv);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

Test(plugin, virtual_env_python)
{
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    write_python_wrapper(tools, "venv/bin/python", "virtual_env");
    char *venv = ds_path_join(tools, "venv");
    setenv("VIRTUAL_ENV", venv, 1);
    cr_assert_eq(run_simple_python(root), 0);
    char *used = used_python(root);
    cr_assert_not_null(used);
    cr_assert_str_eq(used, "virtual_env\n");
    free(used);
    free(venv);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

Test(plugin, virtual_env_without_python_falls_back)
{
    char *root = test_tmpdir();
    setenv("VIRTUAL_ENV", "/nonexistent/venv", 1);
    cr_assert_eq(run_simple_python(root), 0);
    test_rmtree(root);
    free(root);
}

Test(plugin, default_python3)
{
    char *root = test_tmpdir();
    cr_assert_eq(run_simple_python(root), 0);
    char *path = ds_path_join(root, "used_python.txt");
    cr_assert(!ds_is_file(path));
    free(path);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_python_cannot_start)
{
    char *root = test_tmpdir();
    setenv("DUCKSITE_PYTHON", "/nonexistent/python3", 1);
    test_write(root, "p.py", "def build_manifest(cfg):\n    pass\n");
    const char *want[] = {"/nonexistent/python3", "DUCKSITE_PYTHON", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want);
    /* An interpreter that is not Python (or too old) also fails clearly. */
    char *tools = test_tmpdir();
    write_exec(tools, "notpython", "#!/bin/sh\necho 'I am not Python'\nexit 0\n");
    char *exe = ds_path_join(tools, "notpython");
    setenv("DUCKSITE_PYTHON", exe, 1);
    const char *want2[] = {exe, NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want2);
    free(exe);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_python_package_not_found)
{
    /* A DUCKSITE_PYTHONPATH without the ducksite package is named as such,
     * not taken for an interpreter that is too old. */
    char *root = test_tmpdir();
    char *empty = test_tmpdir();
    setenv("DUCKSITE_PYTHONPATH", empty, 1);
    test_write(root, "p.py", "def build_manifest(cfg):\n    pass\n");
    char *host = ds_asprintf("%s/ducksite/_host.py does not exist", empty);
    const char *want[] = {"DUCKSITE_PYTHONPATH is ", empty, "holds no ducksite package", host,
                          "set it to the folder that holds ducksite/", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want);
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_expect_eq(run_one(&cfg, 0, &m, &err), -1);
    cr_expect_null(strstr(err.msg, "3.9"), "%s", err.msg);
    ds_config_free(&cfg);
    unsetenv("DUCKSITE_PYTHONPATH");
    free(host);
    test_rmtree(empty);
    free(empty);
    test_rmtree(root);
    free(root);
}

Test(plugin, error_python_too_old)
{
    /* An interpreter older than 3.9 says so (the start-up code prints its
     * version as this stand-in does) instead of failing on an import. */
    char *root = test_tmpdir();
    char *tools = test_tmpdir();
    write_exec(tools, "python2", "#!/bin/sh\necho '{\"too_old\": \"2.7\"}'\nexit 1\n");
    char *exe = ds_path_join(tools, "python2");
    setenv("DUCKSITE_PYTHON", exe, 1);
    test_write(root, "p.py", "def build_manifest(cfg):\n    pass\n");
    char *is = ds_asprintf("%s is Python 2.7, and plugins need Python 3.9 or later", exe);
    const char *want[] = {is, "set DUCKSITE_PYTHON", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\n", want);
    unsetenv("DUCKSITE_PYTHON");
    free(is);
    free(exe);
    test_rmtree(tools);
    free(tools);
    test_rmtree(root);
    free(root);
}

/* ---- executables ---------------------------------------------------------- */

Test(plugin, executable_gets_config_on_stdin)
{
    char *root = test_tmpdir();
    write_exec(root, "bin/manifest",
               "#!/usr/bin/env python3\n"
               "import json, sys\n"
               "req = json.load(sys.stdin)\n"
               "print('executable plugin on stderr', file=sys.stderr)\n"
               "name = req['source'] + '-' + str(req['filter_expr']).replace(' ', '_')\n"
               "assert req['project']['root']\n"
               "assert [fs['name'] for fs in req['project']['file_sources']] == ['ex', 'other']\n"
               "json.dump({'files': [{'http_path': name + '.parquet', 'physical_path': "
               "'lake/a.parquet', 'row_filter': 'a > 1'},\n"
               "                     {'http_path': 'data\\\\ex\\\\b.parquet', 'physical_path': "
               "'/abs/b.parquet', 'row_filter': None},\n"
               "                     {'http_path': 'c.parquet', 'physical_path': 'c'}],\n"
               "           'template_name': 'ex_[r]', 'row_filter_template': None}, "
               "sys.stdout)\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"ex\"\nplugin = \"bin/manifest\"\n"
              "row_filter = \"x > 0\"\n"
              "[[file_sources]]\nname = \"other\"\nplugin = \"bin/manifest\"\n",
              &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 3);
    cr_assert_str_eq(m.files[0].key, "data/ex/ex-x_>_0.parquet");
    char *want = ds_asprintf("%s/lake/a.parquet", root);
    cr_assert_str_eq(m.files[0].path, want);
    free(want);
    cr_assert_str_eq(m.files[0].row_filter, "a > 1");
    cr_assert_str_eq(m.files[1].key, "data/ex/b.parquet");
    cr_assert_str_eq(m.files[1].path, "/abs/b.parquet");
    cr_assert_null(m.files[1].row_filter);
    cr_assert_null(m.files[2].row_filter);
    cr_assert_str_eq(m.template_name, "ex_[r]");
    cr_assert_null(m.row_filter_template);
    ds_manifest_free(&m);
    cr_assert_eq(run_one(&cfg, 1, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/other/other-None.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, executable_shell_script)
{
    char *root = test_tmpdir();
    write_exec(root, "tools/list.sh",
               "#!/bin/sh\n"
               "cat > /dev/null\n"
               "printf '{\"files\": [{\"http_path\": \"a.parquet\", \"physical_path\": "
               "\"lake/a.parquet\"}]}\\n'\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"sh\"\nplugin = \"tools/list.sh\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_eq(m.n_files, 1);
    cr_assert_str_eq(m.files[0].key, "data/sh/a.parquet");
    cr_assert_null(m.template_name);
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, executables_need_no_python)
{
    /* Python is started only for Python plugins. */
    char *root = test_tmpdir();
    setenv("DUCKSITE_PYTHON", "/nonexistent/python3", 1);
    write_exec(root, "bin/list",
               "#!/bin/sh\necho '{\"files\": [{\"http_path\": \"a.parquet\", "
               "\"physical_path\": \"a\"}]}'\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"x\"\nplugin = \"bin/list\"\n", &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/x/a.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(plugin, executable_that_ignores_big_stdin)
{
    /* Many sources make a big config document; a plugin that never reads
     * it must still work. */
    char *root = test_tmpdir();
    write_exec(root, "bin/quick",
               "#!/bin/sh\necho '{\"files\": [{\"http_path\": \"q.parquet\", "
               "\"physical_path\": \"q\"}]}'\n");
    ds_buf toml = {0};
    ds_buf_puts(&toml, "[[file_sources]]\nname = \"quick\"\nplugin = \"bin/quick\"\n");
    for (int i = 0; i < 3000; i++)
        ds_buf_printf(&toml,
                      "[[file_sources]]\nname = \"filler_%d\"\nupstream_glob = "
                      "\"lake/some/rather/long/directory/name/%d/**/*.parquet\"\n",
                      i, i);
    ds_config cfg;
    parse_cfg(root, ds_buf_str(&toml), &cfg);
    ds_manifest m;
    ds_err err;
    cr_assert_eq(run_one(&cfg, 0, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.files[0].key, "data/quick/q.parquet");
    ds_manifest_free(&m);
    ds_config_free(&cfg);
    ds_buf_free(&toml);
    test_rmtree(root);
    free(root);
}

Test(plugin, executable_errors)
{
    char *root = test_tmpdir();
    write_exec(root, "fail", "#!/bin/sh\ncat >/dev/null\necho 'half a manifest'\nexit 4\n");
    const char *w1[] = {"exited with status 4", "half a manifest", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./fail\"\n", w1);

    write_exec(root, "silent", "#!/bin/sh\nexit 2\n");
    const char *w2[] = {"exited with status 2", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./silent\"\n", w2);

    write_exec(root, "notjson", "#!/bin/sh\necho 'files: a.parquet'\n");
    const char *w3[] = {"JSON", "files: a.parquet", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./notjson\"\n", w3);

    write_exec(root, "killed", "#!/bin/sh\nkill -KILL $$\n");
    const char *w4[] = {"signal 9", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./killed\"\n", w4);

    write_exec(root, "array", "#!/bin/sh\necho '[1, 2]'\n");
    const char *w5[] = {"JSON object", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./array\"\n", w5);

    write_exec(root, "nofiles", "#!/bin/sh\necho '{\"template_name\": \"x_[a]\"}'\n");
    const char *w6[] = {"files", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./nofiles\"\n", w6);

    write_exec(root, "badtypes",
               "#!/bin/sh\necho '{\"files\": [{\"http_path\": 1, \"physical_path\": \"a\"}]}'\n");
    const char *w7[] = {"files[0]", "http_path", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./badtypes\"\n", w7);

    write_exec(root, "badtemplate", "#!/bin/sh\necho '{\"files\": [], \"template_name\": 3}'\n");
    const char *w8[] = {"template_name", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./badtemplate\"\n", w8);

    test_write(root, "plain", "#!/bin/sh\necho '{\"files\": []}'\n"); /* not executable */
    char *abs = ds_asprintf("%s/plain", root);
    const char *w9[] = {"not executable", abs, NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"./plain\"\n", w9);
    free(abs);

    abs = ds_asprintf("%s/bin/none", root);
    const char *w10[] = {"not found", abs, NULL};
    expect_failure(root, "[[file_sources]]\nname = \"s\"\nplugin = \"bin/none\"\n", w10);
    free(abs);
    test_rmtree(root);
    free(root);
}

Test(plugin, manifest_free_on_zeroed)
{
    ds_manifest m;
    memset(&m, 0, sizeof m);
    ds_manifest_free(&m);
    ds_plugin_session_free(NULL);
    ds_plugin_session *s = ds_plugin_session_new();
    ds_plugin_session_free(s); /* never started */
}

Test(plugin, project_path_that_is_not_utf8)
{
    /* A folder name in Latin-1: JSON cannot carry it, so every kind of
     * plugin fails with a message instead of a half-built request. */
    char *dir = test_tmpdir();
    char *root = ds_asprintf("%s/caf\xe9", dir);
    ds_err err;
    cr_assert_eq(ds_mkdir_p(root, &err), 0, "%s", err.msg);
    test_write(root, "p.py", "def build_manifest(cfg):\n    raise SystemExit(3)\n");
    const char *want[] = {"not valid UTF-8", "rename the folder", NULL};
    expect_failure(root, "[[file_sources]]\nname = \"p\"\nplugin = \"p.py\"\n", want);
    expect_failure(root, "[[file_sources]]\nname = \"p\"\nplugin = \"bin/exe\"\n", want);
    free(root);
    test_rmtree(dir);
    free(dir);
}

/* ---- the manifest an executable prints (also the fuzzer's entry) --------- */

Test(plugin, manifest_parse_normalises)
{
    const char *text = "{\"files\": [{\"http_path\": \"a\\\\b.parquet\", \"physical_path\": "
                       "\"lake/../x/./b.parquet\", \"row_filter\": \"\"}, {\"http_path\": "
                       "\"data/o/c.parquet\", \"physical_path\": \"/abs/c.parquet\", "
                       "\"row_filter\": \"r = 1\"}], \"template_name\": \"\", "
                       "\"row_filter_template\": \"r = {r}\"}";
    ds_manifest m;
    ds_buf why = {0};
    cr_assert_eq(ds_plugin_manifest_parse(text, strlen(text), "/p", "s", &m, &why), 0, "%s",
                 ds_buf_str(&why));
    cr_assert_eq(m.n_files, 2);
    cr_assert_str_eq(m.files[0].key, "data/s/a/b.parquet");
    cr_assert_str_eq(m.files[0].path, "/p/x/b.parquet");
    cr_assert_null(m.files[0].row_filter, "an empty row filter is none");
    cr_assert_str_eq(m.files[1].key, "data/o/c.parquet");
    cr_assert_str_eq(m.files[1].path, "/abs/c.parquet");
    cr_assert_str_eq(m.files[1].row_filter, "r = 1");
    cr_assert_null(m.template_name);
    cr_assert_str_eq(m.row_filter_template, "r = {r}");
    cr_assert_eq(why.len, 0);
    ds_manifest_free(&m);
}

Test(plugin, manifest_parse_refusals_say_why)
{
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"", "invalid JSON"},
        {"[]", "not a JSON object"},
        {"{\"files\": {}}", "no \"files\" array"},
        {"{\"files\": [1]}", "files[0] needs string http_path"},
        {"{\"files\": [{\"http_path\": \"a\", \"physical_path\": \"b\", \"row_filter\": 1}]}",
         "optional string row_filter"},
        {"{\"files\": [], \"template_name\": 3}", "template_name must be a string or null"},
        {"{\"files\": [{\"http_path\": \"../a\", \"physical_path\": \"b\"}]}",
         "files[0].http_path \"../a\" is not allowed: it has a '.' or '..' segment"},
        {"{\"files\": [{\"http_path\": \"a\\u001b\", \"physical_path\": \"b\"}]}",
         "\"a\\u001b\" is not allowed: it contains a control character"},
        {"{\"files\": [{\"http_path\": \"a\", \"physical_path\": \"\"}]}",
         "files[0].physical_path is empty"},
        /* Misspelt keys are errors: ignored, a "row_fliter" would publish
         * every row and a "templte_name" would drop the templated views. */
        {"{\"files\": [{\"http_path\": \"a\", \"physical_path\": \"b\"}, {\"http_path\": "
         "\"a\", \"physical_path\": \"b\", \"row_fliter\": \"r = 1\"}]}",
         "files[1] has an unknown key \"row_fliter\"; did you mean \"row_filter\"?"},
        {"{\"files\": [], \"templte_name\": \"s_[r]\"}",
         "the manifest has an unknown key \"templte_name\"; did you mean \"template_name\"?"},
        {"{\"files\": [{\"http_path\": \"a\", \"physical_path\": \"b\", \"size\": 3}]}",
         "files[0] has an unknown key \"size\"; the known keys are \"http_path\", "
         "\"physical_path\" and \"row_filter\""},
        {"{\"files\": [], \"comment\": null}",
         "the manifest has an unknown key \"comment\"; the known keys are \"files\", "
         "\"template_name\" and \"row_filter_template\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ds_manifest m;
        ds_buf why = {0};
        cr_assert_eq(ds_plugin_manifest_parse(cases[i].text, strlen(cases[i].text), "/p", "s",
                                              &m, &why),
                     -1, "%s", cases[i].text);
        cr_assert(strstr(ds_buf_str(&why), cases[i].why), "%s: got '%s'", cases[i].text,
                  ds_buf_str(&why));
        cr_assert(m.files == NULL && m.n_files == 0 && m.template_name == NULL);
        ds_buf_free(&why);
    }
}
