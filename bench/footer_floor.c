/* footer_floor.c - the least any build that reads every footer of a lake
 * must do, as a peer for bench/lake_scale.sh: walk the tree, then for each
 * file open it, fstat it (its size says where the footer is; its stamp is
 * what a cache of facts is keyed by), read its last bytes (at most 64 KiB)
 * and close it, on THREADS threads (default 2), with plain system calls.
 * Nothing is parsed, kept or written.
 *
 * Usage: footer_floor DIR [THREADS]    prints the number of files read. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAIL 65536

/* The folders that hold files, found by the walk. */
typedef struct {
    char **dirs;
    size_t n, cap;
    size_t next; /* the next folder a thread takes */
    long files;
    pthread_mutex_t mu;
} lake;

static void add_dir(lake *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->dirs = realloc(l->dirs, l->cap * sizeof *l->dirs);
        if (!l->dirs)
            abort();
    }
    l->dirs[l->n++] = strdup(path);
}

static void walk(lake *l, const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    int has_files = 0;
    char sub[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        struct stat st;
        /* A file system that does not type its entries is asked. */
        int is_dir = e->d_type == DT_DIR ||
                     (e->d_type == DT_UNKNOWN && lstat(sub, &st) == 0 && S_ISDIR(st.st_mode));
        if (is_dir)
            walk(l, sub);
        else
            has_files = 1;
    }
    closedir(d);
    if (has_files)
        add_dir(l, path);
}

static void *read_tails(void *arg)
{
    lake *l = arg;
    static __thread char buf[TAIL];
    long n = 0;
    for (;;) {
        pthread_mutex_lock(&l->mu);
        size_t i = l->next++;
        pthread_mutex_unlock(&l->mu);
        if (i >= l->n)
            break;
        int dfd = open(l->dirs[i], O_RDONLY | O_DIRECTORY);
        DIR *d = dfd < 0 ? NULL : fdopendir(dup(dfd));
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
                continue;
            int fd = openat(dfd, e->d_name, O_RDONLY | O_NOATIME);
            if (fd < 0)
                continue;
            struct stat st;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                size_t want = st.st_size < TAIL ? (size_t)st.st_size : TAIL;
                if (pread(fd, buf, want, st.st_size - (off_t)want) == (ssize_t)want)
                    n++;
            }
            close(fd);
        }
        if (d)
            closedir(d);
        if (dfd >= 0)
            close(dfd);
    }
    pthread_mutex_lock(&l->mu);
    l->files += n;
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: footer_floor DIR [THREADS]\n");
        return 2;
    }
    int threads = argc > 2 ? atoi(argv[2]) : 2;
    if (threads < 1 || threads > 64)
        threads = 2;
    lake l = {0};
    pthread_mutex_init(&l.mu, NULL);
    walk(&l, argv[1]);
    pthread_t t[64];
    int started = 0;
    while (started < threads && pthread_create(&t[started], NULL, read_tails, &l) == 0)
        started++;
    if (started == 0)
        read_tails(&l); /* no thread: this one reads them all */
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    printf("%ld\n", l.files);
    return 0;
}
