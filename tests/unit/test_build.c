/* test_build.c - ds_build end to end on a temporary project: outputs,
 * determinism, failed builds leaving the previous site untouched, --clean,
 * stale SQL removal. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "site/build.h"
#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

/* ---- helpers ------------------------------------------------------------ */

static void make_parquet(const char *root, const char *rel, const char *select)
{
    ds_err err;
    char *path = ds_path_join(root, rel);
    char *parent = ds_path_dirname(path);
    cr_assert_eq(ds_mkdir_p(parent, &err), 0, "%s", err.msg);
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    ds_buf sql = {0};
    ds_buf_printf(&sql, "COPY (%s) TO ", select);
    ds_sql_quote(&sql, path);
    ds_buf_puts(&sql, " (FORMAT parquet)");
    cr_assert_eq(ds_duck_exec(db, sql.data, &err), 0, "%s", err.msg);
    ds_buf_free(&sql);
    ds_duck_close(db);
    free(parent);
    free(path);
}

static char *read_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    ds_err err;
    char *text = ds_read_file(path, NULL, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

static bool exists_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    bool ok = ds_exists(path);
    free(path);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends "rel\n" for every file and "rel/\n" for every directory below
 * dir, recursively, to names. */
static void list_tree(const char *dir, const char *rel, char ***names, size_t *n, size_t *cap)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path = ds_path_join(dir, e->d_name);
        char *sub = *rel ? ds_asprintf("%s/%s", rel, e->d_name) : ds_strdup(e->d_name);
        bool is_dir = ds_is_dir(path);
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 32;
            *names = ds_xrealloc(*names, *cap * sizeof **names);
        }
        (*names)[(*n)++] = is_dir ? ds_asprintf("%s/", sub) : ds_strdup(sub);
        if (is_dir)
            list_tree(path, sub, names, n, cap);
        free(sub);
        free(path);
    }
    closedir(d);
}

/* Every file under dir with its bytes, in sorted order: a snapshot that
 * two states of a tree can be compared by. */
static char *snapshot(const char *dir)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    list_tree(dir, "", &names, &n, &cap);
    qsort(names, n, sizeof *names, cmp_str);
    ds_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        ds_buf_printf(&b, "== %s\n", names[i]);
        if (!ds_ends_with(names[i], "/")) {
            char *text = read_rel(dir, names[i]);
            ds_buf_puts(&b, text);
            free(text);
        }
        free(names[i]);
    }
    free(names);
    return ds_buf_take(&b);
}

/* Just the names, one per line. */
static char *tree_names(const char *dir)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    list_tree(dir, "", &names, &n, &cap);
    qsort(names, n, sizeof *names, cmp_str);
    ds_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        ds_buf_printf(&b, "%s\n", names[i]);
        free(names[i]);
    }
    free(names);
    return ds_buf_take(&b);
}

static long long size_rel(const char *root, const char *rel)
{
    char *path = ds_path_join(root, rel);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0, "%s", path);
    free(path);
    return (long long)st.st_size;
}

/* A project: one upstream source, two models in two files. */
static char *make_project(void)
{
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml", "[[file_sources]]\nname = \"orders\"\n"
                                      "upstream_glob = \"lake/*.parquet\"\n");
    make_parquet(root, "lake/a.parquet",
                 "SELECT * FROM (VALUES ('north', 10.0), ('south', -2.0)) t(region, amount)");
    test_write(root, "sources_sql/a.sql", "-- name: positive\n"
                                          "SELECT * FROM orders WHERE amount > 0;\n");
    test_write(root, "sources_sql/b.sql", "-- name: totals\n"
                                          "SELECT region, sum(amount) AS total\n"
                                          "FROM positive\n"
                                          "GROUP BY region;\n"
                                          "\n"
                                          "-- name: label\n"
                                          "SELECT 'x' AS name WHERE ${p} IS NULL\n");
    return root;
}

static int build(const char *root, bool clean, ds_err *err)
{
    ds_build_options opt = {.clean = clean};
    return ds_build(root, &opt, err);
}

/* ---- tests --------------------------------------------------------------- */

