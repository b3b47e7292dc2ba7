/* checks.c - the verdicts of `ducksite doctor` over recorded answers (see
 * doctor.h).  No network here: each function looks at answers already
 * received, so the unit tests can hand it any server's behaviour.
 *
 * What counts is what DuckDB-Wasm 1.28.0 (DuckDB 0.9.1) does with an
 * answer (its runtime_browser.ts): a plain HEAD must be 200 or 206; then a
 * HEAD with Range: bytes=0- must be 206 with Content-Length, else (only with
 * allowFullHTTPReads) a GET bytes=0-0 must be 206 with Content-Length: 1,
 * else the whole file is downloaded; every read is a GET bytes=a-b that
 * must be 206 (a 200 is the whole file, for every read), and the bytes of
 * a 206 are used without looking at Content-Range.  The rules are written
 * out in docs/deploy.md. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

/* ---- answers -------------------------------------------------------------- */

const char *ds_doctor_header(const ds_doctor_resp *r, const char *name)
{
    const char *found = NULL;
    for (size_t i = 0; r && i < r->n_hdrs; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0)
            found = r->hdrs[i].value;
    return found;
}

ds_doctor_resp ds_doctor_resp_make(long status, const char *const *hdr_lines, const void *body,
                                   size_t body_len)
{
    ds_doctor_resp r = {.status = status};
    for (size_t i = 0; hdr_lines && hdr_lines[i]; i++) {
        const char *colon = strchr(hdr_lines[i], ':');
        if (!colon)
            continue;
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        r.hdrs = ds_xrealloc(r.hdrs, (r.n_hdrs + 1) * sizeof *r.hdrs);
        r.hdrs[r.n_hdrs].name = ds_strndup(hdr_lines[i], (size_t)(colon - hdr_lines[i]));
        r.hdrs[r.n_hdrs++].value = ds_strdup(v);
    }
    if (body_len) {
        r.body = ds_xmalloc(body_len);
        memcpy(r.body, body, body_len);
        r.body_len = body_len;
    }
    return r;
}

void ds_doctor_resp_free(ds_doctor_resp *r)
{
    for (size_t i = 0; i < r->n_hdrs; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    free(r->body);
    free(r->error);
    *r = (ds_doctor_resp){0};
}

void ds_doctor_line_free(ds_doctor_line *l)
{
    free(l->subject);
    free(l->detail);
    *l = (ds_doctor_line){0};
}

const char *ds_doctor_verdict_name(ds_doctor_verdict v)
{
    return v == DS_DOCTOR_OK ? "ok" : v == DS_DOCTOR_WARN ? "warn" : "FAIL";
}

/* ---- small readers -------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s)
        return false;
    while (*s == ' ')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    while (*end == ' ')
        end++;
    if (*end)
        return false;
    *out = v;
    return true;
}

/* Content-Range: bytes FIRST-LAST/TOTAL (TOTAL may be *: -1). */
static bool content_range(const ds_doctor_resp *r, uint64_t *first, uint64_t *last, int64_t *total)
{
    const char *cr = ds_doctor_header(r, "Content-Range");
    unsigned long long a, b;
    char t[32];
    if (!cr || sscanf(cr, "bytes %llu-%llu/%31s", &a, &b, t) != 3)
        return false;
    *first = a;
    *last = b;
    uint64_t tv;
    *total = strcmp(t, "*") == 0 ? -1 : parse_u64(t, &tv) ? (int64_t)tv : -1;
    return true;
}

int64_t ds_doctor_size(const ds_doctor_resp *head)
{
    uint64_t a, b, len;
    int64_t total;
    if (content_range(head, &a, &b, &total) && total >= 0)
        return total;
    if ((head->status == 200 || head->status == 206) &&
        parse_u64(ds_doctor_header(head, "Content-Length"), &len))
        return (int64_t)len;
    return -1;
}

static bool encoded(const ds_doctor_resp *r)
{
    const char *ce = ds_doctor_header(r, "Content-Encoding");
    return ce && *ce && strcasecmp(ce, "identity") != 0;
}

/* Does the comma-separated list V hold TOKEN (case-insensitive)? */
static bool list_has(const char *v, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = v; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == n && strncasecmp(p, token, n) == 0)
            return true;
        p = e;
    }
    return false;
}

