/* pathnorm.c - request path → safe relative path (see pathnorm.h).
 *
 * The output only ever contains segments that are safe to hand to
 * openat2(RESOLVE_BENEATH) or to join under static/: no segment starts with
 * '.', none contains '/', '\\' or a control byte.  Decoding happens once, so
 * "%252e%252e" stays the harmless name "%2e%2e". */
#include "pathnorm.h"

#include <assert.h>
#include <string.h>

#include "../datamap/datamap.h"
#include "../util/util.h"


ds_pathnorm_result ds_pathnorm(const char *raw, size_t len, char *out, size_t outsz, bool *dir)
{
    assert((raw || len == 0) && out && dir);
    *dir = false;
    if (outsz == 0)
        return DS_PATHNORM_NOT_FOUND;
    out[0] = '\0';
    if (len == 0 || raw[0] != '/')
        return DS_PATHNORM_BAD_REQUEST;

    size_t o = 0;       /* bytes written to out */
    size_t seg_len = 0; /* length of the current segment */
    bool at_segment_start = true;
    for (size_t i = 1; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == '?' || c == '#')
            break; /* query or fragment: not part of the path */
        if (c == '%') {
            int hi = i + 2 < len ? ds_hex_value((unsigned char)raw[i + 1]) : -1;
            int lo = i + 2 < len ? ds_hex_value((unsigned char)raw[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return DS_PATHNORM_BAD_REQUEST;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            /* An encoded '/' would let one segment hide a separator. */
            if (c == '/')
                return DS_PATHNORM_NOT_FOUND;
        } else if (c == '/') {
            at_segment_start = true; /* runs of '/' collapse */
            continue;
        }
        /* Backslashes are separators somewhere; control bytes (NUL above all)
         * would truncate or confuse the name. */
        if (c == '\\' || c < 0x20 || c == 0x7f)
            return DS_PATHNORM_NOT_FOUND;
        if (at_segment_start) {
            /* Dot at the start of a segment: ".", "..", ".git", ".env". */
            if (c == '.')
                return DS_PATHNORM_NOT_FOUND;
            /* The separator is written only now, when a segment follows. */
            if (o > 0) {
                if (o + 1 >= outsz)
                    return DS_PATHNORM_NOT_FOUND;
                out[o++] = '/';
            }
            at_segment_start = false;
            seg_len = 0;
        }
        if (o + 1 >= outsz || ++seg_len > DS_PATHNORM_SEGMENT_MAX)
            return DS_PATHNORM_NOT_FOUND;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    *dir = at_segment_start;
    return DS_PATHNORM_OK;
}

bool ds_pathnorm_is_private(const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    /* Prefixes, so that sidecars and the builder's temporary files
     * ("data_map.json.tmp.1234", written just before the rename) are
     * covered too. */
    if (strncmp(base, DS_DATAMAP_FILE, strlen(DS_DATAMAP_FILE)) == 0 ||
        strncmp(base, DS_DATAMAP_META_FILE, strlen(DS_DATAMAP_META_FILE)) == 0)
        return true;
    /* The stored-results index names host paths too. */
    return strncmp(rel, "_results/_index.json", 20) == 0;
}
