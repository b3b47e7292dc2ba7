/* test_compile.c - the CTE compiler: dependencies from DuckDB's parser,
 * ordering, WITH merging, cycles, validation errors and metrics. */
#include <criterion/criterion.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "datamap/collect.h"
#include "sql/compile.h"
#include "sql/duck.h"
#include "sql/sqltext.h"
#include "testutil.h"

/* Compiles l with no files; returns ds_compile_all's result. */
static int compile_plain(const ds_query_list *l, ds_compiled_list *out, ds_err *err)
{
    ds_collected none = {0};
    ds_keyset bad = {0};
    ds_err oerr;
    ds_duck *db = ds_duck_open(&oerr);
    cr_assert_not_null(db, "%s", oerr.msg);
    int rc = ds_compile_all(l, &none, &bad, db, out, err);
    ds_duck_close(db);
    return rc;
}

static void model(ds_query_list *l, const char *name, const char *sql, int line)
{
    ds_query_add(l, name, DS_KIND_MODEL, sql, "sources_sql/m.sql", line);
}

static const ds_compiled *compiled(const ds_compiled_list *l, const char *name)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    cr_assert_fail("no compiled query %s", name);
    return NULL;
}

/* Compiles l, which must fail; l is freed (and left empty) before any
 * assertion, so a failing check leaks nothing. */
static void expect_error(ds_query_list *l, const char *want_prefix, const char *want_part)
{
    ds_compiled_list out;
    ds_err err;
    int rc = compile_plain(l, &out, &err);
    size_t out_len = out.len;
    ds_compiled_list_free(&out);
    ds_query_list_free(l);
    cr_assert_eq(rc, -1, "compiled without error");
    cr_assert(ds_starts_with(err.msg, want_prefix), "message: %s\nwanted prefix: %s", err.msg,
              want_prefix);
    if (want_part)
        cr_assert(strstr(err.msg, want_part) != NULL, "message: %s\nlacks: %s", err.msg,
                  want_part);
    cr_assert_eq(out_len, 0);
}

Test(compile, no_dependencies)
{
    ds_query_list l = {0};
    model(&l, "one", "SELECT 1", 1);
    model(&l, "two", "SELECT * FROM range(3) WHERE range > ${inputs.x}", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.len, 2);
    cr_assert_str_eq(out.items[0].name, "one");
    cr_assert_eq(out.items[0].kind, DS_KIND_MODEL);
    cr_assert_eq(out.items[0].n_deps, 0);
    cr_assert_str_eq(out.items[0].sql, "SELECT 1");
    cr_assert_str_eq(out.items[0].metrics,
                     "-- METRICS: num_files=0 total_bytes_cold=0 largest_file_bytes=0 "
                     "two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=8");
    cr_assert_eq(out.items[1].n_deps, 0);
    cr_assert_str_eq(out.items[1].sql, "SELECT * FROM range(3) WHERE range > ${inputs.x}");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, empty_list)
{
    ds_query_list l = {0};
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.len, 0);
    ds_compiled_list_free(&out);
}