ds_doctor_line ds_doctor_line_make(ds_doctor_verdict v, const char *check, const char *fix,
                                   const char *fmt, ...)
{
    ds_buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    return (ds_doctor_line){v, check, NULL, ds_buf_take(&b), v == DS_DOCTOR_OK ? NULL : fix, 0};
}

static const char *status_text(const ds_doctor_resp *r, char buf[96])
{
    if (r->status == 0)
        snprintf(buf, 96, "no answer (%s)", r->error ? r->error : "unknown error");
    else
        snprintf(buf, 96, "%ld", r->status);
    return buf;
}

/* ---- what to change, per server ------------------------------------------- */

static const char FIX_EXISTS[] =
    "publish the file at this URL (ducksite: rebuild; nginx: check root/alias; S3: upload it "
    "and allow s3:GetObject for HEAD; CDN: check the origin path)";
static const char FIX_RANGES[] =
    "serve the file with byte ranges: nginx: a static file location, no `max_ranges 0`, no "
    "gzip/sub_filter for it, `proxy_force_ranges on` behind proxy_pass; Caddy: `file_server` "
    "(ranges built in), no `encode` for it; S3/MinIO: ranges are native, check nothing in "
    "front drops the Range header; CDN: forward `Range` to the origin (or cache whole objects "
    "and answer ranges), never strip Content-Length";
static const char FIX_HEAD[] =
    "answer HEAD like GET, with Range: nginx/Caddy do this for static files (a HEAD rewritten "
    "by a proxy rule or a `return 200` does not); S3: native; CDN: forward HEAD with its Range "
    "header, or disable a HEAD-to-GET rewrite rule";
static const char FIX_LENGTH[] =
    "send Content-Length: nginx: no gzip, sub_filter or chunked proxying for data files "
    "(`gzip_types` without application/vnd.apache.parquet and application/octet-stream); "
    "Caddy: no `encode` for data files; S3: native; CDN: no compression or streaming "
    "transform for data files";
static const char FIX_IF_RANGE[] =
    "honour If-Range with strong validators: nginx and Caddy static files do; a proxy or CDN "
    "must forward If-Range (or drop Range when it cannot check it), and must not turn the "
    "ETag weak (nginx gzip on the file makes it W/)";
static const char FIX_416[] =
    "answer a range past the end with 416 and Content-Range: bytes */SIZE (nginx, Caddy, S3 "
    "do; a proxy or CDN in front must not turn it into 200 or 206)";
static const char FIX_ENCODING[] =
    "never compress data files: nginx: remove application/vnd.apache.parquet and "
    "application/octet-stream from `gzip_types` (or `gzip off` in the data location); Caddy: "
    "`encode` with a `match` that leaves .parquet out; S3: upload without "
    "Content-Encoding; CDN: exclude these types from automatic compression";
static const char FIX_TYPE[] =
    "serve the right type: nginx: `types { application/vnd.apache.parquet parquet; }` "
    "(`ducksite export --nginx` writes it); Caddy: `header /data/* Content-Type ...` for "
    "data; S3: `aws s3 cp --content-type application/vnd.apache.parquet`; CDN: a response "
    "header rule.  A text/html answer is usually an error page or a single-page-app fallback "
    "for a missing file";
static const char FIX_CACHE[] =
    "data: `Cache-Control: no-cache` with a strong ETag (revalidate every use), or a version "
    "in the URL with `max-age=31536000, immutable`: nginx: `add_header Cache-Control "
    "no-cache always;` (`ducksite export --nginx` does), `etag on`, no gzip; Caddy: `header "
    "Cache-Control no-cache`; S3: `--cache-control no-cache` on upload (ETags are strong); "
    "CDN: pass the origin's Cache-Control and ETag, add `no-transform`";
static const char FIX_CONSISTENT[] =
    "every server behind the name must hold the same version of the file: publish by "
    "rename and sync all origins before switching; purge the CDN after a change";
