/* walk.c - the one directory walker (see walk.h).
 *
 * A directory is read whole, sorted, and closed before anything is done
 * with its entries: callers get a reproducible order, may delete what they
 * are handed, and a deep walk holds one descriptor per level, not one
 * listing.  The glob scanner walks lakes of 100,000 files with
 * ds_walk_list_fd, hence: the type comes from readdir's d_type (an lstat
 * only when the file system leaves it out, none at all with
 * DS_WALK_LAZY_TYPES), and names go into one buffer, not one malloc each.
 * Subdirectories are opened relative to their parent with O_NOFOLLOW, so a
 * directory swapped for a symlink while we walk is not followed either. */
#include "walk.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ds_walk_type type_of_mode(mode_t m)
{
    return S_ISREG(m)   ? DS_WALK_FILE
           : S_ISDIR(m) ? DS_WALK_DIR
           : S_ISLNK(m) ? DS_WALK_LINK
                        : DS_WALK_OTHER;
}

ds_walk_type ds_walk_type_at(int fd, const char *name)
{
    struct stat st;
    if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return DS_WALK_UNKNOWN;
    return type_of_mode(st.st_mode);
}

static ds_walk_type type_of_dirent(unsigned char t)
{
    switch (t) {
    case DT_REG:
        return DS_WALK_FILE;
    case DT_DIR:
        return DS_WALK_DIR;
    case DT_LNK:
        return DS_WALK_LINK;
    case DT_UNKNOWN:
        return DS_WALK_UNKNOWN;
    default:
        return DS_WALK_OTHER;
    }
}

/* Name order, with a directory compared as "name/". */
static int cmp_entry(const void *a, const void *b)
{
    const ds_walk_entry *x = a, *y = b;
    const unsigned char *p = (const unsigned char *)x->name;
    const unsigned char *q = (const unsigned char *)y->name;
    while (*p && *p == *q) {
        p++;
        q++;
    }
    unsigned cp = *p ? *p : (x->type == DS_WALK_DIR ? '/' : 0);
    unsigned cq = *q ? *q : (y->type == DS_WALK_DIR ? '/' : 0);
    return (int)cp - (int)cq;
}

/* Reads the open directory d into out, then sorts it. */
static void read_sorted(DIR *d, unsigned flags, ds_walk_listing *out)
{
    size_t cap = 0;
    for (;;) {
        errno = 0; /* readdir reports errors only through errno */
        struct dirent *e = readdir(d);
        if (e == NULL) {
            out->error = errno;
            break;
        }
        const char *name = e->d_name;
        if (name[0] == '.' &&
            ((flags & DS_WALK_NO_HIDDEN) || name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        ds_walk_type type = type_of_dirent(e->d_type);
        if (type == DS_WALK_UNKNOWN && !(flags & DS_WALK_LAZY_TYPES) &&
            (type = ds_walk_type_at(dirfd(d), name)) == DS_WALK_UNKNOWN)
            continue; /* gone since readdir */
        if (out->n == cap) {
            cap = cap ? cap * 2 : 64;
            out->items = ds_xrealloc(out->items, cap * sizeof *out->items);
        }
        size_t len = strlen(name);
        out->items[out->n++] = (ds_walk_entry){NULL, len, type};
        ds_buf_add(&out->names, name, len + 1);
    }
    /* The buffer may have moved while it grew: names are placed now. */
    const char *p = out->names.data;
    for (size_t i = 0; i < out->n; i++) {
        out->items[i].name = p;
        p += out->items[i].len + 1;
    }
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, cmp_entry);
}

int ds_walk_list(const char *path, unsigned flags, ds_walk_listing *out)
{
    assert(path && out && !(flags & (DS_WALK_RECURSE | DS_WALK_ERRORS))); /* ds_walk's flags */
    memset(out, 0, sizeof *out);
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    read_sorted(d, flags, out);
    closedir(d);
    return 0;
}

int ds_walk_list_fd(int fd, unsigned flags, ds_walk_listing *out)
{
    assert(fd >= 0 && out && !(flags & (DS_WALK_RECURSE | DS_WALK_ERRORS)));
    memset(out, 0, sizeof *out);
    /* fdopendir takes the descriptor it is given; the caller keeps fd. */
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = own >= 0 ? fdopendir(own) : NULL;
    if (d == NULL) {
        int saved = errno;
        if (own >= 0)
            close(own);
        errno = saved;
        return -1;
    }
    read_sorted(d, flags, out);
    closedir(d);
    return 0;
}

void ds_walk_list_free(ds_walk_listing *l)
{
    free(l->items);
    ds_buf_free(&l->names);
    memset(l, 0, sizeof *l);
}

/* ---- the recursive walk ------------------------------------------------- */

typedef struct {
    unsigned flags;
    ds_walk_fn fn;
    void *ctx;
    ds_buf path;    /* the current entry's path */
    size_t top_len; /* the top and its '/': where rel starts */
} walker;

/* The directory at w->path (whose last part starts at name_at) could not
 * be opened. */
static int unreadable(walker *w, size_t name_at, int error)
{
    if (!(w->flags & DS_WALK_ERRORS))
        return 0;
    const char *rel = w->path.len > w->top_len ? w->path.data + w->top_len : "";
    ds_walk_item it = {w->path.data, rel, w->path.data + name_at, DS_WALK_UNREADABLE, error};
    int rc = w->fn(&it, w->ctx);
    return rc < 0 ? rc : 0;
}

static int walk_dir(walker *w, int fd);

/* Enters the directory NAME of parent, whose path is w->path. */
static int enter(walker *w, int parent, const char *name, size_t name_at)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return unreadable(w, name_at, errno);
    ds_buf_putc(&w->path, '/');
    int rc = walk_dir(w, fd);
    close(fd);
    return rc;
}

