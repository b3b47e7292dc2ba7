/* fs.h - files and paths: whole-file reads, atomic writes (temporary file +
 * rename, so readers never see half a file), mkdir -p, and path joining. */
#ifndef DS_FS_H
#define DS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/* Reads a whole file; the result is NUL-terminated.  NULL with err set
 * ("cannot read PATH: reason") on failure. */
char *ds_read_file(const char *path, size_t *len, ds_err *err);

/* A JSON file parsed with jansson's json_loadb (flags as for it): the file
 * is read in one go, where json_load_file reads it a character at a time
 * (a build's megabytes of stored pictures took tens of ms).  NULL when it
 * cannot be read or parsed; jerr (may be NULL) then says why. */
struct json_t;
struct json_error_t;
struct json_t *ds_json_load_path(const char *path, size_t flags, struct json_error_t *jerr);

/* Writes data to a temporary file beside PATH (unique to this call), then
 * renames it over PATH: readers see the old file or the new one, never half. */
int ds_write_atomic(const char *path, const char *data, size_t len, ds_err *err);

/* ds_write_atomic of TEXT to ROOT/REL, its folders made first (the files a
 * build keeps for the server under <project>/.ducksite/). */
int ds_write_atomic_under(const char *root, const char *rel, const char *text, ds_err *err);

/* ds_write_atomic for data that must not be lost (form submissions, the
 * users file): the temporary file is created with MODE and fsynced before
 * the rename, and the directory after it, so a crash or a full disk at any
 * point leaves either the previous file or the new one, whole. */
int ds_write_durable(const char *path, const char *data, size_t len, mode_t mode, ds_err *err);

/* A file written in parts and put in place as ds_write_atomic puts a
 * whole text (ds_write_durable with DURABLE): the parts go to a temporary
 * file beside PATH, created with MODE, which ds_stream_commit renames over
 * PATH.  A large file (a lake's facts cache) is then written a block at a
 * time, never held whole.  A failed write is remembered and reported by
 * the commit, which removes the temporary file. */
typedef struct {
    char *path, *tmp;
    int fd;
    int error; /* errno of the first failed write, else 0 */
} ds_stream;
int ds_stream_open(ds_stream *s, const char *path, mode_t mode, ds_err *err);
void ds_stream_write(ds_stream *s, const void *data, size_t len);
int ds_stream_commit(ds_stream *s, bool durable, ds_err *err);
/* Gives the file up: the temporary is removed, PATH left as it was. */
void ds_stream_abort(ds_stream *s);

/* Fault injection, for tests of what a failed write leaves behind.  In a
 * build configured with DS_FAULT_INJECTION (the default except for Release
 * builds), ds_build reads DUCKSITE_FAIL_WRITE=N and arms it: the Nth file
 * write from then on (each ds_write_atomic, and each link or rename that
 * publishes a build) fails with an "injected failure" error.  Elsewhere
 * these do nothing and ds_fault_count() is -1. */
void ds_fault_arm(long n);
/* Writes seen since the last ds_fault_arm. */
long ds_fault_count(void);
/* Called before a write to PATH: -1 with err set when it is the one that
 * must fail. */
int ds_fault_point(const char *path, ds_err *err);

/* Creates a directory and its parents (mode 0755).  Existing ones are fine. */
int ds_mkdir_p(const char *path, ds_err *err);

/* Does the regular file PATH (not followed if a symlink) hold exactly
 * DATA?  Read a block at a time: published files reach 100 MB. */
bool ds_file_holds(const char *path, const char *data, size_t len);

bool ds_is_file(const char *path);
bool ds_is_dir(const char *path);
bool ds_exists(const char *path);

/* "a" + "b" -> "a/b"; an absolute b is returned as is. */
char *ds_path_join(const char *a, const char *b);

/* Absolute, lexically normalised path (no symlink resolution, "." and ".."
 * folded).  Relative paths are taken against the current directory. */
char *ds_path_abs(const char *path);

/* Directory part of a path ("a/b/c" -> "a/b", "c" -> "."). */
char *ds_path_dirname(const char *path);

#endif