static const char FIX_CORS[] =
    "allow the page's origin on the data's server: nginx: `add_header "
    "Access-Control-Allow-Origin https://site always; add_header "
    "Access-Control-Expose-Headers \"Content-Range, Content-Length, Accept-Ranges, ETag\" "
    "always;` and answer OPTIONS with Access-Control-Allow-Methods \"GET, HEAD\" and "
    "Access-Control-Allow-Headers Range; Caddy: the same with `header` and a `@options` "
    "matcher; S3/MinIO: a bucket CORS rule (AllowedMethods GET HEAD, AllowedHeaders Range, "
    "ExposeHeaders Content-Range Content-Length ETag); CDN: forward the Origin header and "
    "cache per Origin (or pass the CORS headers through)";
static const char FIX_WASM_TYPE[] =
    "serve .wasm as application/wasm: nginx: `types { application/wasm wasm; }` (Debian's "
    "mime.types has it); Caddy: built in; S3: `--content-type application/wasm`; CDN: a "
    "response header rule";
static const char FIX_JS_TYPE[] =
    "serve .js as text/javascript: nginx: mime.types; Caddy: built in; S3: `--content-type "
    "text/javascript`; CDN: a response header rule";
static const char FIX_LIST_GZIP[] =
    "serve a file list's .gz sidecar (the build writes static/sql/_files/VIEW.json.gz) with "
    "Content-Encoding: gzip to clients that accept it: nginx: `gzip_static on` (`ducksite "
    "export --nginx` sets it) or `gzip on; gzip_types application/json;`; Caddy: `file_server "
    "{ precompressed gzip }`; S3: upload the .gz bytes as VIEW.json with Content-Encoding: gzip; "
    "CDN: enable compression for application/json";
static const char FIX_LIST_LABEL[] =
    "send Content-Encoding: gzip only with gzip bytes: a .gz file served as is needs no such "
    "header, and gzip bytes under the .json name need it (nginx: `gzip_static on`, not an "
    "`add_header Content-Encoding`)";
static const char FIX_COMPRESS[] =
    "compress the engine: nginx: `gzip_static on` (the build writes .gz next to each asset; "
    "`ducksite export --nginx` sets it) or `gzip on; gzip_types application/wasm "
    "text/javascript;`, and behind `proxy_pass` `proxy_http_version 1.1` (nginx compresses "
    "for HTTP/1.1 requests only); Caddy: `encode gzip` or `file_server { precompressed gzip }`; "
    "S3: "
    "upload the .gz bytes with Content-Encoding: gzip; CDN: enable compression for "
    "application/wasm and text/javascript";

/* ---- data files ----------------------------------------------------------- */

ds_doctor_line ds_doctor_check_head(const ds_doctor_resp *head)
{
    char st[96];
    if (head->status == 200 || head->status == 206)
        return ds_doctor_line_make(DS_DOCTOR_OK, "head", NULL, "HEAD %ld", head->status);
    return ds_doctor_line_make(DS_DOCTOR_FAIL, "head", FIX_EXISTS,
                               "HEAD: %s: DuckDB-Wasm reports the file as missing",
                               status_text(head, st));
}

ds_doctor_line ds_doctor_check_head_range(const ds_doctor_resp *head, const ds_doctor_resp *probe,
                                          bool full_reads)
{
    char st[96];
    uint64_t len;
    bool has_len = parse_u64(ds_doctor_header(head, "Content-Length"), &len);
    if (head->status == 206 && has_len)
        return ds_doctor_line_make(DS_DOCTOR_OK, "head-range", NULL,
                                   "HEAD bytes=0- answered 206, Content-Length %" PRIu64, len);
    if (head->status == 0)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "head-range", FIX_RANGES, "HEAD bytes=0-: %s",
                                   status_text(head, st));
    if (!has_len || len <= 1)
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "head-range", FIX_LENGTH,
            "HEAD bytes=0- answered %ld without Content-Length: DuckDB-Wasm cannot "
            "learn the size and %s",
            head->status,
            full_reads ? "downloads the whole file" : "fails (no allowFullHTTPReads)");
    uint64_t plen;
    bool probe_len = probe && parse_u64(ds_doctor_header(probe, "Content-Length"), &plen);
    if (probe && probe->status == 206 && probe_len && plen == 1) {
        if (full_reads)
            return ds_doctor_line_make(
                DS_DOCTOR_WARN, "head-range", FIX_HEAD,
                "HEAD bytes=0- answered %ld; GET bytes=0-0 answered 206: ranged reads "
                "work, one more request per file (allowFullHTTPReads)",
                head->status);
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "head-range", FIX_HEAD,
            "HEAD bytes=0- answered %ld: DuckDB-Wasm without allowFullHTTPReads cannot "
            "open the file (GET bytes=0-0 would answer 206)",
            head->status);
    }
    return ds_doctor_line_make(
        DS_DOCTOR_FAIL, "head-range", FIX_RANGES,
        "HEAD bytes=0- answered %ld and GET bytes=0-0 answered %s: no byte ranges, "
        "DuckDB-Wasm %s",
        head->status, probe ? status_text(probe, st) : "nothing",
        full_reads ? "downloads the whole file" : "fails (no allowFullHTTPReads)");
}

