/* mime.c - file extension → media type (see mime.h).
 *
 * A short fixed table: the site is made of a known handful of file kinds.
 * The types follow the IANA registry and what browsers require (module
 * scripts need a JavaScript type, WebAssembly.instantiateStreaming needs
 * application/wasm). */
#include "mime.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static const ds_mime TYPES[] = {
    /* pages and assets */
    {"html", "text/html; charset=utf-8", true, false},
    {"htm", "text/html; charset=utf-8", true, false},
    {"js", "text/javascript", true, false},
    {"mjs", "text/javascript", true, false},
    {"css", "text/css", true, false},
    {"wasm", "application/wasm", true, false},
    {"map", "application/json", true, false},
    {"svg", "image/svg+xml", true, false},
    {"xml", "application/xml", true, false},
    {"txt", "text/plain; charset=utf-8", true, false},
    {"md", "text/markdown; charset=utf-8", true, false},
    {"sql", "text/plain; charset=utf-8", true, false},
    {"webmanifest", "application/manifest+json", true, false},
    {"ico", "image/vnd.microsoft.icon", true, false},
    {"png", "image/png", false, false},
    {"jpg", "image/jpeg", false, false},
    {"jpeg", "image/jpeg", false, false},
    {"gif", "image/gif", false, false},
    {"webp", "image/webp", false, false},
    {"avif", "image/avif", false, false},
    {"woff", "font/woff", false, false},
    {"woff2", "font/woff2", false, false},
    {"ttf", "font/ttf", true, false},
    {"otf", "font/otf", true, false},
    {"pdf", "application/pdf", false, false},
    {"gz", "application/gzip", false, false},
    {"zip", "application/zip", false, false},
    /* data the browser queries; changes with every build */
    {"parquet", "application/vnd.apache.parquet", false, true},
    {"csv", "text/csv", true, true},
    {"tsv", "text/tab-separated-values", true, true},
    {"json", "application/json", true, true},
    {"ndjson", "application/x-ndjson", true, true},
    {"jsonl", "application/x-ndjson", true, true},
    {"arrow", "application/vnd.apache.arrow.file", false, true},
    {"feather", "application/vnd.apache.arrow.file", false, true},
    {"duckdb", "application/octet-stream", false, true},
};

static const ds_mime OCTET = {"", "application/octet-stream", false, false};

/* The extension of the last segment, or NULL ("a/b", "a/.b" and "a." have none). */
static const char *extension(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || dot[1] == '\0')
        return NULL;
    return dot + 1;
}

const ds_mime *ds_mime_table(size_t *n)
{
    *n = sizeof TYPES / sizeof TYPES[0];
    return TYPES;
}

const ds_mime *ds_mime_for(const char *path)
{
    const char *ext = extension(path);
    if (!ext)
        return &OCTET;
    /* Lower-cased copy, then exact comparisons: this runs on every request. */
    char low[16];
    size_t n = strlen(ext);
    if (n >= sizeof low)
        return &OCTET;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)ext[i]);
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (TYPES[i].ext[0] == low[0] && strcmp(TYPES[i].ext, low) == 0)
            return &TYPES[i];
    return &OCTET;
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool ds_mime_hashed_name(const char *path)
{
    const char *ext = extension(path);
    if (!ext)
        return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *end = ext - 1; /* the dot before the extension */
    const char *p = end;
    while (p > base && is_hex(p[-1]))
        p--;
    size_t digits = (size_t)(end - p);
    /* The hash must be its own part of the name, not the whole stem. */
    return digits >= 8 && digits <= 64 && p > base && (p[-1] == '.' || p[-1] == '-');
}
