/* resultindex.h - the compact list of a stored result's files in
 * static/_results/_index.json, written and read by the build (prerender.c)
 * and read by the server (server/resultstore.c).
 *
 * A result that read at most DS_RESULTS_FILES_INLINE_MAX files lists them as
 * "files": [{"path", "size", "mtime_ns"}, ...].  A larger one writes them as
 * one JSON string, "files_text", of one line per file in the same order:
 *
 *     <size> TAB <mtime_ns> TAB <path> NEWLINE
 *
 * A million file objects took over 1 GB to parse (the server and the next
 * build each parsed the whole tree); one string is one value.  A result with
 * a path holding a tab or a newline keeps the array form.  docs/server.md,
 * "Stored results", describes the index. */
#ifndef DS_RESULTINDEX_H
#define DS_RESULTINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"

/* Results over more files than this write "files_text" instead of "files". */
#define DS_RESULTS_FILES_INLINE_MAX 10000

/* One line of "files_text": PATH is not NUL-terminated (PATH_LEN bytes). */
typedef struct {
    int64_t size;     /* bytes; -2 for a file missing when the build read it */
    int64_t mtime_ns; /* st_mtim in nanoseconds since the epoch */
    const char *path;
    size_t path_len;
} ds_resultindex_file;

/* Whether PATH can be a line of "files_text" (no tab, no newline). */
bool ds_resultindex_text_ok(const char *path);

/* Appends the line of one file to B. */
void ds_resultindex_put(ds_buf *b, int64_t size, int64_t mtime_ns, const char *path);

/* Reads the line at *P (the text ends at END) into *F and moves *P past
 * it.  Returns 0, or -1 when the line is malformed (*P is then left as it
 * was). */
int ds_resultindex_next(const char **p, const char *end, ds_resultindex_file *f);

#endif