ds_doctor_line ds_doctor_check_range(const ds_doctor_resp *r, uint64_t from, uint64_t len,
                                     uint64_t total, const ds_doctor_resp *over, uint64_t over_from)
{
    char st[96];
    uint64_t last = from + len - 1;
    if (r->status == 200)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "range", FIX_RANGES,
                                   "GET bytes=%" PRIu64 "-%" PRIu64
                                   " answered 200: DuckDB-Wasm downloads the "
                                   "whole file for every read",
                                   from, last);
    if (r->status != 206)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "range", FIX_RANGES,
                                   "GET bytes=%" PRIu64 "-%" PRIu64 " answered %s", from, last,
                                   status_text(r, st));
    uint64_t a, b;
    int64_t t;
    if (!content_range(r, &a, &b, &t) || a != from || b != last || t != (int64_t)total)
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "range", FIX_RANGES,
            "GET bytes=%" PRIu64 "-%" PRIu64 " answered 206 with Content-Range: %s "
            "(want bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64 ")",
            from, last,
            ds_doctor_header(r, "Content-Range") ? ds_doctor_header(r, "Content-Range") : "(none)",
            from, last, total);
    if (r->body_len != len || r->truncated)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "range", FIX_RANGES,
                                   "GET bytes=%" PRIu64 "-%" PRIu64
                                   " answered 206 with %zu%s bytes, not %" PRIu64,
                                   from, last, r->body_len, r->truncated ? "+" : "", len);
    if (over && over->status == 206) {
        /* The overlap of [from, from+len) and [over_from, over_from+over->body_len). */
        uint64_t lo = from > over_from ? from : over_from;
        uint64_t hi_a = from + len, hi_b = over_from + over->body_len;
        uint64_t hi = hi_a < hi_b ? hi_a : hi_b;
        if (hi > lo &&
            memcmp(r->body + (lo - from), over->body + (lo - over_from), (size_t)(hi - lo)) != 0)
            return ds_doctor_line_make(
                DS_DOCTOR_FAIL, "range", FIX_CONSISTENT,
                "two overlapping ranges disagree on bytes %" PRIu64 "-%" PRIu64
                ": a cache serves a range of another version or another file",
                lo, hi - 1);
    } else if (over) {
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "range", FIX_RANGES,
                                   "GET bytes=%" PRIu64 "-... answered %s", over_from,
                                   status_text(over, st));
    }
    return ds_doctor_line_make(DS_DOCTOR_OK, "range", NULL,
                               "GET bytes=%" PRIu64 "-%" PRIu64
                               " answered 206 with exactly those %" PRIu64 " bytes%s",
                               from, last, len, over ? " (an overlapping range agrees)" : "");
}

ds_doctor_line ds_doctor_check_tail(const ds_doctor_resp *r, uint64_t total, bool parquet)
{
    char st[96];
    uint64_t from = total >= 8 ? total - 8 : 0, len = total - from;
    if (r->status != 206 || r->body_len != len || r->truncated)
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "range-tail", FIX_RANGES,
            "GET of the last %" PRIu64 " bytes (the footer) answered %s with %s", len,
            status_text(r, st), r->truncated ? "more bytes (the whole file?)" : "other bytes");
    if (parquet && (len < 4 || memcmp(r->body + len - 4, "PAR1", 4) != 0))
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "range-tail", FIX_TYPE,
            "the last bytes are not PAR1: not a Parquet file (an error page?)");
    return ds_doctor_line_make(DS_DOCTOR_OK, "range-tail", NULL,
                               "footer read: 206, %" PRIu64 " bytes%s", len,
                               parquet ? " ending in PAR1" : "");
}

