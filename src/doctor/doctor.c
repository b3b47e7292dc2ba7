/* doctor.c - the run of `ducksite doctor URL` (see doctor.h): fetches the
 * page, finds its data files (the page config and compiled SQL of a
 * Ducksite page, and --data URLs), makes the requests DuckDB-Wasm makes
 * with libcurl, hands the answers to the verdicts of checks.c and writes
 * one line per check.  Requests carry the headers a browser adds
 * (Accept-Encoding, and Origin for data on another origin), and are never
 * decompressed: the doctor must see what the browser is sent. */
#include <assert.h>
#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "doctor.h"

#define ACCEPT_ENCODING "Accept-Encoding: gzip, deflate, br"
#define PAGE_MAX (16u << 20)
#define SQL_MAX (8u << 20)
/* A view's published file lists: 22 MB for 1,000,000 files. */
#define LIST_MAX (256u << 20)
/* Where they are (src/site/html.h's DS_SQL_FILES_DIR, as a URL path). */
#define DS_SQL_FILES_URL "sql/_files"
#define RANGE_LEN 65536u

/* ---- HTTP ----------------------------------------------------------------- */

typedef struct {
    CURL *h; /* one handle: connections are reused, as by a browser */
    double timeout_s;
    size_t requests;
    double ms; /* all requests */
} client;

typedef struct {
    ds_doctor_resp *r;
    size_t keep;
    bool aborted;
} sink;

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n, room = s->keep - s->r->body_len;
    size_t take = len < room ? len : room;
    if (take) {
        s->r->body = ds_xrealloc(s->r->body, s->r->body_len + take);
        memcpy(s->r->body + s->r->body_len, data, take);
        s->r->body_len += take;
    }
    if (take < len) { /* more than we keep: stop the transfer here */
        s->r->truncated = true;
        s->aborted = true;
        return 0;
    }
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    ds_doctor_resp *r = ctx;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) { /* a new answer (after a redirect) */
        for (size_t i = 0; i < r->n_hdrs; i++) {
            free(r->hdrs[i].name);
            free(r->hdrs[i].value);
        }
        r->n_hdrs = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon)
        return len;
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    r->hdrs = ds_xrealloc(r->hdrs, (r->n_hdrs + 1) * sizeof *r->hdrs);
    r->hdrs[r->n_hdrs].name = ds_strndup(data, (size_t)(colon - data));
    r->hdrs[r->n_hdrs++].value = ds_strndup(v, (size_t)(end - v));
    return len;
}

enum { FOLLOW = 1, DECODE = 2 };

/* One request: METHOD ("GET", "HEAD", "OPTIONS") of URL with HEADERS
 * (NULL-terminated "Name: value"), keeping at most KEEP body bytes.
 * FLAGS: FOLLOW redirects, as a browser's fetches do (*FINAL, if given,
 * gets the last URL; HEADERS go along), DECODE a compressed body (text we
 * read: the page, its SQL).  The answer recorded is the last one. */
static ds_doctor_resp request(client *c, const char *method, const char *url,
                              const char *const *headers, size_t keep, int flags, char **final)
{
    ds_doctor_resp r = {0};
    sink s = {&r, keep, false};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *list = flags & DECODE ? NULL : curl_slist_append(NULL, ACCEPT_ENCODING);
    for (size_t i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    CURL *h = c->h;
    curl_easy_reset(h); /* options only: live connections are kept */
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "ducksite-doctor/" DS_VERSION);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (flags & DECODE)
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* every encoding libcurl decodes */
    if (flags & FOLLOW) {
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_off_t us = 0;
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
    r.ms = (double)us / 1000.0;
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && s.aborted)) {
        r.error = ds_strdup(errbuf[0] ? errbuf : curl_easy_strerror(rc));
        status = 0;
    }
    r.status = status;
    if (final) {
        char *eff = NULL;
        curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
        *final = ds_strdup(eff ? eff : url);
    }
    curl_slist_free_all(list);
    c->requests++;
    c->ms += r.ms;
    return r;
}

/* ---- URLs ----------------------------------------------------------------- */

/* REF resolved against BASE, or NULL when either is not a URL. */
static char *resolve(const char *base, const char *ref)
{
    CURLU *u = curl_url();
    char *got = NULL, *out = NULL;
    if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK)
        out = ds_strdup(got);
    curl_free(got);
    curl_url_cleanup(u);
    return out;
}

