/* fs.c - file and path helpers.  Everything another process may read while
 * we write it (data maps, compiled SQL) goes through ds_write_atomic. */
#include "fs.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

json_t *ds_json_load_path(const char *path, size_t flags, json_error_t *jerr)
{
    size_t len = 0;
    ds_err err;
    char *text = ds_read_file(path, &len, &err);
    if (!text) {
        if (jerr) {
            memset(jerr, 0, sizeof *jerr);
            jerr->line = jerr->column = -1;
            size_t n = strnlen(err.msg, sizeof jerr->text - 1);
            memcpy(jerr->text, err.msg, n);
        }
        return NULL;
    }
    json_t *doc = json_loadb(text, len, flags, jerr);
    free(text);
    return doc;
}

char *ds_read_file(const char *path, size_t *len, ds_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        ds_err_set(err, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    ds_buf b = {0};
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ds_err_set(err, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            ds_buf_free(&b);
            return NULL;
        }
        if (n == 0)
            break;
        ds_buf_add(&b, chunk, (size_t)n);
    }
    close(fd);
    if (len)
        *len = b.len;
    return ds_buf_take(&b);
}

#ifdef DS_FAULT_INJECTION
/* Test-only state (the one exception to "no global mutable state"): a
 * countdown shared by every write of the process, armed by ds_build. */
static long fault_at, fault_seen;

void ds_fault_arm(long n)
{
    fault_at = n;
    fault_seen = 0;
}

long ds_fault_count(void)
{
    return fault_seen;
}

int ds_fault_point(const char *path, ds_err *err)
{
    if (++fault_seen != fault_at || fault_at <= 0)
        return 0;
    return ds_err_set(err, "cannot write %s: injected failure (DUCKSITE_FAIL_WRITE=%ld)", path,
                      fault_at);
}
#else
void ds_fault_arm(long n)
{
    (void)n;
}

long ds_fault_count(void)
{
    return -1;
}

int ds_fault_point(const char *path, ds_err *err)
{
    (void)path;
    (void)err;
    return 0;
}
#endif

/* A temporary name beside PATH that no other writer uses at the same time:
 * the process id and a per-process counter, so two threads writing the same
 * file (form submissions, the users file) never share one. */
static char *temp_name(const char *path)
{
    static _Atomic unsigned long counter;
    unsigned long n = ++counter;
    return ds_asprintf("%s.tmp.%ld.%lu", path, (long)getpid(), n);
}

int ds_stream_open(ds_stream *s, const char *path, mode_t mode, ds_err *err)
{
    assert(path && *path);
    memset(s, 0, sizeof *s);
    s->fd = -1;
    if (ds_fault_point(path, err) != 0)
        return -1;
    s->tmp = temp_name(path);
    s->fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (s->fd < 0) {
        ds_err_set(err, "cannot write %s: %s", s->tmp, strerror(errno));
        free(s->tmp);
        s->tmp = NULL;
        return -1;
    }
    s->path = ds_strdup(path);
    return 0;
}