static bool weak_etag(const char *etag)
{
    return etag && (strncmp(etag, "W/", 2) == 0 || strncmp(etag, "w/", 2) == 0);
}

ds_doctor_line ds_doctor_check_if_range(const char *validator, const ds_doctor_resp *match,
                                        const ds_doctor_resp *other)
{
    char st[96], st2[96];
    if (!validator)
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "if-range", FIX_CACHE,
            "no strong ETag or Last-Modified: If-Range cannot be used, so a browser "
            "cannot safely resume or combine cached ranges");
    if (other->status == 206)
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "if-range", FIX_IF_RANGE,
            "If-Range with a validator that does not match answered 206: after the "
            "file changes, cached and new bytes get mixed");
    if (match->status != 206)
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "if-range", FIX_IF_RANGE,
            "If-Range with the file's own validator answered %s (want 206): resumed "
            "reads download the whole file",
            status_text(match, st));
    if (other->status != 200)
        return ds_doctor_line_make(DS_DOCTOR_WARN, "if-range", FIX_IF_RANGE,
                                   "If-Range that does not match answered %s (want 200)",
                                   status_text(other, st2));
    return ds_doctor_line_make(DS_DOCTOR_OK, "if-range", NULL,
                               "If-Range: 206 when it matches, 200 when not");
}

ds_doctor_line ds_doctor_check_416(const ds_doctor_resp *r, uint64_t total)
{
    char st[96];
    uint64_t a, b;
    int64_t t;
    const char *cr = ds_doctor_header(r, "Content-Range");
    if (r->status == 416) {
        char want[48];
        snprintf(want, sizeof want, "bytes */%" PRIu64, total);
        if (cr && strcmp(cr, want) == 0)
            return ds_doctor_line_make(DS_DOCTOR_OK, "range-416", NULL,
                                       "a range past the end answered 416, Content-Range: %s", cr);
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "range-416", FIX_416,
            "a range past the end answered 416 with Content-Range: %s (want %s)",
            cr ? cr : "(none)", want);
    }
    if (r->status == 206 || (r->status == 200 && content_range(r, &a, &b, &t)))
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "range-416", FIX_416,
            "a range past the end answered %ld with bytes: a cache or proxy invents "
            "ranges",
            r->status);
    return ds_doctor_line_make(DS_DOCTOR_WARN, "range-416", FIX_416,
                               "a range past the end answered %s (want 416)", status_text(r, st));
}

ds_doctor_line ds_doctor_check_data_encoding(const ds_doctor_resp *head,
                                             const ds_doctor_resp *range)
{
    const ds_doctor_resp *bad = encoded(head) ? head : range && encoded(range) ? range : NULL;
    if (bad)
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "data-encoding", FIX_ENCODING,
            "Content-Encoding: %s on a data file: compressed answers have no usable "
            "byte ranges (and a wrong Content-Length)",
            ds_doctor_header(bad, "Content-Encoding"));
    return ds_doctor_line_make(DS_DOCTOR_OK, "data-encoding", NULL,
                               "identity (no Content-Encoding)");
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The path of URL without query or fragment, lower-cased, in OUT. */
static void url_path(const char *url, char *out, size_t size)
{
    size_t n = strcspn(url, "?#");
    if (n >= size)
        n = size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)url[i]);
    out[n] = '\0';
}

static bool type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