Test(build, outputs_end_to_end)
{
    char *root = make_project();
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);

    char *text = read_rel(root, "static/data_map.json");
    char *want = ds_asprintf("{\n  \"data/orders/a.parquet\": \"%s/lake/a.parquet\"\n}\n", root);
    cr_assert_str_eq(text, want);
    free(want);
    free(text);
    cr_assert(!exists_rel(root, "static/data_map_meta.json"));

    char *names = tree_names(root);
    cr_assert_str_eq(names, ".ducksite/\n.ducksite/build_state.json\n.ducksite/file_facts\n"
                            ".ducksite/forms.json\n"
                            "ducksite.toml\nlake/\nlake/a.parquet\nsources_sql/\n"
                            "sources_sql/a.sql\nsources_sql/b.sql\nstatic/\n"
                            "static/.ducksite-outputs.json\nstatic/data_map.json\n"
                            "static/sql/\nstatic/sql/_global/\n"
                            "static/sql/_global/label.sql\nstatic/sql/_global/orders.sql\n"
                            "static/sql/_global/positive.sql\nstatic/sql/_global/totals.sql\n"
                            "static/sql/_manifest.json\n");
    free(names);

    long long size = size_rel(root, "lake/a.parquet");
    const char *sql = "WITH orders AS (\n"
                      "SELECT * FROM read_parquet(['data/orders/a.parquet'])\n),\n"
                      "positive AS (\nSELECT * FROM orders WHERE amount > 0\n)\n"
                      "SELECT region, sum(amount) AS total\nFROM positive\nGROUP BY region";
    want = ds_asprintf("-- METRICS: num_files=1 total_bytes_cold=%lld largest_file_bytes=%lld "
                       "two_largest_bytes=%lld avg_file_bytes=%lld.00 sql_bytes=%zu\n%s\n",
                       size, size, size, size, strlen(sql), sql);
    text = read_rel(root, "static/sql/_global/totals.sql");
    cr_assert_str_eq(text, want);
    free(text);
    free(want);

    text = read_rel(root, "static/sql/_global/label.sql");
    cr_assert_str_eq(text, "-- METRICS: num_files=0 total_bytes_cold=0 largest_file_bytes=0 "
                           "two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=37\n"
                           "SELECT 'x' AS name WHERE ${p} IS NULL\n");
    free(text);

    text = read_rel(root, "static/sql/_manifest.json");
    cr_assert_str_eq(text, "{\n"
                           "  \"views\": {\n"
                           "    \"label\": {\n"
                           "      \"deps\": [],\n"
                           "      \"kind\": \"model\",\n"
                           "      \"sql_path\": \"/sql/_global/label.sql\"\n"
                           "    },\n"
                           "    \"orders\": {\n"
                           "      \"deps\": [],\n"
                           "      \"kind\": \"file_source\",\n"
                           "      \"sql_path\": \"/sql/_global/orders.sql\"\n"
                           "    },\n"
                           "    \"positive\": {\n"
                           "      \"deps\": [\n"
                           "        \"orders\"\n"
                           "      ],\n"
                           "      \"kind\": \"model\",\n"
                           "      \"sql_path\": \"/sql/_global/positive.sql\"\n"
                           "    },\n"
                           "    \"totals\": {\n"
                           "      \"deps\": [\n"
                           "        \"orders\",\n"
                           "        \"positive\"\n"
                           "      ],\n"
                           "      \"kind\": \"model\",\n"
                           "      \"sql_path\": \"/sql/_global/totals.sql\"\n"
                           "    }\n"
                           "  }\n"
                           "}\n");
    free(text);
    test_rmtree(root);
    free(root);
}

Test(build, templated_and_static_sources)
{
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml", "[[file_sources]]\nname = \"orders\"\n"
                                      "upstream_glob = \"lake/*.parquet\"\n"
                                      "template_name = \"orders_[region]\"\n"
                                      "[[file_sources]]\nname = \"local\"\n");
    make_parquet(root, "lake/a.parquet",
                 "SELECT * FROM (VALUES ('north', 1), ('south', 2)) t(region, amount)");
    make_parquet(root, "lake/b.parquet", "SELECT * FROM (VALUES ('south', 3)) t(region, amount)");
    make_parquet(root, "static/data/l.parquet", "SELECT 42 AS answer");
    test_write(root, "sources_sql/m.sql", "-- name: answer\nSELECT answer FROM local\n"
                                          "-- name: rel\n"
                                          "SELECT * FROM read_parquet('data/l.parquet')\n");
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *names = tree_names(root);
    cr_assert(strstr(names, "static/sql/_global/orders.sql\n"
                            "static/sql/_global/orders_north.sql\n"
                            "static/sql/_global/orders_south.sql\n") != NULL,
              "%s", names);
    cr_assert(strstr(names, "static/sql/_global/local.sql\n") != NULL, "%s", names);
    free(names);
    char *text = read_rel(root, "static/sql/_global/orders_north.sql");
    cr_assert(ds_ends_with(text, "\nSELECT * FROM read_parquet(['data/orders/a.parquet']) "
                                 "WHERE region = 'north'\n"),
              "%s", text);
    free(text);
    /* Static files are served as they are: not in the map. */
    text = read_rel(root, "static/data_map.json");
    char *want = ds_asprintf("{\n  \"data/orders/a.parquet\": \"%s/lake/a.parquet\",\n"
                             "  \"data/orders/b.parquet\": \"%s/lake/b.parquet\"\n}\n",
                             root, root);
    cr_assert_str_eq(text, want);
    free(want);
    free(text);
    text = read_rel(root, "static/sql/_manifest.json");
    cr_assert(strstr(text, "\"kind\": \"file_source_template\"") != NULL, "%s", text);
    free(text);
    test_rmtree(root);
    free(root);
}

