/* facts.h - per-file facts of a build (row count, schema hash), kept
 * between builds so an unchanged file is never opened again.
 *
 * The cache lives in the project, outside the published site:
 * .ducksite/file_facts (one line per Parquet file: size, mtime, ctime,
 * rows, columns, schema hash, physical path).  An entry is used only when
 * the file's size, mtime and ctime (from stat) are the ones recorded (a
 * file rewritten with its size and mtime kept has a new ctime); anything else
 * reads the footer again (footer.h).  A missing or damaged cache is
 * rebuilt; deleting it is always safe. */
#ifndef DS_FACTS_H
#define DS_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/util.h"
#include "footer.h"

#define DS_FACTS_DIR ".ducksite"
#define DS_FACTS_FILE "file_facts"

typedef struct ds_facts ds_facts;

/* ROOT/.ducksite/file_facts, where the cache is kept (caller frees). */
char *ds_facts_path(const char *root);

/* Opens the cache of the project at ROOT (reading it if it exists); with
 * ROOT NULL, a cache for this build only that is never saved. */
ds_facts *ds_facts_open(const char *root);

/* The facts of the file at PATH: from the cache when its stamp is
 * unchanged, else from its footer.  Returns 0, or -1 with the reason
 * in WHY when the file cannot be read as Parquet. */
int ds_facts_get(ds_facts *f, const char *path, ds_footer *out, char *why, size_t why_len);

/* A regular file's size, mtime and ctime, or size -1 when it is not one
 * (missing).  The ctime changes with the bytes even when the size and
 * mtime are put back, and with the permissions or owner, which decide
 * whether the build can read the file. */
typedef struct {
    int64_t size, mtime_ns, ctime_ns;
} ds_file_stamp;
int ds_file_stamp_of(const char *path, ds_file_stamp *out);
/* The same for NAME in the directory open as DIRFD (symbolic links
 * followed, as stat does). */
int ds_file_stamp_at(int dirfd, const char *name, ds_file_stamp *out);

/* The same as ds_facts_get when the caller has just stamped the file
 * (NOW): a lake's files are not stat-ed twice. */
int ds_facts_get_stamped(ds_facts *f, const char *path, const ds_file_stamp *now,
                         ds_footer *out, char *why, size_t why_len);

/* A file to look up: its physical path and its stamp from a stat made
 * just before (size -1: not stamped). */
typedef struct {
    const char *path;
    ds_file_stamp stamp;
} ds_facts_want;

/* Looks up N stamped files at once: OUT[i] gets the facts of WANT[i] and
 * OK[i] says whether it has them.  The footers the cache does not know
 * are read with a few threads (a first build over a lake reads a million
 * of them, and one file's syscalls overlap another's), each folder's files
 * opened relative to it.  A file that is not OK (unstamped, missing or
 * unreadable) is for ds_facts_get_stamped, which gives the reason. */
void ds_facts_get_all(ds_facts *f, const ds_facts_want *want, size_t n, ds_footer *out,
                      bool *ok);

/* True when no cache was loaded (a first build, or after a damaged
 * one): every footer is to be read. */
bool ds_facts_empty(const ds_facts *f);

/* A first build's way to stamp a lake: reads the footer of every file of
 * WANT (stamps not known) as ds_facts_get_all does, each file opened once
 * and stat-ed through its descriptor (a stat by name and then an open
 * would look its path up twice).  OUT[i].size and .mtime_ns are then the
 * file's stamp.  The facts read are kept; their first lookup afterwards
 * is not counted as known. */
void ds_facts_read_unstamped(ds_facts *f, const ds_facts_want *want, size_t n, ds_footer *out,
                             bool *ok);

/* Reads footers one file at a time from now on, as when the system does
 * not batch them (batchread.h): for tests, which compare both ways. */
void ds_facts_one_by_one(ds_facts *f);

/* How many lookups were answered from the cache (the saved one, or a
 * footer already read in this build) / by reading a footer. */
size_t ds_facts_hits(const ds_facts *f);
size_t ds_facts_reads(const ds_facts *f);
/* The time spent reading footers, in ms. */
double ds_facts_read_ms(const ds_facts *f);

/* Writes the cache (atomically) with the files looked up in this build,
 * when it changed.  A failure is only a warning (the cache is a speed-up)
 * and returns false. */
bool ds_facts_save(ds_facts *f);

/* The same, written by a thread while the build goes on (a lake's cache
 * is 100 MB of text, a single-threaded half second): the cache is opened
 * here, on the caller's thread, and F is the saver's from now on (closed
 * when written; the caller must not use it again).  _finish waits for
 * the write and says a failure (a warning, as ds_facts_save), returning
 * whether the cache was saved; MS, when not NULL, gets how long the save
 * took from its start.  A NULL saving finishes as saved. */
typedef struct ds_facts_saving ds_facts_saving;
ds_facts_saving *ds_facts_save_start(ds_facts *f);
bool ds_facts_save_finish(ds_facts_saving *s, double *ms);

void ds_facts_close(ds_facts *f);

#endif
