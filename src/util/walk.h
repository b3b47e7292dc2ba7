/* walk.h - the one directory walker: a directory's entries sorted, with
 * their type (never following symlinks), and a depth-first walk of a tree
 * built on it. */
#ifndef DS_WALK_H
#define DS_WALK_H

#include <stddef.h>

#include "util.h"

/* What an entry is, as lstat would say: a symlink is DS_WALK_LINK whatever
 * it points to, so a symlinked directory is never entered. */
typedef enum {
    DS_WALK_UNKNOWN, /* with DS_WALK_LAZY_TYPES: the file system did not say */
    DS_WALK_FILE,    /* a regular file */
    DS_WALK_DIR,
    DS_WALK_LINK,
    DS_WALK_OTHER,      /* fifo, socket, device */
    DS_WALK_UNREADABLE, /* ds_walk with DS_WALK_ERRORS: a directory it could not open */
} ds_walk_type;

enum {
    DS_WALK_NO_HIDDEN = 1,  /* leave out names that start with '.' */
    DS_WALK_LAZY_TYPES = 2, /* ds_walk_list: no lstat when the file system gives no type */
    DS_WALK_RECURSE = 4,    /* ds_walk: enter subdirectories */
    DS_WALK_ERRORS = 8,     /* ds_walk: hand directories it cannot open to the callback */
};

typedef struct {
    const char *name;
    size_t len; /* strlen(name) */
    ds_walk_type type;
} ds_walk_entry;

/* One directory's entries without "." and "..", sorted by name with a
 * directory compared as "name/": a walk that enters directories in this
 * order meets paths in strcmp order. */
typedef struct {
    ds_walk_entry *items;
    size_t n;
    int error; /* errno when reading stopped part-way (items holds what came before) */
    ds_buf names;
} ds_walk_listing;

/* Lists the directory PATH (symlinks followed for PATH itself).  -1 with
 * errno set, and an empty list, when it cannot be opened. */
int ds_walk_list(const char *path, unsigned flags, ds_walk_listing *out);
/* The same for a directory already open as FD, which stays open. */
int ds_walk_list_fd(int fd, unsigned flags, ds_walk_listing *out);
void ds_walk_list_free(ds_walk_listing *l);

/* lstat's answer for NAME in the directory fd; DS_WALK_UNKNOWN when there
 * is no such entry. */
ds_walk_type ds_walk_type_at(int fd, const char *name);

/* What ds_walk hands its callback for each entry. */
typedef struct {
    const char *path; /* the top + "/" + rel */
    const char *rel;  /* below the top, "a/b.md"; "" for an unreadable top */
    const char *name; /* the last part of path */
    ds_walk_type type;
    int error; /* DS_WALK_UNREADABLE: errno */
} ds_walk_item;

/* The callback returns 0 to go on (entering a directory when walking with
 * DS_WALK_RECURSE), DS_WALK_SKIP not to enter this directory, or a
 * negative number to stop: ds_walk then returns it. */
#define DS_WALK_SKIP 1
typedef int (*ds_walk_fn)(const ds_walk_item *item, void *ctx);

/* Calls fn for every entry below TOP, depth first in ds_walk_list order,
 * a directory before what it holds.  A directory that cannot be opened is
 * skipped, or with DS_WALK_ERRORS handed to fn as DS_WALK_UNREADABLE.
 * Returns 0, fn's negative return, or -1 with errno set when TOP cannot
 * be opened (without DS_WALK_ERRORS). */
int ds_walk(const char *top, unsigned flags, ds_walk_fn fn, void *ctx);

#endif
