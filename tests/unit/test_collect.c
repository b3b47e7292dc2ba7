/* test_collect.c - the collect stage: upstream_glob keys, pattern sources
 * under static/, on_empty, key claims across sources, physical lookups. */
#include <criterion/criterion.h>
#include <sys/stat.h>

#include "config/config.h"
#include "datamap/collect.h"
#include "datamap/stamp.h"
#include "testutil.h"
#include "util/utf8.h"

static void parse_cfg(const char *root, const char *text, ds_config *cfg)
{
    ds_err err;
    cr_assert_eq(ds_config_parse(text, strlen(text), root, "ducksite.toml", cfg, &err), 0, "%s",
                 err.msg);
}

/* Whether a warning recorded in W (ds_warn_record: each ended by a NUL
 * byte) contains NEEDLE. */
static bool warned(const ds_buf *w, const char *needle)
{
    for (size_t at = 0; at < w->len; at += strlen(w->data + at) + 1)
        if (strstr(w->data + at, needle))
            return true;
    return false;
}

Test(collect, upstream_glob_relative_keys)
{
    char *root = test_tmpdir();
    test_write(root, "lake/orders/2024/02/b.parquet", "x");
    test_write(root, "lake/orders/2024/01/a.parquet", "x");
    test_write(root, "lake/orders/top.parquet", "x");
    test_write(root, "lake/orders/notes.txt", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"orders\"\n"
                    "upstream_glob = \"lake/orders/**/*.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    cr_assert_eq(c.n_sets, 1);
    const ds_source_set *s = &c.sets[0];
    cr_assert_eq(s->fs, &cfg.sources[0]);
    cr_assert_eq(s->n_files, 3);
    cr_assert_str_eq(s->files[0].key, "data/orders/2024/01/a.parquet");
    cr_assert_str_eq(s->files[1].key, "data/orders/2024/02/b.parquet");
    cr_assert_str_eq(s->files[2].key, "data/orders/top.parquet");
    char *want = ds_asprintf("%s/lake/orders/2024/01/a.parquet", root);
    cr_assert_str_eq(s->files[0].path, want);
    free(want);
    cr_assert_null(s->files[0].row_filter);
    want = ds_asprintf("upstream_glob 'lake/orders/**/*.parquet' (searched %s/lake/orders)",
                       root);
    cr_assert_str_eq(s->origin, want);
    free(want);
    cr_assert_null(s->template_name);
    cr_assert_null(s->row_filter_template);
    cr_assert_eq(c.files_scanned, 3);

    /* The data map holds the same keys, finished (sorted). */
    cr_assert_eq(c.map.len, 3);
    cr_assert_str_eq(c.map.items[0].key, "data/orders/2024/01/a.parquet");
    cr_assert_str_eq(c.map.items[2].key, "data/orders/top.parquet");
    want = ds_asprintf("%s/lake/orders/top.parquet", root);
    cr_assert_str_eq(ds_datamap_get(&c.map, "data/orders/top.parquet")->path, want);
    cr_assert_str_eq(ds_collected_physical(&c, "data/orders/top.parquet"), want);
    free(want);
    cr_assert_null(ds_collected_physical(&c, "data/orders/notes.txt"));
    cr_assert_null(ds_collected_physical(&c, "lake/orders/top.parquet"));

    ds_collected_free(&c);
    cr_assert_eq(c.n_sets, 0);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, upstream_glob_absolute_and_template_settings)
{
    char *root = test_tmpdir();
    char *lake = test_tmpdir();
    test_write(lake, "s/x.parquet", "x");
    test_write(lake, "s/y.parquet", "x");
    char *toml = ds_asprintf("[dirs]\nDIR_LAKE = \"%s\"\n"
                             "[[file_sources]]\nname = \"sales\"\n"
                             "upstream_glob = \"${DIR_LAKE}/s/*.parquet\"\n"
                             "template_name = \"sales_[region]\"\n"
                             "row_filter_template = \"region = ?\"\n",
                             lake);
    ds_config cfg;
    parse_cfg(root, toml, &cfg);
    free(toml);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    const ds_source_set *s = &c.sets[0];
    cr_assert_eq(s->n_files, 2);
    cr_assert_str_eq(s->files[0].key, "data/sales/x.parquet");
    cr_assert_str_eq(s->files[1].key, "data/sales/y.parquet");
    char *want = ds_asprintf("%s/s/y.parquet", lake);
    cr_assert_str_eq(s->files[1].path, want);
    cr_assert_str_eq(ds_collected_physical(&c, "data/sales/y.parquet"), want);
    free(want);
    cr_assert_str_eq(s->template_name, "sales_[region]");
    cr_assert_str_eq(s->row_filter_template, "region = ?");
    cr_assert_neq(s->template_name, cfg.sources[0].template_name, "must be a copy");
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(lake);
    test_rmtree(root);
    free(lake);
    free(root);
}

Test(collect, pattern_source_under_static)
{
    char *root = test_tmpdir();
    test_write(root, "static/data/b.parquet", "x");
    test_write(root, "static/data/a.parquet", "x");
    test_write(root, "static/data/sub/c.parquet", "x"); /* '*' does not cross '/' */
    test_write(root, "static/other/d.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"local\"\n", &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    const ds_source_set *s = &c.sets[0];
    cr_assert_eq(s->n_files, 2);
    cr_assert_str_eq(s->files[0].key, "data/a.parquet");
    cr_assert_str_eq(s->files[1].key, "data/b.parquet");
    char *want = ds_asprintf("%s/static/data/a.parquet", root);
    cr_assert_str_eq(s->files[0].path, want);
    /* Files already under static/ are not in the data map, but in the index. */
    cr_assert_eq(c.map.len, 0);
    cr_assert_eq(c.index.len, 2);
    cr_assert_str_eq(ds_collected_physical(&c, "data/a.parquet"), want);
    free(want);
    want = ds_asprintf("pattern 'data/*.parquet' (searched %s/static/data)", root);
    cr_assert_str_eq(s->origin, want);
    free(want);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, unnamed_pattern_source)
{
    char *root = test_tmpdir();
    test_write(root, "static/x/one.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\npattern = \"x/*.parquet\"\n", &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.sets[0].n_files, 1);
    cr_assert_str_eq(c.sets[0].files[0].key, "x/one.parquet");
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, pattern_must_stay_inside_static)
{
    char *root = test_tmpdir();
    test_write(root, "outside/a.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"esc\"\npattern = \"../outside/*.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    cr_assert_str_eq(err.msg, "ducksite.toml:1: file source 'esc': pattern "
                              "'../outside/*.parquet' must stay inside static/");
    cr_assert_eq(c.n_sets, 0);
    cr_assert_null(c.sets);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, on_empty_warn_gives_empty_set)
{
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"none\"\nupstream_glob = \"nowhere/*.parquet\"\n"
                    "[[file_sources]]\nname = \"some\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "[[file_sources]]\nname = \"stat\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.n_sets, 3);
    cr_assert_eq(c.sets[0].n_files, 0);
    cr_assert_eq(c.sets[1].n_files, 1);
    cr_assert_str_eq(c.sets[1].files[0].key, "data/some/a.parquet");
    cr_assert_eq(c.sets[2].n_files, 0);
    cr_assert_eq(c.map.len, 1);
    cr_assert_eq(c.files_scanned, 1);
    char *want = ds_asprintf("upstream_glob 'nowhere/*.parquet' (searched %s/nowhere)", root);
    cr_assert_str_eq(c.sets[0].origin, want);
    free(want);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, on_empty_error_names_source_and_glob)
{
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"some\"\nupstream_glob = \"lake/*.parquet\"\n\n"
                    "[[file_sources]]\nname = \"strict\"\nupstream_glob = \"lake/*.csv\"\n"
                    "on_empty = \"error\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    char *want = ds_asprintf("ducksite.toml:5: file source 'strict' matched no files: "
                             "upstream_glob 'lake/*.csv' (searched %s/lake) (on_empty = "
                             "\"error\")",
                             root);
    cr_assert_str_eq(err.msg, want);
    free(want);
    cr_assert_eq(c.n_sets, 0);
    cr_assert_null(c.sets);
    cr_assert_eq(c.map.len, 0);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, on_empty_error_pattern_source)
{
    char *root = test_tmpdir();
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\npattern = \"x/*.parquet\"\non_empty = \"error\"\n", &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    char *want = ds_asprintf("ducksite.toml:1: file source 'x/*.parquet' matched no files: "
                             "pattern 'x/*.parquet' (searched %s/static/x) (on_empty = "
                             "\"error\")",
                             root);
    cr_assert_str_eq(err.msg, want);
    free(want);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, bad_glob_is_an_error)
{
    char *root = test_tmpdir();
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"a\"\nupstream_glob = \"lake/*/../x.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    cr_assert(strstr(err.msg, "\"..\" is only allowed before the first wildcard") != NULL, "%s",
              err.msg);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, same_key_from_two_sources_later_wins)
{
    /* A pattern source listing static/data/up/a.parquet and an upstream
     * source "up" publishing data/up/a.parquet claim the same key: the data
     * map (upstream) entry is what both sets and the index resolve to. */
    char *root = test_tmpdir();
    test_write(root, "static/data/up/a.parquet", "x");
    test_write(root, "lake/a.parquet", "x");
    test_write(root, "lake/b.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"loc\"\npattern = \"data/up/*.parquet\"\n"
                    "[[file_sources]]\nname = \"up\"\nupstream_glob = \"lake/*.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    /* Copied out, everything freed, then checked: a failure leaks nothing. */
    char lake_a[512], key0[512], path0[512], path1[512], phys[512];
    snprintf(lake_a, sizeof lake_a, "%s/lake/a.parquet", root);
    size_t n0 = c.sets[0].n_files, n1 = c.sets[1].n_files, n_index = c.index.len;
    snprintf(key0, sizeof key0, "%s", n0 ? c.sets[0].files[0].key : "");
    snprintf(path0, sizeof path0, "%s", n0 ? c.sets[0].files[0].path : "");
    snprintf(path1, sizeof path1, "%s", n1 ? c.sets[1].files[0].path : "");
    const char *p = ds_collected_physical(&c, "data/up/a.parquet");
    snprintf(phys, sizeof phys, "%s", p ? p : "(null)");
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);

    cr_assert_eq(n0, 1);
    cr_assert_str_eq(key0, "data/up/a.parquet");
    cr_assert_eq(n1, 2);
    cr_assert_str_eq(path1, lake_a);
    cr_assert_eq(n_index, 2);
    cr_assert_str_eq(phys, lake_a);
    cr_assert_str_eq(path0, lake_a, "the earlier source's set must see the winning file");
}