Test(build, twice_is_identical)
{
    char *root = make_project();
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *st = ds_path_join(root, "static");
    char *first = snapshot(st);
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *second = snapshot(st);
    cr_assert_str_eq(first, second);
    cr_assert_eq(build(root, true, &err), 0, "%s", err.msg);
    char *third = snapshot(st);
    cr_assert_str_eq(first, third);
    free(first);
    free(second);
    free(third);
    free(st);
    test_rmtree(root);
    free(root);
}

/* A rebuild sees every change to a lake: a file rewritten in place with
 * the same size (only its mtime tells), a file added and a file removed.
 * The footers of unchanged files come from .ducksite/file_facts, and the
 * folder's own mtime does not change when a file is rewritten in place. */
Test(build, rebuild_sees_changed_added_removed_files)
{
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml", "[[file_sources]]\nname = \"lake\"\n"
                                      "upstream_glob = \"lake/*.parquet\"\n");
    make_parquet(root, "lake/a.parquet", "SELECT 1::INTEGER AS id");
    make_parquet(root, "lake/b.parquet", "SELECT 2::INTEGER AS id");
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *view = read_rel(root, "static/sql/_global/lake.sql");
    cr_assert_null(strstr(view, "\"ix\""), "%s", view); /* one schema: the plain view */
    free(view);

    /* b rewritten in place: another column name of the same length, the
     * same size, the folder's mtime kept; only b's own mtime differs. */
    char *lake = ds_path_join(root, "lake");
    struct stat before;
    cr_assert_eq(stat(lake, &before), 0);
    long long size = size_rel(root, "lake/b.parquet");
    make_parquet(root, "lake/b.parquet", "SELECT 2::INTEGER AS ix");
    cr_assert_eq(size_rel(root, "lake/b.parquet"), size, "the test needs the same size");
    char *b = ds_path_join(root, "lake/b.parquet");
    struct timespec when[2] = {{1000000000, 0}, {1000000000, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, b, when, 0), 0);
    struct timespec folder[2] = {before.st_atim, before.st_mtim};
    cr_assert_eq(utimensat(AT_FDCWD, lake, folder, 0), 0);
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    view = read_rel(root, "static/sql/_global/lake.sql");
    cr_assert_not_null(strstr(view, "\"ix\""), "b's new column is in the view: %s", view);
    free(view);

    /* c added, a removed. */
    make_parquet(root, "lake/c.parquet", "SELECT 3::INTEGER AS id");
    char *a = ds_path_join(root, "lake/a.parquet");
    cr_assert_eq(unlink(a), 0);
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *map = read_rel(root, "static/data_map.json");
    cr_assert_not_null(strstr(map, "\"data/lake/c.parquet\""), "%s", map);
    cr_assert_null(strstr(map, "\"data/lake/a.parquet\""), "%s", map);
    cr_assert_not_null(strstr(map, "\"data/lake/b.parquet\""), "%s", map);
    free(map);
    view = read_rel(root, "static/sql/_global/lake.sql");
    cr_assert_not_null(strstr(view, "data/lake/c.parquet"), "%s", view);
    cr_assert_null(strstr(view, "data/lake/a.parquet"), "%s", view);
    free(view);
    free(a);
    free(b);
    free(lake);
    test_rmtree(root);
    free(root);
}

/* What on_map saw: the keys of the map it was handed, one call counted. */
typedef struct {
    int calls;
    char keys[256];
} seen_map;

static void note_map(const ds_datamap *map, void *arg)
{
    seen_map *seen = arg;
    seen->calls++;
    seen->keys[0] = '\0';
    for (size_t i = 0; i < map->len; i++)
        snprintf(seen->keys + strlen(seen->keys), sizeof seen->keys - strlen(seen->keys),
                 "%s\n", map->items[i].key);
}

