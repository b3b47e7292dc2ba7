/* test_livequery.c - live queries without HTTP: binding a request into SQL
 * (values as quoted or typed literals, defaults, lists, format columns,
 * what is refused and with which status), and answering with the engine:
 * the cache and its invalidation when a file changes, the rows, bytes
 * and time limits, and the queue (arrival order, live_max_queued,
 * live_queue_ms, stop, identical requests sharing one run). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/livequery.h"
#include "site/livespec.h"
#include "util/fs.h"
#include "testutil.h"

/* A page "p" with a dropdown, a slider, a date, a checkbox and a multiple
 * dropdown; component table:t runs /sql/t.sql, chart:c the same with a
 * format column. */
static const char *SPEC =
    "{\"version\": 1, \"static_dir\": \"/nonexistent\","
    " \"pages\": {\"p\": {"
    "  \"inputs\": {\"region\": {\"visual_mode\": \"dropdown\"},"
    "              \"n\": {\"visual_mode\": \"slider\", \"default\": \"5\"},"
    "              \"day\": {\"visual_mode\": \"date\"},"
    "              \"on\": {\"visual_mode\": \"checkbox\", \"default\": \"true\"},"
    "              \"tags\": {\"visual_mode\": \"dropdown\", \"multiple\": \"true\"}},"
    "  \"queries\": {\"t\": {\"sql_path\": \"/sql/t.sql\"}},"
    "  \"components\": {\"table:t\": {\"query\": \"t\", \"kind\": \"table\", \"format\": null},"
    "                  \"chart:c\": {\"query\": \"t\", \"kind\": \"chart\","
    "                               \"format\": {\"x\": {\"color_expr\": \"'red'\"}}}}}},"
    " \"sql\": {\"/sql/t.sql\": {\"sql\": \"SELECT ${inputs.region} AS r, ${inputs.n} AS n, "
    "${inputs.day} AS d, ${inputs.on} AS o, ${inputs.tags} AS t AS x\\n\", \"files\": [],"
    " \"placeholders\": []}}}";

static unsigned bind(const char *req_text, char **sql, char **why)
{
    json_t *spec = json_loads(SPEC, 0, NULL);
    cr_assert_not_null(spec);
    json_t *req = json_loads(req_text, 0, NULL);
    cr_assert_not_null(req, "%s", req_text);
    json_t *files, *names;
    unsigned status = ds_livequery_bind(spec, req, NULL, sql, &files, &names, why);
    json_decref(files);
    json_decref(names);
    json_decref(req);
    json_decref(spec);
    return status;
}

Test(livequery, values_become_literals)
{
    char *sql, *why;
    cr_assert_eq(bind("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                      " \"inputs\": {\"region\": \"it's'); DROP TABLE x; --\", \"n\": \"1 OR 1=1\","
                      " \"day\": \"2024-02-30\", \"on\": \"yes\", \"tags\": [\"a\", \"b'c\"]}}",
                      &sql, &why),
                 0);
    cr_assert_str_eq(sql, "SELECT 'it''s''); DROP TABLE x; --' AS r, NULL AS n, NULL AS d, "
                          "FALSE AS o, ['a', 'b''c'] AS t AS x\n");
    free(sql);
}

Test(livequery, typed_values_and_defaults)
{
    char *sql, *why;
    /* Missing: the default (n = 5, on = true); null: empty, never the
     * default (buildEnv); numbers and booleans as JavaScript's String(). */
    cr_assert_eq(bind("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                      " \"inputs\": {\"region\": null, \"day\": \"2024-02-29\"}}",
                      &sql, &why),
                 0);
    cr_assert_str_eq(sql, "SELECT NULL AS r, 5 AS n, DATE '2024-02-29' AS d, TRUE AS o, "
                          "NULL AS t AS x\n");
    free(sql);
    cr_assert_eq(bind("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                      " \"inputs\": {\"region\": 12, \"n\": 2.5, \"on\": null, \"tags\": []}}",
                      &sql, &why),
                 0);
    cr_assert_str_eq(sql, "SELECT '12' AS r, 2.5 AS n, NULL AS d, FALSE AS o, NULL AS t AS x\n");
    free(sql);
}