ds_doctor_line ds_doctor_check_data_type(const char *url, const ds_doctor_resp *head)
{
    char path[1024];
    url_path(url, path, sizeof path);
    const char *ct = ds_doctor_header(head, "Content-Type");
    if (type_is(ct, "text/html"))
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "data-type", FIX_TYPE,
                                   "Content-Type: %s for a data file", ct);
    if (ends_with_ci(path, ".parquet")) {
        if (type_is(ct, "application/vnd.apache.parquet") ||
            type_is(ct, "application/octet-stream") ||
            type_is(ct, "binary/octet-stream")) /* S3's default */
            return ds_doctor_line_make(DS_DOCTOR_OK, "data-type", NULL, "Content-Type: %s", ct);
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "data-type", FIX_TYPE,
            "Content-Type: %s for Parquet (want application/vnd.apache.parquet): "
            "compression rules for text types may catch it",
            ct ? ct : "(none)");
    }
    return ds_doctor_line_make(DS_DOCTOR_OK, "data-type", NULL, "Content-Type: %s",
                               ct ? ct : "(none)");
}

/* Is URL versioned (a ?v= parameter or a hash in the file name), as the
 * server's cache policy says? */
static bool versioned(const char *url)
{
    const char *q = strchr(url, '?');
    for (const char *p = q; p && *p;) {
        p++;
        if (strncmp(p, "v=", 2) == 0 && p[2] && p[2] != '&')
            return true;
        p = strchr(p, '&');
    }
    char path[1024];
    url_path(url, path, sizeof path);
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    const char *ext = strrchr(name, '.');
    if (!ext)
        return false;
    for (const char *s = ext - 1; s > name; s--)
        if (*s == '.' || *s == '-') {
            size_t n = (size_t)(ext - s - 1);
            if (n < 8 || n > 64)
                return false;
            for (const char *h = s + 1; h < ext; h++)
                if (!isxdigit((unsigned char)*h))
                    return false;
            return true;
        }
    return false;
}

/* The value of max-age (or s-maxage) in CC, or -1. */
static long max_age(const char *cc)
{
    for (const char *p = cc; p && *p; p++)
        if (strncasecmp(p, "max-age=", 8) == 0)
            return strtol(p + 8, NULL, 10);
    return -1;
}

ds_doctor_line ds_doctor_check_cache(const char *url, const ds_doctor_resp *head)
{
    ds_buf why = {0};
    ds_doctor_verdict v = DS_DOCTOR_OK;
    const char *cc = ds_doctor_header(head, "Cache-Control");
    const char *etag = ds_doctor_header(head, "ETag");
    const char *lm = ds_doctor_header(head, "Last-Modified");
    const char *vary = ds_doctor_header(head, "Vary");
    bool revalidate =
        cc && (list_has(cc, "no-cache") || list_has(cc, "no-store") || max_age(cc) == 0);
    if (weak_etag(etag)) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why,
                      "%sweak ETag %s (not usable with If-Range; often a sign of "
                      "on-the-fly compression)",
                      why.len ? "; " : "", etag);
    }
    if (!etag && !lm) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why, "%sno ETag or Last-Modified: cached ranges cannot be revalidated",
                      why.len ? "; " : "");
    }
    if (!cc && !versioned(url)) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why,
                      "%sno Cache-Control: browsers guess a freshness time and may "
                      "mix ranges of an old and a new version",
                      why.len ? "; " : "");
    } else if (cc && !revalidate && !versioned(url) && max_age(cc) > 0) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why,
                      "%sCache-Control: %s on an unversioned URL: after a change, "
                      "ranges of two versions get mixed",
                      why.len ? "; " : "", cc);
    }
    if (vary && strchr(vary, '*')) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why, "%sVary: * (nothing can be cached)", why.len ? "; " : "");
    }
    /* Behind a proxy or CDN (it says so), no-transform keeps it from
     * recompressing or re-encoding the bytes. */
    static const char *const PROXY[] = {"Via",
                                        "X-Cache",
                                        "Age",
                                        "CF-Cache-Status",
                                        "X-Amz-Cf-Id",
                                        "X-Served-By",
                                        "X-Cache-Status",
                                        "CDN-Cache-Control"};
    const char *proxy = NULL;
    for (size_t i = 0; i < DS_ARRAY_LEN(PROXY) && !proxy; i++)
        if (ds_doctor_header(head, PROXY[i]))
            proxy = PROXY[i];
    if (proxy && !(cc && list_has(cc, "no-transform"))) {
        v = DS_DOCTOR_WARN;
        ds_buf_printf(&why, "%sbehind a proxy or CDN (%s) without Cache-Control: no-transform",
                      why.len ? "; " : "", proxy);
    }
    if (v == DS_DOCTOR_OK)
        ds_buf_printf(&why, "Cache-Control: %s, %s%s", cc ? cc : "(none)",
                      etag ? "ETag " : "Last-Modified ", etag ? etag : lm);
    ds_doctor_line l = ds_doctor_line_make(v, "cache", FIX_CACHE, "%s", ds_buf_str(&why));
    ds_buf_free(&why);
    return l;
}