Test(compile, chain_in_dependency_order)
{
    ds_query_list l = {0};
    /* Listed before their dependencies on purpose. */
    model(&l, "a", "SELECT y FROM b WHERE y > ${inputs.min}", 1);
    model(&l, "b", "SELECT x + 1 AS y FROM c", 3);
    model(&l, "c", "SELECT 1 AS x", 5);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(out.len, 3);
    cr_assert_str_eq(out.items[0].name, "a");
    cr_assert_str_eq(out.items[1].name, "b");
    cr_assert_str_eq(out.items[2].name, "c");

    const ds_compiled *a = &out.items[0];
    cr_assert_eq(a->n_deps, 2);
    cr_assert_str_eq(a->deps[0], "c");
    cr_assert_str_eq(a->deps[1], "b");
    cr_assert_str_eq(a->sql, "WITH c AS (\nSELECT 1 AS x\n),\nb AS (\nSELECT x + 1 AS y FROM c\n)"
                             "\nSELECT y FROM b WHERE y > ${inputs.min}");
    char *want = ds_asprintf("-- METRICS: num_files=0 total_bytes_cold=0 largest_file_bytes=0 "
                             "two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=%zu",
                             strlen(a->sql));
    cr_assert_str_eq(a->metrics, want);
    free(want);

    const ds_compiled *b = &out.items[1];
    cr_assert_eq(b->n_deps, 1);
    cr_assert_str_eq(b->deps[0], "c");
    cr_assert_str_eq(b->sql, "WITH c AS (\nSELECT 1 AS x\n)\nSELECT x + 1 AS y FROM c");
    cr_assert_eq(out.items[2].n_deps, 0);
    cr_assert_str_eq(out.items[2].sql, "SELECT 1 AS x");

    /* The compiled statement is self-contained and runs. */
    ds_duck *db = ds_duck_open(&err);
    char *plain = ds_sql_null_placeholders(a->sql);
    char *run = ds_asprintf("SELECT count(*) FROM (%s)", b->sql);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, run, &rows, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ds_rows_get(&rows, 0, 0), "1");
    ds_rows_free(&rows);
    cr_assert_eq(ds_duck_exec(db, plain, &err), 0, "%s", err.msg);
    free(run);
    free(plain);
    ds_duck_close(db);

    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, diamond_inlines_shared_dependency_once)
{
    ds_query_list l = {0};
    model(&l, "top", "SELECT * FROM left_side JOIN right_side USING (k)", 1);
    model(&l, "left_side", "SELECT k, v AS l FROM base", 2);
    model(&l, "right_side", "SELECT k, v AS r FROM base", 3);
    model(&l, "base", "SELECT 1 AS k, 2 AS v", 4);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    const ds_compiled *top = compiled(&out, "top");
    cr_assert_eq(top->n_deps, 3);
    cr_assert_str_eq(top->deps[0], "base");
    bool l_then_r = strcmp(top->deps[1], "left_side") == 0 &&
                    strcmp(top->deps[2], "right_side") == 0;
    bool r_then_l = strcmp(top->deps[1], "right_side") == 0 &&
                    strcmp(top->deps[2], "left_side") == 0;
    cr_assert(l_then_r || r_then_l, "deps: %s, %s", top->deps[1], top->deps[2]);
    cr_assert(ds_starts_with(top->sql, "WITH base AS (\nSELECT 1 AS k, 2 AS v\n),\n"), "%s",
              top->sql);
    cr_assert(ds_ends_with(top->sql, ")\nSELECT * FROM left_side JOIN right_side USING (k)"),
              "%s", top->sql);
    /* "base AS (" appears once. */
    const char *first = strstr(top->sql, "base AS (");
    cr_assert_null(strstr(first + 1, "base AS ("));
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, with_merge)
{
    ds_query_list l = {0};
    model(&l, "src", "SELECT 1 AS x", 1);
    model(&l, "q", "WITH t AS (SELECT x * 2 AS y FROM src)\nSELECT y FROM t", 2);
    model(&l, "q2", "-- leading comment\nwith t AS (SELECT 3 AS z) SELECT * FROM t, src", 4);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    const ds_compiled *q = compiled(&out, "q");
    cr_assert_eq(q->n_deps, 1);
    cr_assert_str_eq(q->deps[0], "src");
    cr_assert_str_eq(q->sql, "WITH src AS (\nSELECT 1 AS x\n),\nt AS (SELECT x * 2 AS y FROM "
                             "src)\nSELECT y FROM t");
    const ds_compiled *q2 = compiled(&out, "q2");
    cr_assert_str_eq(q2->sql, "WITH src AS (\nSELECT 1 AS x\n),\nt AS (SELECT 3 AS z) SELECT * "
                              "FROM t, src");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, with_recursive_merge)
{
    ds_query_list l = {0};
    model(&l, "start", "SELECT 1 AS n", 1);
    model(&l, "counter",
          "WITH RECURSIVE r(n) AS (SELECT n FROM start UNION ALL SELECT n + 1 FROM r WHERE n < "
          "3) SELECT * FROM r",
          2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    const ds_compiled *c = compiled(&out, "counter");
    cr_assert_eq(c->n_deps, 1);
    cr_assert_str_eq(c->deps[0], "start");
    cr_assert_str_eq(c->sql, "WITH RECURSIVE start AS (\nSELECT 1 AS n\n),\nr(n) AS (SELECT n "
                             "FROM start UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * "
                             "FROM r");
    ds_duck *db = ds_duck_open(&err);
    char *sql = ds_asprintf("SELECT sum(n) FROM (%s)", c->sql);
    ds_rows rows;
    cr_assert_eq(ds_duck_query(db, sql, &rows, &err), 0, "%s", err.msg);
    cr_assert_str_eq(ds_rows_get(&rows, 0, 0), "6");
    ds_rows_free(&rows);
    free(sql);
    ds_duck_close(db);
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, cte_of_same_name_is_not_a_dependency)
{
    ds_query_list l = {0};
    model(&l, "b", "SELECT 1 AS y", 1);
    model(&l, "a", "WITH b AS (SELECT 2 AS y) SELECT y FROM b", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    const ds_compiled *a = compiled(&out, "a");
    cr_assert_eq(a->n_deps, 0);
    cr_assert_str_eq(a->sql, "WITH b AS (SELECT 2 AS y) SELECT y FROM b");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, names_in_strings_and_comments_are_not_dependencies)
{
    ds_query_list l = {0};
    model(&l, "b", "SELECT 1 AS y", 1);
    model(&l, "a", "SELECT 'FROM b' AS s -- FROM b\n", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_eq(compiled(&out, "a")->n_deps, 0);
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

Test(compile, cycle_error_prints_cycle)
{
    ds_query_list l = {0};
    model(&l, "a", "SELECT * FROM b", 1);
    model(&l, "b", "SELECT * FROM a", 3);
    expect_error(&l, "sources_sql/m.sql:1: queries depend on each other in a cycle: a -> b -> a",
                 NULL);
    ds_query_list_free(&l);

    model(&l, "start", "SELECT * FROM a", 1);
    model(&l, "a", "SELECT * FROM b", 2);
    model(&l, "b", "SELECT * FROM c", 3);
    model(&l, "c", "SELECT * FROM a", 4);
    expect_error(&l, "sources_sql/m.sql:2: queries depend on each other in a cycle: a -> b -> c "
                     "-> a",
                 NULL);
    ds_query_list_free(&l);
}

Test(compile, self_reference_error)
{
    ds_query_list l = {0};
    model(&l, "ok", "SELECT 1", 1);
    model(&l, "a", "SELECT * FROM a", 3);
    expect_error(&l, "sources_sql/m.sql:3: query 'a' reads itself (FROM a)", NULL);
    ds_query_list_free(&l);
}

Test(compile, page_query_cannot_be_read)
{
    ds_query_list l = {0};
    ds_query_add(&l, "page_q", DS_KIND_PAGE_QUERY, "SELECT 1 AS x", "content/index.md", 12);
    model(&l, "m", "SELECT * FROM page_q", 2);
    expect_error(&l, "sources_sql/m.sql:2: query 'm' reads page query 'page_q' as a table; page "
                     "queries cannot be used by other queries (move it to sources_sql/)",
                 NULL);
    ds_query_list_free(&l);
}

Test(compile, syntax_error_names_file_and_line)
{
    ds_query_list l = {0};
    model(&l, "good", "SELECT 1", 1);
    model(&l, "bad", "SELEC 1 FROM good", 7);
    expect_error(&l, "sources_sql/m.sql:7: query 'bad': ", "syntax error");
    ds_query_list_free(&l);
}

Test(compile, more_than_one_statement)
{
    ds_query_list l = {0};
    model(&l, "two", "SELECT 1; SELECT 2", 4);
    expect_error(&l, "sources_sql/m.sql:4: query 'two': expected exactly one SELECT statement, "
                     "found 2 statements",
                 NULL);
    ds_query_list_free(&l);
}

Test(compile, unknown_names_are_left_to_duckdb)
{
    ds_query_list l = {0};
    model(&l, "q", "SELECT * FROM no_such_table", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), -1);
    ds_query_list_free(&l);
    cr_assert(ds_starts_with(err.msg, "sources_sql/m.sql:2: query 'q': "), "%s", err.msg);
    cr_assert(strstr(err.msg, "no_such_table") != NULL, "%s", err.msg);
    cr_assert_null(strstr(err.msg, "cycle"));
    cr_assert_null(strstr(err.msg, "reads itself"));
    ds_query_list_free(&l);

    /* Qualified names and table functions are DuckDB's too, even when the
     * last part matches one of ours. */
    model(&l, "range_x", "SELECT 1 AS x", 1);
    model(&l, "q", "SELECT * FROM range(2), (SELECT 1 FROM main.range_x) s", 2);
    cr_assert_eq(compile_plain(&l, &out, &err), -1);
    cr_assert(ds_starts_with(err.msg, "sources_sql/m.sql:2: query 'q': "), "%s", err.msg);
    ds_query_list_free(&l);
}

Test(compile, placeholders_validate_as_null)
{
    ds_query_list l = {0};
    model(&l, "base", "SELECT 1 AS x", 1);
    model(&l, "q", "SELECT * FROM base WHERE x = ${inputs.x} AND '${not_in_string}' IS NOT NULL",
          2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), 0, "%s", err.msg);
    cr_assert_str_eq(compiled(&out, "q")->sql,
                     "WITH base AS (\nSELECT 1 AS x\n)\nSELECT * FROM base WHERE x = "
                     "${inputs.x} AND '${not_in_string}' IS NOT NULL");
    ds_compiled_list_free(&out);
    ds_query_list_free(&l);
}

/* ---- metrics and files --------------------------------------------------- */

typedef struct {
    char *root;
    ds_duck *db;
    ds_config cfg;
    ds_collected c;
    ds_query_list q;
    ds_keyset bad;
} proj;

static void proj_parquet(proj *p, const char *rel, const char *select)
{
    ds_err err;
    char *path = ds_path_join(p->root, rel);
    char *parent = ds_path_dirname(path);
    cr_assert_eq(ds_mkdir_p(parent, &err), 0, "%s", err.msg);
    char *sql = ds_asprintf("COPY (%s) TO '%s' (FORMAT parquet)", select, path);
    cr_assert_eq(ds_duck_exec(p->db, sql, &err), 0, "%s", err.msg);
    free(sql);
    free(parent);
    free(path);
}

static long long file_size(proj *p, const char *rel)
{
    char *path = ds_path_join(p->root, rel);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    free(path);
    return (long long)st.st_size;
}

/* filters: per-file row filters of a, b, c (as a plugin gives them), or NULL. */
/* MISSING (or NULL): a file deleted before the views are made. */
static void proj_setup_with(proj *p, const char *const *filters, const char *missing)
{
    memset(p, 0, sizeof *p);
    p->root = test_tmpdir();
    ds_err err;
    p->db = ds_duck_open(&err);
    cr_assert_not_null(p->db, "%s", err.msg);
    proj_parquet(p, "lake/a.parquet", "SELECT range AS id, 'n' AS region FROM range(10)");
    proj_parquet(p, "lake/b.parquet",
                 "SELECT range AS id, 's' || range AS region FROM range(5000)");
    proj_parquet(p, "lake/c.parquet", "SELECT range AS id, 'w' AS region FROM range(300)");
    const char *toml = "[[file_sources]]\nname = \"o\"\nupstream_glob = \"lake/*.parquet\"\n";
    cr_assert_eq(ds_config_parse(toml, strlen(toml), p->root, "ducksite.toml", &p->cfg, &err), 0,
                 "%s", err.msg);
    cr_assert_eq(ds_collect(&p->cfg, &p->c, &err), 0, "%s", err.msg);
    cr_assert_eq(p->c.sets[0].n_files, 3);
    for (size_t i = 0; filters && i < 3; i++)
        p->c.sets[0].files[i].row_filter = filters[i];
    if (missing) {
        char *path = ds_path_join(p->root, missing);
        cr_assert_eq(unlink(path), 0);
        free(path);
    }
    cr_assert_eq(ds_source_views(&p->cfg, &p->c, NULL, p->db, &p->q, NULL, &p->bad, &err), 0, "%s",
                 err.msg);
    ds_collected_index(&p->c);
}

static void proj_setup_filtered(proj *p, const char *const *filters)
{
    proj_setup_with(p, filters, NULL);
}

static void proj_setup(proj *p)
{
    proj_setup_filtered(p, NULL);
}

static void proj_free(proj *p)
{
    ds_keyset_free(&p->bad);
    ds_query_list_free(&p->q);
    ds_collected_free(&p->c);
    ds_config_free(&p->cfg);
    ds_duck_close(p->db);
    test_rmtree(p->root);
    free(p->root);
}

static char *metrics(long long *sizes, size_t n, size_t sql_bytes)
{
    long long total = 0, l1 = 0, l2 = 0;
    for (size_t i = 0; i < n; i++) {
        total += sizes[i];
        if (sizes[i] > l1) {
            l2 = l1;
            l1 = sizes[i];
        } else if (sizes[i] > l2) {
            l2 = sizes[i];
        }
    }
    return ds_asprintf("-- METRICS: num_files=%zu total_bytes_cold=%lld largest_file_bytes=%lld "
                       "two_largest_bytes=%lld avg_file_bytes=%.2f sql_bytes=%zu",
                       n, total, l1, l1 + l2, n ? (double)total / (double)n : 0.0, sql_bytes);
}

Test(compile, metrics_over_real_files)
{
    proj p;
    proj_setup(&p);
    model(&p.q, "all_rows", "SELECT count(*) AS n FROM o", 1);
    model(&p.q, "just_a", "SELECT * FROM read_parquet('data/o/a.parquet')", 2);
    model(&p.q, "a_twice",
          "SELECT * FROM read_parquet('data/o/a.parquet') UNION ALL SELECT * FROM "
          "read_parquet(['data/o/a.parquet', 'data/o/c.parquet'])",
          3);
    model(&p.q, "not_a_key", "SELECT 'data/o/zzz.parquet' AS s", 4);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), 0, "%s", err.msg);
    long long sa = file_size(&p, "lake/a.parquet"), sb = file_size(&p, "lake/b.parquet"),
              sc = file_size(&p, "lake/c.parquet");
    cr_assert(sa != sb && sb != sc && sa != sc, "need distinct sizes");

    const ds_compiled *o = compiled(&out, "o");
    cr_assert_eq(o->kind, DS_KIND_FILE_SOURCE);
    cr_assert_str_eq(o->sql, "SELECT * FROM read_parquet(['data/o/a.parquet', "
                             "'data/o/b.parquet', 'data/o/c.parquet'])");
    long long all[] = {sa, sb, sc};
    char *want = metrics(all, 3, strlen(o->sql));
    cr_assert_str_eq(o->metrics, want);
    free(want);

    const ds_compiled *q = compiled(&out, "all_rows");
    cr_assert_eq(q->n_deps, 1);
    cr_assert_str_eq(q->deps[0], "o");
    cr_assert_str_eq(q->sql, "WITH o AS (\nSELECT * FROM read_parquet(['data/o/a.parquet', "
                             "'data/o/b.parquet', 'data/o/c.parquet'])\n)\n"
                             "SELECT count(*) AS n FROM o");
    want = metrics(all, 3, strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);

    long long just_a[] = {sa};
    q = compiled(&out, "just_a");
    want = metrics(just_a, 1, strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);

    long long ac[] = {sa, sc};
    q = compiled(&out, "a_twice");
    want = metrics(ac, 2, strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);

    q = compiled(&out, "not_a_key");
    want = metrics(NULL, 0, strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);

    ds_compiled_list_free(&out);
    proj_free(&p);
}