/* scheme://host[:port] of URL (lower case), or "" when it has none. */
static char *origin_of(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL;
    char *out;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        curl_url_get(u, CURLUPART_PORT, &port, 0);
        out = ds_asprintf("%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
        for (char *p = out; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    } else {
        out = ds_strdup("");
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

/* The runtime's dataUrl (web/src/sql.js): a data path literal as an
 * absolute path on the page's origin; URLs stay as they are. */
static char *data_ref(const char *path)
{
    if (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0)
        return ds_strdup(path);
    ds_buf b = {0};
    const char *p = path;
    while (strncmp(p, "./", 2) == 0)
        p += 2;
    if (*p != '/' && *p != '\\')
        ds_buf_putc(&b, '/');
    for (; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\\')
            ds_buf_putc(&b, '/');
        else if (isalnum(ch) || strchr("-._~!$&'()*+,;=:@/%", ch))
            ds_buf_putc(&b, (char)ch);
        else
            ds_buf_printf(&b, "%%%02X", ch);
    }
    return ds_buf_take(&b);
}

/* ---- the page ------------------------------------------------------------- */

char *ds_doctor_page_config(const char *html)
{
    static const char OPEN[] = "<script id=\"page-config-json\" type=\"application/json\">";
    const char *start = strstr(html, OPEN);
    if (!start)
        return NULL;
    start += strlen(OPEN);
    const char *end = strstr(start, "</script>");
    return end ? ds_strndup(start, (size_t)(end - start)) : NULL;
}

char *ds_doctor_module_src(const char *html)
{
    for (const char *p = strstr(html, "<script"); p; p = strstr(p + 7, "<script")) {
        const char *close = strchr(p, '>');
        if (!close)
            return NULL;
        char *tag = ds_strndup(p, (size_t)(close - p));
        char *src = strstr(tag, " src=\"");
        char *out = NULL;
        if (strstr(tag, "type=\"module\"") && src) {
            src += 6;
            char *q = strchr(src, '"');
            if (q)
                out = ds_strndup(src, (size_t)(q - src));
        }
        free(tag);
        if (out) { /* undo the HTML escaping of & in a query string */
            for (char *a; (a = strstr(out, "&amp;"));)
                memmove(a + 1, a + 5, strlen(a + 5) + 1);
            return out;
        }
    }
    return NULL;
}

char *ds_doctor_engine_chunk(const char *js)
{
    for (const char *p = strstr(js, "\"./duckdb-"); p; p = strstr(p + 1, "\"./duckdb-")) {
        const char *end = strchr(p + 1, '"');
        if (end && end - p > 4 && strncmp(end - 3, ".js", 3) == 0 &&
            !memchr(p + 1, '\n', (size_t)(end - p - 1)))
            return ds_strndup(p + 1, (size_t)(end - p - 1));
    }
    return NULL;
}

static bool data_extension(const char *lit)
{
    static const char *const EXT[] = {".parquet", ".csv",   ".tsv",   ".json",
                                      ".ndjson",  ".jsonl", ".arrow", ".feather"};
    size_t n = strcspn(lit, "?#");
    for (size_t i = 0; i < DS_ARRAY_LEN(EXT); i++) {
        size_t m = strlen(EXT[i]);
        if (n > m && strncasecmp(lit + n - m, EXT[i], m) == 0)
            return true;
    }
    return false;
}

typedef struct {
    char ***list;
    size_t *n;
} lit_ctx;

static void add_unique(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return;
    *list = ds_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = ds_strdup(s);
}

static const char *note_literal(void *vctx, const char *lit)
{
    lit_ctx *c = vctx;
    bool url = strncasecmp(lit, "http://", 7) == 0 || strncasecmp(lit, "https://", 8) == 0;
    if ((url || !strstr(lit, "://")) && !strpbrk(lit, "*?[") && data_extension(lit))
        add_unique(c->list, c->n, lit);
    return NULL;
}

void ds_doctor_sql_files(const char *sql, char ***list, size_t *n)
{
    lit_ctx c = {list, n};
    ds_sql_each_literal(sql, note_literal, &c);
}

static const char *note_list(void *vctx, const char *lit)
{
    lit_ctx *c = vctx;
    if (strncmp(lit, DS_FILELIST_PREFIX, strlen(DS_FILELIST_PREFIX)) == 0) {
        const char *name = lit + strlen(DS_FILELIST_PREFIX), *slash = strrchr(name, '/');
        if (slash && slash > name) {
            char *view = ds_strndup(name, (size_t)(slash - name));
            add_unique(c->list, c->n, view);
            free(view);
        }
    }
    return NULL;
}

void ds_doctor_sql_lists(const char *sql, char ***views, size_t *n)
{
    lit_ctx c = {views, n};
    ds_sql_each_literal(sql, note_list, &c);
}

/* Appends the file at position K of RUNS (one list: [folder, [names], ...]
 * runs), or does nothing when there is none. */
static bool add_list_file(json_t *runs, size_t k, char ***list, size_t *n)
{
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run)
    {
        const char *folder = json_string_value(json_array_get(run, 0));
        json_t *names = json_array_get(run, 1);
        if (!folder || !json_is_array(names))
            return false;
        if (k < json_array_size(names)) {
            const char *name = json_string_value(json_array_get(names, k));
            if (!name)
                return false;
            char *path = ds_asprintf("%s%s", folder, name);
            add_unique(list, n, path);
            free(path);
            return true;
        }
        k -= json_array_size(names);
    }
    return false;
}

bool ds_doctor_list_files(const char *doc, char ***list, size_t *n, size_t *lists,
                          size_t *files)
{
    json_t *root = json_loads(doc, 0, NULL);
    json_t *all = json_object_get(root, "lists");
    bool ok = json_is_array(all);
    *lists = json_array_size(all);
    *files = 0;
    size_t i, r;
    json_t *runs, *run;
    json_array_foreach(all, i, runs)
    {
        size_t count = 0;
        json_array_foreach(runs, r, run) count += json_array_size(json_array_get(run, 1));
        *files += count;
        /* The first (the engine binds the view from it), the middle, the last. */
        ok = add_list_file(runs, 0, list, n) && ok;
        if (count > 2)
            add_list_file(runs, count / 2, list, n);
        if (count > 1)
            add_list_file(runs, count - 1, list, n);
    }
    json_decref(root);
    return ok;
}

/* ---- the report ----------------------------------------------------------- */

typedef struct {
    ds_doctor_line *lines;
    size_t n;
    const char *origin; /* the page's, to shorten subjects */
} report;

static void add(report *rep, ds_doctor_line l, const char *subject, double ms)
{
    l.subject = ds_strdup(subject);
    l.ms = ms;
    rep->lines = ds_xrealloc(rep->lines, (rep->n + 1) * sizeof *rep->lines);
    rep->lines[rep->n++] = l;
}

/* One line per check; a check's subject (a URL, shortened to its path on
 * the page's origin) heads the lines about it. */
static void write_text(const report *rep, const client *c, ds_buf *out)
{
    size_t count[3] = {0};
    size_t olen = strlen(rep->origin);
    const char *last = NULL;
    for (size_t i = 0; i < rep->n; i++) {
        const ds_doctor_line *l = &rep->lines[i];
        count[l->verdict]++;
        const char *subj = l->subject ? l->subject : "";
        if (olen && strncmp(subj, rep->origin, olen) == 0 && subj[olen] == '/')
            subj += olen;
        if (*subj && (!last || strcmp(last, subj) != 0))
            ds_buf_printf(out, "%s\n", subj);
        last = subj;
        ds_buf_printf(out, "  %-4s  %-18s  %s", ds_doctor_verdict_name(l->verdict), l->check,
                      l->detail);
        if (l->ms > 0)
            ds_buf_printf(out, "  (%.1f ms)", l->ms);
        ds_buf_putc(out, '\n');
        if (l->fix)
            ds_buf_printf(out, "        fix: %s\n", l->fix);
    }
    ds_buf_printf(out, "doctor: %zu ok, %zu warn, %zu FAIL; %zu requests in %.1f ms\n",
                  count[DS_DOCTOR_OK], count[DS_DOCTOR_WARN], count[DS_DOCTOR_FAIL], c->requests,
                  c->ms);
}

static void write_json(const report *rep, const client *c, const char *url, ds_buf *out)
{
    json_t *checks = json_array();
    size_t count[3] = {0};
    for (size_t i = 0; i < rep->n; i++) {
        const ds_doctor_line *l = &rep->lines[i];
        count[l->verdict]++;
        json_array_append_new(checks, json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:f}", "verdict",
                                                ds_doctor_verdict_name(l->verdict), "check",
                                                l->check, "url", l->subject, "detail", l->detail,
                                                "fix", l->fix, "ms", l->ms));
    }
    json_t *doc = json_pack(
        "{s:s, s:o, s:{s:i, s:i, s:i, s:i, s:f}}", "url", url, "checks", checks, "summary", "ok",
        (json_int_t)count[DS_DOCTOR_OK], "warn", (json_int_t)count[DS_DOCTOR_WARN], "fail",
        (json_int_t)count[DS_DOCTOR_FAIL], "requests", (json_int_t)c->requests, "ms", c->ms);
    char *text =
        doc ? json_dumps(doc, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(6)) : NULL;
    if (!text) { /* only text that is not UTF-8 can make this fail */
        ds_buf_puts(out, "{\"error\": \"the report holds text that is not UTF-8\"}\n");
    } else {
        ds_buf_puts(out, text);
        ds_buf_putc(out, '\n');
    }
    free(text);
    json_decref(doc);
}

