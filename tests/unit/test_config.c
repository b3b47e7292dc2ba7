/* test_config.c - ducksite.toml -> ds_config: defaults, every key, ${DIR_*}
 * substitution and the exact wording and position of user errors. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "testutil.h"

static int parse(const char *text, ds_config *cfg, ds_err *err)
{
    return ds_config_parse(text, strlen(text), "/proj", "ducksite.toml", cfg, err);
}

/* Parses text that must fail and checks the message contains want. */
static void expect_error(const char *text, const char *want)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse(text, &cfg, &err), -1, "accepted: %s", text);
    cr_assert(strstr(err.msg, want) != NULL, "message '%s' lacks '%s'", err.msg, want);
}

Test(config, empty_file_is_valid)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("", &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.n_sources, 0);
    cr_assert_eq(cfg.n_dirs, 0);
    cr_assert_str_eq(cfg.root, "/proj");
    cr_assert_str_eq(cfg.path, "/proj/ducksite.toml");
    ds_config_free(&cfg);
}

Test(config, defaults)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("[[file_sources]]\nname = \"demo\"\n", &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.n_sources, 1);
    const ds_file_source *fs = &cfg.sources[0];
    cr_assert_str_eq(fs->name, "demo");
    cr_assert_str_eq(fs->pattern, "data/*.parquet");
    cr_assert_eq(fs->union_mode, DS_UNION_ALL_BY_NAME);
    cr_assert_eq(fs->on_empty, DS_ON_EMPTY_WARN);
    cr_assert_null(fs->upstream_glob);
    cr_assert_null(fs->plugin);
    cr_assert_null(fs->template_name);
    cr_assert(!fs->has_time_window);
    cr_assert_eq(fs->line, 1);
    ds_config_free(&cfg);
}

Test(config, every_key)
{
    const char *text = "[dirs]\n"
                       "DIR_LAKE = \"/srv/lake\"\n"
                       "DIR_PLUG = \"plugins\"\n"
                       "\n"
                       "[[file_sources]]\n"
                       "name = \"orders\"\n"
                       "upstream_glob = \"${DIR_LAKE}/orders/**/*.parquet\"\n"
                       "template_name = \"orders_[region]\"\n"
                       "row_filter = \"amount > 0\"\n"
                       "row_filter_template = \"region = ?\"\n"
                       "union_mode = \"union_all\"\n"
                       "on_empty = \"error\"\n"
                       "on_bad_file = \"skip\"\n"
                       "time_window = {column = \"day\", start = 2024-01-01, end = 2024-02-01}\n"
                       "\n"
                       "[[file_sources]]\n"
                       "name = \"sales\"\n"
                       "plugin = \"${DIR_PLUG}/sales.py:build\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse(text, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.n_dirs, 2);
    cr_assert_str_eq(ds_config_dir(&cfg, "DIR_LAKE"), "/srv/lake");
    cr_assert_null(ds_config_dir(&cfg, "DIR_NOPE"));
    cr_assert_eq(cfg.n_sources, 2);
    const ds_file_source *o = &cfg.sources[0];
    cr_assert_str_eq(o->upstream_glob, "/srv/lake/orders/**/*.parquet");
    cr_assert_str_eq(o->template_name, "orders_[region]");
    cr_assert_str_eq(o->row_filter, "amount > 0");
    cr_assert_str_eq(o->row_filter_template, "region = ?");
    cr_assert_eq(o->union_mode, DS_UNION_ALL);
    cr_assert_eq(o->on_empty, DS_ON_EMPTY_ERROR);
    cr_assert_eq(o->on_bad_file, DS_ON_BAD_FILE_SKIP);
    cr_assert_eq(cfg.sources[1].on_bad_file, DS_ON_BAD_FILE_ERROR);
    cr_assert_str_eq(o->pattern, "data/*.parquet"); /* a pattern is for static/ sources */
    cr_assert(o->has_time_window);
    cr_assert_str_eq(o->time_window.column, "day");
    cr_assert_eq(o->time_window.start.kind, DS_TIME_DATE);
    cr_assert_str_eq(o->time_window.start.text, "2024-01-01");
    cr_assert_eq(o->time_window.end.kind, DS_TIME_DATE);
    cr_assert_str_eq(o->time_window.end.text, "2024-02-01");
    cr_assert_eq(o->line, 5);
    cr_assert_str_eq(cfg.sources[1].plugin, "plugins/sales.py:build");
    cr_assert_eq(cfg.sources[1].line, 16);
    ds_config_free(&cfg);
}