Test(compile, metrics_exact_text_format)
{
    proj p;
    proj_setup(&p);
    ds_query_list_free(&p.q);
    model(&p.q, "just_a", "SELECT * FROM read_parquet('data/o/a.parquet')", 1);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), 0, "%s", err.msg);
    long long sa = file_size(&p, "lake/a.parquet");
    char *want = ds_asprintf("-- METRICS: num_files=1 total_bytes_cold=%lld "
                             "largest_file_bytes=%lld two_largest_bytes=%lld "
                             "avg_file_bytes=%lld.00 sql_bytes=46",
                             sa, sa, sa, sa);
    cr_assert_str_eq(out.items[0].metrics, want);
    free(want);
    ds_compiled_list_free(&out);
    proj_free(&p);
}

Test(compile, validation_uses_physical_files)
{
    proj p;
    proj_setup(&p);
    model(&p.q, "bad_col", "SELECT no_such_column FROM o", 6);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), -1);
    cr_assert(ds_starts_with(err.msg, "sources_sql/m.sql:6: query 'bad_col': "), "%s", err.msg);
    cr_assert(strstr(err.msg, "no_such_column") != NULL, "%s", err.msg);
    cr_assert_eq(out.len, 0);
    proj_free(&p);
}

Test(compile, unreadable_files_skip_validation)
{
    proj p;
    /* Missing when the views are made: noted as unreadable there. */
    proj_setup_with(&p, NULL, "lake/b.parquet");
    cr_assert(ds_keyset_has(&p.bad, "data/o/b.parquet"));
    /* Would fail validation if it were validated. */
    model(&p.q, "reads_b", "SELECT no_such_column FROM read_parquet('data/o/b.parquet')", 1);
    /* Does not read b: still validated. */
    model(&p.q, "reads_a", "SELECT id FROM read_parquet('data/o/a.parquet')", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), 0, "%s", err.msg);
    const ds_compiled *q = compiled(&out, "reads_b");
    /* A missing file counts with size 0. */
    char *want = ds_asprintf("-- METRICS: num_files=1 total_bytes_cold=0 largest_file_bytes=0 "
                             "two_largest_bytes=0 avg_file_bytes=0.00 sql_bytes=%zu",
                             strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);
    ds_compiled_list_free(&out);

    model(&p.q, "bad_a", "SELECT no_such_column FROM read_parquet('data/o/a.parquet')", 9);
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), -1);
    cr_assert(ds_starts_with(err.msg, "sources_sql/m.sql:9: query 'bad_a': "), "%s", err.msg);
    proj_free(&p);
}

