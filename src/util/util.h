/* util.h - small helpers every module uses: allocation that never returns
 * NULL, growable strings, error messages, and string predicates.
 *
 * Out-of-memory is treated as an internal failure: the process aborts with a
 * message rather than threading allocation errors through every caller. */
#ifndef DS_UTIL_H
#define DS_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define DS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define DS_PRINTF(fmt, args)
#endif

void *ds_xmalloc(size_t n);
void *ds_xcalloc(size_t count, size_t size);
void *ds_xrealloc(void *p, size_t n);
/* Maps the pages of a block about to be written, with one call instead of
 * a page fault per 4 KiB (25,000 for a 100 MB data map), most of the cost
 * of filling it where faults are dear (virtual machines).  A kernel
 * without MADV_POPULATE_WRITE (before 5.14) faults as before. */
void ds_populate(void *p, size_t n);
char *ds_strdup(const char *s);            /* NULL in, NULL out */
char *ds_strndup(const char *s, size_t n);
char *ds_asprintf(const char *fmt, ...) DS_PRINTF(1, 2);

bool ds_starts_with(const char *s, const char *prefix);
bool ds_ends_with(const char *s, const char *suffix);

/* Growable NUL-terminated byte buffer.  Zero-initialise to start. */
typedef struct {
    char *data;
    size_t len, cap;
} ds_buf;

void ds_buf_add(ds_buf *b, const char *s, size_t n);
void ds_buf_puts(ds_buf *b, const char *s);
void ds_buf_putc(ds_buf *b, char c);
void ds_buf_printf(ds_buf *b, const char *fmt, ...) DS_PRINTF(2, 3);
void ds_buf_vprintf(ds_buf *b, const char *fmt, va_list ap);
const char *ds_buf_str(ds_buf *b);          /* never NULL ("" when empty) */
char *ds_buf_take(ds_buf *b);               /* caller frees; buffer is reset */
void ds_buf_free(ds_buf *b);

/* An arena: many small strings in a few big blocks, all freed at once.
 * Data maps hold hundreds of thousands of paths; one malloc each would
 * dominate the time to build them.  Zero-initialise to start. */
typedef struct ds_arena_block ds_arena_block;
typedef struct {
    ds_arena_block *head;
} ds_arena;

char *ds_arena_strdup(ds_arena *a, const char *s);   /* NULL in, NULL out */
char *ds_arena_strndup(ds_arena *a, const char *s, size_t n);
void ds_arena_free(ds_arena *a);
/* Moves every string of from into into (pointers stay valid); from ends
 * empty. */
void ds_arena_take(ds_arena *into, ds_arena *from);

/* Appends s as a JSON string literal, quotes included. */
void ds_buf_json_string(ds_buf *b, const char *s);

/* A user-facing error: one message, already formatted the way the CLI
 * prints it ("ducksite.toml:7:11: file_sources[1].pattern: expected ..."). */
typedef struct {
    char msg[4096];
} ds_err;

/* Sets the message (truncating if needed) and returns -1, so callers can
 * write `return ds_err_set(err, ...);`.  err may be NULL. */
int ds_err_set(ds_err *err, const char *fmt, ...) DS_PRINTF(2, 3);

/* Warnings and progress go to stderr with a recognisable prefix. */
void ds_warn(const char *fmt, ...) DS_PRINTF(1, 2);
void ds_info(const char *fmt, ...) DS_PRINTF(1, 2);
/* An error the program carries on after (a failed rebuild in serve), and
 * the CLI's own before it exits: "ducksite: error: ...". */
void ds_error(const char *fmt, ...) DS_PRINTF(1, 2);
/* While INTO is not NULL, every warning's message is also appended to it,
 * each ended by a NUL byte (a build keeps its warnings to repeat them when the next
 * build finds nothing changed).  NULL stops recording. */
void ds_warn_record(ds_buf *into);

/* Levenshtein distance, for "did you mean ...?" suggestions. */
size_t ds_edit_distance(const char *a, const char *b);

/* The entry of known[0..n) closest to word, when it is close enough to be a
 * likely misspelling of it (edit distance at most max(2, strlen(word) / 3));
 * NULL otherwise.  Every "did you mean" in the project comes from here. */
const char *ds_suggest(const char *word, const char *const *known, size_t n);

/* The value of the hexadecimal digit C (either case), or -1. */
int ds_hex_value(int c);

/* A 64-bit FNV-1a hash of N bytes (with the offset basis the project has
 * always used: slugs and stored facts depend on its values). */
uint64_t ds_hash(const void *data, size_t n);

/* Seconds on the monotonic clock, for durations and deadlines. */
double ds_monotonic(void);

/* qsort, skipped when the N items are already in strictly increasing
 * order (a lake's million entries usually are): one comparison each
 * instead of a sort. */
void ds_sort_unless_sorted(void *base, size_t n, size_t size,
                           int (*cmp)(const void *, const void *));

/* The CPUs this process may run on (its affinity, e.g. under taskset or a
 * container's cpuset), at least 1. */
unsigned ds_cpu_count(void);

#endif
