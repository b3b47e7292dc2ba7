/* range.c - parses `Range: bytes=...` (see range.h).
 *
 * Grammar (RFC 9110 §14.1.2):
 *   Range       = "bytes" "=" range-set          (unit is case-insensitive)
 *   range-set   = 1#range-spec                   (commas, optional spaces, empty items)
 *   range-spec  = first "-" [ last ]  /  "-" suffix-length
 * A spec with first > last makes the whole header invalid, which means "no
 * Range" (200), not 416. */
#include "range.h"

#include <assert.h>
#include <stdbool.h>

typedef struct {
    const char *p, *end;
} cursor;

static bool at(const cursor *c, char ch)
{
    return c->p < c->end && *c->p == ch;
}

static void skip_ows(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
        c->p++;
}

/* Reads 1+ digits, saturating at UINT64_MAX. */
static bool read_number(cursor *c, uint64_t *out)
{
    const char *start = c->p;
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
        c->p++;
    }
    *out = v;
    return c->p > start;
}

static bool read_unit(cursor *c)
{
    static const char unit[] = "bytes";
    for (size_t i = 0; i < sizeof unit - 1; i++) {
        if (c->p >= c->end || (*c->p | 0x20) != unit[i])
            return false;
        c->p++;
    }
    return at(c, '=') ? (c->p++, true) : false;
}

ds_range_kind ds_range_parse(const char *s, size_t len, uint64_t size, uint64_t *first,
                             uint64_t *last)
{
    assert((s || len == 0) && first && last);
    cursor c = {s, s + len};
    *first = *last = 0;
    skip_ows(&c);
    if (!read_unit(&c))
        return DS_RANGE_NONE;

    size_t specs = 0, satisfiable = 0;
    uint64_t f = 0, l = 0;
    for (;;) {
        skip_ows(&c);
        if (at(&c, ',')) { /* empty list element, allowed by the # rule */
            c.p++;
            continue;
        }
        if (c.p >= c.end)
            break;
        if (++specs > DS_RANGE_MAX_SPECS)
            return DS_RANGE_NONE;
        uint64_t a, b;
        bool ok;
        if (at(&c, '-')) { /* suffix: the last b bytes */
            c.p++;
            if (!read_number(&c, &b))
                return DS_RANGE_NONE;
            ok = b > 0 && size > 0;
            a = b >= size ? 0 : size - b;
            b = size - 1;
        } else {
            if (!read_number(&c, &a) || !at(&c, '-'))
                return DS_RANGE_NONE;
            c.p++;
            b = UINT64_MAX;
            if (c.p < c.end && *c.p >= '0' && *c.p <= '9') {
                read_number(&c, &b);
                if (b < a)
                    return DS_RANGE_NONE;
            }
            ok = a < size;
            if (b >= size)
                b = size - 1; /* only meaningful when ok */
        }
        if (ok) {
            if (satisfiable++ == 0) {
                f = a;
                l = b;
            }
        }
        skip_ows(&c);
        if (c.p >= c.end)
            break;
        if (!at(&c, ','))
            return DS_RANGE_NONE;
        c.p++;
    }
    if (specs == 0)
        return DS_RANGE_NONE;
    if (satisfiable == 0)
        return DS_RANGE_UNSATISFIABLE;
    if (specs > 1)
        return DS_RANGE_MULTI;
    *first = f;
    *last = l;
    return DS_RANGE_SINGLE;
}