/* DuckDB's LINE counts lines of what it was given: the compiled query, with
 * its dependencies inlined above the query's own text.  Messages count the
 * lines the author wrote. */
Test(compile, error_lines_count_the_query_as_written)
{
    ds_query_list l = {0};
    model(&l, "base", "SELECT 1 AS a,\n  2 AS b\nFROM range(1)", 1);
    model(&l, "q", "SELECT a,\n  nope\nFROM base", 9);
    expect_error(&l, "sources_sql/m.sql:9: query 'q': ", "\nLINE 2:   nope");

    /* A page block: LINE counts from the line after the fence (here two
     * blank lines were trimmed off the text), the prefix names the line. */
    model(&l, "base", "SELECT 1 AS a", 1);
    ds_query_add(&l, "p/q", DS_KIND_PAGE_QUERY, "WITH x AS (\n  SELECT a FROM base\n)\nSELECT nope FROM x",
                 "content/p.md", 10);
    l.items[1].text_line = 13;
    expect_error(&l, "content/p.md:16: sql block 'q': ", "\nLINE 6: SELECT nope FROM x");
}

Test(compile, missing_table_suggests_a_model)
{
    ds_query_list l = {0};
    model(&l, "orders", "SELECT 1 AS a", 1);
    model(&l, "q", "SELECT * FROM orderz", 2);
    expect_error(&l, "sources_sql/m.sql:2: query 'q': ", "Did you mean \"orders\"?");

    model(&l, "orders", "SELECT 1 AS a", 1);
    model(&l, "q", "SELECT * FROM zzzzzzzz", 2);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(compile_plain(&l, &out, &err), -1);
    ds_query_list_free(&l);
    cr_assert(strstr(err.msg, "No model or source has a similar name.") != NULL, "%s", err.msg);
    cr_assert_null(strstr(err.msg, "duckdb_"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "pg_"), "%s", err.msg);
    /* The quoted line is the author's, without the validation's EXPLAIN. */
    cr_assert(strstr(err.msg, "\nLINE 1: SELECT * FROM zzzzzzzz\n                      ^") != NULL,
              "%s", err.msg);
}

