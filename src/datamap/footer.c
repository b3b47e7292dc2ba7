/* footer.c - a Parquet footer's row count and schema hash (see footer.h).
 *
 * A Parquet file ends with: the FileMetaData (Thrift compact protocol), its
 * length as a 4-byte little-endian integer, and the magic "PAR1".  Of the
 * FileMetaData we read field 2 (schema: list<SchemaElement>, hashed as
 * bytes), field 3 (num_rows: i64) and, in field 4 (row_groups), each
 * column chunk's codec; every other field is skipped by the generic walk
 * below, so files from any writer (or a future format version) are read
 * the same way. */
#define _GNU_SOURCE /* O_NOATIME */
#include "footer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

/* Thrift compact protocol type ids. */
enum {
    T_STOP = 0,
    T_TRUE = 1,
    T_FALSE = 2,
    T_BYTE = 3,
    T_I16 = 4,
    T_I32 = 5,
    T_I64 = 6,
    T_DOUBLE = 7,
    T_BINARY = 8,
    T_LIST = 9,
    T_SET = 10,
    T_MAP = 11,
    T_STRUCT = 12,
};

/* Nesting deeper than this is not a real schema; it bounds the recursion
 * on hostile input. */
#define MAX_DEPTH 64

typedef struct {
    const unsigned char *p, *end;
    bool bad;
} reader;