Test(livequery, format_columns_of_the_component)
{
    char *sql, *why;
    cr_assert_eq(bind("{\"page\": \"p\", \"component\": \"chart:c\", \"query\": \"/sql/t.sql\"}",
                      &sql, &why),
                 0);
    cr_assert(strstr(sql, "'red'") != NULL, "%s", sql);
    free(sql);
}

static void refused(const char *req, unsigned status, const char *part)
{
    char *sql = NULL, *why = NULL;
    cr_assert_eq(bind(req, &sql, &why), status, "%s", req);
    cr_assert_null(sql);
    cr_assert(strstr(why, part) != NULL, "%s: %s", req, why);
    free(why);
}

Test(livequery, refusals)
{
    refused("[]", 400, "JSON object");
    refused("{\"page\": \"p\", \"component\": \"table:t\"}", 400, "must be strings");
    refused("{\"page\": \"q\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\"}", 404,
            "unknown page 'q'; did you mean 'p'?");
    refused("{\"page\": \"p\", \"component\": \"table:x\", \"query\": \"/sql/t.sql\"}", 404,
            "unknown component 'table:x'; did you mean 'table:t'?");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/u.sql\"}", 400,
            "runs /sql/t.sql with these inputs, not /sql/u.sql");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"SELECT 1\"}", 400,
            "not SELECT 1");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"inputs\": {\"regoin\": \"EU\"}}",
            400, "unknown input 'regoin'; did you mean 'region'?");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"inputs\": {\"region\": {\"a\": 1}}}",
            400, "input 'region': a value is");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"inputs\": {\"tags\": [\"a\", [\"b\"]]}}",
            400, "input 'tags'");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"today\": \"tomorrow\"}",
            400, "today must be a date");
    /* A misspelt field would otherwise give the default state's rows. */
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"input\": {\"region\": \"EU\"}}",
            400, "unknown field 'input'; did you mean 'inputs'?");
    refused("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
            " \"sql\": \"SELECT 1\"}",
            400, "unknown field 'sql' (the fields are page, component, query, inputs, today)");
}

/* ---- with the engine ------------------------------------------------------ */

/* ROOT/.ducksite/live_queries.json: page p, component table:t running SQL
 * (with ${inputs.n}, a slider) that reads FILE. */
static void write_spec_n(const char *root, const char *sql, const char *file, size_t extra);

static void write_spec(const char *root, const char *sql, const char *file)
{
    write_spec_n(root, sql, file, 0);
}

/* The same with EXTRA more files listed (absent ones), as a lake's query. */
static void write_spec_n(const char *root, const char *sql, const char *file, size_t extra)
{
    json_t *page = json_loads("{\"inputs\": {\"n\": {\"visual_mode\": \"slider\"}},"
                              " \"queries\": {\"t\": {\"sql_path\": \"/sql/t.sql\"}},"
                              " \"components\": {\"table:t\": {\"query\": \"t\","
                              " \"kind\": \"table\", \"format\": null}}}",
                              0, NULL);
    cr_assert_not_null(page);
    json_t *q = json_object();
    json_object_set_new(q, "sql", json_string(sql));
    json_t *files = json_pack("[s]", file);
    for (size_t i = 0; i < extra; i++) {
        char *p = ds_asprintf("/nonexistent/part-%zu.parquet", i);
        json_array_append_new(files, json_string(p));
        free(p);
    }
    json_object_set_new(q, "files", files);
    json_object_set_new(q, "placeholders", json_array());
    json_t *doc = json_object();
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "static_dir", json_string(root));
    json_object_set_new(doc, "pages", json_pack("{s:o}", "p", page));
    json_object_set_new(doc, "sql", json_pack("{s:o}", "/sql/t.sql", q));
    char *text = json_dumps(doc, 0);
    test_write(root, DS_LIVESPEC_FILE, text);
    free(text);
    json_decref(doc);
}

