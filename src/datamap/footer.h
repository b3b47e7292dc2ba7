/* footer.h - what a Parquet file's footer says, read without DuckDB.
 *
 * The build needs, for every file of a lake, three facts: how many rows
 * it has, which schema it was written with and which codecs compress it
 * (the browser's engine reads fewer than the build's).  DuckDB answers that at
 * about 100 us a file (it sets up a reader per file); reading the footer
 * directly (open, one pread, a Thrift compact walk) costs a few us, which
 * is what lets a build over a million files stay close to `find`.
 *
 * The schema is not interpreted here: its Thrift bytes are hashed, so two
 * files written with the same schema share a hash.  DuckDB stays the one
 * judge of what a schema means (the build asks it once per distinct hash). */
#ifndef DS_FOOTER_H
#define DS_FOOTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t size;           /* the file's size in bytes */
    int64_t mtime_ns;       /* its modification time */
    int64_t ctime_ns;       /* its status change time (chmod, chown) */
    int64_t num_rows;       /* FileMetaData.num_rows */
    uint64_t schema_hash;   /* FNV-1a of the schema list's Thrift bytes */
    uint32_t n_columns;     /* schema elements, the root included */
    uint16_t codecs;        /* bit C: a column chunk compressed with codec C
                               (Parquet's CompressionCodec: 0 uncompressed,
                               1 Snappy, 2 gzip, 3 LZO, 4 Brotli, 5 LZ4,
                               6 ZSTD, 7 LZ4_RAW); DS_FOOTER_CODEC_OTHER's
                               bit for any other number */
} ds_footer;

#define DS_FOOTER_CODEC_OTHER 15
/* The codecs the browser engine (DuckDB-Wasm 1.28, DuckDB 0.9.1) reads:
 * uncompressed, Snappy, gzip and ZSTD.  Measured: it refuses Brotli, LZ4
 * and LZ4_RAW ("Unsupported compression codec"), which the build-time
 * engine reads. */
#define DS_FOOTER_BROWSER_CODECS ((uint16_t)((1u << 0) | (1u << 1) | (1u << 2) | (1u << 6)))

/* "Snappy", "LZ4", ... for codec number CODEC. */
const char *ds_footer_codec_name(int codec);

/* Reads PATH's footer.  Returns 0, or -1 with a short reason in WHY (e.g.
 * "not a Parquet file (no PAR1 at its end)") when the file is missing,
 * unreadable, encrypted or not Parquet. */
int ds_footer_read(const char *path, ds_footer *out, char *why, size_t why_len);

/* The same for NAME in the folder open as DIRFD (AT_FDCWD: NAME is a
 * path).  With SIZE >= 0 the caller has just stat-ed the file (SIZE and
 * * MTIME_NS, CTIME_NS are its stamp): it is opened, read once and closed, without a
 * fstat of its own.  A file that changed since then fails (its tail is not
 * where SIZE says) or is recorded with the older stamp, so the next build
 * reads it again.  Safe to call from several threads at once. */
int ds_footer_read_at(int dirfd, const char *name, int64_t size, int64_t mtime_ns,
                      int64_t ctime_ns,
                      ds_footer *out, char *why, size_t why_len);

/* Bytes of a file's end read first: the footers of small files and most
 * others fit, so one read does. */
#define DS_FOOTER_FIRST_READ 65536

/* How many bytes of the end of a SIZE-byte file to read first. */
size_t ds_footer_tail_len(int64_t size);

/* The footer of the file open as FD, SIZE bytes long, whose last WANT
 * bytes (ds_footer_tail_len) are in TAIL: checked and parsed, the footer
 * read whole from FD when it is longer than TAIL.  size and mtime are
 * left alone.  For readers that made the first read themselves
 * (batchread.h). */
int ds_footer_from_tail(int fd, int64_t size, const unsigned char *tail, size_t want,
                        ds_footer *out, char *why, size_t why_len);

/* Opens NAME in the folder open as DIRFD for reading its footer, with
 * ds_footer_open_flags(): without updating its access time while the
 * system allows it (only on one's own files), so a first build does not
 * write a million inodes.  An open refused with EPERM is made again
 * without, and from then on never asked for. */
int ds_footer_open(int dirfd, const char *name);
int ds_footer_open_flags(void);

/* The same for a footer already in memory (BUF holds the Thrift
 * FileMetaData, N bytes); size and mtime are left alone.  For tests and
 * fuzzing. */
int ds_footer_parse(const unsigned char *buf, size_t n, ds_footer *out, char *why,
                    size_t why_len);

#endif