/* A published build hands its map to on_map (what `ducksite serve` gives
 * its server); a failed one does not. */
Test(build, on_map_gets_the_published_map)
{
    char *root = make_project();
    seen_map seen = {0};
    ds_build_options opt = {.on_map = note_map, .on_map_arg = &seen};
    ds_err err;
    cr_assert_eq(ds_build(root, &opt, &err), 0, "%s", err.msg);
    cr_assert_eq(seen.calls, 1);
    cr_assert_str_eq(seen.keys, "data/orders/a.parquet\n");

    test_write(root, "sources_sql/c.sql", "-- name: broken\nSELECT no_such_column FROM orders\n");
    cr_assert_eq(ds_build(root, &opt, &err), -1);
    cr_assert_eq(seen.calls, 1);
    test_rmtree(root);
    free(root);
}

Test(build, failed_build_keeps_previous_outputs)
{
    char *root = make_project();
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *st = ds_path_join(root, "static");
    char *before = snapshot(st);

    /* A new source and a new good model, plus a model with an SQL error:
     * nothing of it may reach static/. */
    test_write(root, "ducksite.toml", "[[file_sources]]\nname = \"orders\"\n"
                                      "upstream_glob = \"lake/*.parquet\"\n"
                                      "[[file_sources]]\nname = \"more\"\n"
                                      "upstream_glob = \"lake2/*.parquet\"\n");
    make_parquet(root, "lake2/m.parquet", "SELECT 1 AS x");
    test_write(root, "sources_sql/c.sql", "-- name: fine\nSELECT * FROM more\n\n"
                                          "-- name: broken\nSELECT no_such_column FROM orders\n");
    cr_assert_eq(build(root, false, &err), -1);
    cr_assert(ds_starts_with(err.msg, "sources_sql/c.sql:5: query 'broken': "), "%s", err.msg);
    cr_assert(strstr(err.msg, "no_such_column") != NULL, "%s", err.msg);
    char *after = snapshot(st);
    cr_assert_str_eq(before, after);
    free(after);

    /* Same with --clean: the failure comes before anything is emptied. */
    test_write(root, "static/forms/f.json", "{}");
    test_write(root, "static/extra.txt", "keep me");
    free(before);
    before = snapshot(st);
    cr_assert_eq(build(root, true, &err), -1);
    after = snapshot(st);
    cr_assert_str_eq(before, after);
    free(after);

    /* A syntax error (named at its line) and a config error behave the same. */
    test_write(root, "sources_sql/c.sql", "-- name: broken\nSELEC 1\n");
    cr_assert_eq(build(root, true, &err), -1);
    cr_assert(ds_starts_with(err.msg, "sources_sql/c.sql:2: query 'broken': "), "%s", err.msg);
    after = snapshot(st);
    cr_assert_str_eq(before, after);
    free(after);
    test_write(root, "ducksite.toml", "[[file_sources]]\nname = 3\n");
    cr_assert_eq(build(root, true, &err), -1);
    cr_assert(strstr(err.msg, "ducksite.toml:2:") != NULL, "%s", err.msg);
    after = snapshot(st);
    cr_assert_str_eq(before, after);
    free(after);

    free(before);
    free(st);
    test_rmtree(root);
    free(root);
}

Test(build, clean_empties_static_but_forms)
{
    char *root = make_project();
    test_write(root, "static/forms/contact/1.json", "{\"a\": 1}");
    test_write(root, "static/old.html", "old");
    test_write(root, "static/sql/_global/junk.txt", "junk");
    test_write(root, "static/deep/er/file.txt", "x");
    ds_err err;

    /* By default, static/ is not emptied. */
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    cr_assert(exists_rel(root, "static/old.html"));
    cr_assert(exists_rel(root, "static/deep/er/file.txt"));
    cr_assert(exists_rel(root, "static/sql/_global/junk.txt"));

    cr_assert_eq(build(root, true, &err), 0, "%s", err.msg);
    char *st = ds_path_join(root, "static");
    char *names = tree_names(st);
    cr_assert_str_eq(names, ".ducksite-outputs.json\ndata_map.json\nforms/\nforms/contact/\n"
                            "forms/contact/1.json\n"
                            "sql/\nsql/_global/\nsql/_global/label.sql\n"
                            "sql/_global/orders.sql\nsql/_global/positive.sql\n"
                            "sql/_global/totals.sql\nsql/_manifest.json\n");
    free(names);
    char *text = read_rel(root, "static/forms/contact/1.json");
    cr_assert_str_eq(text, "{\"a\": 1}");
    free(text);
    free(st);
    test_rmtree(root);
    free(root);
}