ds_doctor_line ds_doctor_check_consistent(const ds_doctor_resp *const *resps, size_t n)
{
    int64_t size = -1;
    const char *etag = NULL;
    for (size_t i = 0; i < n; i++) {
        const ds_doctor_resp *r = resps[i];
        if (r->status != 200 && r->status != 206)
            continue;
        uint64_t a, b;
        int64_t t;
        int64_t s = content_range(r, &a, &b, &t) ? t : -1;
        if (s >= 0 && size >= 0 && s != size)
            return ds_doctor_line_make(DS_DOCTOR_FAIL, "consistent", FIX_CONSISTENT,
                                       "answers disagree on the size: %" PRId64 " and %" PRId64,
                                       size, s);
        if (s >= 0)
            size = s;
        const char *e = ds_doctor_header(r, "ETag");
        /* A weak tag may differ by encoding; strong ones name the bytes. */
        if (e && etag && !weak_etag(e) && !weak_etag(etag) && strcmp(e, etag) != 0)
            return ds_doctor_line_make(
                DS_DOCTOR_FAIL, "consistent", FIX_CONSISTENT,
                "answers disagree on the ETag: %s and %s (two versions behind one URL)", etag, e);
        if (e)
            etag = e;
    }
    return ds_doctor_line_make(DS_DOCTOR_OK, "consistent", NULL,
                               "every answer names the same size and ETag");
}

ds_doctor_line ds_doctor_check_cors(const char *page_origin, const char *data_origin,
                                    const ds_doctor_resp *get, const ds_doctor_resp *preflight)
{
    if (!preflight || strcasecmp(page_origin, data_origin) == 0)
        return ds_doctor_line_make(DS_DOCTOR_OK, "cors", NULL,
                                   "data on the page's origin: no CORS needed");
    char st[96];
    const char *acao = ds_doctor_header(get, "Access-Control-Allow-Origin");
    if (!acao || (strcmp(acao, "*") != 0 && strcasecmp(acao, page_origin) != 0))
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "cors", FIX_CORS,
            "data on %s answered without Access-Control-Allow-Origin for %s (got %s): "
            "the browser blocks every read",
            data_origin, page_origin, acao ? acao : "none");
    const char *pa = ds_doctor_header(preflight, "Access-Control-Allow-Origin");
    const char *ph = ds_doctor_header(preflight, "Access-Control-Allow-Headers");
    if (preflight->status < 200 || preflight->status > 299 || !pa ||
        !(ph && (list_has(ph, "range") || list_has(ph, "*"))))
        return ds_doctor_line_make(
            DS_DOCTOR_FAIL, "cors", FIX_CORS,
            "preflight (OPTIONS, Access-Control-Request-Headers: range) answered %s, "
            "Allow-Origin %s, Allow-Headers %s: ranged reads are blocked",
            status_text(preflight, st), pa ? pa : "none", ph ? ph : "none");
    const char *exp = ds_doctor_header(get, "Access-Control-Expose-Headers");
    if (!(exp && (list_has(exp, "content-range") || list_has(exp, "*"))))
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "cors", FIX_CORS,
            "Access-Control-Expose-Headers lacks Content-Range (DuckDB-Wasm 1.28 "
            "reads only Content-Length, which is always exposed; newer engines and "
            "tools read Content-Range)");
    return ds_doctor_line_make(DS_DOCTOR_OK, "cors", NULL,
                               "%s allows %s, Range in preflight, exposes %s", data_origin, acao,
                               exp);
}

/* ---- engine files --------------------------------------------------------- */