Test(config, time_window_bounds_and_types)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("[[file_sources]]\nname = \"a\"\n"
                       "time_window = {column = \"ts\", start = 2024-01-01T10:00:00}\n"
                       "[[file_sources]]\nname = \"b\"\n"
                       "time_window = {column = \"ts\", end = 2024-01-01T10:00:00Z}\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    const ds_time_window *a = &cfg.sources[0].time_window;
    const ds_time_window *b = &cfg.sources[1].time_window;
    cr_assert_eq(a->start.kind, DS_TIME_LOCAL_DATETIME);
    cr_assert_str_eq(a->start.text, "2024-01-01 10:00:00");
    cr_assert_eq(a->end.kind, DS_TIME_NONE);
    cr_assert_eq(b->start.kind, DS_TIME_NONE);
    cr_assert_eq(b->end.kind, DS_TIME_OFFSET_DATETIME);
    cr_assert_str_eq(b->end.text, "2024-01-01 10:00:00Z");
    ds_config_free(&cfg);
}

Test(config, wrong_type_names_position_path_and_types)
{
    expect_error("[[file_sources]]\nname = \"a\"\n\n[[file_sources]]\nname = \"b\"\n"
                 "upstream_glob = \"x/*.parquet\"\npattern = 42\n",
                 "ducksite.toml:7:11: file_sources[1].pattern: expected a string, found an "
                 "integer");
}

Test(config, unknown_key_suggests_nearest)
{
    expect_error("[[file_sources]]\nname = \"a\"\nupstream_glb = \"x\"\n",
                 "ducksite.toml:3:1: file_sources[0].upstream_glb: unknown key 'upstream_glb'; "
                 "did you mean 'upstream_glob'?");
    expect_error("[dir]\nDIR_A = \"x\"\n", "did you mean 'dirs'?");
    expect_error("zzzzzzzz = 1\n", "known keys: auth, build, dirs, file_sources");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {colum = \"d\", start = "
                 "2024-01-01}\n",
                 "file_sources[0].time_window.colum: unknown key 'colum'; did you mean "
                 "'column'?");
}

Test(config, a_key_of_another_table_says_where_it_belongs)
{
    /* After [[file_sources]], a key of [auth] lands in the source. */
    expect_error("[[file_sources]]\nname = \"a\"\nupstream_glob = \"x/*.parquet\"\nsite = true\n",
                 "ducksite.toml:4:1: file_sources[0].site: unknown key 'site' here; it is a key of "
                 "[auth]: move it under that table's header (a key belongs to the last [table] "
                 "above it)");
    expect_error("live_queries = true\n", "ducksite.toml:1:1: live_queries: unknown key "
                                          "'live_queries' here; it is a key of [serve]");
    expect_error("[auth]\nsite = true\nprerender_max_options = 3\n",
                 "auth.prerender_max_options: unknown key 'prerender_max_options' here; it is a "
                 "key of [build]");
    expect_error("[dirs]\nDIR_A = \"x\"\nallowed_hosts = [\"a\"]\n",
                 "ducksite.toml:3:1: dirs.allowed_hosts: unknown key 'allowed_hosts' here; it is a "
                 "key of [serve]");
    expect_error("[serve]\nupstream_glob = \"x/*.parquet\"\n",
                 "serve.upstream_glob: unknown key 'upstream_glob' here; it is a key of "
                 "[[file_sources]]");
}

Test(config, dirs_rules)
{
    expect_error("[dirs]\nLAKE = \"/x\"\n", "ducksite.toml:2:1: dirs.LAKE: names in [dirs] must "
                                            "start with DIR_");
    expect_error("[dirs]\nDIR_A = 3\n", "dirs.DIR_A: expected a string, found an integer");
    expect_error("dirs = 3\n", "dirs: expected a table");
}

Test(config, dir_substitution_errors_list_defined_names)
{
    expect_error("[dirs]\nDIR_A = \"/a\"\nDIR_B = \"/b\"\n[[file_sources]]\nname = \"s\"\n"
                 "upstream_glob = \"${HOME}/x\"\n",
                 "ducksite.toml:6:17: file_sources[0].upstream_glob: ${HOME} is not allowed: "
                 "only ${DIR_*} variables from [dirs] can be used (defined: DIR_A, DIR_B)");
    expect_error("[dirs]\nDIR_A = \"/a\"\n[[file_sources]]\nname = \"s\"\n"
                 "plugin = \"${DIR_NOPE}/p.py\"\n",
                 "file_sources[0].plugin: ${DIR_NOPE} is not defined in [dirs] (defined: "
                 "DIR_A)");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"${DIR_A/x\"\n",
                 "without a closing '}'");
}