Test(build, deleted_model_sql_removed)
{
    char *root = make_project();
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    cr_assert(exists_rel(root, "static/sql/_global/label.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/totals.sql"));
    test_write(root, "static/sql/_global/notes.txt", "not SQL: left alone");

    test_write(root, "sources_sql/b.sql", "-- name: totals\n"
                                          "SELECT region, sum(amount) AS total\n"
                                          "FROM positive\n"
                                          "GROUP BY region;\n");
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    cr_assert(!exists_rel(root, "static/sql/_global/label.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/totals.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/positive.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/orders.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/notes.txt"));
    char *text = read_rel(root, "static/sql/_manifest.json");
    cr_assert_null(strstr(text, "label"), "%s", text);
    cr_assert_not_null(strstr(text, "\"totals\""), "%s", text);
    free(text);

    /* Removing the whole models directory leaves only the source view. */
    char *dir = ds_path_join(root, "sources_sql");
    test_rmtree(dir);
    free(dir);
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *st = ds_path_join(root, "static/sql/_global");
    char *names = tree_names(st);
    cr_assert_str_eq(names, "notes.txt\norders.sql\n");
    free(names);
    free(st);
    test_rmtree(root);
    free(root);
}

/* A site built before builds recorded their outputs: its first build
 * removes only what builds alone write (here: SQL files), never a page
 * that might be someone's own; from then on the record decides. */
Test(build, site_without_a_record)
{
    char *root = make_project();
    test_write(root, "static/sql/_global/stale.sql", "SELECT 1");
    test_write(root, "static/sql/_global/notes.txt", "not SQL: left alone");
    test_write(root, "static/old.html", "no markdown, but maybe written by hand");
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    cr_assert_not(exists_rel(root, "static/sql/_global/stale.sql"));
    cr_assert(exists_rel(root, "static/sql/_global/notes.txt"));
    cr_assert(exists_rel(root, "static/old.html"));
    char *text = read_rel(root, "static/.ducksite-outputs.json");
    cr_assert(strstr(text, "\"sql/_global/orders.sql\""), "%s", text);
    cr_assert_null(strstr(text, "old.html"), "%s", text);
    cr_assert_null(strstr(text, "notes.txt"), "%s", text);
    free(text);
    test_rmtree(root);
    free(root);
}

Test(build, missing_config)
{
    char *root = test_tmpdir();
    ds_err err;
    cr_assert_eq(build(root, false, &err), -1);
    cr_assert(strstr(err.msg, "ducksite init") != NULL, "%s", err.msg);
    cr_assert(!exists_rel(root, "static"));
    test_rmtree(root);
    free(root);
}

Test(build, empty_project)
{
    char *root = test_tmpdir();
    test_write(root, "ducksite.toml", "");
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *text = read_rel(root, "static/data_map.json");
    cr_assert_str_eq(text, "{}\n");
    free(text);
    text = read_rel(root, "static/sql/_manifest.json");
    cr_assert_str_eq(text, "{\n  \"views\": {}\n}\n");
    free(text);
    test_rmtree(root);
    free(root);
}

/* A page per value: its value fills its format expressions (SQL the
 * browser puts in the query) as a quoted literal, and ${params.name} left
 * in a title is its own value, not a placeholder naming no input. */
Test(build, page_per_value_fills_format_expressions)
{
    char *root = make_project();
    test_write(root, "content/r/[region].md",
               "---\nvalues_sql: SELECT DISTINCT region FROM orders ORDER BY 1\n---\n"
               "```sql rows\nSELECT region, amount FROM orders WHERE region = ${params.region}\n"
               "```\n"
               "```table rows\ntitle: Rows of ${params.region}\nformat:\n  amount:\n"
               "    bg_color_expr: CASE WHEN region = ${params.region} THEN 'red' END\n```\n");
    ds_err err;
    cr_assert_eq(build(root, false, &err), 0, "%s", err.msg);
    char *text = read_rel(root, "static/r/north.html");
    cr_assert(strstr(text, "CASE WHEN region = 'north' THEN 'red' END"), "%s", text);
    cr_assert_null(strstr(text, "region = ${params.region}"), "%s", text);
    free(text);
    test_rmtree(root);
    free(root);
}