Test(compile, missing_table_that_is_a_source_without_files)
{
    /* A file source that matched no files has no view: a query reading it
     * says so (naming the source's line and what was searched) instead of
     * "no such table" or a guess at another name. */
    char *root = test_tmpdir();
    const char *toml = "[[file_sources]]\nname = \"orders\"\nupstream_glob = \"lake/*.parquet\"\n\n"
                       "[[file_sources]]\nname = \"order\"\nupstream_glob = \"lake2/*.parquet\"\n";
    ds_config cfg;
    ds_err err;
    cr_assert_eq(ds_config_parse(toml, strlen(toml), root, "ducksite.toml", &cfg, &err), 0, "%s",
                 err.msg);
    ds_collected c;
    cr_assert_eq(ds_collect(&cfg, &c, &err), 0, "%s", err.msg);
    ds_collected_index(&c);
    ds_query_list l = {0};
    model(&l, "q", "SELECT * FROM Orders", 2);
    ds_keyset bad = {0};
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    ds_compiled_list out;
    int rc = ds_compile_all(&l, &c, &bad, db, &out, &err);
    ds_duck_close(db);
    ds_query_list_free(&l);
    ds_collected_free(&c);
    ds_config_free(&cfg);
    char *want = ds_asprintf("file source 'orders' (ducksite.toml:1) has no view: upstream_glob "
                             "'lake/*.parquet' (searched %s/lake) matched no files (see the "
                             "warning above)",
                             root);
    test_rmtree(root);
    free(root);
    cr_expect_eq(rc, -1);
    cr_expect(strncmp(err.msg, "sources_sql/m.sql:2: query 'q': ", 32) == 0, "%s", err.msg);
    cr_expect(strstr(err.msg, want) != NULL, "%s", err.msg);
    cr_expect_null(strstr(err.msg, "Did you mean"), "%s", err.msg);
    free(want);
}