Test(config, dirs_may_follow_sources)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("[[file_sources]]\nname = \"s\"\nupstream_glob = \"${DIR_A}/*.parquet\"\n"
                       "[dirs]\nDIR_A = \"/a\"\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    cr_assert_str_eq(cfg.sources[0].upstream_glob, "/a/*.parquet");
    ds_config_free(&cfg);
}

Test(config, names_are_identifiers_and_unique)
{
    expect_error("[[file_sources]]\nname = \"my-source\"\n",
                 "file_sources[0].name: expected an SQL identifier");
    expect_error("[[file_sources]]\nname = \"1abc\"\n", "expected an SQL identifier");
    expect_error("[[file_sources]]\nname = \"a\"\n[[file_sources]]\nname = \"a\"\n",
                 "ducksite.toml:4:8: file_sources[1]: name \"a\" is already used by "
                 "file_sources[0] (line 1, as \"a\")");
    expect_error("[[file_sources]]\nname = \"sales\"\n[[file_sources]]\nname = \"SALES\"\n",
                 "name \"SALES\" is already used by file_sources[0] (line 1, as \"sales\"); names "
                 "must be unique, without regard to case as in SQL");
}

Test(config, choices)
{
    expect_error("[[file_sources]]\nname = \"a\"\nunion_mode = \"by_name\"\n",
                 "file_sources[0].union_mode: expected \"union_all_by_name\" or \"union_all\", "
                 "found \"by_name\"");
    expect_error("[[file_sources]]\nname = \"a\"\non_empty = \"ignore\"\n",
                 "expected \"warn\" or \"error\", found \"ignore\"");
    expect_error("[[file_sources]]\nname = \"a\"\non_bad_file = \"ignore\"\n",
                 "file_sources[0].on_bad_file: expected \"error\" or \"skip\", found \"ignore\"");
    expect_error("[[file_sources]]\nname = \"a\"\non_bad_fil = \"skip\"\n",
                 "did you mean 'on_bad_file'");
    expect_error("[[file_sources]]\nname = \"a\"\non_empty = true\n",
                 "expected a string, found a boolean");
}

Test(config, template_name_needs_brackets)
{
    expect_error("[[file_sources]]\nname = \"a\"\ntemplate_name = \"demo\"\n",
                 "file_sources[0].template_name: expected a name with one [expression] part");
    expect_error("[[file_sources]]\nname = \"a\"\ntemplate_name = \"demo_[]\"\n",
                 "[expression]");
}

Test(config, time_window_errors)
{
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {column = \"d\", start = "
                 "\"2024-01-01\"}\n",
                 "file_sources[0].time_window.start: expected a date or date-time, found a "
                 "string");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {column = \"d\", end = 10:00:00}\n",
                 "expected a date or date-time, found a local time");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {start = 2024-01-01}\n",
                 "time_window: needs a column");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {column = \"d\"}\n",
                 "needs a start, an end, or both");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = {column = \"d\", start = "
                 "2024-02-01, end = 2024-01-01}\n",
                 "must be after start");
    expect_error("[[file_sources]]\nname = \"a\"\ntime_window = \"last 7 days\"\n",
                 "time_window: expected a table");
}

Test(config, source_shape_errors)
{
    expect_error("file_sources = 3\n", "file_sources: expected an array of tables");
    expect_error("file_sources = [1]\n", "file_sources[0]: expected a table, found an integer");
    expect_error("[[file_sources]]\nname = \"a\"\nupstream_glob = \"x\"\nplugin = \"p.py\"\n",
                 "set either upstream_glob or plugin, not both");
    expect_error("[[file_sources]]\nupstream_glob = \"x\"\n", "needs a name");
}

Test(config, toml_syntax_errors_have_positions)
{
    expect_error("[[file_sources]]\nname = \n", "ducksite.toml:2:");
    expect_error("a = 1\na = 2\n", "ducksite.toml:2:");
}

Test(config, load_missing_file_suggests_init)
{
    char *dir = test_tmpdir();
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_load(dir, &cfg, &err), -1);
    cr_assert(strstr(err.msg, dir) != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "ducksite init") != NULL, "%s", err.msg);
    test_write(dir, "ducksite.toml", "[dirs]\nDIR_FORMS = \"static/forms\"\n");
    cr_assert_eq(ds_config_load(dir, &cfg, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ds_config_dir(&cfg, "DIR_FORMS"), "static/forms");
    ds_config_free(&cfg);
    test_rmtree(dir);
    free(dir);
}

Test(config, build_settings)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("", &cfg, &err), 0);
    cr_assert_eq(cfg.build.prerender_max_options, DS_DEFAULT_PRERENDER_MAX_OPTIONS);
    cr_assert_eq(cfg.build.prerender_max_bytes, DS_DEFAULT_PRERENDER_MAX_BYTES);
    ds_config_free(&cfg);
    cr_assert_eq(parse("[build]\nprerender_max_options = 0\nprerender_max_bytes = 1024\n", &cfg,
                       &err),
                 0, "%s", err.msg);
    cr_assert_eq(cfg.build.prerender_max_options, 0);
    cr_assert_eq(cfg.build.prerender_max_bytes, 1024);
    ds_config_free(&cfg);
    expect_error("[build]\nprerender_max_bytes = \"8MB\"\n",
                 "ducksite.toml:2:23: build.prerender_max_bytes: expected a non-negative integer, "
                 "found a string");
    expect_error("build = 3\n", "ducksite.toml:1:9: build: expected a table");
    expect_error("[build]\nprerender_max_option = 3\n", "did you mean 'prerender_max_options'?");
}

Test(config, serve_settings)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("", &cfg, &err), 0);
    cr_assert_eq(cfg.serve.n_allowed_hosts, 0);
    ds_config_free(&cfg);
    cr_assert_eq(parse("[serve]\nallowed_hosts = [\"dash.example.com\", \"intranet\"]\n", &cfg,
                       &err),
                 0, "%s", err.msg);
    cr_assert_eq(cfg.serve.n_allowed_hosts, 2);
    cr_assert_str_eq(cfg.serve.allowed_hosts[0], "dash.example.com");
    cr_assert_str_eq(cfg.serve.allowed_hosts[1], "intranet");
    ds_config_free(&cfg);
    expect_error("[serve]\nallowed_host = [\"a\"]\n",
                 "ducksite.toml:2:1: serve.allowed_host: unknown key 'allowed_host'; did you mean "
                 "'allowed_hosts'?");
    expect_error("[serve]\nallowed_hosts = \"a.example\"\n",
                 "ducksite.toml:2:17: serve.allowed_hosts: expected an array of host names");
    expect_error("[serve]\nallowed_hosts = [\"ok\", \"http://a.example:8080/\"]\n",
                 "ducksite.toml:2:24: serve.allowed_hosts[1]: 'http://a.example:8080/' is not a "
                 "host name");
    expect_error("[serve]\nallowed_hosts = [\"*.example.com\"]\n", "no scheme, port, path or wildcard");
    expect_error("[serve]\nallowed_hosts = [3]\n",
                 "ducksite.toml:2:18: serve.allowed_hosts[0]: expected a string, found an integer");
    expect_error("serve = 1\n", "ducksite.toml:1:9: serve: expected a table");
}

Test(config, plugin_timeout)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\n"
                       "[[file_sources]]\nname = \"b\"\nplugin = \"p.py\"\nplugin_timeout = 20\n"
                       "[[file_sources]]\nname = \"c\"\nplugin = \"p.py\"\nplugin_timeout = 0.5\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    cr_assert_float_eq(cfg.sources[0].plugin_timeout, DS_DEFAULT_PLUGIN_TIMEOUT, 1e-9);
    cr_assert_float_eq(cfg.sources[1].plugin_timeout, 20.0, 1e-9);
    cr_assert_float_eq(cfg.sources[2].plugin_timeout, 0.5, 1e-9);
    ds_config_free(&cfg);
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timeout = \"10\"\n",
                 "ducksite.toml:4:18: file_sources[0].plugin_timeout: expected a number of "
                 "seconds, found a string");
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timeout = 0\n",
                 "ducksite.toml:4:18: file_sources[0].plugin_timeout: expected a number of "
                 "seconds above 0 and at most 86400 (one day), found 0");
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timeout = -3\n",
                 "found -3");
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timeout = 86401\n",
                 "found 86401");
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timeout = nan\n",
                 "found nan");
    expect_error("[[file_sources]]\nname = \"a\"\nupstream_glob = \"x/*.parquet\"\n"
                 "plugin_timeout = 5\n",
                 "ducksite.toml:4:1: file_sources[0]: plugin_timeout applies only to a source "
                 "with a plugin");
    expect_error("[[file_sources]]\nname = \"a\"\nplugin = \"p.py\"\nplugin_timout = 5\n",
                 "unknown key 'plugin_timout'; did you mean 'plugin_timeout'?");
}

/* template_values: scalars of every TOML type and tuples, kept as typed. */
Test(config, template_values_types_and_tuples)
{
    ds_config cfg;
    ds_err err;
    const char *text = "[[file_sources]]\nname = \"o\"\ntemplate_name = \"o_[r]\"\n"
                       "template_values = [\"it's\", -3, 2.5, true, 2024-12-05,\n"
                       "  2024-12-05T10:30:00, 2024-12-05T10:30:00Z, 07:15:00,\n"
                       "  [\"na\", 2024-12-07]]\n"
                       "template_values_sql = \"SELECT 1\"\n";
    cr_assert_eq(parse(text, &cfg, &err), 0, "%s", err.msg);
    const ds_seed_list *l = &cfg.sources[0].template_values;
    cr_assert_eq(l->n, 9);
    const struct {
        ds_seed_kind kind;
        const char *text;
    } want[] = {{DS_SEED_STRING, "it's"},
                {DS_SEED_INTEGER, "-3"},
                {DS_SEED_FLOAT, "2.5"},
                {DS_SEED_BOOL, "true"},
                {DS_SEED_DATE, "2024-12-05"},
                {DS_SEED_TIMESTAMP, "2024-12-05 10:30:00"},
                {DS_SEED_TIMESTAMPTZ, "2024-12-05 10:30:00Z"},
                {DS_SEED_TIME, "07:15:00"}};
    for (size_t i = 0; i < DS_ARRAY_LEN(want); i++) {
        cr_expect(!l->items[i].tuple && l->items[i].n == 1, "item %zu", i);
        cr_expect_eq(l->items[i].parts[0].kind, want[i].kind, "item %zu", i);
        cr_expect_str_eq(l->items[i].parts[0].text, want[i].text, "item %zu", i);
    }
    cr_expect(l->items[8].tuple);
    cr_assert_eq(l->items[8].n, 2);
    cr_expect_str_eq(l->items[8].parts[0].text, "na");
    cr_expect_eq(l->items[8].parts[1].kind, DS_SEED_DATE);
    cr_expect_str_eq(cfg.sources[0].template_values_sql, "SELECT 1");
    ds_config_free(&cfg);
}

Test(config, template_values_errors)
{
    const struct {
        const char *line, *want;
    } cases[] = {
        {"template_values = \"x\"",
         "ducksite.toml:4:19: file_sources[0].template_values: expected an array of values or "
         "of arrays of values, found a string"},
        {"template_values = [1, [2, [3]]]",
         "ducksite.toml:4:27: file_sources[0].template_values[1][1]: expected a string, "
         "number, boolean, date or date-time, found an array"},
        {"template_values = [{a = 1}]",
         "ducksite.toml:4:20: file_sources[0].template_values[0]: expected a string, number, "
         "boolean, date or date-time, found a table"},
        {"template_values = [[]]",
         "ducksite.toml:4:20: file_sources[0].template_values[0]: expected a value or a "
         "non-empty array of values, found an empty array"},
        {"template_values_sql = 1",
         "ducksite.toml:4:23: file_sources[0].template_values_sql: expected a string, found an "
         "integer"},
    };
    char *t;
    for (size_t i = 0; i < DS_ARRAY_LEN(cases); i++) {
        t = ds_asprintf("[[file_sources]]\nname = \"o\"\ntemplate_name = \"o_[r]\"\n%s\n",
                        cases[i].line);
        expect_error(t, cases[i].want);
        free(t);
    }
    expect_error("[[file_sources]]\nname = \"o\"\ntemplate_value = [1]\n",
                 "ducksite.toml:3:1: file_sources[0].template_value: unknown key "
                 "'template_value'; did you mean 'template_values'?");
    /* Seeds without a template are a mistake (a plugin may give one: the
     * build checks those). */
    const char *keys[] = {"template_values = [1]", "template_values_sql = \"SELECT 1\""};
    for (size_t i = 0; i < DS_ARRAY_LEN(keys); i++) {
        t = ds_asprintf("[[file_sources]]\nname = \"o\"\n%s\n", keys[i]);
        char *want = ds_asprintf("ducksite.toml:3:1: file_sources[0]: %.*s seeds templated "
                                 "views, but the source has no template_name",
                                 (int)strcspn(keys[i], " "), keys[i]);
        expect_error(t, want);
        free(want);
        free(t);
    }
}

Test(config, auth_settings)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("", &cfg, &err), 0, "%s", err.msg);
    cr_assert(!cfg.auth.site);
    cr_assert(!cfg.auth.tls_proxy);
    cr_assert_float_eq(cfg.auth.session_hours, 12.0, 1e-9);
    cr_assert_float_eq(cfg.auth.idle_minutes, 120.0, 1e-9);
    cr_assert_eq(cfg.auth.max_failures, 5);
    cr_assert_float_eq(cfg.auth.lockout_minutes, 15.0, 1e-9);
    ds_config_free(&cfg);
    cr_assert_eq(parse("\n[auth]\nsite = true\nsession_hours = 8\nidle_minutes = 0.05\n"
                       "max_failures = 3\nlockout_minutes = 1.5\ntls_proxy = true\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    cr_assert(cfg.auth.site);
    cr_assert_eq(cfg.auth.site_line, 3);
    cr_assert(cfg.auth.tls_proxy);
    cr_assert_float_eq(cfg.auth.session_hours, 8.0, 1e-9);
    cr_assert_float_eq(cfg.auth.idle_minutes, 0.05, 1e-9);
    cr_assert_eq(cfg.auth.max_failures, 3);
    cr_assert_float_eq(cfg.auth.lockout_minutes, 1.5, 1e-9);
    ds_config_free(&cfg);
}

Test(config, auth_errors)
{
    expect_error("[auth]\nsite = true\nsesion_hours = 3\n",
                 "ducksite.toml:3:1: auth.sesion_hours: unknown key 'sesion_hours'; did you mean "
                 "'session_hours'?");
    expect_error("[auth]\nsite = \"yes\"\n",
                 "ducksite.toml:2:8: auth.site: expected true or false, found a string");
    expect_error("[auth]\ntls_proxy = 1\n", "auth.tls_proxy: expected true or false");
    expect_error("[auth]\nsession_hours = 0\n",
                 "ducksite.toml:2:17: auth.session_hours: expected more than 0 and at most 8760 "
                 "hours (a year), found 0");
    expect_error("[auth]\nidle_minutes = -1\n", "auth.idle_minutes: expected more than 0");
    expect_error("[auth]\nlockout_minutes = \"5\"\n",
                 "auth.lockout_minutes: expected a number, found a string");
    expect_error("[auth]\nmax_failures = 0\n",
                 "auth.max_failures: expected an integer from 1 to 1000, found 0");
    expect_error("[auth]\nmax_failures = 2.5\n",
                 "auth.max_failures: expected an integer from 1 to 1000, found a float");
    expect_error("auth = 3\n", "ducksite.toml:1:8: auth: expected a table, found an integer");
    expect_error("[auht]\nsite = true\n", "did you mean 'auth'?");
}

/* hierarchy_before, hierarchy, hierarchy_after: tables with a pattern and
 * an optional row_filter, inline or as [[file_sources.hierarchy]]. */
Test(config, hierarchy_levels)
{
    const char *text = "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/**/*.parquet\"\n"
                       "hierarchy_before = [{pattern = \"data/o/live/*\", "
                       "row_filter = \"x > 1\"}]\n"
                       "hierarchy_after = [{pattern = \"data/o/old/*\"}]\n"
                       "[[file_sources.hierarchy]]\npattern = \"data/o/2024/*\"\n"
                       "[[file_sources.hierarchy]]\npattern = \"data/o/2023/*\"\n"
                       "row_filter = \"y = 2\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse(text, &cfg, &err), 0, "%s", err.msg);
    const ds_file_source *fs = &cfg.sources[0];
    cr_assert_eq(fs->hierarchy_before.n, 1);
    cr_expect_str_eq(fs->hierarchy_before.items[0].pattern, "data/o/live/*");
    cr_expect_str_eq(fs->hierarchy_before.items[0].row_filter, "x > 1");
    cr_expect_eq(fs->hierarchy_before.items[0].line, 4);
    cr_assert_eq(fs->hierarchy.n, 2);
    cr_expect_str_eq(fs->hierarchy.items[1].pattern, "data/o/2023/*");
    cr_expect_str_eq(fs->hierarchy.items[1].row_filter, "y = 2");
    cr_expect_null(fs->hierarchy.items[0].row_filter);
    cr_expect_eq(fs->hierarchy.items[1].line, 8);
    cr_assert_eq(fs->hierarchy_after.n, 1);
    cr_expect_null(fs->hierarchy_after.items[0].row_filter);
    ds_config_free(&cfg);
    cr_assert_eq(parse("[[file_sources]]\nname = \"o\"\n", &cfg, &err), 0, "%s", err.msg);
    cr_expect_null(cfg.sources[0].hierarchy.items);
    ds_config_free(&cfg);
}

Test(config, hierarchy_errors)
{
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy = [{row_filter = \"x > 1\"}]\n",
                 "ducksite.toml:3:14: file_sources[0].hierarchy[0]: needs a pattern");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy = [{patern = \"data/o/*\"}]\n",
                 "ducksite.toml:3:15: file_sources[0].hierarchy[0].patern: unknown key "
                 "'patern'; did you mean 'pattern'?");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy_after = [\"data/o/*\"]\n",
                 "ducksite.toml:3:20: file_sources[0].hierarchy_after[0]: expected a table like "
                 "{pattern = ");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy_after = [\"data/o/*\"]\n",
                 "found a string");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy_before = {pattern = \"a\"}\n",
                 "file_sources[0].hierarchy_before: expected an array of tables");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy = []\n",
                 "file_sources[0].hierarchy: expected at least one level, found an empty array");
    expect_error("[[file_sources]]\nname = \"o\"\nhierarchy = [{pattern = \"\"}]\n",
                 "file_sources[0].hierarchy[0].pattern: expected a pattern, found \"\"");
    expect_error("[[file_sources]]\nname = \"o\"\n"
                 "hierarchy = [{pattern = \"a\", row_filter = 1}]\n",
                 "file_sources[0].hierarchy[0].row_filter: expected a string, found an integer");
    expect_error("[[file_sources]]\npattern = \"data/*.parquet\"\n"
                 "hierarchy = [{pattern = \"data/a/*\"}]\n",
                 "ducksite.toml:3:13: file_sources[0].hierarchy: hierarchy shapes the source's "
                 "views, which need a name; add name = \"...\"");
}

Test(config, serve_live_settings)
{
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("", &cfg, &err), 0);
    cr_assert(!cfg.serve.live.enabled, "live queries are off by default");
    cr_assert_eq(cfg.serve.live.timeout_ms, DS_DEFAULT_LIVE_TIMEOUT_MS);
    cr_assert_eq(cfg.serve.live.max_rows, DS_DEFAULT_LIVE_MAX_ROWS);
    cr_assert_eq(cfg.serve.live.max_bytes, DS_DEFAULT_LIVE_MAX_BYTES);
    cr_assert_eq(cfg.serve.live.max_concurrent, DS_DEFAULT_LIVE_MAX_CONCURRENT);
    cr_assert_eq(cfg.serve.live.cache_bytes, DS_DEFAULT_LIVE_CACHE_BYTES);
    cr_assert_eq(cfg.serve.live.max_queued, DS_DEFAULT_LIVE_MAX_QUEUED);
    cr_assert_eq(cfg.serve.live.queue_ms, DS_DEFAULT_LIVE_QUEUE_MS);
    ds_config_free(&cfg);
    cr_assert_eq(parse("[serve]\nlive_queries = true\nlive_timeout_ms = 250\nlive_max_rows = 7\n"
                       "live_max_bytes = 1000\nlive_max_concurrent = 3\nlive_cache_bytes = 5000\n"
                       "live_max_queued = 9\nlive_queue_ms = 750\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    cr_assert(cfg.serve.live.enabled);
    cr_assert_eq(cfg.serve.live.timeout_ms, 250);
    cr_assert_eq(cfg.serve.live.max_rows, 7);
    cr_assert_eq(cfg.serve.live.max_bytes, 1000);
    cr_assert_eq(cfg.serve.live.max_concurrent, 3);
    cr_assert_eq(cfg.serve.live.cache_bytes, 5000);
    cr_assert_eq(cfg.serve.live.max_queued, 9);
    cr_assert_eq(cfg.serve.live.queue_ms, 750);
    ds_config_free(&cfg);
    /* 0 turns the queue off; a negative value is refused. */
    cr_assert_eq(parse("[serve]\nlive_max_queued = 0\nlive_queue_ms = 0\n", &cfg, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(cfg.serve.live.max_queued, 0);
    cr_assert_eq(cfg.serve.live.queue_ms, 0);
    ds_config_free(&cfg);
    expect_error("[serve]\nlive_max_queued = -1\n",
                 "ducksite.toml:2:19: serve.live_max_queued: expected an integer, 0 or more "
                 "(0: no queue), found -1");
    expect_error("[serve]\nlive_queue_sm = 5\n",
                 "serve.live_queue_sm: unknown key 'live_queue_sm'; did you mean 'live_queue_ms'?");
    expect_error("[serve]\nlive_query = true\n",
                 "ducksite.toml:2:1: serve.live_query: unknown key 'live_query'; did you mean "
                 "'live_queries'?");
    expect_error("[serve]\nlive_queries = 1\n",
                 "ducksite.toml:2:16: serve.live_queries: expected true or false");
    expect_error("[serve]\nlive_max_rows = \"10\"\n",
                 "serve.live_max_rows: expected a positive integer");
    expect_error("[serve]\nlive_max_concurrent = 0\n",
                 "ducksite.toml:2:23: serve.live_max_concurrent: expected a positive integer, "
                 "found 0");
}

/* Keys the build would not use as given are errors at load, at their line. */
Test(config, keys_without_effect_are_errors)
{
    expect_error("[[file_sources]]\npattern = \"data/*.parquet\"\ntemplate_name = \"x_[store]\"\n",
                 "ducksite.toml:3:17: file_sources[0].template_name: template_name shapes the "
                 "source's views, which need a name");
    expect_error("[[file_sources]]\npattern = \"data/*.parquet\"\nrow_filter = \"a > 1\"\n",
                 "file_sources[0].row_filter: row_filter shapes the source's views");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "pattern = \"nothing/*.parquet\"\n",
                 "ducksite.toml:4:11: file_sources[0].pattern: pattern picks files under static/ "
                 "for a source with neither upstream_glob nor plugin");
    expect_error("[[file_sources]]\nname = \"s\"\nplugin = \"p.py\"\npattern = \"a/*\"\n",
                 "here plugin lists the files");
    expect_error("[[file_sources]]\nname = \"s\"\npattern = \"${DIR_A}/*.parquet\"\n",
                 "file_sources[0].pattern: [dirs] variables are substituted only in "
                 "upstream_glob");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "row_filter_template = \"x = ?\"\n",
                 "file_sources[0].row_filter_template: row_filter_template is the predicate of "
                 "each templated view, but the source has no template_name");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "template_name = \"s_[x]\"\ntemplate_values_sql = \"\"\n",
                 "file_sources[0].template_values_sql: expected a query");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"\"\n",
                 "ducksite.toml:3:17: file_sources[0].upstream_glob: expected a glob");
    expect_error("[[file_sources]]\nname = \"s\"\nplugin = \":x\"\n",
                 "ducksite.toml:3:10: file_sources[0].plugin: ':x' is not a plugin reference");
    expect_error("[[file_sources]]\nname = \"s\"\nplugin = \"p.py:\"\n",
                 "file_sources[0].plugin: 'p.py:' is not a plugin reference");
    expect_error("[dirs]\nDIR_A = \"lake\"\nDIR_B = \"${DIR_A}/sub\"\n",
                 "ducksite.toml:3:9: dirs.DIR_B: [dirs] values are used as written");
}

Test(config, view_names_are_identifiers_of_bounded_length)
{
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "template_name = \"s_[store]_[x]\"\n",
                 "file_sources[0].template_name: expected a name with one [expression] part");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "template_name = \"s [store]\"\n",
                 "file_sources[0].template_name: the text around [expression] makes the view "
                 "names, so it must be letters, digits and _");
    char long_name[200];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    char *text = ds_asprintf("[[file_sources]]\nname = \"%s\"\n", long_name);
    expect_error(text, "file_sources[0].name: a name of 199 bytes; at most 128");
    free(text);
    /* An expression may hold any SQL, brackets of its own aside. */
    ds_config cfg;
    ds_err err;
    cr_assert_eq(parse("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                       "template_name = \"s_[lower(region || '-x')]_v2\"\n",
                       &cfg, &err),
                 0, "%s", err.msg);
    ds_config_free(&cfg);
}

