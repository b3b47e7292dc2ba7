/* batchread.h - the footers of a batch of files of one folder, read
 * together.
 *
 * A first build over a lake reads every file's footer: an open, a fstat,
 * a read and a close each.  Where entering the kernel is dear (virtual
 * machines: measured over 1,000,000 one-row files on two cores, 6.1 s for
 * those four calls a file), Linux's io_uring takes the opens of a batch in
 * one call, then its reads, then its closes (3.7 s, the fstat still one
 * call each: io_uring hands a statx to a worker thread, which costs more).
 * Where io_uring is not there (an older kernel, a container that forbids
 * it) or fails, the files are read one at a time (footer.h) with the same
 * results. */
#ifndef DS_BATCHREAD_H
#define DS_BATCHREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "footer.h"

/* Files read together at most. */
#define DS_BATCHREAD_MAX 64

typedef struct ds_batchread ds_batchread;

/* A reader, for one thread at a time.  USE_RING false: files are read one
 * at a time (tests compare both ways). */
ds_batchread *ds_batchread_new(bool use_ring);
void ds_batchread_free(ds_batchread *r);

/* Whether this system lets a reader batch its calls. */
bool ds_batchread_available(void);

/* Whether the reader batches its calls (io_uring set up and working). */
bool ds_batchread_batches(const ds_batchread *r);

typedef struct {
    const char *name;       /* in the folder */
    int64_t size, mtime_ns, ctime_ns; /* its stamp, just taken; size -1: not known */
} ds_batchread_file;

/* Reads the footers of FILES[0..N) (N <= DS_BATCHREAD_MAX), all in the
 * folder open as DIRFD (or AT_FDCWD with paths as names).  OK[i] says
 * whether OUT[i] holds them, with the file's stamp (the one given, else
 * the one fstat gave).  A file that is not OK (missing, not a regular
 * file, not Parquet) is for ds_footer_read_at, which gives the reason. */
void ds_batchread_footers(ds_batchread *r, int dirfd, const ds_batchread_file *files, size_t n,
                          ds_footer *out, bool *ok);

#endif