/* ---- validation copies ------------------------------------------------------ */

/* A page query over a source whose files share a schema: DuckDB binds it
 * over the validation copy (one file), and the metrics count every file of
 * the published SQL. */
Test(compile, page_query_validated_over_the_check_copy)
{
    proj p;
    proj_setup(&p);
    const ds_query *o = ds_query_find(&p.q, "o");
    cr_assert_not_null(o->check_sql);
    cr_assert_str_eq(o->check_sql, "SELECT * FROM read_parquet(['data/o/a.parquet'])");
    ds_query_add(&p.q, "p/q", DS_KIND_PAGE_QUERY, "SELECT region, count(*) AS n FROM o GROUP BY 1",
                 "content/p.md", 3);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), 0, "%s", err.msg);
    const ds_compiled *q = compiled(&out, "p/q");
    cr_assert_str_eq(q->sql, "WITH o AS (\nSELECT * FROM read_parquet(['data/o/a.parquet', "
                             "'data/o/b.parquet', 'data/o/c.parquet'])\n)\n"
                             "SELECT region, count(*) AS n FROM o GROUP BY 1");
    long long all[] = {file_size(&p, "lake/a.parquet"), file_size(&p, "lake/b.parquet"),
                       file_size(&p, "lake/c.parquet")};
    char *want = metrics(all, 3, strlen(q->sql));
    cr_assert_str_eq(q->metrics, want);
    free(want);
    ds_compiled_list_free(&out);

    ds_query_add(&p.q, "p/bad", DS_KIND_PAGE_QUERY, "SELECT no_such_column FROM o",
                 "content/p.md", 9);
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), -1);
    cr_assert(ds_starts_with(err.msg, "content/p.md:9: sql block 'bad': "), "%s", err.msg);
    cr_assert(strstr(err.msg, "Binder Error") != NULL, "%s", err.msg);
    cr_assert(strstr(err.msg, "no_such_column") != NULL, "%s", err.msg);
    proj_free(&p);
}

