/* batchread.c - the footers of a batch of files of one folder, read
 * together (see batchread.h).
 *
 * A batch is three rounds through the ring: every file opened, every
 * file's tail read, every file closed; between the first two, the files
 * whose stamp is not known are fstat-ed.  The ring is only ever given
 * what it can do without waiting on us, and each round is waited for
 * whole, so no request outlives the round that made it.  Should the ring
 * itself fail (it does not in practice), it is given up for good: the
 * batch and every later one are read one file at a time. */
#define _GNU_SOURCE
#include "batchread.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/util.h"

struct ds_batchread {
    bool ring_ok;
    struct io_uring ring;
    unsigned char *tails; /* DS_BATCHREAD_MAX tails, made when first needed */
};

ds_batchread *ds_batchread_new(bool use_ring)
{
    ds_batchread *r = ds_xcalloc(1, sizeof *r);
    if (!use_ring)
        return r;
    /* One thread submits and waits: the kernel need not interrupt it to
     * run completions (older kernels refuse these flags: asked again
     * without them). */
    struct io_uring_params p = {0};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
    if (io_uring_queue_init_params(DS_BATCHREAD_MAX, &r->ring, &p) == 0 ||
        io_uring_queue_init(DS_BATCHREAD_MAX, &r->ring, 0) == 0)
        r->ring_ok = true;
    return r;
}

void ds_batchread_free(ds_batchread *r)
{
    if (!r)
        return;
    if (r->ring_ok)
        io_uring_queue_exit(&r->ring);
    free(r->tails);
    free(r);
}

bool ds_batchread_available(void)
{
    /* 0: not asked yet, 1: yes, 2: no. */
    static atomic_int known;
    int k = atomic_load(&known);
    if (!k) {
        struct io_uring ring;
        bool yes = io_uring_queue_init(1, &ring, 0) == 0;
        if (yes)
            io_uring_queue_exit(&ring);
        k = yes ? 1 : 2;
        atomic_store(&known, k);
    }
    return k == 1;
}

bool ds_batchread_batches(const ds_batchread *r)
{
    return r->ring_ok;
}

/* Gives up the ring: whatever it still holds is cancelled by the kernel. */
static void give_up(ds_batchread *r)
{
    io_uring_queue_exit(&r->ring);
    r->ring_ok = false;
}

/* Submits the N requests queued and waits for all of them, each one's
 * result into RES[its user data].  False when the ring failed. */
static bool round_trip(ds_batchread *r, unsigned n, int *res)
{
    unsigned submitted = 0;
    while (submitted < n) {
        int rc = io_uring_submit(&r->ring);
        if (rc == -EINTR)
            continue;
        if (rc <= 0)
            return false;
        submitted += (unsigned)rc;
    }
    for (unsigned done = 0; done < n; done++) {
        struct io_uring_cqe *cqe;
        int rc;
        while ((rc = io_uring_wait_cqe(&r->ring, &cqe)) == -EINTR)
            ;
        if (rc < 0)
            return false;
        res[io_uring_cqe_get_data64(cqe)] = cqe->res;
        io_uring_cqe_seen(&r->ring, cqe);
    }
    return true;
}

static void one_by_one(int dirfd, const ds_batchread_file *files, size_t n, ds_footer *out,
                       bool *ok)
{
    for (size_t i = 0; i < n; i++)
        ok[i] = ds_footer_read_at(dirfd, files[i].name, files[i].size, files[i].mtime_ns,
                                  files[i].ctime_ns, &out[i], NULL, 0) == 0;
}

/* Round one: every file opened; FD[i] -1 when it could not be.  When the
 * ring fails, FD holds the files it is known to have opened. */
