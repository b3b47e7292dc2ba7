/* test_filelist.c - long file lists moved out of views' SQL (filelist.c) and
 * the partition predicates the browser prunes them by (prune.c). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sql/duck.h"
#include "sql/filelist.h"
#include "sql/prune.h"
#include "testutil.h"

/* read_parquet over N keys data/h/year=Y/part-K.parquet, 2 folders. */
static char *view_sql(size_t n, const char *options)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "SELECT * FROM read_parquet([");
    for (size_t i = 0; i < n; i++)
        ds_buf_printf(&b, "%s'data/h/year=%d/part-%04zu.parquet'", i ? ", " : "",
                      i < n / 2 ? 2000 : 2001, i);
    ds_buf_printf(&b, "]%s)", options);
    return ds_buf_take(&b);
}

static long long size_of(void *ctx, const char *key)
{
    (void)ctx;
    return (long long)strlen(key);
}

Test(filelist, long_lists_leave_the_view_short_ones_stay)
{
    ds_query_list l = {0};
    char *big = view_sql(DS_FILELIST_MIN + 1, ", hive_types = {'year': 'BIGINT'}");
    char *small = view_sql(DS_FILELIST_MIN, "");
    char *two = ds_asprintf("%s WHERE x = 'it''s'\nUNION ALL BY NAME\n%s", big, big);
    ds_query_add(&l, "lake", DS_KIND_FILE_SOURCE, two, "ducksite.toml", 1);
    ds_query_add(&l, "small", DS_KIND_FILE_SOURCE, small, "ducksite.toml", 2);
    ds_query_add(&l, "lake_2000", DS_KIND_FILE_SOURCE_TEMPLATE, big, "ducksite.toml", 1);
    ds_filelists lists = {0};
    ds_filelists_extract(&l, &lists);

    cr_assert_str_eq(l.items[0].sql,
                     "SELECT * FROM read_parquet('ducksite:files/lake/0', hive_types = {'year': "
                     "'BIGINT'}) WHERE x = 'it''s'\nUNION ALL BY NAME\nSELECT * FROM "
                     "read_parquet('ducksite:files/lake/1', hive_types = {'year': 'BIGINT'})");
    cr_assert_str_eq(l.items[1].sql, small, "a list of DS_FILELIST_MIN files stays");
    cr_assert_str_eq(l.items[2].sql, big, "templated views keep their lists");
    cr_assert_eq(lists.len, 2);
    cr_assert_eq(lists.items[1].n, DS_FILELIST_MIN + 1);
    cr_assert_str_eq(lists.items[1].name, "lake/1");
    cr_assert_str_eq(lists.items[0].hive, "{\"year\":\"BIGINT\"}");
    cr_assert(ds_filelists_named(l.items[0].sql));
    cr_assert(!ds_filelists_named(small));

    /* The build-time engine gets the very text back. */
    char *full = ds_filelists_expand(&lists, l.items[0].sql);
    cr_assert_str_eq(full, two);
    free(full);
    /* A placeholder naming no list is left as it is. */
    full = ds_filelists_expand(&lists, "SELECT 1 FROM read_parquet('ducksite:files/nope/0')");
    cr_assert_str_eq(full, "SELECT 1 FROM read_parquet('ducksite:files/nope/0')");
    free(full);

    /* The published document: runs of files per folder, with sizes. */
    char *text = ds_filelists_json(&lists, "lake", size_of, NULL);
    json_t *doc = json_loads(text, 0, NULL);
    cr_assert_not_null(doc, "%s", text);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "hive"), "year")),
                     "BIGINT");
    json_t *lists_json = json_object_get(doc, "lists");
    cr_assert_eq(json_array_size(lists_json), 2);
    json_t *runs = json_array_get(lists_json, 0);
    cr_assert_eq(json_array_size(runs), 2, "two folders");
    json_t *run = json_array_get(runs, 1);
    cr_assert_str_eq(json_string_value(json_array_get(run, 0)), "data/h/year=2001/");
    cr_assert_eq(json_array_size(json_array_get(run, 1)), DS_FILELIST_MIN + 1 - (DS_FILELIST_MIN + 1) / 2);
    cr_assert_str_eq(json_string_value(json_array_get(json_array_get(run, 1), 0)),
                     "part-0050.parquet");
    cr_assert_eq(json_integer_value(json_array_get(json_array_get(run, 2), 0)),
                 (json_int_t)strlen("data/h/year=2001/part-0050.parquet"));
    json_decref(doc);
    free(text);

    const char **views = ds_filelists_views(&lists);
    cr_assert_str_eq(views[0], "lake");
    cr_assert_null(views[1]);
    free(views);
    ds_filelists_free(&lists);
    ds_query_list_free(&l);
    free(two);
    free(small);
    free(big);
}