/* What is EXPLAINed is the check copy itself, not the published SQL. */
Test(compile, the_check_copy_is_what_is_explained)
{
    proj p;
    proj_setup(&p);
    ds_query *o = &p.q.items[0];
    cr_assert_str_eq(o->name, "o");
    free(o->check_sql);
    o->check_sql = ds_strdup("SELECT * FROM read_parquet(['data/o/a.parquet']) "
                             "WHERE only_in_check = 1");
    ds_query_add(&p.q, "p/q", DS_KIND_PAGE_QUERY, "SELECT id FROM o", "content/p.md", 3);
    ds_compiled_list out;
    ds_err err;
    cr_assert_eq(ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err), -1);
    cr_assert(strstr(err.msg, "only_in_check") != NULL, "%s", err.msg);
    proj_free(&p);
}

/* Every per-file filter of its own shape is bound, the first one too. */
Test(compile, per_file_filters_are_validated)
{
    const char *const bad_first[] = {"nope = 1", "id = 2", "region = 'w'"};
    const char *const bad_last[] = {"id = 1", "id = 2", "nope = 'w'"};
    const char *const good[] = {"id = 1", "id = 2", "region = 'w'"};
    const char *const *cases[] = {bad_first, bad_last, good};
    for (size_t c = 0; c < DS_ARRAY_LEN(cases); c++) {
        proj p;
        proj_setup_filtered(&p, cases[c]);
        ds_compiled_list out;
        ds_err err;
        int rc = ds_compile_all(&p.q, &p.c, &p.bad, p.db, &out, &err);
        if (cases[c] == good) {
            cr_assert_eq(rc, 0, "%s", err.msg);
            const ds_compiled *o = compiled(&out, "o");
            cr_assert(strstr(o->metrics, "num_files=3 ") != NULL, "%s", o->metrics);
            ds_compiled_list_free(&out);
        } else {
            cr_assert_eq(rc, -1, "case %zu compiled", c);
            cr_assert(strstr(err.msg, "nope") != NULL, "%s", err.msg);
        }
        proj_free(&p);
    }
}