/* ---- engine files --------------------------------------------------------- */

/* One engine file: its type and its compression, from the headers of a
 * GET whose body is cut at its first bytes. */
static void check_engine_file(client *c, report *rep, const char *url, const char *kind)
{
    ds_doctor_resp r = request(c, "GET", url, NULL, 0, FOLLOW, NULL);
    ds_doctor_line t = ds_doctor_check_engine_type(url, kind, &r);
    bool missing = t.verdict == DS_DOCTOR_FAIL && r.status != 200;
    add(rep, t, url, r.ms);
    if (!missing)
        add(rep, ds_doctor_check_engine_compression(url, &r), url, 0);
    ds_doctor_resp_free(&r);
}

static void check_engine(client *c, report *rep, const char *module_url)
{
    check_engine_file(c, rep, module_url, "module");
    /* The DuckDB-Wasm JavaScript is a chunk the module imports on first
     * use; its name is in the module's text. */
    ds_doctor_resp text = request(c, "GET", module_url, NULL, 8u << 20, DECODE, NULL);
    char *js = text.status == 200
                   ? ds_strndup(text.body ? (const char *)text.body : "", text.body_len)
                   : NULL;
    char *chunk = js ? ds_doctor_engine_chunk(js) : NULL;
    char *chunk_url = chunk ? resolve(module_url, chunk) : NULL;
    if (chunk_url)
        check_engine_file(c, rep, chunk_url, "module");
    free(chunk_url);
    free(chunk);
    free(js);
    ds_doctor_resp_free(&text);
    /* The runtime loads DuckDB-Wasm from <module dir>/duckdb/ (web/src/duckdb.js),
     * starting its worker through ducksite-worker.js. */
    static const struct {
        const char *ref, *kind;
    } FILES[] = {{"duckdb/ducksite-worker.js", "worker"},
                 {"duckdb/duckdb-browser-eh.worker.js", "worker"},
                 {"duckdb/duckdb-eh.wasm", "wasm"},
                 {"duckdb/duckdb-mvp.wasm", "wasm"}};
    for (size_t i = 0; i < DS_ARRAY_LEN(FILES); i++) {
        char *url = resolve(module_url, FILES[i].ref);
        if (url)
            check_engine_file(c, rep, url, FILES[i].kind);
        free(url);
    }
}

