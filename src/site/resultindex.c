/* resultindex.c - the lines of a stored result's "files_text" (see
 * resultindex.h). */
#include "resultindex.h"

#include <inttypes.h>
#include <string.h>

bool ds_resultindex_text_ok(const char *path)
{
    return path[strcspn(path, "\t\n")] == '\0';
}

void ds_resultindex_put(ds_buf *b, int64_t size, int64_t mtime_ns, const char *path)
{
    ds_buf_printf(b, "%" PRId64 "\t%" PRId64 "\t%s\n", size, mtime_ns, path);
}

/* A decimal integer, optionally negative, ending with a tab at *P. */
static int read_number(const char **p, const char *end, int64_t *out)
{
    const char *s = *p;
    bool negative = s < end && *s == '-';
    s += negative;
    uint64_t v = 0;
    const char *digits = s;
    for (; s < end && *s >= '0' && *s <= '9'; s++) {
        if (v > ((uint64_t)INT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1; /* out of range */
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (s == digits || s == end || *s != '\t')
        return -1;
    *out = negative ? -(int64_t)v : (int64_t)v;
    *p = s + 1;
    return 0;
}

int ds_resultindex_next(const char **p, const char *end, ds_resultindex_file *f)
{
    const char *s = *p;
    ds_resultindex_file r;
    if (read_number(&s, end, &r.size) != 0 || read_number(&s, end, &r.mtime_ns) != 0)
        return -1;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl || nl == s || memchr(s, '\t', (size_t)(nl - s)))
        return -1; /* no newline, an empty path or a third tab */
    r.path = s;
    r.path_len = (size_t)(nl - s);
    *f = r;
    *p = nl + 1;
    return 0;
}
