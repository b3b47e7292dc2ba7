/* test_prerender.c - a stored result holds the values the runtime shows
 * for a live result of the same query: kinds, integers beyond 2^53 as
 * strings, NaN as a string, timestamps to the microsecond in UTC, BLOBs
 * escaped as DuckDB writes them, lists and structs as JSON text. */
#include <criterion/criterion.h>

#include "site/prerender.h"
#include "testutil.h"

static char *result_of(const char *sql)
{
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    cr_assert_not_null(db, "%s", err.msg);
    ds_duck_exec(db, "SET TimeZone = 'UTC'", &err);
    char *json = NULL;
    int rc = ds_prerender_result_json(db, sql, &json, &err);
    cr_assert_eq(rc, 0, "%s", rc ? err.msg : "");
    ds_duck_close(db);
    return json;
}

Test(prerender, values_as_the_runtime_shows_them)
{
    char *j = result_of("SELECT 1::INTEGER AS i, 9007199254740993::BIGINT AS big, 1.5::DECIMAL(10,2) AS d,"
                        " 'nan'::DOUBLE AS n, 0.1::FLOAT AS f, DATE '2024-01-02' AS dt,"
                        " TIMESTAMP '2024-01-02 03:04:05.120' AS ts,"
                        " TIMESTAMPTZ '2024-01-02 03:04:05+02' AS tz, TIME '12:34:56.5' AS t,"
                        " '\\x00a\\x27'::BLOB AS b, [1, 2] AS l, {'a': 1, 'b': 'x'} AS s,"
                        " NULL::VARCHAR AS nothing, true AS yes");
    cr_assert_str_eq(j,
                     "{\"columns\":[{\"name\":\"i\",\"kind\":\"int\"},{\"name\":\"big\",\"kind\":\"int\"},"
                     "{\"name\":\"d\",\"kind\":\"float\"},{\"name\":\"n\",\"kind\":\"float\"},"
                     "{\"name\":\"f\",\"kind\":\"float\"},{\"name\":\"dt\",\"kind\":\"date\"},"
                     "{\"name\":\"ts\",\"kind\":\"timestamp\"},{\"name\":\"tz\",\"kind\":\"timestamp\"},"
                     "{\"name\":\"t\",\"kind\":\"time\"},{\"name\":\"b\",\"kind\":\"blob\"},"
                     "{\"name\":\"l\",\"kind\":\"other\"},{\"name\":\"s\",\"kind\":\"other\"},"
                     "{\"name\":\"nothing\",\"kind\":\"string\"},{\"name\":\"yes\",\"kind\":\"bool\"}],"
                     "\"rows\":[[1,\"9007199254740993\",1.5,\"NaN\",0.10000000149011612,\"2024-01-02\","
                     "\"2024-01-02 03:04:05.12\",\"2024-01-02 01:04:05\",\"12:34:56.5\",\"\\\\x00a\\\\x27\","
                     "\"[1,2]\",\"{\\\"a\\\":1,\\\"b\\\":\\\"x\\\"}\",null,true]]}\n");
    free(j);
}

Test(prerender, a_failing_query_is_an_error)
{
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    char *json = NULL;
    cr_assert_eq(ds_prerender_result_json(db, "SELECT nope FROM (SELECT 1)", &json, &err), -1);
    cr_assert_null(json);
    cr_assert(strstr(err.msg, "nope") != NULL);
    ds_duck_close(db);
}