void ds_stream_write(ds_stream *s, const void *data, size_t len)
{
    const char *p = data;
    for (size_t off = 0; off < len && !s->error;) {
        ssize_t n = write(s->fd, p + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            s->error = errno;
        else
            off += (size_t)n;
    }
}

void ds_stream_abort(ds_stream *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        unlink(s->tmp);
    }
    free(s->tmp);
    free(s->path);
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

int ds_stream_commit(ds_stream *s, bool durable, ds_err *err)
{
    if (s->error) {
        ds_err_set(err, "cannot write %s: %s", s->tmp, strerror(s->error));
        ds_stream_abort(s);
        return -1;
    }
    int fd = s->fd;
    s->fd = -1; /* closed here, whatever happens */
    bool synced = !durable || fsync(fd) == 0;
    int sync_errno = errno;
    bool closed = close(fd) == 0;
    if (!synced || !closed || rename(s->tmp, s->path) != 0) {
        ds_err_set(err, "cannot write %s: %s", s->path, strerror(synced ? errno : sync_errno));
        unlink(s->tmp);
        ds_stream_abort(s);
        return -1;
    }
    int rc = 0;
    if (durable) {
        /* The rename itself survives a crash once its folder is synced. */
        char *dir = ds_path_dirname(s->path);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        rc = dfd >= 0 ? fsync(dfd) : -1;
        if (dfd >= 0)
            close(dfd);
        free(dir);
        if (rc != 0)
            rc = ds_err_set(err, "cannot write %s: %s", s->path, strerror(errno));
    }
    ds_stream_abort(s); /* frees the names: nothing is left to undo */
    return rc;
}

/* Writes DATA to a new temporary file with MODE, optionally fsynced, and
 * renames it over PATH; with DURABLE the directory is fsynced too, so the
 * rename itself survives a crash. */
static int write_replace(const char *path, const char *data, size_t len, mode_t mode,
                         bool durable, ds_err *err)
{
    assert(path && *path && (data || len == 0));
    ds_stream s;
    if (ds_stream_open(&s, path, mode, err) != 0)
        return -1;
    ds_stream_write(&s, data, len);
    return ds_stream_commit(&s, durable, err);
}

int ds_write_atomic_under(const char *root, const char *rel, const char *text, ds_err *err)
{
    char *path = ds_path_join(root, rel);
    char *dir = ds_path_dirname(path);
    int rc = ds_mkdir_p(dir, err);
    if (rc == 0)
        rc = ds_write_atomic(path, text, strlen(text), err);
    free(dir);
    free(path);
    return rc;
}

int ds_write_atomic(const char *path, const char *data, size_t len, ds_err *err)
{
    return write_replace(path, data, len, 0644, false, err);
}

int ds_write_durable(const char *path, const char *data, size_t len, mode_t mode, ds_err *err)
{
    return write_replace(path, data, len, mode, true, err);
}

int ds_mkdir_p(const char *path, ds_err *err)
{
    char *p = ds_strdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            ds_err_set(err, "cannot create directory %s: %s", p, strerror(errno));
            free(p);
            return -1;
        }
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        ds_err_set(err, "cannot create directory %s: %s", p, strerror(errno));
        free(p);
        return -1;
    }
    free(p);
    if (!ds_is_dir(path))
        return ds_err_set(err, "cannot create directory %s: a file is in the way", path);
    return 0;
}

bool ds_file_holds(const char *path, const char *data, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    struct stat st;
    bool same = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
    enum { BLOCK = 1 << 20 };
    char *block = same ? ds_xmalloc(BLOCK) : NULL;
    for (size_t at = 0; same && at < len;) {
        size_t want = len - at < BLOCK ? len - at : BLOCK;
        ssize_t got = read(fd, block, want);
        if (got < 0 && errno == EINTR)
            continue;
        same = got > 0 && memcmp(block, data + at, (size_t)got) == 0;
        at += same ? (size_t)got : 0;
    }
    /* Longer than it said (written meanwhile): not the same. */
    char extra;
    same = same && read(fd, &extra, 1) == 0;
    free(block);
    close(fd);
    return same;
}

bool ds_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool ds_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool ds_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

char *ds_path_join(const char *a, const char *b)
{
    assert(a && b);
    if (b[0] == '/' || a[0] == '\0')
        return ds_strdup(b);
    size_t la = strlen(a);
    if (a[la - 1] == '/')
        return ds_asprintf("%s%s", a, b);
    return ds_asprintf("%s/%s", a, b);
}

char *ds_path_abs(const char *path)
{
    ds_buf full = {0};
    if (path[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd))
            strcpy(cwd, "/");
        ds_buf_puts(&full, cwd);
        ds_buf_putc(&full, '/');
    }
    ds_buf_puts(&full, path);

    /* Fold the path segment by segment into out. */
    char *src = ds_buf_take(&full);
    char *out = ds_xmalloc(strlen(src) + 2);
    size_t n = 0;
    const char *s = src;
    while (*s) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t seg = (size_t)(e - s);
        if (seg == 0 || (seg == 1 && s[0] == '.')) {
            /* skip */
        } else if (seg == 2 && s[0] == '.' && s[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--; /* drop the slash too */
        } else {
            out[n++] = '/';
            memcpy(out + n, s, seg);
            n += seg;
        }
        s = e;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    free(src);
    return out;
}

char *ds_path_dirname(const char *path)
{
    assert(path);
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ds_strdup(".");
    if (slash == path)
        return ds_strdup("/");
    return ds_strndup(path, (size_t)(slash - path));
}