static unsigned answer(ds_livequery *lq, const char *n, char **body, const char **cache)
{
    char *req = ds_asprintf("{\"page\": \"p\", \"component\": \"table:t\", \"query\": "
                            "\"/sql/t.sql\", \"inputs\": {\"n\": \"%s\"}}",
                            n);
    ds_live_reply r;
    ds_livequery_answer(lq, req, strlen(req), &r);
    free(req);
    unsigned status = r.status;
    *cache = r.cache;
    *body = r.body;
    return status;
}

static ds_live_settings settings(void)
{
    return (ds_live_settings){true, 10000, 1000, 1 << 20, 2, 1 << 20, 0, 0};
}

/* ROOT/d.csv holding CSV, and a spec whose query counts its rows with v at
 * least ${inputs.n}, listing it and EXTRA absent files.  Returns the CSV's
 * path. */
static char *csv_spec(const char *root, const char *csv_text, size_t extra)
{
    char *csv = ds_path_join(root, "d.csv");
    test_write(root, "d.csv", csv_text);
    char *sql = ds_asprintf("SELECT count(*) AS c FROM read_csv('%s') WHERE v >= ${inputs.n}\n",
                            csv);
    write_spec_n(root, sql, csv, extra);
    free(sql);
    return csv;
}

Test(livequery, cache_and_file_changes)
{
    char *root = test_tmpdir();
    char *csv = csv_spec(root, "v\n1\n2\n3\n", 0);
    ds_live_settings set = settings();
    ds_livequery *lq = ds_livequery_open(root, &set);
    cr_assert_not_null(lq);
    char *body;
    const char *cache;
    cr_assert_eq(answer(lq, "2", &body, &cache), 200);
    cr_assert_str_eq(body, "{\"columns\":[{\"name\":\"c\",\"kind\":\"int\"}],\"rows\":[[2]]}");
    cr_assert_str_eq(cache, "miss");
    free(body);
    cr_assert_eq(answer(lq, "2", &body, &cache), 200);
    cr_assert_str_eq(cache, "hit");
    free(body);
    cr_assert_eq(ds_livequery_counters(lq).hits, 1);
    cr_assert_eq(ds_livequery_counters(lq).ran, 1);
    /* Another value: another key. */
    cr_assert_eq(answer(lq, "3", &body, &cache), 200);
    cr_assert_str_eq(cache, "miss");
    free(body);
    /* The file grows: a miss, the new count. */
    test_write(root, "d.csv", "v\n1\n2\n3\n4\n");
    cr_assert_eq(answer(lq, "2", &body, &cache), 200);
    cr_assert_str_eq(cache, "miss");
    cr_assert(strstr(body, "[[3]]") != NULL, "%s", body);
    free(body);
    /* Only its mtime changes: a miss too. */
    struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
    cr_assert_eq(utimensat(AT_FDCWD, csv, times, 0), 0);
    cr_assert_eq(answer(lq, "2", &body, &cache), 200);
    cr_assert_str_eq(cache, "miss");
    free(body);
    ds_livequery_close(lq);
    test_rmtree(root);
    free(csv);
    free(root);
}

Test(livequery, limits)
{
    char *root = test_tmpdir();
    write_spec(root,
               "SELECT range AS i FROM range(CASE WHEN ${inputs.n} = 0 THEN 3000000000 "
               "ELSE ${inputs.n} END) WHERE ${inputs.n} > 0 OR range % 7 = 8\n",
               "/nonexistent");
    ds_live_settings set = settings();
    set.max_rows = 10;
    set.max_bytes = 80;
    set.timeout_ms = 200;
    ds_livequery *lq = ds_livequery_open(root, &set);
    char *body;
    const char *cache;
    cr_assert_eq(answer(lq, "3", &body, &cache), 200);
    free(body);
    cr_assert_eq(answer(lq, "11", &body, &cache), 413);
    cr_assert(strstr(body, "\"limit\":\"rows\"") != NULL, "%s", body);
    free(body);
    cr_assert_eq(answer(lq, "10", &body, &cache), 413);
    cr_assert(strstr(body, "\"limit\":\"bytes\"") != NULL, "%s", body);
    free(body);
    cr_assert_eq(answer(lq, "0", &body, &cache), 504);
    cr_assert(strstr(body, "\"limit\":\"time\"") != NULL, "%s", body);
    free(body);
    /* The connection works again after the interrupt. */
    cr_assert_eq(answer(lq, "2", &body, &cache), 200);
    free(body);
    ds_livequery_stats st = ds_livequery_counters(lq);
    cr_assert_eq(st.timeouts, 1);
    cr_assert_eq(st.too_large, 2);
    ds_livequery_close(lq);
    test_rmtree(root);
    free(root);
}