Test(collect, index_is_built_on_demand)
{
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    test_write(root, "static/data/s.parquet", "x");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"up\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "[[file_sources]]\nname = \"loc\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    cr_assert_eq(c.map.len, 1);
    ds_collected_index(&c);
    cr_assert_eq(c.index.len, 2);
    cr_assert_str_eq(c.index.items[0].key, "data/s.parquet");
    cr_assert_str_eq(c.index.items[1].key, "data/up/a.parquet");
    ds_collected_index(&c); /* a second call changes nothing */
    cr_assert_eq(c.index.len, 2);
    char *want = ds_asprintf("%s/static/data/s.parquet", root);
    cr_assert_str_eq(ds_collected_physical(&c, "data/s.parquet"), want);

    /* Positions for a caller's own per-file arrays: distinct, in range. */
    cr_assert_eq(ds_collected_count(&c), 2);
    size_t pos_s = 99, pos_a = 99;
    const ds_datamap_entry *e = ds_collected_find(&c, "data/s.parquet", &pos_s);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->path, want);
    cr_assert_str_eq(e->key, "data/s.parquet");
    cr_assert_not_null(ds_collected_find(&c, "data/up/a.parquet", &pos_a));
    cr_assert(pos_s < 2 && pos_a < 2 && pos_s != pos_a, "%zu %zu", pos_s, pos_a);
    size_t untouched = 7;
    cr_assert_null(ds_collected_find(&c, "data/up/b.parquet", &untouched));
    cr_assert_eq(untouched, 7);
    free(want);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, no_sources)
{
    char *root = test_tmpdir();
    ds_config cfg;
    parse_cfg(root, "", &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    cr_assert_eq(c.n_sets, 0);
    cr_assert_eq(c.map.len, 0);
    cr_assert_null(ds_collected_physical(&c, "data/x"));
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

/* ---- what later plugins see of earlier sources --------------------------- */

#include <jansson.h>
#include <sys/resource.h>

Test(collect, later_plugins_see_earlier_sets)
{
    /* A glob source and a plugin source, then a plugin that writes down
     * what it was given: every earlier named set with its files (names
     * that need JSON escapes too), row filters and template settings. */
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    test_write(root, "lake/q\"uote.parquet", "x");
    test_write(root, "plugins/p.py",
               "import json\n"
               "from ducksite.virtual_parquet import VirtualParquetFile, "
               "VirtualParquetManifest\n"
               "def first(cfg):\n"
               "    return VirtualParquetManifest(files=[\n"
               "        VirtualParquetFile('x.parquet', 'lake/a.parquet', \"r = 'e\\u00e9\\\\'\"),\n"
               "        VirtualParquetFile('y.parquet', 'lake/a.parquet')],\n"
               "        template_name='t_[r]', row_filter_template='r = ?')\n"
               "def last(cfg):\n"
               "    with open('seen.json', 'w') as f:\n"
               "        json.dump(cfg.build_file_sources, f)\n"
               "    return VirtualParquetManifest()\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"lake\"\nupstream_glob = \"lake/*.parquet\"\n"
              "[[file_sources]]\nname = \"first\"\nplugin = \"plugins/p.py:first\"\n"
              "[[file_sources]]\nname = \"last\"\nplugin = \"plugins/p.py:last\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    char *seen_path = ds_path_join(root, "seen.json");
    json_error_t jerr;
    json_t *seen = json_load_file(seen_path, 0, &jerr);
    free(seen_path);
    cr_assert_not_null(seen, "%s", jerr.text);
    cr_assert_eq(json_object_size(seen), 2);
    json_t *lake = json_object_get(seen, "lake");
    json_t *files = json_object_get(lake, "files");
    cr_assert_eq(json_array_size(files), 2);
    char *quoted = ds_asprintf("%s/lake/q\"uote.parquet", root);
    json_t *f1 = json_array_get(files, 1);
    cr_assert_str_eq(json_string_value(json_object_get(f1, "http_path")),
                     "data/lake/q\"uote.parquet");
    cr_assert_str_eq(json_string_value(json_object_get(f1, "physical_path")), quoted);
    cr_assert(json_is_null(json_object_get(f1, "row_filter")));
    cr_assert(json_is_null(json_object_get(lake, "template_name")));
    free(quoted);
    json_t *first = json_object_get(seen, "first");
    json_t *x = json_array_get(json_object_get(first, "files"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(x, "http_path")), "data/first/x.parquet");
    cr_assert_str_eq(json_string_value(json_object_get(x, "row_filter")), "r = 'e\xc3\xa9\\'");
    cr_assert_str_eq(json_string_value(json_object_get(first, "template_name")), "t_[r]");
    cr_assert_str_eq(json_string_value(json_object_get(first, "row_filter_template")), "r = ?");
    json_decref(seen);
    test_rmtree(root);
    free(root);
}

Test(collect, a_big_manifest_passed_on_stays_small)
{
    /* 100,000 entries, then two more plugins that are shown them: the
     * entries were once parsed into JSON objects and printed again for each
     * later plugin (about 200 MB).  Only this process is measured; the
     * Python host is another. */
    char *root = test_tmpdir();
    test_write(root, "plugins/p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile, "
               "VirtualParquetManifest\n"
               "def big(cfg):\n"
               "    return VirtualParquetManifest(files=[VirtualParquetFile(\n"
               "        f'year={2000 + i // 10000}/day={i // 100 % 100:03d}/part-{i % 100:04d}"
               ".parquet', '/srv/lake/one.parquet', f'id = {i}') for i in range(100000)])\n"
               "def small(cfg):\n"
               "    assert len(cfg.build_file_sources['big']['files']) == 100000\n"
               "    return VirtualParquetManifest()\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"big\"\nplugin = \"plugins/p.py:big\"\n"
              "[[file_sources]]\nname = \"s1\"\nplugin = \"plugins/p.py:small\"\n"
              "[[file_sources]]\nname = \"s2\"\nplugin = \"plugins/p.py:small\"\n",
              &cfg);
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    getrusage(RUSAGE_SELF, &after);
    size_t n = c.sets[0].n_files;
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
    cr_assert_eq(n, 100000);
    long grew_mb = (after.ru_maxrss - before.ru_maxrss) / 1024;
#if defined(__SANITIZE_ADDRESS__)
    long limit_mb = 400; /* shadow memory and quarantine */
#else
    long limit_mb = 100;
#endif
    cr_log_info("peak RSS grew by %ld MB", grew_mb);
    cr_assert_lt(grew_mb, limit_mb, "peak RSS grew by %ld MB", grew_mb);
}

/* A lake file whose name is not UTF-8 is an error naming it, its bytes
 * shown as \xNN (the data map could not hold it; DuckDB's own message
 * named nothing). */
Test(collect, file_name_not_utf8_is_named)
{
    char *root = test_tmpdir();
    test_write(root, "lake/ok.parquet", "x");
    test_write(root, "lake/caf\xe9.parquet", "x");
    test_write(root, "ducksite.toml",
               "[[file_sources]]\nname = \"l\"\nupstream_glob = \"lake/*.parquet\"\n");
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_load(root, &cfg, &err), 0, "%s", err.msg);
    ds_collected c;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    cr_assert(strstr(err.msg, "lake/caf\\xE9.parquet, which would be published as "
                              "data/l/caf\\xE9.parquet") != NULL,
              "%s", err.msg);
    cr_assert(strstr(err.msg, "not valid UTF-8") != NULL, "%s", err.msg);
    cr_assert(ds_utf8_valid(err.msg, strlen(err.msg)), "the message is UTF-8 itself");
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

/* Checks that every file of S carries its own size and mtime. */
static void assert_stamped(const ds_source_set *s)
{
    cr_assert(s->stamped);
    for (size_t i = 0; i < s->n_files; i++) {
        struct stat st;
        cr_assert_eq(stat(s->files[i].path, &st), 0, "%s", s->files[i].path);
        cr_assert_eq(s->files[i].stamp.size, (long long)st.st_size, "%s", s->files[i].path);
        cr_assert_eq(s->files[i].stamp.mtime_ns,
                     (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec, "%s",
                     s->files[i].path);
    }
}

Test(collect, stamps_taken_while_collecting)
{
    /* 12,000 files in 120 folders of different sizes: stamped by two
     * threads (each half starts inside a folder) while the keys are made. */
    char *root = test_tmpdir();
    char rel[64], body[8] = "abcdef";
    for (int i = 0; i < 12000; i++) {
        snprintf(rel, sizeof rel, "lake/d=%03d/f%05d.parquet", i / 100, i);
        body[i % 7] = '\0';
        test_write(root, rel, body);
        body[i % 7] = 'x';
    }
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"lake\"\nupstream_glob = \"lake/**/*.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect_with(&cfg, DS_COLLECT_STAMP, &c, &err), 0, "%s", err.msg);
    const ds_source_set *s = &c.sets[0];
    cr_assert_eq(s->n_files, 12000);
    cr_assert_str_eq(s->files[0].key, "data/lake/d=000/f00000.parquet");
    cr_assert_str_eq(s->files[11999].key, "data/lake/d=119/f11999.parquet");
    cr_assert_eq(s->files[3].stamp.size, 3);
    assert_stamped(s);
    ds_collected_free(&c);

    /* Without the flag nothing is stat-ed: the views stamp the files. */
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    cr_assert_not(c.sets[0].stamped);
    cr_assert_eq(c.sets[0].files[3].stamp.size, -1);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, stamps_wait_for_a_later_plugin)
{
    /* A plugin source may write the files an earlier glob found (here it
     * rewrites lake/a.parquet): that glob's files are not stamped while
     * collecting; a glob after the last plugin is, and so is the last
     * plugin's set, once it has returned.  Pattern sources are stamped by
     * the views. */
    char *root = test_tmpdir();
    test_write(root, "static/data/loc/s.parquet", "x");
    test_write(root, "lake/a.parquet", "xyz");
    test_write(root, "other/b.parquet", "xy");
    test_write(root, "plugins/p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile, "
               "VirtualParquetManifest\n"
               "def rewrite(cfg):\n"
               "    with open('lake/a.parquet', 'w') as f:\n"
               "        f.write('12345')\n"
               "    return VirtualParquetManifest(files=[\n"
               "        VirtualParquetFile('b.parquet', 'other/b.parquet')])\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"loc\"\npattern = \"data/loc/*.parquet\"\n"
                    "[[file_sources]]\nname = \"up\"\nupstream_glob = \"lake/*.parquet\"\n"
                    "[[file_sources]]\nname = \"p\"\nplugin = \"plugins/p.py:rewrite\"\n"
                    "[[file_sources]]\nname = \"other\"\nupstream_glob = \"other/*.parquet\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect_with(&cfg, DS_COLLECT_STAMP, &c, &err), 0, "%s", err.msg);
    bool loc = c.sets[0].stamped, up = c.sets[1].stamped;
    assert_stamped(&c.sets[2]);
    cr_assert_eq(c.sets[2].files[0].stamp.size, 2);
    assert_stamped(&c.sets[3]);
    cr_assert_eq(c.sets[3].files[0].stamp.size, 2);
    /* Stamped now, the views' way: the plugin's write is seen. */
    ds_stamp_files(c.sets[1].files, c.sets[1].n_files);
    long long up_size = c.sets[1].files[0].stamp.size;
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
    cr_assert_not(loc);
    cr_assert_not(up);
    cr_assert_eq(up_size, 5);
}

Test(collect, physical_path_that_is_not_a_file)
{
    /* A FIFO named by a plugin is said to be one (not "does not exist"):
     * by default an error naming the entry; with on_bad_file = "skip" a
     * warning, and neither the data map nor the set holds it. */
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    char *fifo = ds_path_join(root, "lake/pipe.parquet");
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    test_write(root, "plugins/p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F('a.parquet', 'lake/a.parquet'), F('p.parquet', "
               "'lake/pipe.parquet')])\n");
    ds_config cfg;
    parse_cfg(root, "[[file_sources]]\nname = \"s\"\nplugin = \"plugins/p.py\"\n", &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect(&cfg, &c, &err), -1);
    char *want = ds_asprintf("ducksite.toml:1: file source 's': plugin 'plugins/p.py': "
                             "files[1].physical_path %s is a FIFO (named pipe), not a Parquet "
                             "file (published as data/s/p.parquet); give the plugin a file's "
                             "path, or set on_bad_file = \"skip\" to build without it",
                             fifo);
    cr_expect_str_eq(err.msg, want);
    free(want);
    ds_config_free(&cfg);

    parse_cfg(root,
              "[[file_sources]]\nname = \"s\"\nplugin = \"plugins/p.py\"\non_bad_file = \"skip\"\n",
              &cfg);
    ds_buf warnings = {0};
    ds_warn_record(&warnings);
    int rc = ds_collect(&cfg, &c, &err);
    ds_warn_record(NULL);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_expect_eq(c.map.len, 1);
    cr_expect_eq(c.sets[0].n_files, 1);
    cr_expect_str_eq(c.sets[0].files[0].key, "data/s/a.parquet");
    want = ds_asprintf("file source 's': plugin 'plugins/p.py': files[1].physical_path %s is a "
                       "FIFO (named pipe), not a Parquet file: data/s/p.parquet is left out of "
                       "the data map and the views (on_bad_file = \"skip\")",
                       fifo);
    cr_expect(warned(&warnings, want), "%s", ds_buf_str(&warnings));
    free(want);
    ds_buf_free(&warnings);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    free(fifo);
    test_rmtree(root);
    free(root);
}

Test(collect, each_source_reads_a_key_with_its_own_row_filter)
{
    /* "lake" globs a.parquet with no filter; plugin "p" re-publishes the
     * same key and file with a filter, and lists its own key twice (the
     * later entry wins, in whatever order the keys sort); plugin "q"
     * claims six keys for other files.  Each set keeps its own filters, and
     * only claims that change what is read are said: five in full, then a
     * count. */
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "x");
    test_write(root, "lake/b.parquet", "x");
    test_write(root, "plugins/p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def p(cfg):\n"
               "    return M([F('z.parquet', 'lake/a.parquet', 'r = 0'),\n"
               "              F('data/lake/a.parquet', 'lake/a.parquet', 'r = 1'),\n"
               "              F('z.parquet', 'lake/a.parquet', 'r = 2'),\n"
               "              F('m.parquet', 'lake/a.parquet')])\n"
               "def q(cfg):\n"
               "    return M([F(f'data/p/{k}.parquet', 'lake/b.parquet') for k in 'zm'] +\n"
               "             [F(f'data/p/z{k}.parquet', 'lake/b.parquet') for k in 'abcd'] +\n"
               "             [F(f'data/p/z{k}.parquet', 'lake/a.parquet') for k in 'abcd'])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"lake\"\nupstream_glob = \"lake/a.parquet\"\n"
              "[[file_sources]]\nname = \"p\"\nplugin = \"plugins/p.py:p\"\n"
              "[[file_sources]]\nname = \"q\"\nplugin = \"plugins/p.py:q\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    ds_buf warnings = {0};
    ds_warn_record(&warnings);
    int rc = ds_collect(&cfg, &c, &err);
    ds_warn_record(NULL);
    cr_assert_eq(rc, 0, "%s", err.msg);
    const ds_source_set *lake = &c.sets[0], *p = &c.sets[1];
    cr_expect_eq(lake->n_files, 1);
    cr_expect_null(lake->files[0].row_filter, "p's filter changed lake's view");
    cr_expect_eq(p->n_files, 3);
    cr_expect_str_eq(p->files[0].key, "data/lake/a.parquet");
    cr_expect_str_eq(p->files[0].row_filter, "r = 1");
    cr_expect_str_eq(p->files[2].key, "data/p/z.parquet");
    cr_expect_str_eq(p->files[2].row_filter, "r = 2", "the later entry wins");
    char *b = ds_asprintf("%s/lake/b.parquet", root);
    cr_expect_str_eq(p->files[2].path, b, "the key serves q's file, and p reads it");
    free(b);
    const ds_buf *w = &warnings;
    cr_expect_not(warned(w, "data/lake/a.parquet is claimed"));
    cr_expect(warned(w, "data map key data/p/z.parquet is claimed twice, with different row "
                        "filters: file source 'p' (plugin 'plugins/p.py:p', files[0])"));
    cr_expect(warned(w, "data map key data/p/m.parquet is claimed twice, with different files: "
                        "file source 'p' (plugin 'plugins/p.py:p', files[3])"));
    cr_expect(warned(w, "and file source 'q' (plugin 'plugins/p.py:q', files[1])"));
    cr_expect(warned(w, "data map key data/p/za.parquet is claimed twice"));
    cr_expect_not(warned(w, "data map key data/p/zc.parquet"));
    /* In key order: m by p and q, z twice in p and then by q, za, zb, zc
     * and zd twice by q (another file each time): 7 said, 5 in full. */
    cr_expect(warned(w, "2 more data map keys are claimed twice"));
    ds_buf_free(&warnings);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
}

Test(collect, a_plugin_set_followed_by_a_plugin_is_stamped_by_the_views)
{
    /* The second plugin may rewrite the first one's files: the first set
     * keeps no stamps from collecting, the second (the last) does. */
    char *root = test_tmpdir();
    test_write(root, "lake/a.parquet", "xyz");
    test_write(root, "plugins/p.py",
               "from ducksite.virtual_parquet import VirtualParquetFile as F, "
               "VirtualParquetManifest as M\n"
               "def build_manifest(cfg):\n"
               "    return M([F('a.parquet', 'lake/a.parquet')])\n");
    ds_config cfg;
    parse_cfg(root,
              "[[file_sources]]\nname = \"p\"\nplugin = \"plugins/p.py\"\n"
              "[[file_sources]]\nname = \"q\"\nplugin = \"plugins/p.py\"\n",
              &cfg);
    ds_collected c;
    ds_err err;
    cr_assert_eq(ds_collect_with(&cfg, DS_COLLECT_STAMP, &c, &err), 0, "%s", err.msg);
    bool first = c.sets[0].stamped;
    long long first_size = c.sets[0].files[0].stamp.size;
    bool second = c.sets[1].stamped;
    long long second_size = c.sets[1].files[0].stamp.size;
    ds_collected_free(&c);
    /* Without the flag nothing is kept. */
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    bool plain = c.sets[1].stamped;
    ds_collected_free(&c);
    ds_config_free(&cfg);
    test_rmtree(root);
    free(root);
    cr_expect_not(first);
    cr_expect_eq(first_size, -1);
    cr_expect(second);
    cr_expect_eq(second_size, 3);
    cr_expect_not(plain);
}
