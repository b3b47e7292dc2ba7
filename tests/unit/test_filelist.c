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
    cr_assert_str_eq(l.items[2].sql,
                     "SELECT * FROM read_parquet('ducksite:files/lake_2000/0', hive_types = "
                     "{'year': 'BIGINT'})",
                     "a templated view's long list leaves its SQL too");
    cr_assert_eq(lists.len, 3);
    cr_assert_eq(lists.items[1].n, DS_FILELIST_MIN + 1);
    cr_assert_str_eq(lists.items[1].name, "lake/1");
    cr_assert(!lists.items[0].templated && !lists.items[1].templated);
    cr_assert_str_eq(lists.items[2].name, "lake_2000/0");
    cr_assert(lists.items[2].templated);
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
    cr_assert_str_eq(views[1], "lake_2000");
    cr_assert_null(views[2]);
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

Test(filelist, reads_count_the_lists_as_the_browser_prunes_them)
{
    ds_query_list l = {0};
    char *a = view_sql(DS_FILELIST_MIN + 5, ", hive_types = {'year': 'BIGINT'}");
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
    ds_filelist_reads r = ds_filelists_reads(&lists, q, NULL);
    cr_assert_eq(r.files, 2 * (DS_FILELIST_MIN + 5) + DS_FILELIST_MIN + 7);
    cr_assert_str_eq(r.view, "lake");
    cr_assert_eq(r.view_files, 2 * (DS_FILELIST_MIN + 5));
    cr_assert_eq(r.view_all, 2 * (DS_FILELIST_MIN + 5));
    cr_assert_null(r.where);
    ds_filelist_reads_free(&r);
    /* A predicate that keeps every file prunes nothing. */
    r = ds_filelists_reads(&lists, q,
                           "{\"lake\": [{\"col\": \"year\", \"op\": \">\", \"values\": [\"0\"]}]}");
    cr_assert_eq(r.files, 2 * (DS_FILELIST_MIN + 5) + DS_FILELIST_MIN + 7);
    cr_assert_str_eq(r.view, "lake");
    cr_assert_str_eq(r.where, "year > 0");
    ds_filelist_reads_free(&r);
    /* year = 2001 keeps the second half of each lake list (files 52..104). */
    r = ds_filelists_reads(&lists, q,
                           "{\"lake\": [{\"col\": \"year\", \"op\": \"in\", \"values\": [\"2001\", "
                           "\"NULL\"]}]}");
    cr_assert_eq(r.files, 2 * 53 + DS_FILELIST_MIN + 7);
    cr_assert_str_eq(r.view, "other");
    cr_assert_null(r.where);
    ds_filelist_reads_free(&r);
    /* An input's value is unknown at build time: the view counts as pruned. */
    r = ds_filelists_reads(&lists, q,
                           "{\"lake\": [{\"col\": \"year\", \"op\": \">\", \"values\": "
                           "[\"${inputs.y}\"]}]}");
    cr_assert_eq(r.files, DS_FILELIST_MIN + 7);
    cr_assert_str_eq(r.view, "other");
    ds_filelist_reads_free(&r);
    r = ds_filelists_reads(&lists, "SELECT 1", NULL);
    cr_assert_eq(r.files, 0);
    cr_assert_null(r.view);
    ds_filelist_reads_free(&r);
    free(q);
    free(two);
    free(b);
    free(a);
    ds_filelists_free(&lists);
    ds_query_list_free(&l);
}

/* ---- what the browser keeps (web/src/sql.js pruneFileList) ------------------- */

/* A list of one file in each of FOLDERS (NULL-terminated), with HIVE. */
static ds_filelist list_of(const char *const *folders, const char *hive)
{
    ds_filelist f = {.view = "v", .hive = (char *)hive};
    while (folders[f.n])
        f.n++;
    f.keys = ds_xcalloc(f.n, sizeof *f.keys);
    for (size_t i = 0; i < f.n; i++)
        f.keys[i] = ds_asprintf("data/v/%s/part.parquet", folders[i]);
    return f;
}

static void list_free(ds_filelist *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->keys[i]);
    free(f->keys);
}

/* How many files of FOLDERS (typed HIVE) condition OP VALUES on COL keeps;
 * VALUES is the JSON array's inside. */
static size_t kept(const char *const *folders, const char *hive, const char *col, const char *op,
                   const char *values)
{
    ds_filelist f = list_of(folders, hive);
    char *conds = ds_asprintf("[{\"col\": \"%s\", \"op\": \"%s\", \"values\": [%s]}]", col, op,
                              values);
    size_t n = ds_filelist_kept(&f, conds);
    free(conds);
    list_free(&f);
    return n;
}

static const char *const years[] = {"year=1999", "year=2000", "year=2001", "year=2002", NULL};
#define BIGINT "{\"year\": \"BIGINT\"}"

