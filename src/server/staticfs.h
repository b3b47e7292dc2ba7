/* staticfs.h - opens files under static/ so that nothing outside it can be
 * reached, whatever the symlinks inside it point to.
 *
 * The fast path is one openat2() with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
 * relative to a directory descriptor held open for the server's lifetime:
 * the kernel refuses to leave static/.  A path that runs into a symlink (or
 * a kernel without openat2) takes the slow path: realpath(), a check that
 * the result is still inside static/ and names no dot-file or private map
 * file, then open(O_NOFOLLOW) of the resolved path.  So symlinks that stay
 * inside static/ work; symlinks that leave it are 404. */
#ifndef DS_STATICFS_H
#define DS_STATICFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "../util/util.h"

typedef struct {
    int dirfd;  /* static/, O_PATH | O_DIRECTORY */
    char *real; /* realpath of static/ */
    size_t real_len;
    bool use_openat2; /* false when the kernel lacks it; tests clear it */
} ds_staticfs;

int ds_staticfs_open(ds_staticfs *fs, const char *static_dir, ds_err *err);
void ds_staticfs_close(ds_staticfs *fs);

/* Opens REL (a ds_pathnorm result; "" is static/ itself) read-only and
 * fstat()s it into ST.  Returns the descriptor, or -1 with errno set
 * (ENOENT also for everything refused). */
int ds_staticfs_openat(const ds_staticfs *fs, const char *rel, struct stat *st);

#endif