/* ---- data files ----------------------------------------------------------- */

typedef struct {
    client *c;
    report *rep;
    const char *page_origin;
    bool full_reads;
} data_run;

/* Header lines for a data request: Range (and If-Range), plus Origin when
 * the data is on another origin, as a browser sends them. */
static ds_doctor_resp data_request(const data_run *d, const char *method, const char *url,
                                   const char *range, const char *if_range, bool cross, size_t keep)
{
    char *h[4] = {0};
    size_t n = 0;
    if (range)
        h[n++] = ds_asprintf("Range: %s", range);
    if (if_range)
        h[n++] = ds_asprintf("If-Range: %s", if_range);
    if (cross)
        h[n++] = ds_asprintf("Origin: %s", d->page_origin);
    ds_doctor_resp r = request(d->c, method, url, (const char *const *)h, keep, FOLLOW, NULL);
    for (size_t i = 0; i < n; i++)
        free(h[i]);
    return r;
}

static bool is_parquet(const char *url)
{
    size_t n = strcspn(url, "?#");
    return n >= 8 && strncasecmp(url + n - 8, ".parquet", 8) == 0;
}

static void check_data(const data_run *d, const char *url)
{
    report *rep = d->rep;
    char *origin = origin_of(url);
    bool cross = strcmp(origin, d->page_origin) != 0;
    ds_doctor_resp plain = data_request(d, "HEAD", url, NULL, NULL, cross, 0);
    ds_doctor_line l = ds_doctor_check_head(&plain);
    bool exists = l.verdict == DS_DOCTOR_OK;
    add(rep, l, url, plain.ms);
    ds_doctor_resp_free(&plain);
    if (!exists) {
        free(origin);
        return;
    }
    ds_doctor_resp head = data_request(d, "HEAD", url, "bytes=0-", NULL, cross, 0);
    ds_doctor_resp probe = {0};
    bool probed = head.status != 206 || !ds_doctor_header(&head, "Content-Length");
    if (probed)
        probe = data_request(d, "GET", url, "bytes=0-0", NULL, cross, 1);
    add(rep, ds_doctor_check_head_range(&head, probed ? &probe : NULL, d->full_reads), url,
        head.ms + probe.ms);
    int64_t size = ds_doctor_size(&head);
    if (size < 0 && probed && probe.status == 206)
        size = ds_doctor_size(&probe);
    /* No size yet: a first ranged GET, as a reader would make anyway. */
    ds_doctor_resp first = {0};
    if (size <= 0) {
        first = data_request(d, "GET", url, "bytes=0-1023", NULL, cross, 1024);
        if (first.status == 206)
            size = ds_doctor_size(&first);
    }

    ds_doctor_resp mid = {0}, over = {0}, tail = {0}, match = {0}, other = {0}, past = {0};
    if (size > 0) {
        uint64_t total = (uint64_t)size, len = total < RANGE_LEN ? total : RANGE_LEN;
        uint64_t from = total / 2 > len / 2 ? total / 2 - len / 2 : 0;
        if (from + len > total)
            from = total - len;
        uint64_t over_from = from + len / 2, over_len = len;
        if (over_from + over_len > total)
            over_len = total - over_from;
        char range[64];
        snprintf(range, sizeof range, "bytes=%" PRIu64 "-%" PRIu64, from, from + len - 1);
        mid = data_request(d, "GET", url, range, NULL, cross, (size_t)len);
        snprintf(range, sizeof range, "bytes=%" PRIu64 "-%" PRIu64, over_from,
                 over_from + over_len - 1);
        over = data_request(d, "GET", url, range, NULL, cross, (size_t)over_len);
        add(rep, ds_doctor_check_range(&mid, from, len, total, &over, over_from), url,
            mid.ms + over.ms);

        uint64_t tail_from = total >= 8 ? total - 8 : 0;
        snprintf(range, sizeof range, "bytes=%" PRIu64 "-%" PRIu64, tail_from, total - 1);
        tail = data_request(d, "GET", url, range, NULL, cross, (size_t)(total - tail_from));
        add(rep, ds_doctor_check_tail(&tail, total, is_parquet(url)), url, tail.ms);

        /* If-Range: the strong ETag, else Last-Modified. */
        const char *etag = ds_doctor_header(&head, "ETag");
        const char *validator = etag && strncasecmp(etag, "W/", 2) != 0
                                    ? etag
                                    : ds_doctor_header(&head, "Last-Modified");
        if (validator) {
            match = data_request(d, "GET", url, "bytes=0-3", validator, cross, 4);
            other =
                data_request(d, "GET", url, "bytes=0-3", "\"ducksite-doctor-no-match\"", cross, 4);
        }
        add(rep, ds_doctor_check_if_range(validator, &match, &other), url, match.ms + other.ms);

        snprintf(range, sizeof range, "bytes=%" PRIu64 "-", total + 1000);
        past = data_request(d, "GET", url, range, NULL, cross, 4096);
        add(rep, ds_doctor_check_416(&past, total), url, past.ms);
    } else {
        /* Still no size: that first GET says how ranges (and encoding) fare. */
        add(rep, ds_doctor_check_range(&first, 0, 1024, 0, NULL, 0), url, first.ms);
        mid = first;
        first = (ds_doctor_resp){0};
    }
    add(rep, ds_doctor_check_data_encoding(&head, &mid), url, 0);
    add(rep, ds_doctor_check_data_type(url, &head), url, 0);
    add(rep, ds_doctor_check_cache(url, &head), url, 0);
    const ds_doctor_resp *all[] = {&head, &probe, &mid, &over, &tail, &match};
    add(rep, ds_doctor_check_consistent(all, DS_ARRAY_LEN(all)), url, 0);
    ds_doctor_resp preflight = {0};
    if (cross) {
        const char *h[] = {NULL, "Access-Control-Request-Method: GET",
                           "Access-Control-Request-Headers: range", NULL};
        char *o = ds_asprintf("Origin: %s", d->page_origin);
        h[0] = o;
        preflight = request(d->c, "OPTIONS", url, h, 4096, 0, NULL);
        free(o);
    }
    add(rep, ds_doctor_check_cors(d->page_origin, origin, &mid, cross ? &preflight : NULL), url,
        preflight.ms);
    ds_doctor_resp *mine[] = {&first, &head,  &probe, &mid,  &over,
                              &tail,  &match, &other, &past, &preflight};
    for (size_t i = 0; i < DS_ARRAY_LEN(mine); i++)
        ds_doctor_resp_free(mine[i]);
    free(origin);
}

