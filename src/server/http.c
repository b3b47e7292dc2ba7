/* http.c - HTTP dates, entity tags, conditions, Accept-Encoding (see http.h).
 *
 * Everything here reads untrusted header text: parsers only move forward
 * through the string, never index past its NUL, and reject rather than guess. */
#include "http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const LONG_DAYS[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                        "Thursday", "Friday", "Saturday"};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void ds_http_date_format(time_t t, char out[DS_HTTP_DATE_LEN])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        t = 0; /* out of range for the format: the epoch is a safe, old date */
        gmtime_r(&t, &tm);
    }
    char buf[64]; /* roomier than needed, so the compiler can see nothing is cut */
    snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", DAYS[tm.tm_wday], tm.tm_mday,
             MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(out, buf, DS_HTTP_DATE_LEN - 1);
    out[DS_HTTP_DATE_LEN - 1] = '\0';
}

/* --- parsing HTTP dates: a cursor over a NUL-terminated string --- */

static bool lit(const char **p, const char *s)
{
    size_t n = strlen(s);
    if (strncmp(*p, s, n) != 0)
        return false;
    *p += n;
    return true;
}

static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool month(const char **p, int *out)
{
    for (int i = 0; i < 12; i++)
        if (lit(p, MONTHS[i])) {
            *out = i;
            return true;
        }
    return false;
}

static bool clock_time(const char **p, struct tm *tm)
{
    return digits(p, 2, &tm->tm_hour) && lit(p, ":") && digits(p, 2, &tm->tm_min) && lit(p, ":") &&
           digits(p, 2, &tm->tm_sec) && tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec < 61;
}

static bool day_name(const char **p, const char *const *names)
{
    for (int i = 0; i < 7; i++)
        if (lit(p, names[i]))
            return true;
    return false;
}

bool ds_http_date_parse(const char *s, time_t *out)
{
    struct tm tm = {0};
    const char *p = s;
    int year = 0;
    bool ok;
    if (day_name(&p, DAYS) && lit(&p, ", ")) {
        /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
        ok = digits(&p, 2, &tm.tm_mday) && lit(&p, " ") && month(&p, &tm.tm_mon) && lit(&p, " ") &&
             digits(&p, 4, &year) && lit(&p, " ") && clock_time(&p, &tm) && lit(&p, " GMT");
    } else if (p = s, day_name(&p, LONG_DAYS) && lit(&p, ", ")) {
        /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: RFC 9110 §5.6.7) */
        ok = digits(&p, 2, &tm.tm_mday) && lit(&p, "-") && month(&p, &tm.tm_mon) && lit(&p, "-") &&
             digits(&p, 2, &year) && lit(&p, " ") && clock_time(&p, &tm) && lit(&p, " GMT");
        year += year < 70 ? 2000 : 1900;
    } else if (p = s, day_name(&p, DAYS) && lit(&p, " ")) {
        /* asctime: Sun Nov  6 08:49:37 1994 */
        ok = month(&p, &tm.tm_mon) && lit(&p, " ");
        if (ok && *p == ' ') {
            p++;
            ok = digits(&p, 1, &tm.tm_mday);
        } else {
            ok = ok && digits(&p, 2, &tm.tm_mday);
        }
        ok = ok && lit(&p, " ") && clock_time(&p, &tm) && lit(&p, " ") && digits(&p, 4, &year);
    } else {
        return false;
    }
    if (!ok || *p != '\0' || tm.tm_mday < 1 || tm.tm_mday > 31)
        return false;
    tm.tm_year = year - 1900;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return false;
    *out = t;
    return true;
}

/* --- entity tags --- */