/* A memo gives the same compiled queries as none, and the same errors:
 * a query that fails is checked again, never remembered as passing. */
Test(compile, memo_changes_nothing)
{
    ds_collected none = {0};
    ds_keyset bad = {0};
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    ds_compile_memo *memo = ds_compile_memo_new();
    ds_query_list l = {0};
    model(&l, "base", "SELECT 1 AS x", 1);
    model(&l, "top", "SELECT x + 1 AS y FROM base", 3);
    for (int round = 0; round < 2; round++) {
        ds_compiled_list plain, memoed;
        cr_assert_eq(ds_compile_all(&l, &none, &bad, db, &plain, &err), 0, "%s", err.msg);
        cr_assert_eq(ds_compile_all_memo(&l, &none, &bad, db, memo, &memoed, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(plain.len, memoed.len);
        for (size_t i = 0; i < plain.len; i++) {
            cr_assert_str_eq(plain.items[i].sql, memoed.items[i].sql);
            cr_assert_str_eq(plain.items[i].metrics, memoed.items[i].metrics);
            cr_assert_eq(plain.items[i].n_deps, memoed.items[i].n_deps);
        }
        ds_compiled_list_free(&plain);
        ds_compiled_list_free(&memoed);
    }
    /* the same text over a table that is gone: EXPLAIN fails each time */
    ds_query_list broken = {0};
    model(&broken, "top", "SELECT x FROM missing_table", 3);
    for (int round = 0; round < 2; round++) {
        ds_compiled_list out;
        cr_assert_eq(ds_compile_all_memo(&broken, &none, &bad, db, memo, &out, &err), -1);
        cr_assert(strstr(err.msg, "missing_table"), "%s", err.msg);
        ds_compiled_list_free(&out);
    }
    ds_query_list_free(&broken);
    ds_query_list_free(&l);
    ds_compile_memo_free(memo);
    ds_duck_close(db);
}