Test(livequery, no_spec_yet)
{
    char *root = test_tmpdir();
    ds_live_settings set = settings();
    ds_livequery *lq = ds_livequery_open(root, &set);
    char *body;
    const char *cache;
    cr_assert_eq(answer(lq, "1", &body, &cache), 404);
    cr_assert(strstr(body, "no live queries") != NULL, "%s", body);
    free(body);
    ds_livequery_close(lq);
    test_rmtree(root);
    free(root);
}

Test(livespec, placeholders)
{
    json_t *a = json_array();
    ds_livespec_placeholders("SELECT ${inputs.a}, ${ params.b }, ${inputs.a}, ${inputs.}, "
                             "${other.c}, ${inputs.d e}",
                             a);
    char *text = json_dumps(a, JSON_COMPACT);
    cr_assert_str_eq(text, "[\"inputs.a\",\"params.b\"]");
    free(text);
    json_decref(a);
}

static void note_done(void *ctx)
{
    atomic_store((atomic_bool *)ctx, true);
}

Test(livequery, concurrency_refused_at_once)
{
    char *root = test_tmpdir();
    write_spec(root,
               "SELECT count(*) AS c FROM range(CASE WHEN ${inputs.n} = 0 THEN 3000000000 "
               "ELSE 1 END) t(x) WHERE x % 7 = 8\n",
               "/nonexistent");
    ds_live_settings set = settings();
    set.max_concurrent = 1;
    ds_livequery *lq = ds_livequery_open(root, &set);
    const char *slow = "{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                       " \"inputs\": {\"n\": \"0\"}}";
    ds_live_reply first, second;
    ds_live_job *job = ds_livequery_begin(lq, slow, strlen(slow), &first);
    cr_assert_not_null(job, "the one worker is reserved");
    atomic_bool done = false;
    ds_livequery_submit(lq, job, note_done, &done);
    /* While it runs, another query is refused at once. */
    const char *other = "{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                        " \"inputs\": {\"n\": \"2\"}}";
    cr_assert_null(ds_livequery_begin(lq, other, strlen(other), &second));
    cr_assert_eq(second.status, 503);
    cr_assert_eq(second.retry_after, 1);
    cr_assert(strstr(second.body, "\"limit\":\"concurrency\"") != NULL, "%s", second.body);
    ds_live_reply_free(&second);
    cr_assert_eq(ds_livequery_counters(lq).busy, 1);
    /* Stopping interrupts it (504), or refuses it if the worker had not
     * started it yet (503): either way its caller is told at once. */
    usleep(200 * 1000);
    ds_livequery_stop(lq);
    cr_assert(atomic_load(&done));
    cr_assert(first.status == 504 || first.status == 503, "%s", first.body);
    ds_live_reply_free(&first);
    /* Afterwards nothing runs. */
    cr_assert_null(ds_livequery_begin(lq, other, strlen(other), &second));
    cr_assert_eq(second.status, 503);
    ds_live_reply_free(&second);
    ds_livequery_close(lq);
    test_rmtree(root);
    free(root);
}

Test(livequery, many_files_restamped_once_a_second)
{
    char *root = test_tmpdir();
    char *csv = csv_spec(root, "v\n1\n2\n", 1000);
    ds_live_settings set = settings();
    ds_livequery *lq = ds_livequery_open(root, &set);
    char *body;
    const char *cache;
    cr_assert_eq(answer(lq, "1", &body, &cache), 200);
    cr_assert_str_eq(cache, "miss");
    free(body);
    /* Changed within the second: the stamps taken a moment ago still count. */
    test_write(root, "d.csv", "v\n1\n2\n3\n");
    cr_assert_eq(answer(lq, "1", &body, &cache), 200);
    cr_assert_str_eq(cache, "hit");
    free(body);
    usleep(1100 * 1000);
    cr_assert_eq(answer(lq, "1", &body, &cache), 200);
    cr_assert_str_eq(cache, "miss", "a second later the change is seen");
    cr_assert(strstr(body, "[[3]]") != NULL, "%s", body);
    free(body);
    ds_livequery_close(lq);
    test_rmtree(root);
    free(csv);
    free(root);
}