Test(config, live_max_concurrent_is_bounded)
{
    expect_error("[serve]\nlive_max_concurrent = 9223372036854775807\n",
                 "ducksite.toml:2:23: serve.live_max_concurrent: expected a positive integer, at "
                 "most 256 (each is a query thread), found 9223372036854775807");
}

Test(config, live_max_rows_is_bounded)
{
    /* Its LIMIT is one more: the largest integer would overflow there. */
    expect_error("[serve]\nlive_max_rows = 9223372036854775807\n",
                 "ducksite.toml:2:17: serve.live_max_rows: expected a positive integer, at most "
                 "1000000000 (a result's rows are held in memory; live_max_bytes bounds them "
                 "too), found 9223372036854775807");
}

Test(config, placeholders_in_view_sql_are_errors)
{
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "row_filter = \"region = ${inputs.r}\"\n",
                 "ducksite.toml:4:14: file_sources[0].row_filter: row_filter is part of the "
                 "source's views, which are the same for every page: ${...} is never filled in "
                 "there");
    expect_error("[[file_sources]]\nname = \"s\"\nupstream_glob = \"l/*.parquet\"\n"
                 "template_name = \"s_[r]\"\nrow_filter_template = \"r = '${params.x}'\"\n",
                 "file_sources[0].row_filter_template: row_filter_template is part of");
}