static uint64_t varint(reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static int64_t zigzag(reader *r)
{
    uint64_t v = varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void skip_bytes(reader *r, uint64_t n)
{
    if (n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        r->p = r->end;
    } else {
        r->p += n;
    }
}

static void skip_value(reader *r, int type, int depth);

/* An element of a list, set or map: as a value, except that a boolean
 * takes a byte of its own (in a struct it lives in the field's type). */
static void skip_elem(reader *r, int type, int depth)
{
    if (type == T_TRUE || type == T_FALSE)
        skip_bytes(r, 1);
    else
        skip_value(r, type, depth);
}

static void skip_struct(reader *r, int depth)
{
    if (depth > MAX_DEPTH) {
        r->bad = true;
        return;
    }
    while (!r->bad) {
        if (r->p >= r->end) {
            r->bad = true;
            return;
        }
        unsigned char h = *r->p++;
        int type = h & 0x0f;
        if (type == T_STOP)
            return;
        if ((h >> 4) == 0)
            (void)zigzag(r); /* a long-form field id */
        skip_value(r, type, depth + 1);
    }
}

/* A list or set header: its size and element type. */
static uint64_t list_header(reader *r, int *elem)
{
    if (r->p >= r->end) {
        r->bad = true;
        return 0;
    }
    unsigned char h = *r->p++;
    *elem = h & 0x0f;
    uint64_t n = h >> 4;
    if (n == 15)
        n = varint(r);
    /* Every element takes at least one byte: a larger count is a lie. */
    if (n > (uint64_t)(r->end - r->p))
        r->bad = true;
    return n;
}

static void skip_value(reader *r, int type, int depth)
{
    if (depth > MAX_DEPTH) {
        r->bad = true;
        return;
    }
    switch (type) {
    case T_TRUE:
    case T_FALSE:
        return; /* a struct field's boolean lives in its type */
    case T_BYTE:
        skip_bytes(r, 1);
        return;
    case T_I16:
    case T_I32:
    case T_I64:
        (void)varint(r);
        return;
    case T_DOUBLE:
        skip_bytes(r, 8);
        return;
    case T_BINARY:
        skip_bytes(r, varint(r));
        return;
    case T_LIST:
    case T_SET: {
        int elem;
        uint64_t n = list_header(r, &elem);
        for (uint64_t i = 0; i < n && !r->bad; i++)
            skip_elem(r, elem, depth + 1);
        return;
    }
    case T_MAP: {
        uint64_t n = varint(r);
        if (n == 0)
            return;
        if (r->p >= r->end || n > (uint64_t)(r->end - r->p)) {
            r->bad = true;
            return;
        }
        unsigned char kv = *r->p++;
        for (uint64_t i = 0; i < n && !r->bad; i++) {
            skip_elem(r, kv >> 4, depth + 1);
            skip_elem(r, kv & 0x0f, depth + 1);
        }
        return;
    }
    case T_STRUCT:
        skip_struct(r, depth + 1);
        return;
    default:
        r->bad = true;
    }
}

/* ---- the codecs of the column chunks ---------------------------------------- */

/* A struct's fields, each handed to FN with its id and type; FN reads or
 * skips the value (skip_value).  A long-form field id is read too. */
typedef void (*field_fn)(reader *r, int16_t field, int type, int depth, void *arg);

static void walk_struct(reader *r, int depth, field_fn fn, void *arg)
{
    if (depth > MAX_DEPTH) {
        r->bad = true;
        return;
    }
    int16_t field = 0;
    while (!r->bad) {
        if (r->p >= r->end) {
            r->bad = true;
            return;
        }
        unsigned char h = *r->p++;
        int type = h & 0x0f;
        if (type == T_STOP)
            return;
        int delta = h >> 4;
        field = delta ? (int16_t)(field + delta) : (int16_t)zigzag(r);
        fn(r, field, type, depth + 1, arg);
    }
}

/* A list of structs, each walked with FN; a list of anything else is
 * skipped (a damaged file is caught by the walk's bounds all the same). */
static void walk_list(reader *r, int depth, field_fn fn, void *arg)
{
    int elem;
    uint64_t n = list_header(r, &elem);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        if (elem == T_STRUCT)
            walk_struct(r, depth + 1, fn, arg);
        else
            skip_elem(r, elem, depth + 1);
    }
}

/* Codecs Parquet does not name (8 and up) share one bit. */
static void note_codec(uint16_t *codecs, int64_t codec)
{
    *codecs |= (uint16_t)(codec >= 0 && codec <= 7 ? 1u << codec : 1u << DS_FOOTER_CODEC_OTHER);
}

/* ColumnMetaData: field 4 is the codec (an i32 enum). */
static void column_meta_field(reader *r, int16_t field, int type, int depth, void *arg)
{
    if (field == 4 && type == T_I32)
        note_codec(arg, zigzag(r));
    else
        skip_value(r, type, depth);
}

/* ColumnChunk: field 3 is its ColumnMetaData. */
static void column_chunk_field(reader *r, int16_t field, int type, int depth, void *arg)
{
    if (field == 3 && type == T_STRUCT)
        walk_struct(r, depth, column_meta_field, arg);
    else
        skip_value(r, type, depth);
}

/* RowGroup: field 1 is its list of ColumnChunk. */
static void row_group_field(reader *r, int16_t field, int type, int depth, void *arg)
{
    if (field == 1 && type == T_LIST)
        walk_list(r, depth, column_chunk_field, arg);
    else
        skip_value(r, type, depth);
}

const char *ds_footer_codec_name(int codec)
{
    static const char *const NAMES[] = {"uncompressed", "Snappy", "gzip", "LZO",
                                        "Brotli",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return codec >= 0 && codec < (int)(sizeof NAMES / sizeof *NAMES) ? NAMES[codec]
                                                                     : "an unknown codec";
}

static int fail(char *why, size_t why_len, const char *msg)
{
    if (why && why_len)
        snprintf(why, why_len, "%s", msg);
    return -1;
}

int ds_footer_parse(const unsigned char *buf, size_t n, ds_footer *out, char *why, size_t why_len)
{
    reader r = {buf, buf + n, false};
    bool have_schema = false, have_rows = false;
    int16_t field = 0;
    while (!r.bad) {
        if (r.p >= r.end) {
            r.bad = true;
            break;
        }
        unsigned char h = *r.p++;
        int type = h & 0x0f;
        if (type == T_STOP)
            break;
        int delta = h >> 4;
        field = delta ? (int16_t)(field + delta) : (int16_t)zigzag(&r);
        if (field == 2 && type == T_LIST) {
            const unsigned char *start = r.p;
            int elem;
            uint64_t count = list_header(&r, &elem);
            for (uint64_t i = 0; i < count && !r.bad; i++)
                skip_elem(&r, elem, 1);
            out->schema_hash = ds_hash(start, (size_t)(r.p - start));
            out->n_columns = count > UINT32_MAX ? UINT32_MAX : (uint32_t)count;
            have_schema = true;
        } else if (field == 3 && type == T_I64) {
            out->num_rows = zigzag(&r);
            have_rows = true;
        } else if (field == 4 && type == T_LIST) {
            walk_list(&r, 1, row_group_field, &out->codecs);
        } else {
            skip_value(&r, type, 1);
        }
    }
    if (r.bad)
        return fail(why, why_len, "its Parquet footer is damaged");
    if (!have_schema || !have_rows)
        return fail(why, why_len, "its Parquet footer has no schema or row count");
    return 0;
}

/* A footer larger than this is not one we believe (DuckDB's own limit is
 * the file's size; real footers of huge files are a few MiB). */
#define MAX_FOOTER (256u << 20)

/* Set once a file could not be opened with O_NOATIME (it is only allowed
 * on one's own files): from then on it is not asked for. */
static atomic_bool noatime_refused;

int ds_footer_open_flags(void)
{
    int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK;
    return atomic_load_explicit(&noatime_refused, memory_order_relaxed) ? flags
                                                                        : flags | O_NOATIME;
}

/* Opens NAME without updating its access time when we may: with the
 * usual relatime, the first read of a file written since its last access
 * writes its inode, which on a first build over a new lake is a million
 * inode writes for reading a few bytes of each.  O_NONBLOCK: a named pipe
 * would otherwise wait for a writer before fstat can refuse it (it
 * changes nothing for a regular file). */
int ds_footer_open(int dirfd, const char *name)
{
    int flags = ds_footer_open_flags();
    if (flags & O_NOATIME) {
        int fd = openat(dirfd, name, flags);
        if (fd >= 0 || errno != EPERM)
            return fd;
        atomic_store_explicit(&noatime_refused, true, memory_order_relaxed);
    }
    return openat(dirfd, name, flags & ~O_NOATIME);
}

int ds_footer_read(const char *path, ds_footer *out, char *why, size_t why_len)
{
    return ds_footer_read_at(AT_FDCWD, path, -1, 0, 0, out, why, why_len);
}

size_t ds_footer_tail_len(int64_t size)
{
    return size < DS_FOOTER_FIRST_READ ? (size_t)size : DS_FOOTER_FIRST_READ;
}

int ds_footer_from_tail(int fd, int64_t size, const unsigned char *first, size_t want,
                        ds_footer *out, char *why, size_t why_len)
{
    if (size < 12)
        return fail(why, why_len, "it is too small to be a Parquet file");
    const unsigned char *tail = first + want - 8;
    if (memcmp(tail + 4, "PARE", 4) == 0)
        return fail(why, why_len, "its footer is encrypted");
    if (memcmp(tail + 4, "PAR1", 4) != 0)
        return fail(why, why_len, "it is not a Parquet file (no PAR1 at its end)");
    uint32_t len = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
                   (uint32_t)tail[3] << 24;
    if ((int64_t)len + 12 > size || len > MAX_FOOTER)
        return fail(why, why_len, "its footer length is larger than the file");
    if (len + 8 <= want)
        return ds_footer_parse(tail - len, len, out, why, why_len);
    /* A large footer: read it whole. */
    unsigned char *big = ds_xmalloc(len);
    int rc = pread(fd, big, len, (off_t)size - 8 - (off_t)len) == (ssize_t)len
                 ? ds_footer_parse(big, len, out, why, why_len)
                 : fail(why, why_len, "it could not be read whole");
    free(big);
    return rc;
}

/* The footer of the file open as FD, SIZE bytes long. */
static int read_open(int fd, off_t size, ds_footer *out, char *why, size_t why_len)
{
    if (size < 12)
        return fail(why, why_len, "it is too small to be a Parquet file");
    /* On the stack: no allocation per file for a lake of small files. */
    unsigned char first[DS_FOOTER_FIRST_READ];
    size_t want = ds_footer_tail_len(size);
    if (pread(fd, first, want, size - (off_t)want) != (ssize_t)want)
        return fail(why, why_len, "it could not be read whole");
    return ds_footer_from_tail(fd, size, first, want, out, why, why_len);
}

int ds_footer_read_at(int dirfd, const char *name, int64_t size, int64_t mtime_ns,
                      int64_t ctime_ns,
                      ds_footer *out, char *why, size_t why_len)
{
    memset(out, 0, sizeof *out);
    int fd = ds_footer_open(dirfd, name);
    if (fd < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "cannot open it: %s", strerror(errno));
        return fail(why, why_len, msg);
    }
    if (size < 0) {
        struct stat st;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return fail(why, why_len, "it is not a regular file");
        }
        size = (int64_t)st.st_size;
        mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    }
    out->size = size;
    out->mtime_ns = mtime_ns;
    out->ctime_ns = ctime_ns;
    int rc = read_open(fd, (off_t)size, out, why, why_len);
    close(fd);
    return rc;
}