/* ---- the queue --------------------------------------------------------- */

/* n = 0 runs for minutes (until interrupted); any other n at once. */
#define SLOW_SQL                                                                              \
    "SELECT count(*) AS c FROM range(CASE WHEN ${inputs.n} = 0 THEN 3000000000 "              \
    "ELSE ${inputs.n} END) t(x) WHERE x % 7 = 8\n"

/* A request submitted: its reply, and its place in the order of answers
 * (1 for the first answered). */
typedef struct {
    ds_live_reply r;
    atomic_int *order;
    atomic_int at;
} call;

static void note_order(void *ctx)
{
    call *c = ctx;
    atomic_store(&c->at, atomic_fetch_add(c->order, 1) + 1);
}

static char *request_n(const char *n)
{
    return ds_asprintf("{\"page\": \"p\", \"component\": \"table:t\", \"query\": \"/sql/t.sql\","
                       " \"inputs\": {\"n\": \"%s\"}}",
                       n);
}

/* Begins and submits the request with input N; false when it was answered
 * at once (c->r holds the answer). */
static bool start(ds_livequery *lq, const char *n, call *c, atomic_int *order)
{
    char *body = request_n(n);
    c->order = order;
    atomic_store(&c->at, 0);
    ds_live_job *job = ds_livequery_begin(lq, body, strlen(body), &c->r);
    free(body);
    if (job)
        ds_livequery_submit(lq, job, note_order, c);
    return job != NULL;
}

static void wait_answered(call *c)
{
    for (int i = 0; i < 3000 && atomic_load(&c->at) == 0; i++)
        usleep(10 * 1000);
    cr_assert_neq(atomic_load(&c->at), 0, "answered within 30 s");
}

/* An engine with one query thread, busy with the slow query (SLOW). */
static ds_livequery *queue_engine(char **root, long long timeout_ms, long long max_queued,
                                  long long queue_ms, call *slow, atomic_int *order)
{
    *root = test_tmpdir();
    write_spec(*root, SLOW_SQL, "/nonexistent");
    ds_live_settings set = settings();
    set.max_concurrent = 1;
    set.timeout_ms = timeout_ms;
    set.max_queued = max_queued;
    set.queue_ms = queue_ms;
    ds_livequery *lq = ds_livequery_open(*root, &set);
    cr_assert_not_null(lq);
    cr_assert(start(lq, "0", slow, order));
    return lq;
}

static void queue_done(ds_livequery *lq, char *root)
{
    ds_livequery_close(lq);
    test_rmtree(root);
    free(root);
}

Test(livequery, queue_waits_in_order_up_to_max_queued)
{
    char *root;
    atomic_int order = 0;
    call slow, a, b, c;
    /* The slow query is interrupted after 500 ms; then the two waiting run. */
    ds_livequery *lq = queue_engine(&root, 500, 2, 60000, &slow, &order);
    cr_assert(start(lq, "2", &a, &order), "the first waits");
    cr_assert(start(lq, "3", &b, &order), "the second waits");
    /* A third would be one more than live_max_queued: 503 at once. */
    cr_assert_not(start(lq, "4", &c, &order));
    cr_assert_eq(c.r.status, 503);
    cr_assert_eq(c.r.retry_after, 1);
    cr_assert(strstr(c.r.body, "live_max_queued") != NULL, "%s", c.r.body);
    ds_live_reply_free(&c.r);
    wait_answered(&b);
    wait_answered(&a);
    wait_answered(&slow);
    cr_assert_eq(slow.r.status, 504, "%s", slow.r.body);
    cr_assert_eq(a.r.status, 200, "%s", a.r.body);
    cr_assert_eq(b.r.status, 200, "%s", b.r.body);
    cr_assert_str_eq(a.r.cache, "miss");
    /* In arrival order: the slow one, then a, then b. */
    cr_assert_eq(atomic_load(&slow.at), 1);
    cr_assert_eq(atomic_load(&a.at), 2);
    cr_assert_eq(atomic_load(&b.at), 3);
    ds_livequery_stats st = ds_livequery_counters(lq);
    cr_assert_eq(st.waited, 2);
    cr_assert_eq(st.busy, 1);
    ds_live_reply_free(&slow.r);
    ds_live_reply_free(&a.r);
    ds_live_reply_free(&b.r);
    /* The queue is empty again: one more waits and runs. */
    cr_assert(start(lq, "5", &c, &order));
    wait_answered(&c);
    cr_assert_eq(c.r.status, 200, "%s", c.r.body);
    ds_live_reply_free(&c.r);
    queue_done(lq, root);
}

