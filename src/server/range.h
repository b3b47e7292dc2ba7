/* range.h - the HTTP Range request header (RFC 9110 §14.2), bytes only.
 *
 * Decision on several ranges in one request: the caller answers 200 with the
 * whole file (RFC 9110 lets a server ignore Range).  DuckDB-Wasm and browsers
 * only ever ask for one range, and multipart/byteranges would need a second
 * code path that no client of ours exercises. */
#ifndef DS_RANGE_H
#define DS_RANGE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    DS_RANGE_NONE,          /* no usable range (absent, invalid, other unit): 200 */
    DS_RANGE_SINGLE,        /* one satisfiable range: 206 with *first..*last */
    DS_RANGE_MULTI,         /* several ranges, at least one satisfiable: we send 200 */
    DS_RANGE_UNSATISFIABLE, /* nothing satisfiable: 416 with Content-Range: bytes * /size */
} ds_range_kind;

/* Most range specs we look at; a longer list is treated as invalid (ignored),
 * so a hostile header costs bounded work. */
#define DS_RANGE_MAX_SPECS 64

/* Parses the Range header value S (LEN bytes, not necessarily NUL-terminated)
 * against a representation of SIZE bytes.  For DS_RANGE_SINGLE, *FIRST and
 * *LAST are the inclusive byte positions (last clamped to size - 1).
 * Numbers too large for 64 bits saturate, so they are simply "past the end". */
ds_range_kind ds_range_parse(const char *s, size_t len, uint64_t size, uint64_t *first,
                             uint64_t *last);

#endif