/* The files to check: at least one per origin, then in order, up to MAX. */
static size_t pick_files(char **urls, size_t n, int max, char ***picked)
{
    *picked = NULL;
    size_t k = 0;
    bool *taken = ds_xcalloc(n ? n : 1, sizeof *taken);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n && (int)k < max; i++) {
            if (taken[i])
                continue;
            if (pass == 0) {
                char *o = origin_of(urls[i]);
                bool seen = false;
                for (size_t j = 0; j < k && !seen; j++) {
                    char *oj = origin_of((*picked)[j]);
                    seen = strcmp(o, oj) == 0;
                    free(oj);
                }
                free(o);
                if (seen)
                    continue;
            }
            taken[i] = true;
            *picked = ds_xrealloc(*picked, (k + 1) * sizeof **picked);
            (*picked)[k++] = urls[i];
        }
    free(taken);
    return k;
}

/* ---- the run -------------------------------------------------------------- */

/* VIEW's published file lists (static/sql/_files/VIEW.json): fetched and
 * read as JSON (the runtime's fetch decodes it), and fetched again as the
 * browser receives it, for its encoding (the first bytes only).  A sample
 * of its files is added to *paths.  false when it cannot be used. */
static bool check_list(client *c, report *rep, const char *page_url, const char *view,
                       char ***paths, size_t *n_paths)
{
    char *path = ds_asprintf("/" DS_SQL_FILES_URL "/%s.json", view);
    char *url = resolve(page_url, path);
    free(path);
    if (!url)
        return true;
    ds_doctor_resp r = request(c, "GET", url, NULL, LIST_MAX, DECODE, NULL);
    char *text = r.status == 200 ? ds_strndup(r.body ? (const char *)r.body : "", r.body_len)
                                 : NULL;
    size_t lists = 0, files = 0;
    bool ok = text && ds_doctor_list_files(text, paths, n_paths, &lists, &files);
    if (!ok) {
        char st[300];
        if (text)
            snprintf(st, sizeof st, "is not a list document");
        else if (r.status)
            snprintf(st, sizeof st, "answered %ld", r.status);
        else
            snprintf(st, sizeof st, "no answer (%s)", r.error);
        add(rep,
            ds_doctor_line_make(DS_DOCTOR_FAIL, "sql",
                                "publish static/sql/_files/ with static/sql/ (ducksite "
                                "build writes it for views over more than 100 files)",
                                "GET %s: the queries over view %s cannot run", st, view),
            url, r.ms);
    } else {
        add(rep,
            ds_doctor_line_make(DS_DOCTOR_OK, "file-list", NULL,
                                "200, JSON, %zu file%s in %zu list%s of view %s; its first, "
                                "middle and last files are data files to check",
                                files, files == 1 ? "" : "s", lists, lists == 1 ? "" : "s",
                                view),
            url, r.ms);
        /* Undecoded, as sent: 2 bytes tell gzip from JSON. */
        ds_doctor_resp raw = request(c, "GET", url, NULL, 2, 0, NULL);
        add(rep, ds_doctor_check_list_encoding(&raw, r.body_len), url, raw.ms);
        ds_doctor_resp_free(&raw);
    }
    free(text);
    ds_doctor_resp_free(&r);
    free(url);
    return ok;
}