Test(livequery, queue_refuses_past_live_queue_ms)
{
    char *root;
    atomic_int order = 0;
    call slow, a;
    ds_livequery *lq = queue_engine(&root, 60000, 8, 200, &slow, &order);
    cr_assert(start(lq, "2", &a, &order));
    wait_answered(&a);
    cr_assert_eq(a.r.status, 503, "%s", a.r.body);
    cr_assert_eq(a.r.retry_after, 1);
    cr_assert(strstr(a.r.body, "waited 200 ms") != NULL, "%s", a.r.body);
    cr_assert(strstr(a.r.body, "\"limit\":\"concurrency\"") != NULL, "%s", a.r.body);
    cr_assert_eq(atomic_load(&slow.at), 0, "the slow query still runs");
    ds_live_reply_free(&a.r);
    ds_livequery_stop(lq);
    wait_answered(&slow);
    ds_live_reply_free(&slow.r);
    queue_done(lq, root);
}

Test(livequery, stop_answers_every_waiting_request)
{
    char *root;
    atomic_int order = 0;
    call slow, w[3];
    ds_livequery *lq = queue_engine(&root, 60000, 8, 60000, &slow, &order);
    const char *ns[3] = {"2", "3", "4"};
    for (int i = 0; i < 3; i++)
        cr_assert(start(lq, ns[i], &w[i], &order));
    usleep(100 * 1000);
    cr_assert_eq(atomic_load(&order), 0, "all wait");
    ds_livequery_stop(lq);
    cr_assert_eq(atomic_load(&order), 4, "stop returns once every caller is told");
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(w[i].r.status, 503, "%s", w[i].r.body);
        cr_assert(strstr(w[i].r.body, "stopping") != NULL, "%s", w[i].r.body);
        ds_live_reply_free(&w[i].r);
    }
    cr_assert(slow.r.status == 504 || slow.r.status == 503, "%s", slow.r.body);
    ds_live_reply_free(&slow.r);
    queue_done(lq, root);
}

Test(livequery, identical_requests_share_one_run)
{
    char *root;
    atomic_int order = 0;
    call slow, a[4];
    ds_livequery *lq = queue_engine(&root, 500, 2, 60000, &slow, &order);
    /* Four identical requests while the first waits take one place. */
    for (int i = 0; i < 4; i++)
        cr_assert(start(lq, "2", &a[i], &order), "request %d", i);
    wait_answered(&slow);
    for (int i = 0; i < 4; i++) {
        wait_answered(&a[i]);
        cr_assert_eq(a[i].r.status, 200, "%s", a[i].r.body);
        cr_assert_str_eq(a[i].r.body,
                         "{\"columns\":[{\"name\":\"c\",\"kind\":\"int\"}],\"rows\":[[0]]}");
        cr_assert_str_eq(a[i].r.cache, i == 0 ? "miss" : "shared");
        ds_live_reply_free(&a[i].r);
    }
    ds_livequery_stats st = ds_livequery_counters(lq);
    cr_assert_eq(st.ran, 2, "the slow one and one run for the four");
    cr_assert_eq(st.shared, 3);
    cr_assert_eq(st.waited, 1);
    ds_live_reply_free(&slow.r);
    queue_done(lq, root);
}

