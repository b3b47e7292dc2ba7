/* test_timewindow.c - a source's time_window as SQL: typed literals for the
 * bounds, the predicate with its column quoted as an identifier, and that
 * the predicate runs in DuckDB with the rows it should keep. */
#include <criterion/criterion.h>

#include "config/config.h"
#include "sql/duck.h"
#include "sql/timewindow.h"
#include "testutil.h"

static void parse(const char *text, ds_config *cfg)
{
    ds_err err;
    cr_assert_eq(ds_config_parse(text, strlen(text), "/proj", "ducksite.toml", cfg, &err), 0, "%s",
                 err.msg);
}

Test(timewindow, literals_by_type)
{
    ds_time_bound none = {DS_TIME_NONE, ""};
    ds_time_bound date = {DS_TIME_DATE, "2024-01-01"};
    ds_time_bound local = {DS_TIME_LOCAL_DATETIME, "2024-01-01 10:00:00"};
    ds_time_bound offset = {DS_TIME_OFFSET_DATETIME, "2024-01-01 10:00:00+02:00"};
    cr_assert_null(ds_sql_time_literal(&none));
    char *s = ds_sql_time_literal(&date);
    cr_assert_str_eq(s, "DATE '2024-01-01'");
    free(s);
    s = ds_sql_time_literal(&local);
    cr_assert_str_eq(s, "TIMESTAMP '2024-01-01 10:00:00'");
    free(s);
    s = ds_sql_time_literal(&offset);
    cr_assert_str_eq(s, "TIMESTAMPTZ '2024-01-01 10:00:00+02:00'");
    free(s);
}

/* Moved from test_config.c with the predicate. */
Test(timewindow, predicate_of_both_bounds)
{
    ds_config cfg;
    parse("[[file_sources]]\nname = \"o\"\n"
          "time_window = {column = \"day\", start = 2024-01-01, end = 2024-02-01}\n"
          "[[file_sources]]\nname = \"none\"\n",
          &cfg);
    char *pred = ds_sql_time_window(&cfg.sources[0]);
    cr_assert_str_eq(pred, "day >= DATE '2024-01-01' AND day < DATE '2024-02-01'");
    free(pred);
    cr_assert_null(ds_sql_time_window(&cfg.sources[1]));
    ds_config_free(&cfg);
}

/* Moved from test_config.c with the predicate. */
Test(timewindow, predicate_bounds_and_types)
{
    ds_config cfg;
    parse("[[file_sources]]\nname = \"a\"\n"
          "time_window = {column = \"ts\", start = 2024-01-01T10:00:00}\n"
          "[[file_sources]]\nname = \"b\"\n"
          "time_window = {column = \"ts\", end = 2024-01-01T10:00:00Z}\n",
          &cfg);
    char *a = ds_sql_time_window(&cfg.sources[0]);
    char *b = ds_sql_time_window(&cfg.sources[1]);
    cr_assert_str_eq(a, "ts >= TIMESTAMP '2024-01-01 10:00:00'");
    cr_assert_str_eq(b, "ts < TIMESTAMPTZ '2024-01-01 10:00:00Z'");
    free(a);
    free(b);
    ds_config_free(&cfg);
}

/* A column named like a keyword, with a blank or a quote is quoted as an
 * identifier; text that would be SQL stays a (missing) column name. */
Test(timewindow, column_is_quoted_as_an_identifier)
{
    ds_config cfg;
    parse("[[file_sources]]\nname = \"a\"\n"
          "time_window = {column = \"end\", end = 2024-01-02}\n"
          "[[file_sources]]\nname = \"b\"\n"
          "time_window = {column = 'order \"day\"', start = 2024-01-01}\n"
          "[[file_sources]]\nname = \"c\"\n"
          "time_window = {column = \"1=1 OR day\", start = 2024-01-01}\n",
          &cfg);
    char *a = ds_sql_time_window(&cfg.sources[0]);
    char *b = ds_sql_time_window(&cfg.sources[1]);
    char *c = ds_sql_time_window(&cfg.sources[2]);
    cr_assert_str_eq(a, "\"end\" < DATE '2024-01-02'");
    cr_assert_str_eq(b, "\"order \"\"day\"\"\" >= DATE '2024-01-01'");
    cr_assert_str_eq(c, "\"1=1 OR day\" >= DATE '2024-01-01'");

    /* DuckDB reads them as the columns they name. */
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    cr_assert_eq(ds_duck_exec(db,
                              "CREATE TABLE t AS SELECT * FROM (VALUES "
                              "(DATE '2024-01-01', DATE '2023-12-31'), "
                              "(DATE '2024-01-02', DATE '2024-01-05')) v(\"end\", "
                              "\"order \"\"day\"\"\")",
                              &err),
                 0, "%s", err.msg);
    const char *preds[] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        char *sql = ds_asprintf("SELECT count(*) FROM t WHERE %s", preds[i]);
        ds_rows rows;
        cr_assert_eq(ds_duck_query(db, sql, &rows, &err), 0, "%s: %s", sql, err.msg);
        cr_assert_str_eq(ds_rows_get(&rows, 0, 0), "1", "%s", sql);
        ds_rows_free(&rows);
        free(sql);
    }
    char *sql = ds_asprintf("SELECT count(*) FROM t WHERE %s", c);
    cr_assert_eq(ds_duck_exec(db, sql, &err), -1, "%s ran", sql);
    cr_assert(strstr(err.msg, "1=1 OR day") != NULL, "%s", err.msg);
    free(sql);
    ds_duck_close(db);
    free(a);
    free(b);
    free(c);
    ds_config_free(&cfg);
}