/* The page's data file URLs from its config (data paths with sizes) and
 * the literals of its compiled SQL; SQL failures become a "sql" line. */
static void ducksite_files(client *c, report *rep, const char *page_url, json_t *config,
                           char ***urls, size_t *n)
{
    char **paths = NULL, **views = NULL;
    size_t n_paths = 0, n_views = 0;
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(config, "files"), key, v) add_unique(&paths, &n_paths, key);
    size_t n_sql = 0, n_ok = 0;
    double ms = 0;
    json_object_foreach(json_object_get(config, "queries"), key, v)
    {
        const char *path = json_string_value(json_object_get(v, "sql_path"));
        char *url = path ? resolve(page_url, path) : NULL;
        if (!url)
            continue;
        n_sql++;
        ds_doctor_resp r = request(c, "GET", url, NULL, SQL_MAX, DECODE, NULL);
        ms += r.ms;
        if (r.status == 200) {
            n_ok++;
            char *text = ds_strndup(r.body ? (const char *)r.body : "", r.body_len);
            ds_doctor_sql_files(text, &paths, &n_paths);
            ds_doctor_sql_lists(text, &views, &n_views);
            free(text);
        } else {
            char st[300];
            if (r.status)
                snprintf(st, sizeof st, "answered %ld", r.status);
            else
                snprintf(st, sizeof st, "no answer (%s)", r.error);
            add(rep,
                ds_doctor_line_make(
                    DS_DOCTOR_FAIL, "sql",
                    "publish static/sql/ with the pages (ducksite build writes it); a host "
                    "that serves only *.html or rewrites unknown paths to the index breaks "
                    "every live query",
                    "GET %s: the query %s cannot run", st, key),
                url, r.ms);
        }
        ds_doctor_resp_free(&r);
        free(url);
    }
    /* The file lists the SQL names: without them no query over those views
     * runs; a sample of each list's files are data files to check. */
    for (size_t i = 0; i < n_views; i++) {
        if (!check_list(c, rep, page_url, views[i], &paths, &n_paths))
            n_ok = 0; /* no "all fetched" line */
        free(views[i]);
    }
    free(views);
    /* A query whose SQL is missing has its own FAIL line, above. */
    if (n_sql && n_ok == n_sql)
        add(rep,
            ds_doctor_line_make(DS_DOCTOR_OK, "sql", NULL, "%zu of %zu compiled queries fetched",
                                n_ok, n_sql),
            page_url, ms);
    for (size_t i = 0; i < n_paths; i++) {
        char *ref = data_ref(paths[i]);
        char *url = resolve(page_url, ref);
        if (url)
            add_unique(urls, n, url);
        free(url);
        free(ref);
        free(paths[i]);
    }
    free(paths);
}

