/* stamp.h - the size, mtime and ctime of many files of a source, taken by two
 * threads: what a rebuild must learn of every file of a lake (a file
 * rewritten in place changes nothing but its own inode), and its one cost
 * that grows with the lake.
 *
 * Files sorted by key come folder by folder, so each is stat-ed by its
 * name in its folder's open directory (the kernel walks the folder's path
 * once, not once per file).  A missing file gets size -1. */
#ifndef DS_STAMP_H
#define DS_STAMP_H

#include <stddef.h>

#include "collect.h"

/* Starts stamping FILES[0, N) in the background (two threads for 10,000
 * files and more, else one) while the caller goes on: until ds_stamp_wait
 * it must not touch the files' stamps or paths, nor move or free the
 * array (other fields are its own).  Never NULL. */
typedef struct ds_stamper ds_stamper;
ds_stamper *ds_stamp_start(ds_source_file *files, size_t n);
/* Waits for the stamps and frees S (NULL is allowed). */
void ds_stamp_wait(ds_stamper *s);

/* Stamps FILES[0, N) (their path) before returning. */
void ds_stamp_files(ds_source_file *files, size_t n);

#endif