/* ---- file lists put back per request ------------------------------------ */

/* A query over view "v" whose list stayed a placeholder (livespec.h), its
 * partition predicate on an input; the published list has three part=K
 * folders and the data map gives each key's physical file. */
static const char *LIST_SPEC =
    "{\"version\": 1, \"static_dir\": \"/nonexistent\","
    " \"pages\": {\"p\": {\"inputs\": {\"k\": {\"visual_mode\": \"dropdown\"}},"
    "  \"queries\": {\"t\": {\"sql_path\": \"/sql/t.sql\"}},"
    "  \"components\": {\"table:t\": {\"query\": \"t\", \"kind\": \"table\", \"format\": null}}}},"
    " \"sql\": {\"/sql/t.sql\": {\"sql\": \"SELECT * FROM read_parquet('ducksite:files/v/0') "
    "WHERE part = ${inputs.k}\\n\", \"files\": [], \"names\": [], \"globs\": [],"
    " \"placeholders\": [\"inputs.k\"], \"lists\": {\"v/0\": \"sql/_files/v.json\"},"
    " \"prune\": {\"v\": [{\"col\": \"part\", \"op\": \"=\", \"values\": [\"${inputs.k}\"]}]}}}}";

static unsigned bind_list(ds_live_lists *ll, const char *k, char **sql, json_t **files,
                          json_t **names, char **why)
{
    json_t *spec = json_loads(LIST_SPEC, 0, NULL);
    cr_assert_not_null(spec);
    char *text = ds_asprintf("{\"page\": \"p\", \"component\": \"table:t\", \"query\": "
                             "\"/sql/t.sql\", \"inputs\": {\"k\": %s}}",
                             k);
    json_t *req = json_loads(text, 0, NULL);
    free(text);
    unsigned status = ds_livequery_bind(spec, req, ll, sql, files, names, why);
    json_decref(req);
    json_decref(spec);
    return status;
}

