/* http.h - small pieces of HTTP semantics the file server needs: HTTP dates,
 * entity tags and their comparison, conditional requests, and
 * Accept-Encoding.  Pure functions over strings, so they are unit-tested and
 * fuzzed without a server. */
#ifndef DS_HTTP_H
#define DS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define DS_HTTP_DATE_LEN 30 /* "Sun, 06 Nov 1994 08:49:37 GMT" + NUL */
#define DS_HTTP_ETAG_LEN 72

/* Formats T as an IMF-fixdate (RFC 9110 §5.6.7), locale-independent. */
void ds_http_date_format(time_t t, char out[DS_HTTP_DATE_LEN]);

/* Parses the three HTTP-date forms (IMF-fixdate, RFC 850, asctime).  False
 * for anything else. */
bool ds_http_date_parse(const char *s, time_t *out);

/* A strong entity tag for one version of a file: it changes whenever the
 * file is replaced (inode) or rewritten (size, modification time in ns).
 * SUFFIX ("" or "gz") tells representations of the same file apart. */
void ds_http_etag(char out[DS_HTTP_ETAG_LEN], uint64_t ino, uint64_t size, int64_t mtime_sec,
                  long mtime_nsec, const char *suffix);

/* If-None-Match: true when the list ("*", or entity tags, weak or strong)
 * matches ETAG under the weak comparison (RFC 9110 §8.8.3.2). */
bool ds_http_etag_list_match(const char *header, const char *etag);

/* The server's verdict on a GET/HEAD with conditions (RFC 9110 §13.2.2):
 * true means answer 304.  If-None-Match, when present, decides alone;
 * otherwise If-Modified-Since with a valid date: not modified when
 * MTIME <= date.  Either header may be NULL. */
bool ds_http_not_modified(const char *if_none_match, const char *if_modified_since,
                          const char *etag, time_t mtime);

/* If-Range (RFC 9110 §13.1.5): true when the Range may be honoured.  An
 * entity tag must equal ETAG under the strong comparison (so a weak tag never
 * matches); a date must equal the Last-Modified time exactly.  NULL (no
 * If-Range) is true. */
bool ds_http_if_range_ok(const char *if_range, const char *etag, time_t mtime);

/* Accept-Encoding (RFC 9110 §12.5.3): true when gzip is acceptable, i.e.
 * "gzip"/"x-gzip" with q > 0, or "*" with q > 0 and gzip not excluded. */
bool ds_http_accepts_gzip(const char *accept_encoding);

/* Host (RFC 9110 §7.2), the defence against DNS rebinding: a page on another
 * origin whose name was made to resolve to this machine reaches the server
 * with its own name in Host.  True when HOST (with or without ":port") is
 * an IP literal (IPv4, or IPv6 in brackets: no name can be rebound to it),
 * "localhost", or one of the N NAMES (compared without case).  NULL (no
 * Host, as in HTTP/1.0) is true: browsers always send one. */
bool ds_http_host_allowed(const char *host, const char *const *names, size_t n);

/* Origin (RFC 6454) against Host, the defence of every POST endpoint
 * (forms, sign-in) against cross-site requests: true when ORIGIN names the
 * same host (without case) and port as HOST, a missing port being the
 * scheme's default (http 80, https 443: a proxy in front may speak https).
 * Without an Origin header the origin of REFERER is compared the same way;
 * with neither the request is not a browser's cross-site one and is true.
 * SCHEME ("http" or "https"), when not NULL, is the one the server is
 * reached by, and the origin's must be it ([auth] tls_proxy: https).
 * "null", other schemes, paths, user info and a missing HOST are false. */
bool ds_http_same_origin(const char *origin, const char *referer, const char *host,
                         const char *scheme);

#endif