void ds_http_etag(char out[DS_HTTP_ETAG_LEN], uint64_t ino, uint64_t size, int64_t mtime_sec,
                  long mtime_nsec, const char *suffix)
{
    /* mtime in ns as one number; two's complement keeps pre-1970 times distinct */
    uint64_t ns = (uint64_t)mtime_sec * 1000000000u + (uint64_t)mtime_nsec;
    snprintf(out, DS_HTTP_ETAG_LEN, "\"%llx-%llx-%llx%s%s\"", (unsigned long long)ino,
             (unsigned long long)size, (unsigned long long)ns, *suffix ? "-" : "", suffix);
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Reads one entity-tag at *p: [W/]"opaque".  On success, *tag and *len give the
 * quoted part (quotes included) and *weak says whether W/ was there. */
static bool read_etag(const char **p, const char **tag, size_t *len, bool *weak)
{
    const char *s = *p;
    *weak = false;
    if (s[0] == 'W' && s[1] == '/') {
        *weak = true;
        s += 2;
    }
    if (*s != '"')
        return false;
    const char *end = strchr(s + 1, '"');
    if (!end)
        return false;
    *tag = s;
    *len = (size_t)(end + 1 - s);
    *p = end + 1;
    return true;
}

bool ds_http_etag_list_match(const char *header, const char *etag)
{
    const char *p = skip_ows(header);
    if (*p == '*' && *skip_ows(p + 1) == '\0')
        return true;
    size_t elen = strlen(etag);
    while (*p) {
        const char *tag;
        size_t len;
        bool weak;
        if (!read_etag(&p, &tag, &len, &weak))
            return false; /* a malformed list matches nothing */
        (void)weak;       /* the weak comparison ignores W/ */
        if (len == elen && memcmp(tag, etag, len) == 0)
            return true;
        p = skip_ows(p);
        if (*p == ',')
            p = skip_ows(p + 1);
        else if (*p != '\0')
            return false;
    }
    return false;
}

bool ds_http_not_modified(const char *if_none_match, const char *if_modified_since,
                          const char *etag, time_t mtime)
{
    if (if_none_match)
        return ds_http_etag_list_match(if_none_match, etag);
    time_t since;
    if (if_modified_since && ds_http_date_parse(if_modified_since, &since))
        return mtime <= since;
    return false;
}

bool ds_http_if_range_ok(const char *if_range, const char *etag, time_t mtime)
{
    if (!if_range)
        return true;
    const char *p = skip_ows(if_range);
    if (*p == '"' || (p[0] == 'W' && p[1] == '/')) {
        const char *tag;
        size_t len;
        bool weak;
        if (!read_etag(&p, &tag, &len, &weak) || weak || *skip_ows(p) != '\0')
            return false;
        return len == strlen(etag) && memcmp(tag, etag, len) == 0;
    }
    time_t t;
    return ds_http_date_parse(p, &t) && t == mtime;
}

/* --- Accept-Encoding --- */

static bool token_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/* Reads an optional ";q=VALUE" (other parameters are skipped) and returns
 * whether the weight is above zero. */
static bool weight_positive(const char **pp)
{
    const char *p = *pp;
    bool positive = true;
    while (*(p = skip_ows(p)) == ';') {
        p = skip_ows(p + 1);
        bool is_q = (*p == 'q' || *p == 'Q') && *skip_ows(p + 1) == '=';
        const char *v = is_q ? skip_ows(strchr(p, '=') + 1) : p;
        if (is_q) {
            /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
            positive = false;
            for (const char *d = v; (*d >= '0' && *d <= '9') || *d == '.'; d++)
                if (*d >= '1' && *d <= '9')
                    positive = true;
        }
        p = v;
        while (*p && *p != ';' && *p != ',')
            p++;
    }
    *pp = p;
    return positive;
}

bool ds_http_accepts_gzip(const char *accept_encoding)
{
    if (!accept_encoding)
        return false;
    int gzip = -1, star = -1; /* -1: not mentioned, 0: refused, 1: accepted */
    const char *p = accept_encoding;
    while (*p) {
        p = skip_ows(p);
        const char *tok = p;
        while (*p && *p != ';' && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - tok);
        int ok = weight_positive(&p) ? 1 : 0;
        if (token_is(tok, n, "gzip") || token_is(tok, n, "x-gzip"))
            gzip = ok;
        else if (token_is(tok, n, "*"))
            star = ok;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    return gzip == 1 || (gzip == -1 && star == 1);
}

bool ds_http_host_allowed(const char *host, const char *const *names, size_t n)
{
    if (!host)
        return true;
    char name[256];
    size_t len;
    if (host[0] == '[') {
        /* "[v6]" or "[v6]:port": only an IPv6 literal fits in brackets. */
        const char *close = strchr(host, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return false;
        len = (size_t)(close - host - 1);
        if (len >= sizeof name)
            return false;
        memcpy(name, host + 1, len);
        name[len] = '\0';
        unsigned char addr[16];
        return inet_pton(AF_INET6, name, addr) == 1;
    }
    const char *colon = strchr(host, ':');
    len = colon ? (size_t)(colon - host) : strlen(host);
    if (len == 0 || len >= sizeof name)
        return false;
    memcpy(name, host, len);
    name[len] = '\0';
    if (colon) { /* the port: digits only */
        const char *p = colon + 1;
        if (!*p)
            return false;
        for (; *p; p++)
            if (*p < '0' || *p > '9')
                return false;
    }
    unsigned char addr[4];
    if (inet_pton(AF_INET, name, addr) == 1 || strcasecmp(name, "localhost") == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(name, names[i]) == 0)
            return true;
    return false;
}

/* Splits "name[:port]" (name may be "[v6]") into NAME and *PORT (0 when
 * absent); false when malformed. */
static bool split_authority(const char *a, size_t len, char *name, size_t cap, unsigned *port)
{
    const char *end = a + len;
    const char *colon = NULL;
    if (len && a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close)
            return false;
        colon = close + 1 < end ? close + 1 : NULL;
        if (colon && *colon != ':')
            return false;
    } else {
        colon = memchr(a, ':', len);
    }
    size_t n = colon ? (size_t)(colon - a) : len;
    if (n == 0 || n >= cap)
        return false;
    memcpy(name, a, n);
    name[n] = '\0';
    *port = 0;
    if (colon) {
        const char *p = colon + 1;
        if (p == end || end - p > 5)
            return false;
        for (; p < end; p++) {
            if (*p < '0' || *p > '9')
                return false;
            *port = *port * 10 + (unsigned)(*p - '0');
        }
        if (*port == 0 || *port > 65535)
            return false;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] <= ' ' || name[i] == '/' || name[i] == '@')
            return false;
    return true;
}

/* The origin part ("scheme://authority") of a Referer URL, for
 * ds_http_same_origin; false when it has none or it does not fit. */
static bool referer_origin(const char *referer, char *out, size_t size)
{
    const char *sep = strstr(referer, "://");
    if (!sep)
        return false;
    size_t n = (size_t)(sep + 3 - referer) + strcspn(sep + 3, "/?#");
    if (n >= size)
        return false;
    memcpy(out, referer, n);
    out[n] = '\0';
    return true;
}

bool ds_http_same_origin(const char *origin, const char *referer, const char *host,
                         const char *scheme)
{
    char from_referer[300];
    if (!origin && referer) {
        if (!referer_origin(referer, from_referer, sizeof from_referer))
            return false;
        origin = from_referer;
    }
    if (!origin)
        return true;
    if (!host)
        return false;
    unsigned dflt;
    const char *rest;
    if (strncasecmp(origin, "http://", 7) == 0)
        dflt = 80, rest = origin + 7;
    else if (strncasecmp(origin, "https://", 8) == 0)
        dflt = 443, rest = origin + 8;
    else
        return false;
    if (scheme && (strcmp(scheme, "https") == 0) != (dflt == 443))
        return false;
    char oname[256], hname[256];
    unsigned oport, hport;
    if (!split_authority(rest, strlen(rest), oname, sizeof oname, &oport) ||
        !split_authority(host, strlen(host), hname, sizeof hname, &hport))
        return false;
    return strcasecmp(oname, hname) == 0 && (oport ? oport : dflt) == (hport ? hport : dflt);
}
