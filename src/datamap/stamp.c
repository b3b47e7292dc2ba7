/* stamp.c - stamping a source's files with two threads (see stamp.h). */
#include "stamp.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/util.h"
#include "facts.h"

/* Fewer files are stamped by one thread: a thread costs more than the
 * stats it would share. */
#define STAMP_SPLIT_MIN 10000

typedef struct {
    ds_source_file *files;
    size_t from, to;
} stamp_job;

static void *stamp_range(void *arg)
{
    const stamp_job *job = arg;
    int dirfd = -1;
    size_t dir_len = 0;
    const char *dir = NULL;
    for (size_t i = job->from; i < job->to; i++) {
        ds_source_file *f = &job->files[i];
        const char *slash = strrchr(f->path, '/');
        size_t len = slash ? (size_t)(slash - f->path) : 0;
        if (slash && len > 0 && !(dir && len == dir_len && memcmp(dir, f->path, len) == 0)) {
            if (dirfd >= 0)
                close(dirfd);
            char *d = ds_strndup(f->path, len);
            dirfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            free(d);
            dir = f->path;
            dir_len = len;
        }
        bool in_dir = slash && len > 0 && dirfd >= 0;
        int rc = in_dir ? ds_file_stamp_at(dirfd, slash + 1, &f->stamp)
                        : ds_file_stamp_of(f->path, &f->stamp);
        if (rc != 0)
            f->stamp = (ds_file_stamp){-1, 0, 0};
    }
    if (dirfd >= 0)
        close(dirfd);
    return NULL;
}

struct ds_stamper {
    stamp_job jobs[2];
    pthread_t threads[2];
    bool started[2];
};

/* Runs job J on a thread of S, or here when no thread can be made. */
static void run_apart(ds_stamper *s, int j)
{
    s->started[j] = pthread_create(&s->threads[j], NULL, stamp_range, &s->jobs[j]) == 0;
    if (!s->started[j])
        stamp_range(&s->jobs[j]);
}

ds_stamper *ds_stamp_start(ds_source_file *files, size_t n)
{
    ds_stamper *s = ds_xcalloc(1, sizeof *s);
    size_t half = n >= STAMP_SPLIT_MIN ? n / 2 : n;
    s->jobs[0] = (stamp_job){files, 0, half};
    s->jobs[1] = (stamp_job){files, half, n};
    for (int j = 0; j < 2; j++)
        if (s->jobs[j].from < s->jobs[j].to)
            run_apart(s, j);
    return s;
}

void ds_stamp_wait(ds_stamper *s)
{
    if (!s)
        return;
    for (int j = 0; j < 2; j++)
        if (s->started[j])
            pthread_join(s->threads[j], NULL);
    free(s);
}

void ds_stamp_files(ds_source_file *files, size_t n)
{
    ds_stamp_wait(ds_stamp_start(files, n));
}