static bool open_all(ds_batchread *r, int dirfd, const ds_batchread_file *files, size_t n, int *fd)
{
    int flags = ds_footer_open_flags();
    for (size_t i = 0; i < n; i++) {
        fd[i] = -1;
        struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
        io_uring_prep_openat(sqe, dirfd, files[i].name, flags, 0);
        io_uring_sqe_set_data64(sqe, i);
    }
    if (!round_trip(r, (unsigned)n, fd)) {
        for (size_t i = 0; i < n; i++)
            if (fd[i] < 0)
                fd[i] = -1;
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (fd[i] == -EPERM)
            fd[i] = ds_footer_open(dirfd, files[i].name); /* O_NOATIME refused */
        else if (fd[i] < 0)
            fd[i] = -1;
    }
    return true;
}

/* Round three: every file that was opened closed.  A close the ring
 * could not make is not made again: another thread may have the number
 * by then. */
static bool close_all(ds_batchread *r, const int *fd, size_t n)
{
    int res[DS_BATCHREAD_MAX];
    unsigned queued = 0;
    for (size_t i = 0; i < n; i++) {
        if (fd[i] < 0)
            continue;
        struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
        io_uring_prep_close(sqe, fd[i]);
        io_uring_sqe_set_data64(sqe, i);
        queued++;
    }
    return round_trip(r, queued, res);
}

static void close_plainly(const int *fd, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fd[i] >= 0)
            close(fd[i]);
}

void ds_batchread_footers(ds_batchread *r, int dirfd, const ds_batchread_file *files, size_t n,
                          ds_footer *out, bool *ok)
{
    for (size_t i = 0; i < n; i++) {
        ok[i] = false;
        memset(&out[i], 0, sizeof out[i]);
    }
    if (!r->ring_ok || n == 0 || n > DS_BATCHREAD_MAX) {
        one_by_one(dirfd, files, n, out, ok);
        return;
    }
    int fd[DS_BATCHREAD_MAX];
    if (!open_all(r, dirfd, files, n, fd)) {
        give_up(r);
        close_plainly(fd, n);
        one_by_one(dirfd, files, n, out, ok);
        return;
    }
    /* Stamps not known are taken through the descriptor: a named pipe
     * or a folder is refused here, as ds_footer_read_at does. */
    for (size_t i = 0; i < n; i++) {
        out[i].size = files[i].size;
        out[i].mtime_ns = files[i].mtime_ns;
        out[i].ctime_ns = files[i].ctime_ns;
        if (fd[i] < 0 || files[i].size >= 0)
            continue;
        struct stat st;
        if (fstat(fd[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd[i]);
            fd[i] = -1;
            continue;
        }
        out[i].size = (int64_t)st.st_size;
        out[i].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        out[i].ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
    }
    if (!r->tails)
        r->tails = ds_xmalloc((size_t)DS_BATCHREAD_MAX * DS_FOOTER_FIRST_READ);
    int got[DS_BATCHREAD_MAX];
    unsigned queued = 0;
    for (size_t i = 0; i < n; i++) {
        got[i] = -1;
        if (fd[i] < 0 || out[i].size < 12)
            continue; /* too small for Parquet: not OK, read alone for why */
        size_t want = ds_footer_tail_len(out[i].size);
        struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
        io_uring_prep_read(sqe, fd[i], r->tails + i * DS_FOOTER_FIRST_READ, (unsigned)want,
                           (uint64_t)(out[i].size - (int64_t)want));
        io_uring_sqe_set_data64(sqe, i);
        queued++;
    }
    if (!round_trip(r, queued, got)) {
        give_up(r); /* cancels the reads still in flight before fds are closed */
        close_plainly(fd, n);
        one_by_one(dirfd, files, n, out, ok);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (fd[i] < 0 || got[i] < 0 || (size_t)got[i] != ds_footer_tail_len(out[i].size))
            continue;
        ds_footer ft = {0};
        if (ds_footer_from_tail(fd[i], out[i].size, r->tails + i * DS_FOOTER_FIRST_READ,
                                (size_t)got[i], &ft, NULL, 0) == 0) {
            ft.size = out[i].size;
            ft.mtime_ns = out[i].mtime_ns;
            ft.ctime_ns = out[i].ctime_ns;
            out[i] = ft;
            ok[i] = true;
        }
    }
    if (!close_all(r, fd, n))
        give_up(r);
}
