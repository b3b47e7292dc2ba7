/* fuzz_request.c - libFuzzer target for the request handler's header path:
 * everything src/server/server.c decides from a request's line and headers
 * without touching a socket or a file.  The request target goes through
 * ds_pathnorm, the stored-results path check and the Cache-Control choice;
 * the headers through the conditions (If-None-Match, If-Modified-Since),
 * If-Range, Range and Accept-Encoding, in the handler's order.
 *
 * Input: a request head as a client sends it ("GET /x?v=1 HTTP/1.1\r\n"
 * then "Name: value" lines).  As libmicrohttpd does, header names match
 * without case, the first of repeated headers is the one looked up, and
 * values lose surrounding blanks.  The file answered is fixed (size from
 * the first input byte, an old modification time).
 *
 * Besides sanitizer reports, checks promises the handler relies on: the
 * answer's own entity tag and date always validate, a weak tag never passes
 * If-Range, appending "gzip" to Accept-Encoding accepts it and appending
 * "gzip;q=0" refuses it, a 206 range lies inside the file, and every date
 * read back formats to itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/http.h"
#include "server/mime.h"
#include "server/pathnorm.h"
#include "server/range.h"
#include "server/resultstore.h"
#include "server/server.h"
#include "util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { INM, IMS, IF_RANGE, RANGE, ACCEPT_ENCODING, N_HEADERS };
static const char *const NAMES[N_HEADERS] = {"If-None-Match", "If-Modified-Since", "If-Range",
                                             "Range", "Accept-Encoding"};

/* A string of its own with S and T joined. */
static char *join(const char *s, const char *t)
{
    return ds_asprintf("%s%s", s, t);
}

static void check_date(const char *value)
{
    time_t t;
    if (value && ds_http_date_parse(value, &t)) {
        char back[DS_HTTP_DATE_LEN];
        ds_http_date_format(t, back);
        time_t again;
        if (!ds_http_date_parse(back, &again) || again != t)
            abort();
    }
}

static void check_gzip(const char *ae)
{
    char *yes = join(ae ? ae : "", ", gzip");
    char *no = join(ae ? ae : "", ", gzip;q=0");
    if (!ds_http_accepts_gzip(yes) || ds_http_accepts_gzip(no))
        abort(); /* the last mention of gzip decides */
    free(yes);
    free(no);
}

static void check_etags(const char *inm, const char *etag)
{
    char *lead = ds_asprintf("%s, %s", etag, inm ? inm : "");
    char *weak = ds_asprintf("W/%s,%s", etag, inm ? inm : "");
    if (!ds_http_etag_list_match(lead, etag) || !ds_http_etag_list_match(weak, etag))
        abort(); /* the first tag matches before anything after it is read */
    if (!ds_http_if_range_ok(etag, etag, 0) || ds_http_if_range_ok(weak, etag, 0))
        abort(); /* If-Range wants the strong comparison */
    free(lead);
    free(weak);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t file_size = size ? data[0] * 37u : 0; /* 0 included */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* libmicrohttpd hands over NUL-terminated values */

    /* The request line: METHOD SP TARGET [SP VERSION]. */
    char *line_end = strpbrk(text, "\r\n");
    char *headers = line_end ? line_end + 1 : text + size;
    if (line_end)
        *line_end = '\0';
    char *sp = strchr(text, ' ');
    char *target = sp ? sp + 1 : text;
    char *sp2 = strchr(target, ' ');
    if (sp2)
        *sp2 = '\0';
    char *query = strchr(target, '?');
    if (query)
        *query++ = '\0';
    bool versioned = query && strstr(query, "v=") != NULL; /* near enough */

    /* Header lines: the first of each name wins; blanks around the value go. */
    const char *h[N_HEADERS] = {0};
    for (char *l = headers; *l;) {
        char *end = strpbrk(l, "\r\n");
        char *next = end ? end + 1 : l + strlen(l);
        if (end)
            *end = '\0';
        char *colon = strchr(l, ':');
        if (colon) {
            *colon = '\0';
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t n = strlen(v);
            while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                v[--n] = '\0';
            for (int k = 0; k < N_HEADERS; k++)
                if (!h[k] && strcasecmp(l, NAMES[k]) == 0)
                    h[k] = v;
        }
        l = next;
    }

    /* The target, as serve() takes it. */
    char rel[4096];
    bool dir;
    ds_pathnorm_result pr = ds_pathnorm(target, strlen(target), rel, sizeof rel - 16, &dir);
    const char *name = "index.html";
    if (pr == DS_PATHNORM_OK && !ds_pathnorm_is_private(rel)) {
        uint64_t hash;
        ds_result_path rp = ds_resultstore_path(rel, &hash);
        if (rp != DS_RESULT_PATH_NONE && rp != DS_RESULT_PATH_RESULT &&
            rp != DS_RESULT_PATH_REFUSED)
            abort();
        if (*rel)
            name = rel;
        for (int mapped = 0; mapped < 2; mapped++) {
            const char *cc = ds_server_cache_control(name, mapped, versioned);
            bool immutable = strcmp(cc, "public, max-age=31536000, immutable") == 0;
            if (!immutable && strcmp(cc, "no-cache") != 0)
                abort();
            if (immutable && (mapped || rp != DS_RESULT_PATH_NONE || ds_mime_for(name)->data))
                abort(); /* data and stored results are always revalidated */
        }
    } else if (pr != DS_PATHNORM_OK && pr != DS_PATHNORM_BAD_REQUEST &&
               pr != DS_PATHNORM_NOT_FOUND) {
        abort();
    }
    const ds_mime *m = ds_mime_for(name);
    bool gz = m->compressible && !h[RANGE] && ds_http_accepts_gzip(h[ACCEPT_ENCODING]);

    /* answer(): conditions, then If-Range and Range. */
    time_t mtime = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */
    char etag[DS_HTTP_ETAG_LEN], modified[DS_HTTP_DATE_LEN];
    ds_http_etag(etag, 42, file_size, mtime, 0, gz ? "gz" : "");
    ds_http_date_format(mtime, modified);
    bool not_modified = ds_http_not_modified(h[INM], h[IMS], etag, mtime);
    time_t since;
    if (h[INM] ? not_modified != ds_http_etag_list_match(h[INM], etag)
               : not_modified != (h[IMS] && ds_http_date_parse(h[IMS], &since) && mtime <= since))
        abort(); /* If-None-Match, when present, decides alone */
    if (!not_modified) {
        const char *range = gz ? NULL : h[RANGE];
        uint64_t first = 0, last = 0;
        ds_range_kind kind = DS_RANGE_NONE;
        if (range && ds_http_if_range_ok(h[IF_RANGE], etag, mtime))
            kind = ds_range_parse(range, strlen(range), file_size, &first, &last);
        if (kind == DS_RANGE_SINGLE && (first > last || last >= file_size))
            abort();
    }

    /* What the answer itself carries always validates. */
    if (!ds_http_not_modified(etag, NULL, etag, mtime) ||
        !ds_http_not_modified(NULL, modified, etag, mtime) ||
        ds_http_not_modified(NULL, modified, etag, mtime + 1) ||
        !ds_http_if_range_ok(modified, etag, mtime) || !ds_http_if_range_ok(NULL, etag, mtime))
        abort();
    check_etags(h[INM], etag);
    check_gzip(h[ACCEPT_ENCODING]);
    check_date(h[IMS]);
    check_date(h[IF_RANGE]);
    free(text);
    return 0;
}