static void count_key(void *ctx, const char *key)
{
    (void)key;
    (*(size_t *)ctx)++;
}

Test(filelist, each_key_walks_the_lists_a_query_names)
{
    ds_query_list l = {0};
    char *big = view_sql(DS_FILELIST_MIN + 5, "");
    ds_query_add(&l, "lake", DS_KIND_FILE_SOURCE, big, "ducksite.toml", 1);
    ds_filelists lists = {0};
    ds_filelists_extract(&l, &lists);
    size_t n = 0;
    char *q = ds_asprintf("WITH lake AS (%s) SELECT * FROM lake", l.items[0].sql);
    ds_filelists_each_key(&lists, q, count_key, &n);
    cr_assert_eq(n, DS_FILELIST_MIN + 5);
    free(q);
    ds_filelists_free(&lists);
    ds_query_list_free(&l);
    free(big);
}

Test(filelist, unpruned_counts_the_lists_no_predicate_prunes)
{
    ds_query_list l = {0};
    char *a = view_sql(DS_FILELIST_MIN + 5, "");
    char *b = view_sql(DS_FILELIST_MIN + 7, "");
    char *two = ds_asprintf("%s UNION ALL %s", a, a);
    ds_query_add(&l, "lake", DS_KIND_FILE_SOURCE, two, "ducksite.toml", 1);
    ds_query_add(&l, "other", DS_KIND_FILE_SOURCE, b, "ducksite.toml", 2);
    ds_filelists lists = {0};
    ds_filelists_extract(&l, &lists);
    /* Both views, lake's two lists named twice by the query: each once. */
    char *q = ds_asprintf("WITH lake AS (%s), again AS (%s), other AS (%s) SELECT * FROM lake, "
                          "again, other",
                          l.items[0].sql, l.items[0].sql, l.items[1].sql);
    const char *view = NULL;
    cr_assert_eq(ds_filelists_unpruned(&lists, q, NULL, &view), 2 * (DS_FILELIST_MIN + 5) + DS_FILELIST_MIN + 7);
    cr_assert_str_eq(view, "lake");
    /* A view the predicates name is pruned; the other still counts. */
    cr_assert_eq(ds_filelists_unpruned(&lists, q, "{\"lake\": [{\"col\": \"year\"}]}", &view),
                 DS_FILELIST_MIN + 7);
    cr_assert_str_eq(view, "other");
    cr_assert_eq(ds_filelists_unpruned(&lists, "SELECT 1", NULL, &view), 0);
    cr_assert_null(view);
    free(q);
    free(two);
    free(b);
    free(a);
    ds_filelists_free(&lists);
    ds_query_list_free(&l);
}

/* ---- prune.c ------------------------------------------------------------------ */

typedef struct {
    ds_duck *db;
    ds_query_list l;
    ds_filelists lists;
} fixture;