Test(livequery, lists_pruned_by_the_request_values)
{
    char *root = test_tmpdir();
    test_write(root, "static/sql/_files/v.json",
               "{\"hive\":{\"part\":\"BIGINT\"},\"lists\":[[[\"data/v/part=1/\",[\"a.parquet\","
               "\"b.parquet\"],[1,1]],[\"data/v/part=2/\",[\"c.parquet\"],[1]],"
               "[\"data/v/part=3/\",[\"d.parquet\"],[1]]]]}");
    test_write(root, "static/data_map.json",
               "{\"data/v/part=1/a.parquet\": \"/lake/part=1/a.parquet\","
               " \"data/v/part=1/b.parquet\": \"/lake/part=1/b.parquet\","
               " \"data/v/part=2/c.parquet\": \"/lake/part=2/c.parquet\","
               " \"data/v/part=3/d.parquet\": \"/lake/part=3/d.parquet\"}");
    char *static_dir = ds_path_join(root, "static");
    ds_err err;
    ds_mapstore *maps = ds_mapstore_open(static_dir, &err);
    cr_assert_not_null(maps, "%s", err.msg);
    ds_live_lists *ll = ds_live_lists_new(static_dir, maps);
    char *sql, *why;
    json_t *files, *names;
    /* The value fills the predicate as it fills the SQL: part=1's files. */
    cr_assert_eq(bind_list(ll, "\"1\"", &sql, &files, &names, &why), 0, "%s", why);
    cr_assert_str_eq(sql, "SELECT * FROM read_parquet(['/lake/part=1/a.parquet', "
                          "'/lake/part=1/b.parquet']) WHERE part = '1'\n");
    char *told = json_dumps(names, JSON_COMPACT);
    cr_assert_str_eq(told, "[\"sql/_files/v.json\",\"data/v/part=1/a.parquet\","
                           "\"data/v/part=1/b.parquet\"]");
    cr_assert_eq(json_array_size(files), 3);
    /* The document is stamped with the files; the kept files by their paths. */
    cr_assert(strstr(json_string_value(json_array_get(files, 0)), "/static/sql/_files/v.json"));
    cr_assert_str_eq(json_string_value(json_array_get(files, 2)), "/lake/part=1/b.parquet");
    free(told);
    free(sql);
    json_decref(files);
    json_decref(names);
    /* Another value, another folder; a value no folder has keeps the
     * first file (the engine binds the columns from it). */
    cr_assert_eq(bind_list(ll, "\"3\"", &sql, &files, &names, &why), 0, "%s", why);
    cr_assert_str_eq(sql, "SELECT * FROM read_parquet(['/lake/part=3/d.parquet']) "
                          "WHERE part = '3'\n");
    free(sql);
    json_decref(files);
    json_decref(names);
    cr_assert_eq(bind_list(ll, "\"9\"", &sql, &files, &names, &why), 0, "%s", why);
    cr_assert_str_eq(sql, "SELECT * FROM read_parquet(['/lake/part=1/a.parquet']) "
                          "WHERE part = '9'\n");
    free(sql);
    json_decref(files);
    json_decref(names);
    /* A value that is no number cannot be compared with part: every file
     * is kept (the query's WHERE decides), and the value stays a literal. */
    cr_assert_eq(bind_list(ll, "\"1' OR '1'='1\"", &sql, &files, &names, &why), 0, "%s", why);
    cr_assert(strstr(sql, "'/lake/part=2/c.parquet', '/lake/part=3/d.parquet']") != NULL, "%s",
              sql);
    cr_assert(strstr(sql, "WHERE part = '1'' OR ''1''=''1'\n") != NULL, "%s", sql);
    free(sql);
    json_decref(files);
    json_decref(names);
    /* The document gone (a site not rebuilt): 500, no path told. */
    char *doc = ds_path_join(static_dir, "sql/_files/v.json");
    unlink(doc);
    free(doc);
    cr_assert_eq(bind_list(ll, "\"1\"", &sql, &files, &names, &why), 500);
    cr_assert(strstr(why, "view 'v'") != NULL && strstr(why, root) == NULL, "%s", why);
    free(why);
    ds_live_lists_free(ll);
    ds_mapstore_close(maps);
    free(static_dir);
    test_rmtree(root);
    free(root);
}

/* A file whose physical path holds "${": the values go into the whole
 * text, so such a path would take a value into its literal (and out of
 * it).  The query is left to the browser, naming the file by its data
 * path, never by where it lives. */
Test(livequery, path_with_a_placeholder_is_refused)
{
    const char *text =
        "{\"version\": 1, \"static_dir\": \"/nonexistent\","
        " \"pages\": {\"p\": {\"inputs\": {\"z\": {\"visual_mode\": \"text\"}},"
        "  \"queries\": {\"t\": {\"sql_path\": \"/sql/t.sql\"}},"
        "  \"components\": {\"table:t\": {\"query\": \"t\", \"kind\": \"table\", \"format\": null}}}},"
        " \"sql\": {\"/sql/t.sql\": {\"sql\": \"SELECT ${inputs.z} AS z FROM "
        "read_parquet(['/lake/y${inputs.z}.parquet'])\\n\", \"files\": [\"/lake/y${inputs.z}.parquet\"],"
        " \"names\": [\"data/lake/y.parquet\"], \"placeholders\": []}}}";
    json_t *spec = json_loads(text, 0, NULL);
    cr_assert_not_null(spec);
    json_t *req = json_loads("{\"page\": \"p\", \"component\": \"table:t\", \"query\": "
                             "\"/sql/t.sql\", \"inputs\": {\"z\": \"'||chr(65)||'\"}}",
                             0, NULL);
    char *sql = NULL, *why = NULL;
    json_t *files = NULL, *names = NULL;
    unsigned status = ds_livequery_bind(spec, req, NULL, &sql, &files, &names, &why);
    cr_assert_eq(status, 422, "%s", sql ? sql : "");
    cr_assert_null(sql);
    cr_assert(strstr(why, "data/lake/y.parquet") && !strstr(why, "/lake/y$"), "%s", why);
    free(why);
    json_decref(files);
    json_decref(names);
    json_decref(req);
    json_decref(spec);
}