/* Hands every entry of the directory fd (path w->path plus '/') to the
 * callback, entering subdirectories. */
static int walk_dir(walker *w, int fd)
{
    ds_walk_listing l;
    size_t dir_len = w->path.len;
    if (ds_walk_list_fd(fd, w->flags & DS_WALK_NO_HIDDEN, &l) != 0) {
        int error = errno;
        w->path.data[--w->path.len] = '\0'; /* report the directory without its '/' */
        const char *slash = strrchr(w->path.data, '/');
        size_t name_at = slash ? (size_t)(slash + 1 - w->path.data) : 0;
        int rc = unreadable(w, name_at, error);
        ds_buf_putc(&w->path, '/');
        return rc;
    }
    int rc = 0;
    for (size_t i = 0; i < l.n && rc >= 0; i++) {
        const ds_walk_entry *e = &l.items[i];
        ds_buf_add(&w->path, e->name, e->len);
        ds_walk_item it = {w->path.data, w->path.data + w->top_len, w->path.data + dir_len, e->type,
                           0};
        rc = w->fn(&it, w->ctx);
        if (rc == 0 && e->type == DS_WALK_DIR && (w->flags & DS_WALK_RECURSE))
            rc = enter(w, fd, e->name, dir_len);
        w->path.len = dir_len;
        w->path.data[dir_len] = '\0';
    }
    ds_walk_list_free(&l);
    return rc < 0 ? rc : 0;
}

int ds_walk(const char *top, unsigned flags, ds_walk_fn fn, void *ctx)
{
    assert(top && fn);
    walker w = {flags, fn, ctx, {0}, 0};
    ds_buf_puts(&w.path, top);
    int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        w.top_len = w.path.len;
        int rc = (flags & DS_WALK_ERRORS) ? unreadable(&w, 0, error) : -1;
        ds_buf_free(&w.path);
        errno = error;
        return rc;
    }
    if (w.path.len == 0 || w.path.data[w.path.len - 1] != '/')
        ds_buf_putc(&w.path, '/');
    w.top_len = w.path.len;
    int rc = walk_dir(&w, fd);
    close(fd);
    ds_buf_free(&w.path);
    return rc;
}