Test(filelist, kept_numbers_by_every_op)
{
    cr_assert_eq(kept(years, BIGINT, "year", "=", "\"2001\""), 1);
    cr_assert_eq(kept(years, BIGINT, "year", "in", "\"2001\", \"1999\", \"7\""), 2);
    cr_assert_eq(kept(years, BIGINT, "year", "<", "\"2001\""), 2);
    cr_assert_eq(kept(years, BIGINT, "year", "<=", "\"2001\""), 3);
    cr_assert_eq(kept(years, BIGINT, "year", ">", "\"2001\""), 1);
    cr_assert_eq(kept(years, BIGINT, "year", ">=", "\"2001\""), 2);
    cr_assert_eq(kept(years, BIGINT, "year", ">", "\"0\""), 4);
    cr_assert_eq(kept(years, BIGINT, "year", "between", "\"2000\", \"2001\""), 2);
    cr_assert_eq(kept(years, BIGINT, "year", "between", "\"+2000\", \"02001.0\""), 2);
    /* A string that holds a number compares as the number. */
    cr_assert_eq(kept(years, BIGINT, "year", "=", "\"' 2002 '\""), 1);
    /* Column names in any case, types by their family. */
    cr_assert_eq(kept(years, "{\"YEAR\": \"int4\"}", "Year", "=", "\"2000\""), 1);
    cr_assert_eq(kept(years, "{\"year\": \"DECIMAL(6,1)\"}", "year", "<", "\"2000.5\""), 2);
    cr_assert_eq(kept(years, "{\"year\": \"DOUBLE\"}", "year", ">=", "\"2000.0\""), 3);
}

Test(filelist, kept_big_integers_and_decimals_exactly)
{
    /* 2^53 + 1 and 2^53 are one double apart from nothing: BigInt tells them apart. */
    static const char *const big[] = {"n=9007199254740992", "n=9007199254740993",
                                      "n=-9007199254740993", "n=123456789012345678901234567890",
                                      NULL};
    const char *hive = "{\"n\": \"HUGEINT\"}";
    cr_assert_eq(kept(big, hive, "n", "=", "\"9007199254740993\""), 1);
    cr_assert_eq(kept(big, hive, "n", ">", "\"9007199254740992\""), 2);
    cr_assert_eq(kept(big, hive, "n", "<", "\"-9007199254740992\""), 1);
    cr_assert_eq(kept(big, hive, "n", ">=", "\"123456789012345678901234567890\""), 1);
    cr_assert_eq(kept(big, hive, "n", "=", "\"-0\", \"0\""), 1); /* nothing: the first */
    static const char *const dec[] = {"p=1.25", "p=1.5", "p=2", "p=-0.5", NULL};
    const char *dh = "{\"p\": \"DECIMAL(4,2)\"}";
    cr_assert_eq(kept(dec, dh, "p", ">", "\"1.25\""), 2);
    cr_assert_eq(kept(dec, dh, "p", "=", "\"1.50\""), 1);
    cr_assert_eq(kept(dec, dh, "p", "<", "\"0\""), 1);
    cr_assert_eq(kept(dec, dh, "p", "between", "\"1.3\", \"2\""), 2);
}

Test(filelist, kept_text_by_equality_only)
{
    static const char *const who[] = {"who=ann", "who=bob", "who=O'Hara", "who=ANN", NULL};
    const char *hive = "{\"who\": \"VARCHAR\"}";
    cr_assert_eq(kept(who, hive, "who", "=", "\"'ann'\""), 1);
    cr_assert_eq(kept(who, hive, "who", "in", "\"'bob'\", \"'O''Hara'\""), 2);
    /* Text order differs between engines and JS: order comparisons keep all. */
    cr_assert_eq(kept(who, hive, "who", "<", "\"'b'\""), 4);
    cr_assert_eq(kept(who, hive, "who", "between", "\"'a'\", \"'b'\""), 4);
    /* A number cannot be compared with text: unsure, so every file is kept. */
    cr_assert_eq(kept(who, hive, "who", "=", "\"1\""), 4);
}

Test(filelist, kept_dates)
{
    static const char *const days[] = {"day=2024-01-01", "day=2024-01-02", "day=2024-02-01",
                                       NULL};
    const char *hive = "{\"day\": \"DATE\"}";
    cr_assert_eq(kept(days, hive, "day", "=", "\"DATE '2024-01-02'\""), 1);
    cr_assert_eq(kept(days, hive, "day", ">=", "\"date'2024-01-02'\""), 2);
    cr_assert_eq(kept(days, hive, "day", "<", "\"'2024-02-01'\""), 2);
    cr_assert_eq(kept(days, hive, "day", "between", "\"'2024-01-02'\", \"DATE '2024-01-31'\""), 1);
    /* Not an ISO date: cannot be compared, so kept. */
    cr_assert_eq(kept(days, hive, "day", "=", "\"'yesterday'\""), 3);
}