ds_doctor_line ds_doctor_check_engine_type(const char *url, const char *kind,
                                           const ds_doctor_resp *r)
{
    (void)url;
    char st[96];
    if (r->status != 200 && r->status != 304)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "engine-type", FIX_EXISTS, "%s: GET answered %s",
                                   kind, status_text(r, st));
    const char *ct = ds_doctor_header(r, "Content-Type");
    if (strcmp(kind, "wasm") == 0) {
        if (type_is(ct, "application/wasm"))
            return ds_doctor_line_make(DS_DOCTOR_OK, "engine-type", NULL, "wasm: application/wasm");
        return ds_doctor_line_make(
            DS_DOCTOR_WARN, "engine-type", FIX_WASM_TYPE,
            "wasm: Content-Type %s: no streaming compile, the engine is fetched a "
            "second time and compiled after the whole download",
            ct ? ct : "(none)");
    }
    if (type_is(ct, "text/javascript") || type_is(ct, "application/javascript") ||
        type_is(ct, "application/x-javascript"))
        return ds_doctor_line_make(DS_DOCTOR_OK, "engine-type", NULL, "%s: %s", kind, ct);
    return ds_doctor_line_make(
        DS_DOCTOR_FAIL, "engine-type", FIX_JS_TYPE,
        "%s: Content-Type %s: browsers refuse to run a %s script of another type", kind,
        ct ? ct : "(none)", kind);
}

static void size_text(char out[32], uint64_t n)
{
    if (n >= 1000000)
        snprintf(out, 32, "%.1f MB", (double)n / 1e6);
    else if (n >= 1000)
        snprintf(out, 32, "%.1f kB", (double)n / 1e3);
    else
        snprintf(out, 32, "%" PRIu64 " B", n);
}

ds_doctor_line ds_doctor_check_list_encoding(const ds_doctor_resp *r, size_t json_len)
{
    char sent[32] = "size unknown", whole[32];
    uint64_t len;
    if (parse_u64(ds_doctor_header(r, "Content-Length"), &len))
        size_text(sent, len);
    size_text(whole, json_len);
    const char *ce = ds_doctor_header(r, "Content-Encoding");
    bool gzip_bytes = r->body_len >= 2 && r->body[0] == 0x1f && r->body[1] == 0x8b;
    if (r->status != 200)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "file-list-encoding", FIX_EXISTS,
                                   "not fetched (%ld)", r->status);
    if (ce && strcasecmp(ce, "gzip") == 0 && !gzip_bytes)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "file-list-encoding", FIX_LIST_LABEL,
                                   "Content-Encoding: gzip, but the body is not gzip: the "
                                   "browser cannot read the list");
    if (encoded(r))
        return ds_doctor_line_make(DS_DOCTOR_OK, "file-list-encoding", NULL,
                                   "Content-Encoding: %s, %s for %s of JSON", ce, sent, whole);
    if (gzip_bytes)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "file-list-encoding", FIX_LIST_LABEL,
                                   "gzip bytes without Content-Encoding: gzip: the browser "
                                   "reads them as JSON and fails");
    return ds_doctor_line_make(DS_DOCTOR_WARN, "file-list-encoding", FIX_LIST_GZIP,
                               "sent uncompressed (%s) to a client that accepts gzip", sent);
}

ds_doctor_line ds_doctor_check_engine_compression(const char *url, const ds_doctor_resp *r)
{
    (void)url;
    char size[32] = "size unknown";
    uint64_t len;
    if (parse_u64(ds_doctor_header(r, "Content-Length"), &len))
        size_text(size, len);
    if (encoded(r))
        return ds_doctor_line_make(DS_DOCTOR_OK, "engine-compression", NULL,
                                   "Content-Encoding: %s, %s",
                                   ds_doctor_header(r, "Content-Encoding"), size);
    if (r->status != 200)
        return ds_doctor_line_make(DS_DOCTOR_FAIL, "engine-compression", FIX_EXISTS,
                                   "not fetched (%ld)", r->status);
    return ds_doctor_line_make(DS_DOCTOR_WARN, "engine-compression", FIX_COMPRESS,
                               "sent uncompressed (%s) to a client that accepts gzip and br", size);
}