int ds_doctor(const ds_doctor_options *o, ds_buf *out, ds_err *err)
{
    assert(o && o->url && out && (o->data || o->n_data == 0));
    if (strncasecmp(o->url, "http://", 7) != 0 && strncasecmp(o->url, "https://", 8) != 0)
        return ds_err_set(err,
                          "%s: not an http:// or https:// URL; give the address of a page, "
                          "e.g. http://127.0.0.1:8080/",
                          o->url);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return ds_err_set(err, "libcurl could not start");
    client c = {curl_easy_init(), o->timeout_s > 0 ? o->timeout_s : 30, 0, 0};
    report rep = {0};
    char *page_url = NULL;
    ds_doctor_resp page = request(&c, "GET", o->url, NULL, PAGE_MAX, FOLLOW | DECODE, &page_url);
    char *page_origin = origin_of(page_url);
    rep.origin = page_origin;
    char *html = ds_strndup(page.body ? (const char *)page.body : "", page.body_len);
    char *config_text = page.status == 200 ? ds_doctor_page_config(html) : NULL;
    json_t *config = config_text ? json_loads(config_text, 0, NULL) : NULL;
    char **urls = NULL;
    size_t n_urls = 0;
    if (page.status == 0) {
        add(&rep,
            ds_doctor_line_make(
                DS_DOCTOR_FAIL, "page",
                "check the address, and that the server runs and is reachable from here",
                "GET: no answer (%s)", page.error),
            page_url, page.ms);
    } else if (page.status != 200) {
        add(&rep,
            ds_doctor_line_make(DS_DOCTOR_FAIL, "page",
                                "give the URL of a page the server answers with 200",
                                "GET answered %ld", page.status),
            page_url, page.ms);
    } else {
        const char *ct = ds_doctor_header(&page, "Content-Type");
        add(&rep,
            ds_doctor_line_make(DS_DOCTOR_OK, "page", NULL, "200, %s, %zu bytes%s%s",
                                ct ? ct : "no type", page.body_len,
                                config ? ", a Ducksite page" : "",
                                ds_doctor_header(&page, "Content-Encoding") ? " (compressed)" : ""),
            page_url, page.ms);
    }
    /* --data files come first and are all checked; found ones up to --max-files. */
    for (size_t i = 0; i < o->n_data; i++) {
        char *url = resolve(page_url, o->data[i]);
        if (url)
            add_unique(&urls, &n_urls, url);
        else
            add(&rep,
                ds_doctor_line_make(DS_DOCTOR_FAIL, "data-files",
                                    "give an http(s) URL, or a path on "
                                    "the page's server",
                                    "--data %s is not a URL", o->data[i]),
                page_url, 0);
        free(url);
    }
    size_t n_given = n_urls;
    if (config)
        ducksite_files(&c, &rep, page_url, config, &urls, &n_urls);
    char *module = config ? ds_doctor_module_src(html) : NULL;
    char *module_url = module ? resolve(page_url, module) : NULL;
    if (module_url)
        check_engine(&c, &rep, module_url);
    if (page.status == 200 && !config && o->n_data == 0)
        add(&rep,
            ds_doctor_line_make(
                DS_DOCTOR_FAIL, "data-files",
                "name the data files DuckDB-Wasm reads with --data URL (repeatable)",
                "not a Ducksite page (no page config) and no --data given: nothing to check"),
            page_url, 0);
    else if (page.status == 200 || n_urls) {
        char **picked = ds_xmalloc((n_urls ? n_urls : 1) * sizeof *picked);
        size_t k = 0;
        for (; k < n_given; k++)
            picked[k] = urls[k];
        char **found;
        size_t n_found = n_urls > n_given
                             ? pick_files(&urls[n_given], n_urls - n_given, o->max_files, &found)
                             : 0;
        for (size_t i = 0; i < n_found; i++)
            picked[k++] = found[i];
        if (n_found)
            free(found);
        size_t cross = 0;
        for (size_t i = 0; i < n_urls; i++) {
            char *og = origin_of(urls[i]);
            cross += strcmp(og, page_origin) != 0;
            free(og);
        }
        add(&rep,
            ds_doctor_line_make(
                DS_DOCTOR_OK, "data-files", NULL,
                "%zu data file%s (%zu on another origin); checking %zu (--data, and up to "
                "--max-files %d found)",
                n_urls, n_urls == 1 ? "" : "s", cross, k, o->max_files),
            page_url, 0);
        data_run d = {&c, &rep, page_origin, config != NULL};
        for (size_t i = 0; i < k; i++)
            check_data(&d, picked[i]);
        free(picked);
    }
    if (o->json)
        write_json(&rep, &c, o->url, out);
    else
        write_text(&rep, &c, out);
    size_t failed = 0;
    for (size_t i = 0; i < rep.n; i++) {
        failed += rep.lines[i].verdict == DS_DOCTOR_FAIL;
        ds_doctor_line_free(&rep.lines[i]);
    }
    free(rep.lines);
    for (size_t i = 0; i < n_urls; i++)
        free(urls[i]);
    free(urls);
    free(module);
    free(module_url);
    json_decref(config);
    free(config_text);
    free(html);
    free(page_origin);
    free(page_url);
    ds_doctor_resp_free(&page);
    curl_easy_cleanup(c.h);
    curl_global_cleanup();
    if (failed)
        return ds_err_set(err, "%zu check%s failed: each FAIL line says what to change", failed,
                          failed == 1 ? "" : "s");
    return 0;
}