static fixture setup_lake(void)
{
    fixture f = {0};
    ds_err err;
    f.db = ds_duck_open(&err);
    cr_assert_not_null(f.db, "%s", err.msg);
    char *big = view_sql(DS_FILELIST_MIN + 1, ", hive_types = {'year': 'BIGINT', 'Day': 'VARCHAR'}");
    ds_query_add(&f.l, "lake", DS_KIND_FILE_SOURCE, big, "ducksite.toml", 1);
    free(big);
    ds_filelists_extract(&f.l, &f.lists);
    return f;
}

static void teardown_lake(fixture *f)
{
    ds_filelists_free(&f->lists);
    ds_query_list_free(&f->l);
    ds_duck_close(f->db);
}

/* The spec of QUERY over the view lake (as compile.c composes it). */
static char *spec(fixture *f, const char *query)
{
    char *sql = ds_asprintf("WITH lake AS (\n%s\n)\n%s", f->l.items[0].sql, query);
    char *s = ds_prune_spec(f->db, sql, &f->lists);
    free(sql);
    return s;
}

Test(prune, the_forms_it_finds)
{
    fixture f = setup_lake();
    char *s = spec(&f, "SELECT * FROM lake WHERE year = 2001 AND 2000 <= year AND lake.day IN "
                       "('a', ${inputs.d}) AND year BETWEEN 1999 AND ${inputs.y} AND amount > 3 "
                       "AND year < 2002.5 AND day = NULL AND day > DATE '2024-01-01'");
    cr_assert_str_eq(s, "{\"lake\":["
                        "{\"col\":\"year\",\"op\":\"=\",\"values\":[\"2001\"]},"
                        "{\"col\":\"year\",\"op\":\">=\",\"values\":[\"2000\"]},"
                        "{\"col\":\"Day\",\"op\":\"in\",\"values\":[\"'a'\",\"${inputs.d}\"]},"
                        "{\"col\":\"year\",\"op\":\"between\",\"values\":[\"1999\",\"${inputs.y}\"]},"
                        "{\"col\":\"year\",\"op\":\"<\",\"values\":[\"2002.5\"]},"
                        "{\"col\":\"Day\",\"op\":\"=\",\"values\":[\"NULL\"]},"
                        "{\"col\":\"Day\",\"op\":\">\",\"values\":[\"DATE '2024-01-01'\"]}]}");
    free(s);
    teardown_lake(&f);
}

Test(prune, nothing_when_unsure)
{
    fixture f = setup_lake();
    const char *none[] = {
        /* the view read twice: one WHERE does not hold for the other read */
        "SELECT * FROM lake WHERE year = 2001 UNION ALL SELECT * FROM lake",
        /* OR, a join, an expression, a column that is no hive column */
        "SELECT * FROM lake WHERE year = 2001 OR year = 2002",
        "SELECT * FROM lake JOIN other USING (id) WHERE year = 2001",
        "SELECT * FROM lake WHERE year = 2000 + 1",
        "SELECT * FROM lake WHERE amount = 1",
        /* the filter outside the SELECT that reads the view */
        "SELECT * FROM (SELECT * FROM lake) WHERE year = 2001",
        /* a qualifier that is not the view's alias */
        "SELECT * FROM lake AS l WHERE other.year = 2001",
        /* not SQL at all */
        "SELECT * FROM lake WHERE",
    };
    for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
        char *s = spec(&f, none[i]);
        cr_assert_null(s, "%s: %s", none[i], s);
    }
    /* Without a placeholder there is nothing to prune. */
    cr_assert_null(ds_prune_spec(f.db, "SELECT 1 WHERE year = 1", &f.lists));
    cr_assert_null(ds_prune_spec(f.db, f.l.items[0].sql, NULL));
    char *s = spec(&f, "SELECT * FROM lake AS l WHERE l.year = 2001");
    cr_assert_str_eq(s, "{\"lake\":[{\"col\":\"year\",\"op\":\"=\",\"values\":[\"2001\"]}]}");
    free(s);
    teardown_lake(&f);
}
