/* mime.h - what a file is, judged by its name: Content-Type, whether it is
 * worth compressing (and so varies by Accept-Encoding), and whether it is a
 * data file (revalidated on every use, never marked immutable). */
#ifndef DS_MIME_H
#define DS_MIME_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *ext;  /* lower case, without the dot */
    const char *type; /* Content-Type value */
    bool compressible;
    bool data;
} ds_mime;

/* The entry for PATH's extension (case-insensitive); unknown extensions
 * give application/octet-stream, not compressible, not data. */
const ds_mime *ds_mime_for(const char *path);

/* The whole table (N entries), for `ducksite export --nginx`, which gives
 * nginx the same types. */
const ds_mime *ds_mime_table(size_t *n);

/* True when the file name carries a content hash, which we take as a promise
 * that the bytes behind the name never change: the part of the last segment
 * between a '.' or '-' and the extension is 8 to 64 hexadecimal digits
 * ("app.3f9a1c2e.js", "duckdb-eh-0123abcd.wasm"). */
bool ds_mime_hashed_name(const char *path);

#endif