Test(filelist, kept_with_null_and_lists)
{
    /* A comparison with NULL is never true: nothing passes, the first is kept. */
    cr_assert_eq(kept(years, BIGINT, "year", "=", "\"NULL\""), 1);
    cr_assert_eq(kept(years, BIGINT, "year", ">", "\"null\""), 1);
    cr_assert_eq(kept(years, BIGINT, "year", "in", "\"NULL\", \"2000\""), 1);
    /* A list value (a multiple input's) is flattened for = and IN. */
    cr_assert_eq(kept(years, BIGINT, "year", "in", "\"[2000, '2001', NULL]\""), 2);
    cr_assert_eq(kept(years, BIGINT, "year", "=", "\"[]\""), 1);
}

Test(filelist, kept_unsure_folders_and_ignored_conditions)
{
    static const char *const odd[] = {"year=__HIVE_DEFAULT_PARTITION__", "year=20%2001",
                                      "year=abc", "year=2000", "other=1", NULL};
    /* The default partition, an escaped value and a non-number may hold
     * anything; a folder without the column passes. */
    cr_assert_eq(kept(odd, BIGINT, "year", "=", "\"1999\""), 4);
    cr_assert_eq(kept(odd, BIGINT, "year", "=", "\"2000\""), 5);
    /* Ignored like the runtime does: an expression, a column the hive
     * types do not name, a type that is never pruned. */
    cr_assert_eq(kept(years, BIGINT, "year", "=", "\"2000 + 1\""), 4);
    cr_assert_eq(kept(years, BIGINT, "month", "=", "\"1\""), 4);
    cr_assert_eq(kept(years, "{\"year\": \"BOOLEAN\"}", "year", "=", "\"1\""), 4);
    cr_assert_eq(kept(years, NULL, "year", "=", "\"1\""), 4);
    /* Every condition must pass; the last folder of a name wins. */
    static const char *const two[] = {"year=2000/day=1", "year=2000/day=2", "year=2001/day=1",
                                      "year=1/x/year=2000", NULL};
    ds_filelist f = list_of(two, "{\"year\": \"BIGINT\", \"day\": \"BIGINT\"}");
    cr_assert_eq(ds_filelist_kept(&f, "[{\"col\": \"year\", \"op\": \"=\", \"values\": [\"2000\"]},"
                                      " {\"col\": \"day\", \"op\": \"=\", \"values\": [\"1\"]}]"),
                 2);
    cr_assert_eq(ds_filelist_kept(&f, NULL), 4);
    list_free(&f);
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

/* The columns to filter on: those whose folders differ among the view's
 * files (web/src/sql.js varyingHiveColumns gives the same in the page). */
Test(filelist, hive_columns_that_tell_files_apart)
{
    ds_query_list l = {0};
    ds_buf b = {0};
    ds_buf_puts(&b, "SELECT * FROM read_parquet([");
    for (int i = 0; i <= DS_FILELIST_MIN; i++)
        ds_buf_printf(&b, "%s'data/l/kind=a/n=%d/x.parquet'", i ? ", " : "", i);
    ds_buf_puts(&b, "], hive_types = {'kind': 'VARCHAR', 'n': 'BIGINT'})");
    ds_query_add(&l, "lake_a", DS_KIND_FILE_SOURCE_TEMPLATE, b.data, "ducksite.toml", 1);
    ds_buf_free(&b);
    ds_buf_puts(&b, "SELECT * FROM read_parquet([");
    for (int i = 0; i <= DS_FILELIST_MIN; i++)
        ds_buf_printf(&b, "%s'data/l/kind=a/f%d.parquet'", i ? ", " : "", i);
    ds_buf_puts(&b, "], hive_types = {'kind': 'VARCHAR'})");
    ds_query_add(&l, "flat", DS_KIND_FILE_SOURCE, b.data, "ducksite.toml", 2);
    ds_buf_free(&b);
    char *plain = view_sql(DS_FILELIST_MIN + 1, "");
    ds_query_add(&l, "plain", DS_KIND_FILE_SOURCE, plain, "ducksite.toml", 3);
    free(plain);
    ds_filelists lists = {0};
    ds_filelists_extract(&l, &lists);

    char *cols = ds_filelists_hive_columns(&lists, "lake_a");
    cr_assert_str_eq(cols, "n", "kind has one value in lake_a");
    free(cols);
    cols = ds_filelists_hive_columns(&lists, "flat");
    cr_assert_str_eq(cols, "kind", "no column varies: all of them");
    free(cols);
    cr_assert_null(ds_filelists_hive_columns(&lists, "plain"), "no hive types");
    cr_assert_null(ds_filelists_hive_columns(&lists, "nope"));
    ds_filelists_free(&lists);
    ds_query_list_free(&l);
}
