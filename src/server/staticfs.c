/* staticfs.c - confined opening of files under static/ (see staticfs.h).
 *
 * Every descriptor is opened with O_NONBLOCK so that a FIFO planted under
 * static/ cannot block a server thread in open(); for regular files, the only
 * kind we serve, O_NONBLOCK changes nothing. */
#define _GNU_SOURCE /* O_PATH */
#include "staticfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pathnorm.h"

#define OPEN_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)

static int sys_openat2(int dirfd, const char *path, unsigned long long resolve)
{
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = OPEN_FLAGS;
    how.resolve = resolve;
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int ds_staticfs_open(ds_staticfs *fs, const char *static_dir, ds_err *err)
{
    memset(fs, 0, sizeof *fs);
    fs->dirfd = open(static_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fs->dirfd < 0)
        return ds_err_set(err, "cannot open %s: %s", static_dir, strerror(errno));
    fs->real = realpath(static_dir, NULL);
    if (!fs->real) {
        int e = errno;
        close(fs->dirfd);
        return ds_err_set(err, "cannot resolve %s: %s", static_dir, strerror(e));
    }
    fs->real_len = strlen(fs->real);
    /* Probe once: containers' seccomp filters or old kernels may lack it. */
    int fd = sys_openat2(fs->dirfd, ".", RESOLVE_BENEATH);
    fs->use_openat2 = fd >= 0;
    if (fd >= 0)
        close(fd);
    return 0;
}

void ds_staticfs_close(ds_staticfs *fs)
{
    if (fs->dirfd >= 0)
        close(fs->dirfd);
    free(fs->real);
    memset(fs, 0, sizeof *fs);
    fs->dirfd = -1;
}

/* The slow path for paths with symlinks: resolve, then check the result. */
static int open_resolved(const ds_staticfs *fs, const char *rel)
{
    char joined[PATH_MAX], resolved[PATH_MAX];
    int n = snprintf(joined, sizeof joined, "%s/%s", fs->real, rel);
    if (n < 0 || (size_t)n >= sizeof joined)
        return errno = ENAMETOOLONG, -1;
    if (!realpath(joined, resolved))
        return -1;
    /* Inside static/: the prefix, followed by the end or a '/'. */
    if (strncmp(resolved, fs->real, fs->real_len) != 0 ||
        (resolved[fs->real_len] != '\0' && resolved[fs->real_len] != '/'))
        return errno = ENOENT, -1;
    /* The target must pass the same rules as a requested path. */
    const char *inside = resolved + fs->real_len;
    for (const char *p = inside; (p = strchr(p, '/')) != NULL;) {
        p++;
        if (*p == '.')
            return errno = ENOENT, -1;
    }
    if (*inside && ds_pathnorm_is_private(inside + 1))
        return errno = ENOENT, -1;
    /* A stored result is served only under its own name, which is where
     * the server checks its freshness, never through a link to it. */
    if (strncmp(inside, "/_results/", 10) == 0 && strcmp(inside + 1, rel) != 0)
        return errno = ENOENT, -1;
    return open(resolved, OPEN_FLAGS | O_NOFOLLOW);
}

int ds_staticfs_openat(const ds_staticfs *fs, const char *rel, struct stat *st)
{
    const char *path = *rel ? rel : ".";
    int fd = -1;
    if (fs->use_openat2) {
        fd = sys_openat2(fs->dirfd, path, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (fd < 0 && errno != ELOOP)
            return -1; /* ENOENT, EACCES, ...: final */
    }
    if (fd < 0)
        fd = open_resolved(fs, rel);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}
