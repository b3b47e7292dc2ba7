/* servable.c - whether the server can serve a path (see servable.h).
 *
 * The rules are the server's own (src/server/pathnorm.c): the path is
 * passed through the same normalisation a request goes through, and must
 * come back unchanged and not private.  The explicit checks before it only
 * give the common cases a precise reason. */
#include "servable.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../server/pathnorm.h"
#include "../util/utf8.h"
#include "../util/util.h"
#include "datamap.h"

static bool has_segment_starting_with_dot(const char *rel)
{
    for (const char *p = rel; p; p = strchr(p, '/')) {
        if (*p == '/')
            p++;
        if (*p == '.')
            return true;
    }
    return false;
}

/* A byte of the usual keys: ASCII letters and digits, '-', '_', '=', '.'
 * (locale-free, unlike isalnum). */
static bool plain_byte(unsigned char c)
{
    return (unsigned)((c | 32) - 'a') < 26 || (unsigned)(c - '0') < 10 || c == '-' || c == '_' ||
           c == '=' || c == '.';
}

/* The usual key (plain bytes, segments joined by single '/', none
 * starting with '.', none longer than a file name can be) in one pass:
 * the server reads it as it is, so the checks below have nothing to say.
 * Asked once per file of a lake. */
static bool plain_key(const char *rel)
{
    size_t seg = 0;
    for (const unsigned char *c = (const unsigned char *)rel; *c; c++) {
        if (*c == '/') {
            if (seg == 0)
                return false; /* a leading '/' or "//" */
            seg = 0;
            continue;
        }
        if ((seg == 0 && *c == '.') || !plain_byte(*c) || ++seg > DS_PATHNORM_SEGMENT_MAX)
            return false;
    }
    return seg > 0; /* not empty, no trailing '/' */
}

const char *ds_servable_why(const char *rel)
{
    if (!*rel)
        return "it is empty";
    if (plain_key(rel) && !ds_pathnorm_is_private(rel))
        return NULL;
    if (!ds_utf8_valid(rel, strlen(rel)))
        return "its name is not valid UTF-8, and the data map and URLs hold UTF-8 only";
    if (has_segment_starting_with_dot(rel))
        return "a path segment starts with '.', and the server never serves hidden files";
    if (strpbrk(rel, "?#"))
        return "it contains '?' or '#', which end the path part of a URL";
    if (strchr(rel, '%'))
        return "it contains '%', and the server decodes %XX escapes in request paths";
    for (const unsigned char *c = (const unsigned char *)rel; *c; c++)
        if (*c == '\\' || *c < 0x20 || *c == 0x7f)
            return "it contains a backslash or a control character";
    if (rel[0] == '/' || strstr(rel, "//") || rel[strlen(rel) - 1] == '/')
        return "it has an empty path segment";
    if (ds_pathnorm_is_private(rel))
        return "the server never serves " DS_DATAMAP_FILE ", " DS_DATAMAP_META_FILE ", "
               "_results/_index.json or names starting with them, since they reveal host "
               "paths";
    /* Anything else the server would refuse or read differently (the
     * usual keys left above, without this allocation). */
    size_t len = strlen(rel);
    char *url = ds_asprintf("/%s", rel);
    char *out = ds_xmalloc(len + 2);
    bool dir = false;
    bool same = ds_pathnorm(url, len + 1, out, len + 2, &dir) == DS_PATHNORM_OK &&
                strcmp(out, rel) == 0 && !ds_pathnorm_is_private(out);
    free(url);
    free(out);
    return same ? NULL : "the server refuses it (a path segment longer than 255 bytes?)";
}

bool ds_servable_has_placeholder(const char *key, const char *path)
{
    /* Asked once per file of a lake: a '$' is rare, strstr only then. */
    return (strchr(key, '$') && strstr(key, "${")) || (strchr(path, '$') && strstr(path, "${"));
}
