/* server.c - the request handler and the libmicrohttpd daemon (see
 * server.h and docs/server.md).
 *
 * One request: method check → ds_pathnorm → for a stored result
 * (_results/<hash>.json) the freshness check of the data it was computed
 * from → data-map lookup (a reference on the current map held only for the
 * lookup) or a confined open under static/, both through the open-file cache
 * → validators → 304 / 206 / 416 / 200.  Bodies over SMALL_BODY_MAX are sent
 * from a descriptor with sendfile (MHD_create_response_from_fd_at_offset64);
 * smaller ones (most ranged reads of Parquet files) are read with one pread
 * and sent with the headers; whole small pages and scripts go out from
 * memory, as ready-made responses kept in the cache.
 *
 * Threads: libmicrohttpd's pool of internal threads, each with its own epoll
 * set.  Everything the handler touches is immutable after start, or is the
 * data map store, the results store or the file cache, all made for
 * concurrent use. */
#define _GNU_SOURCE /* O_PATH */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../config/layout.h"
#include "../datamap/datamap.h"
#include "../util/fs.h"
#include "api.h"
#include "deadline.h"
#include "events.h"
#include "filecache.h"
#include "http.h"
#include "livequery.h"
#include "mapstore.h"
#include "mime.h"
#include "pathnorm.h"
#include "range.h"
#include "resultstore.h"
#include "staticfs.h"

/* Limits (docs/server.md): request line + headers must fit in the
 * per-connection memory pool; idle or stalled connections are closed; a
 * request head must be complete within HEADER_SECONDS however its bytes
 * trickle in; one client address holds at most PER_ADDRESS_CONNECTIONS. */
#define MEMORY_LIMIT (16 * 1024)
#define MAX_CONNECTIONS 1024
#define PER_ADDRESS_CONNECTIONS 256
#define TIMEOUT_SECONDS 30
#define HEADER_SECONDS 10
#define HEADER_CHECK_MS 250
/* The open-file cache: how many files (as many as the descriptor limit
 * allows, up to FILE_CACHE_MAX: a lake's small files are read a few ranges
 * each, all over the lake, and a miss costs five system calls), and up to
 * which size they are kept in memory (pages, scripts, styles; not data),
 * SMALL_FILES_MAX bytes in all. */
#define FILE_CACHE_MIN 1024
#define FILE_CACHE_MAX 65536
#define SMALL_FILE_MAX (64 * 1024)
#define SMALL_FILES_MAX (64 * 1024 * 1024)
/* A cached data-map file is checked with fstat() on every request (a file
 * written, truncated, replaced or deleted changes its inode's ctime) and by
 * path at most this long after the last check by path (a path that names
 * another file while the old one is untouched: a changed symlink, a
 * swapped folder).  docs/server.md, "open-file cache". */
#define PATH_TRUST_NS (1000 * 1000000LL)
/* Bodies up to this size are read into memory and sent with the headers
 * (file_body), larger ones with sendfile. */
#define SMALL_BODY_MAX (16 * 1024)
/* Headers on every answer: CSP is DS_SERVER_CSP (server.h). */
#define CSP DS_SERVER_CSP
/* The body of a 404 for a stored result (unknown, or its data changed). */
#define NO_STORED_RESULT "404 no stored result for the current data: query it live\n"

struct ds_server {
    char *static_dir;
    char *url;
    unsigned port;
    bool access_log;
    ds_staticfs fs;
    ds_mapstore *maps;
    ds_resultstore *results;
    ds_filecache *files;
    ds_deadline *deadline;
    ds_api *api; /* POST /api/... (api.h) */
    ds_livequery *live; /* POST /api/live/query (livequery.h), NULL when off */
    /* Refused connections, logged at most once a second (mhd_log). */
    pthread_mutex_t log_lock;
    time_t refused_at;
    unsigned long refused_more;
    /* Host names answered besides localhost and IP addresses. */
    char **hosts;
    size_t n_hosts;
    /* Site-wide sign-in, or NULL (login.h). */
    ds_login *login;
    /* The live-reload stream (events.h), or NULL. */
    ds_events *events;
    struct MHD_Daemon *daemon;
    /* Fixed answers, built once and shared by all threads (MHD responses are
     * reference-counted and may be queued on many connections). */
    struct MHD_Response *r400, *r404, *r405, *r421, *r500, *r503;
    /* 404 for stored results that must not be used: a later request may
     * succeed (after a rebuild), so the answer itself is never stored. */
    struct MHD_Response *r404_nostore;
};

/* What a request ended as, for the access log. */
typedef struct {
    unsigned status;
    uint64_t bytes;
} outcome;

const char *ds_server_cache_control(const char *name, bool mapped, bool versioned_query)
{
    /* Stored results (also a .json.gz asked for by name) depend on data
     * that may change under them: always revalidated. */
    if (ds_resultstore_path(name, NULL) != DS_RESULT_PATH_NONE)
        return "no-cache";
    const ds_mime *m = ds_mime_for(name);
    if (mapped || m->data)
        return "no-cache";
    if (strncmp(m->type, "text/html", 9) == 0)
        return "no-cache";
    if (versioned_query || ds_mime_hashed_name(name))
        return "public, max-age=31536000, immutable";
    return "no-cache";
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The request's connection record for the header deadline and
 * shrinking files (deadline.h). */
static ds_deadline_conn *deadline_conn(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void add(struct MHD_Response *r, const char *name, const char *value)
{
    MHD_add_response_header(r, name, value);
}

/* What every answer carries, whatever its status, except data files which
 * carry nosniff alone (docs/server.md). */
static void add_security_headers(struct MHD_Response *r)
{
    add(r, "X-Content-Type-Options", "nosniff");
    add(r, "Content-Security-Policy", CSP);
    add(r, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result queue_shared(struct MHD_Connection *c, unsigned status,
                                    struct MHD_Response *r, outcome *out)
{
    out->status = status;
    out->bytes = 0;
    return MHD_queue_response(c, status, r);
}

static enum MHD_Result queue_own(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                                 uint64_t bytes, outcome *out)
{
    out->status = status;
    out->bytes = bytes;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r); /* the connection holds its own reference */
    return ret;
}

static void destroy_response(void *r)
{
    MHD_destroy_response(r);
}

static struct MHD_Response *empty_response(void)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r)
        add_security_headers(r);
    return r;
}

static struct MHD_Response *text_response(const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (r) {
        add(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
        add(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        add_security_headers(r);
    }
    return r;
}

static bool older(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* The marks a page carries for the runtime: live reload (events.h) and
 * live queries ("ducksite-queries": POST /api/live/query answers). */
static void mark_page(const ds_server *s, struct MHD_Response *r, const char *type)
{
    if (s->events)
        ds_events_mark_page(r, type);
    if (s->live && strncmp(type, "text/html", 9) == 0)
        MHD_add_response_header(r, "Server-Timing", DS_LIVEQUERY_MARK);
}

/* The headers every 200/206 answer carries. */
static void add_entity_headers(const ds_server *s, struct MHD_Response *r, const ds_mime *m,
                               const char *etag, const char *modified, const char *cache, bool gz)
{
    mark_page(s, r, m->type);
    add(r, MHD_HTTP_HEADER_CONTENT_TYPE, m->type);
    add(r, MHD_HTTP_HEADER_ETAG, etag);
    add(r, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
    add(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    /* A data file (Parquet, CSV, JSON, ...) is never a document that runs
     * anything: nosniff keeps it so, and the ranged reads, the hot path,
     * do not carry a policy that could not apply (measured: 2 us of 39). */
    if (m->data)
        add(r, "X-Content-Type-Options", "nosniff");
    else
        add_security_headers(r);
    if (gz)
        add(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    else
        add(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (m->compressible)
        add(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
}

/* A body of N bytes from FIRST of the file FD.  Small bodies (the footers
 * and column chunks a Parquet reader asks for, a few hundred bytes to a
 * few KB) are read at once and go out from memory with the headers in one
 * send; a short read (the file shrank since its stat) is an error, never a
 * short body.  Larger ones are sent with sendfile from a duplicate of FD
 * (the answer owns and closes it); the connection's watcher learns the end
 * the body needs, to cut the answer if the file shrinks meanwhile. */
static struct MHD_Response *file_body(ds_server *s, struct MHD_Connection *c, int fd, uint64_t n,
                                      uint64_t first)
{
    if (n <= SMALL_BODY_MAX) {
        char *buf = ds_xmalloc(n ? (size_t)n : 1);
        ssize_t got = pread(fd, buf, (size_t)n, (off_t)first);
        struct MHD_Response *r =
            got == (ssize_t)n
                ? MHD_create_response_from_buffer_with_free_callback((size_t)n, buf, free)
                : NULL;
        if (!r)
            free(buf);
        return r;
    }
    int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0)
        return NULL;
    struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(n, dup, first);
    if (!r) {
        close(dup);
        return NULL;
    }
    ds_deadline_body(s->deadline, deadline_conn(c), dup, first + n);
    return r;
}

/* A whole-file 200 for an entry: for small files a ready-made response kept
 * in the cache entry (one per variant: versioned or not, sidecar or not),
 * queued on any number of connections; otherwise a sendfile response over a
 * duplicate of the cached descriptor. */
static struct MHD_Response *whole_file(ds_server *s, struct MHD_Connection *c,
                                       ds_filecache_entry *e, const ds_mime *m, const char *etag,
                                       const char *cache, bool versioned, bool gz, bool *shared)
{
    uint64_t size = (uint64_t)e->st.st_size;
    struct MHD_Response *r;
    *shared = false;
    if (e->bytes) {
        size_t variant = (versioned ? 1u : 0u) | (gz ? 2u : 0u);
        r = atomic_load(&e->extra[variant]);
        if (!r) {
            r = MHD_create_response_from_buffer((size_t)size, (void *)e->bytes,
                                                MHD_RESPMEM_MUST_COPY);
            if (!r)
                return NULL;
            add_entity_headers(s, r, m, etag, e->modified, cache, gz);
            r = ds_filecache_set_extra(e, variant, r);
        }
        *shared = true;
        return r;
    }
    if (size == 0)
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    else
        r = file_body(s, c, e->fd, size, 0);
    if (r)
        add_entity_headers(s, r, m, etag, e->modified, cache, gz);
    return r;
}

/* Answers from a cache entry (the reference passes here).  NAME is the
 * path the client asked for (for the type); MAPPED says it came from the
 * data map; GZ that E is the gzip sidecar of NAME. */
static enum MHD_Result answer(ds_server *s, struct MHD_Connection *c, ds_filecache_entry *e,
                              const char *name, bool mapped, bool gz, outcome *out)
{
    const ds_mime *m = ds_mime_for(name);
    const char *etag = gz ? e->etag_gz : e->etag;
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "v");
    bool versioned = v && *v;
    const char *cache = ds_server_cache_control(name, mapped, versioned);
    uint64_t size = (uint64_t)e->st.st_size, first = 0, last = 0;
    struct MHD_Response *r;
    enum MHD_Result ret;

    /* Conditions come before Range (RFC 9110 §13.2.2): a cached copy that
     * is still current gets 304 even when the client asked for a range. */
    if (ds_http_not_modified(header(c, MHD_HTTP_HEADER_IF_NONE_MATCH),
                             header(c, MHD_HTTP_HEADER_IF_MODIFIED_SINCE), etag,
                             e->st.st_mtim.tv_sec)) {
        r = empty_response();
        if (r) {
            add(r, MHD_HTTP_HEADER_ETAG, etag);
            add(r, MHD_HTTP_HEADER_LAST_MODIFIED, e->modified);
            add(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
            if (m->compressible)
                add(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
            mark_page(s, r, m->type);
        }
        ds_filecache_release(e);
        return r ? queue_own(c, MHD_HTTP_NOT_MODIFIED, r, 0, out)
                 : queue_shared(c, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r500, out);
    }

    const char *range = gz ? NULL : header(c, MHD_HTTP_HEADER_RANGE);
    ds_range_kind kind = DS_RANGE_NONE;
    if (range &&
        ds_http_if_range_ok(header(c, MHD_HTTP_HEADER_IF_RANGE), etag, e->st.st_mtim.tv_sec))
        kind = ds_range_parse(range, strlen(range), size, &first, &last);

    char content_range[64];
    if (kind == DS_RANGE_UNSATISFIABLE) {
        ds_filecache_release(e);
        r = empty_response();
        if (!r)
            return queue_shared(c, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r500, out);
        snprintf(content_range, sizeof content_range, "bytes */%" PRIu64, size);
        add(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        add(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        add(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        return queue_own(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r, 0, out);
    }
    if (kind == DS_RANGE_SINGLE) {
        uint64_t n = last - first + 1;
        r = file_body(s, c, e->fd, n, first);
        if (r) {
            add_entity_headers(s, r, m, etag, e->modified, cache, false);
            snprintf(content_range, sizeof content_range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                     first, last, size);
            add(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        }
        ds_filecache_release(e);
        return r ? queue_own(c, MHD_HTTP_PARTIAL_CONTENT, r, n, out)
                 : queue_shared(c, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r500, out);
    }

    /* No range, several ranges (see range.h), or a failed If-Range. */
    bool shared;
    r = whole_file(s, c, e, m, etag, cache, versioned, gz, &shared);
    if (!r)
        ret = queue_shared(c, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r500, out);
    else if (shared) {
        ret = queue_shared(c, MHD_HTTP_OK, r, out);
        out->bytes = size;
    } else {
        ret = queue_own(c, MHD_HTTP_OK, r, size, out);
    }
    ds_filecache_release(e); /* after queueing: a shared response lives in e */
    return ret;
}

/* Cache keys: 'm' + the physical path of a data-map key, 's' + path under
 * static/ (PATH is shorter than PATH_MAX, KEY has room for PATH_MAX + 8).
 * A static key names what the client asked for, because the ready-made
 * responses an entry keeps carry that name's type; two keys for one file
 * are two entries.  Data entries keep no responses, so the file is the key:
 * a map that points a key at another file is another entry at once. */
static void make_key(char *key, char kind, const char *path)
{
    size_t n = strlen(path);
    key[0] = kind;
    memcpy(key + 1, path, n + 1);
}

/* True when ST is the very file NAME under static/ (a hard link to it
 * has no telling name). */
static bool same_file(ds_server *s, const char *name, const struct stat *st)
{
    struct stat o;
    return fstatat(s->fs.dirfd, name, &o, 0) == 0 && o.st_dev == st->st_dev &&
           o.st_ino == st->st_ino;
}

/* The rule for a data-map target (docs/server.md, "Symlinks"): the
 * physical path may be or pass through symlinks, anywhere on the host, but
 * the file it resolves to must not be one the server refuses by name: a
 * data map, its meta file or a results index wherever it lies, and inside
 * static/ anything a request for that path would not get (dot-files, stored
 * results, which are served only under their own name). */
static bool refused_target(ds_server *s, const char *resolved)
{
    /* The last two segments, "_results/_index.json" or "x/data_map.json". */
    const char *base = strrchr(resolved, '/');
    const char *parent = base;
    while (parent > resolved && parent[-1] != '/')
        parent--;
    if (ds_pathnorm_is_private(parent))
        return true;
    size_t sl = s->fs.real_len;
    if (strncmp(resolved, s->fs.real, sl) == 0 && resolved[sl] == '/') {
        const char *inside = resolved + sl + 1;
        if (*inside == '.' || strstr(inside, "/.") || ds_pathnorm_is_private(inside) ||
            strncmp(inside, "_results/", 9) == 0)
            return true;
    }
    return false;
}

/* The file at PHYS resolved and checked (refused_target) before it is
 * opened for reading, as a descriptor whose file ST describes, or -1 with
 * errno; FOLLOWED says the resolution was done (else /proc is missing and
 * the caller resolves).  The path is opened with O_PATH, which reads
 * nothing and opens no device, and /proc/self/fd names the very file that
 * descriptor holds: one readlink instead of one per path segment
 * (realpath), and no window between the name checked and the file opened.
 * ST comes from the O_PATH descriptor, before any byte is read, as an
 * fstat after the open would: the same inode, and any later change shows
 * in the next request's stat. */
static int open_via_proc(ds_server *s, const char *phys, struct stat *st, bool *followed)
{
    *followed = false;
    int path_fd = open(phys, O_PATH | O_CLOEXEC);
    if (path_fd < 0)
        return -1;
    char link[32], resolved[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", path_fd);
    ssize_t n = readlink(link, resolved, sizeof resolved - 1);
    if (n < 0) {
        close(path_fd);
        return -1;
    }
    *followed = true;
    resolved[n] = '\0';
    int fd = -1;
    if (resolved[0] == '/' && (size_t)n < sizeof resolved - 1 && fstat(path_fd, st) == 0 &&
        S_ISREG(st->st_mode) && !refused_target(s, resolved))
        fd = open(link, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    else
        errno = ENOENT;
    int e = errno;
    close(path_fd);
    errno = e;
    return fd;
}

/* The same without /proc: resolve the path, check it, open what was
 * checked. */
static int open_via_realpath(ds_server *s, const char *phys)
{
    char resolved[PATH_MAX];
    if (!realpath(phys, resolved))
        return -1;
    if (refused_target(s, resolved))
        return errno = ENOENT, -1;
    int fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW);
    return fd < 0 && errno == ELOOP ? (errno = ENOENT, -1) : fd;
}

/* True when ST is one of the files a data-map target must never be under
 * another name.  A file with a single link has no other name than the
 * one refused_target checked, so only hard-linked files are compared. */
static bool private_file(ds_server *s, const struct stat *st)
{
    return st->st_nlink != 1 &&
           (same_file(s, DS_DATAMAP_FILE, st) || same_file(s, DS_DATAMAP_META_FILE, st) ||
            same_file(s, "_results/_index.json", st));
}

/* A data-map file, cached by its physical path (a map that points the key
 * elsewhere names another entry at once).  A miss resolves the path and
 * checks the target before anything is opened, then opens what was
 * checked.  Data files are read by ranges: their entries keep no bytes. */
static ds_filecache_entry *open_mapped(ds_server *s, const char *phys)
{
    char key[PATH_MAX + 8];
    make_key(key, 'm', phys);
    ds_filecache_entry *e = ds_filecache_get_path(s->files, key, phys, PATH_TRUST_NS);
    if (e)
        return e;
    struct stat st;
    bool followed;
    int fd = open_via_proc(s, phys, &st, &followed);
    if (fd < 0 && !followed && (fd = open_via_realpath(s, phys)) >= 0 && fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    if (fd < 0)
        return NULL;
    if (!S_ISREG(st.st_mode) || private_file(s, &st)) {
        close(fd);
        return errno = ENOENT, NULL;
    }
    return ds_filecache_put(s->files, key, fd, &st, false);
}

/* A file under static/.  The cache is consulted with a plain fstatat():
 * it follows symlinks anywhere, but an entry only ever holds a descriptor
 * opened through the confined ds_staticfs_openat, and is used only when
 * fstatat names that very inode, so what is served never changes. */
typedef enum { STATIC_FILE, STATIC_DIR, STATIC_MISSING } static_kind;

static static_kind open_static(ds_server *s, const char *rel, ds_filecache_entry **out)
{
    struct stat st;
    char key[PATH_MAX + 8];
    *out = NULL;
    make_key(key, 's', rel);
    if (*rel && fstatat(s->fs.dirfd, rel, &st, 0) == 0 && S_ISREG(st.st_mode)) {
        *out = ds_filecache_get(s->files, key, &st);
        if (*out)
            return STATIC_FILE;
    }
    int fd = ds_staticfs_openat(&s->fs, rel, &st);
    if (fd < 0)
        return STATIC_MISSING;
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return STATIC_DIR;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        errno = ENOENT;
        return STATIC_MISSING;
    }
    *out = ds_filecache_put(s->files, key, fd, &st, true);
    return STATIC_FILE;
}

/* A file that could not be opened: 404, unless the server ran out of
 * descriptors or memory (errno from the failed call), which is no reason to
 * tell a client the file does not exist. */
static enum MHD_Result not_found(ds_server *s, struct MHD_Connection *c, outcome *out)
{
    if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
        return queue_shared(c, MHD_HTTP_SERVICE_UNAVAILABLE, s->r503, out);
    return queue_shared(c, MHD_HTTP_NOT_FOUND, s->r404, out);
}

/* /dir → /dir/ so relative links inside dir/index.html resolve.  The
 * location is made from the normalised path REL, %-escaped, behind exactly
 * one '/': the request's own spelling could start with "//", which a
 * browser reads as a link to another host ("//evil.example/"). */
static enum MHD_Result redirect_to_dir(ds_server *s, struct MHD_Connection *c, const char *rel,
                                       outcome *out)
{
    ds_buf location = {0};
    ds_buf_putc(&location, '/');
    for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            ds_buf_putc(&location, (char)*p);
        else
            ds_buf_printf(&location, "%%%02X", *p);
    }
    ds_buf_putc(&location, '/');
    struct MHD_Response *r = text_response("moved to the directory\n");
    if (!r) {
        ds_buf_free(&location);
        return queue_shared(c, MHD_HTTP_INTERNAL_SERVER_ERROR, s->r500, out);
    }
    add(r, MHD_HTTP_HEADER_LOCATION, ds_buf_str(&location));
    ds_buf_free(&location);
    return queue_own(c, MHD_HTTP_MOVED_PERMANENTLY, r, 0, out);
}

static enum MHD_Result serve(ds_server *s, struct MHD_Connection *c, const char *url, outcome *out)
{
    /* Room to append "/index.html" or ".gz" to any accepted path. */
    char rel[PATH_MAX];
    bool dir;
    ds_pathnorm_result pr = ds_pathnorm(url, strlen(url), rel, sizeof rel - 16, &dir);
    if (pr == DS_PATHNORM_BAD_REQUEST)
        return queue_shared(c, MHD_HTTP_BAD_REQUEST, s->r400, out);
    if (pr != DS_PATHNORM_OK || ds_pathnorm_is_private(rel))
        return queue_shared(c, MHD_HTTP_NOT_FOUND, s->r404, out);

    /* Stored results: only _results/<hash>.json (and its .gz), and only
     * while every file and folder the result was computed from is as the
     * build saw it.  This comes before any conditional header is looked at,
     * so a client holding a copy of changed data gets 404, never 304. */
    uint64_t hash;
    ds_result_path rp = ds_resultstore_path(rel, &hash);
    if (rp == DS_RESULT_PATH_REFUSED || (rp == DS_RESULT_PATH_RESULT && dir))
        return queue_shared(c, MHD_HTTP_NOT_FOUND, s->r404_nostore, out);
    if (rp == DS_RESULT_PATH_RESULT && ds_resultstore_state(s->results, hash) != DS_RESULT_FRESH)
        return queue_shared(c, MHD_HTTP_NOT_FOUND, s->r404_nostore, out);

    /* The data map first: copy the physical path out so the map reference
     * is held only for the lookup, not while the answer is built. */
    char phys[PATH_MAX];
    bool mapped = false;
    if (*rel && !dir && rp == DS_RESULT_PATH_NONE) {
        ds_mapref *ref = ds_mapstore_acquire(s->maps);
        const char *p = ds_maptable_get(ds_mapref_table(ref), rel, strlen(rel));
        size_t n = p ? strlen(p) : 0;
        if (p && n < sizeof phys) {
            memcpy(phys, p, n + 1);
            mapped = true;
        }
        ds_mapref_release(ref);
    }
    if (mapped) {
        ds_filecache_entry *e = open_mapped(s, phys);
        if (!e)
            return not_found(s, c, out);
        return answer(s, c, e, rel, true, false, out);
    }

    if (dir || !*rel)
        strcat(rel, *rel ? "/index.html" : "index.html");
    ds_filecache_entry *e;
    static_kind kind = open_static(s, rel, &e);
    if (kind == STATIC_DIR && !dir)
        return redirect_to_dir(s, c, rel, out);
    if (kind == STATIC_DIR)
        return queue_shared(c, MHD_HTTP_NOT_FOUND, s->r404, out);
    if (kind != STATIC_FILE)
        return not_found(s, c, out);

    /* A precompressed sidecar, only for whole-file answers: a gzipped range
     * is a different representation, and browsers mishandle it. */
    const ds_mime *m = ds_mime_for(rel);
    if (m->compressible && !header(c, MHD_HTTP_HEADER_RANGE) &&
        ds_http_accepts_gzip(header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
        char gzname[PATH_MAX + 4];
        snprintf(gzname, sizeof gzname, "%s.gz", rel); /* rel left room for ".gz" */
        ds_filecache_entry *g;
        if (open_static(s, gzname, &g) == STATIC_FILE) {
            if (!older(g->st.st_mtim, e->st.st_mtim)) {
                ds_filecache_release(e);
                return answer(s, c, g, rel, false, true, out);
            }
            ds_filecache_release(g); /* stale: the original is newer */
        }
    }
    return answer(s, c, e, rel, false, false, out);
}

/* Writes the N bytes at S with those that could confuse a log reader
 * %-escaped (NUL included). */
static void log_escaped(ds_buf *b, const char *s, size_t n)
{
    for (const unsigned char *p = (const unsigned char *)s; p < (const unsigned char *)s + n; p++) {
        if (*p <= 0x20 || *p == '"' || *p == '\\' || *p >= 0x7f)
            ds_buf_printf(b, "%%%02X", *p);
        else
            ds_buf_putc(b, (char)*p);
    }
}

static void access_log(struct MHD_Connection *c, const char *method, const char *url,
                       size_t url_len, const outcome *out)
{
    char addr[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr, sizeof addr);
    }
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ds_buf b = {0};
    ds_buf_printf(&b, "%s %s \"", when, addr);
    log_escaped(&b, method, strlen(method));
    ds_buf_putc(&b, ' ');
    log_escaped(&b, url, url_len);
    ds_buf_printf(&b, "\" %u %" PRIu64 "\n", out->status, out->bytes);
    fwrite(b.data, 1, b.len, stdout); /* one call: lines from threads never interleave */
    fflush(stdout);
    ds_buf_free(&b);
}

/* The request target's length as the client sent it, seen before
 * libmicrohttpd cuts the query off at '?': the handler's URL stops at the
 * first NUL, so "/index.html\0/../x" would look like "/index.html".  The
 * length travels to the handler as the request's context pointer (plus one,
 * shifted, with the low bit set, so it is never NULL and never mistaken for
 * the aligned pointers the handler puts there later (a sign-in POST's
 * body, or an API request tagged by api_tag); it is never dereferenced). */
static void *note_target(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    return (void *)(uintptr_t)(strlen(uri) << 1 | 1);
}

/* The request's context before the handler's first call: the target's
 * length from note_target. */
static bool first_call(void *req_cls)
{
    return (uintptr_t)req_cls & 1;
}

/* An API request (api.h) in the request's context, told apart from a
 * sign-in POST's body by bit 1 (both are malloc'd, so aligned). */
static void *api_tag(ds_api_request *r)
{
    return (void *)((uintptr_t)r | 2);
}

/* The API request in REQ_CLS, or NULL when it holds something else. */
static ds_api_request *api_of(void *req_cls)
{
    uintptr_t v = (uintptr_t)req_cls;
    return (v & 3) == 2 ? (ds_api_request *)(v & ~(uintptr_t)3) : NULL;
}

/* True when the request target holds a control byte (NUL included): the
 * target spans URL to just before VERSION in libmicrohttpd's buffer, and
 * only NULs that libmicrohttpd wrote itself (at '?', '&' and '=' in the
 * query, all after LEN bytes of text) may appear in it. */
static bool target_has_control(const char *url, const char *version, size_t len)
{
    if (!version || version < url || (size_t)(version - url) != len + 1)
        return true; /* a NUL inside: the text ended early */
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)url[i];
        if ((b < 0x20 && b != 0) || b == 0x7f)
            return true;
    }
    return false;
}

/* Answers in the first handler call: a request refused as a whole, with the
 * connection closed after it.  Returns false when the request may go on. */
static bool refuse_early(ds_server *s, struct MHD_Connection *c, const char *url,
                         const char *method, const char *version, size_t target_len, bool allowed,
                         enum MHD_Result *ret)
{
    outcome out = {0, 0};
    const char *host = header(c, MHD_HTTP_HEADER_HOST);
    if (target_has_control(url, version, target_len) ||
        (!host && strcmp(version, MHD_HTTP_VERSION_1_0) != 0))
        *ret = queue_shared(c, MHD_HTTP_BAD_REQUEST, s->r400, &out);
    else if (!ds_http_host_allowed(host, (const char *const *)s->hosts, s->n_hosts))
        *ret = queue_shared(c, MHD_HTTP_MISDIRECTED_REQUEST, s->r421, &out);
    else if (!allowed) /* before any body is read */
        *ret = queue_shared(c, MHD_HTTP_METHOD_NOT_ALLOWED, s->r405, &out);
    else
        return false;
    /* The whole target as sent, up to the version: a NUL in it does not
     * hide the rest (the query's separators show as %00 too). */
    size_t logged = version > url && version - url <= MEMORY_LIMIT ? (size_t)(version - url) - 1
                                                                    : strlen(url);
    if (s->access_log)
        access_log(c, method, url, logged, &out);
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    ds_server *s = cls;
    outcome out = {0, 0};
    enum MHD_Result ret;
    bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool get = !head && strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    if (first_call(*req_cls)) {
        /* The first call: the head is complete. */
        size_t target_len = (size_t)((uintptr_t)*req_cls >> 1);
        *req_cls = s;
        /* The requests with a body: the sign-in POSTs (login.h) and the
         * POST endpoints under /api/ (api.h). */
        bool post = s->login && ds_login_takes_post(method, url);
        bool api = !post && ds_api_path(url);
        /* Bad targets, other hosts and other methods are refused at once
         * (libmicrohttpd then closes the connection after the answer). */
        if (refuse_early(s, c, url, method, version, target_len, head || get || post || api,
                         &ret))
            return ret;
        if (post)
            *req_cls = ds_login_body_new();
        if (api) { /* api.c checks the head, reads the body and answers */
            /* The head is in; a body is bounded by its size limit and the
             * idle timeout, not by the header deadline. */
            ds_deadline_head_done(deadline_conn(c));
            ds_api_request *r = ds_api_begin(s->api, c, url, method, &out.status, &ret);
            if (!r && s->access_log)
                access_log(c, method, url, strlen(url), &out);
            if (!r)
                return ret;
            *req_cls = api_tag(r);
        }
        /* libmicrohttpd 0.9.75 also closes the connection after a response
         * queued in this first call, so GET and HEAD, whose answers should
         * keep the connection alive, are answered on the next call. */
        return MHD_YES;
    }
    ds_api_request *api = api_of(*req_cls);
    if (api) {
        ret = ds_api_continue(api, upload_data, upload_data_size, &out.status);
        if (out.status && s->access_log)
            access_log(c, method, url, strlen(url), &out);
        return ret;
    }
    if (*req_cls != s) { /* a sign-in POST: its body, then its answer */
        if (*upload_data_size != 0) {
            ds_login_body_add(*req_cls, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        ds_deadline_head_done(deadline_conn(c));
        ret = ds_login_post(s->login, c, url, *req_cls, &out.status);
    } else if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body on GET/HEAD means nothing: drop it */
        return MHD_YES;
    } else {
        /* The request is whole (a body on GET/HEAD included, which the
         * header deadline covers too): from here on, only the answer takes
         * time.  With sign-in, the gate comes first. */
        ds_deadline_head_done(deadline_conn(c));
        if (!s->login || !ds_login_gate(s->login, c, method, url, &ret, &out.status))
            ret = s->events && get && strcmp(url, DS_EVENTS_PATH) == 0
                      ? ds_events_answer(s->events, c, &out.status)
                      : serve(s, c, url, &out);
    }
    if (head)
        out.bytes = 0;
    if (s->access_log)
        access_log(c, method, url, strlen(url), &out);
    return ret;
}

/* Connections come and go: the header deadline follows each one. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    ds_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? ds_deadline_add(s->deadline, ci->connect_fd) : NULL;
    } else {
        ds_deadline_remove(s->deadline, *socket_context);
        *socket_context = NULL;
    }
}

/* A request is over (answered, or its connection broke): the next head on
 * a kept-alive connection starts now. */
static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ds_server *s = cls;
    (void)toe;
    if (api_of(*req_cls))
        ds_api_done(api_of(*req_cls));
    else if (*req_cls && *req_cls != s && !first_call(*req_cls)) /* a sign-in POST's body */
        ds_login_body_free(*req_cls);
    *req_cls = NULL;
    ds_deadline_answer_done(s->deadline, deadline_conn(c));
}

/* MHD would %-decode the path before we see it; we decode it ourselves,
 * exactly once, in ds_pathnorm (and keep query values raw). */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    ds_server *s = cls;
    /* A client refused for the connection limits is logged at most once a
     * second, with how many more there were: a flood of connections must
     * not become a flood of log lines. */
    if (strstr(fmt, "connection limit")) {
        time_t now = time(NULL);
        pthread_mutex_lock(&s->log_lock);
        bool quiet = now == s->refused_at;
        unsigned long more = s->refused_more;
        s->refused_more = quiet ? more + 1 : 0;
        s->refused_at = now;
        pthread_mutex_unlock(&s->log_lock);
        if (quiet)
            return;
        if (more)
            fprintf(stderr, "ducksite: http: %lu more connections refused for the limits\n", more);
        fputs("ducksite: http: a connection was refused: too many from its address, or in "
              "all\n",
              stderr);
        return;
    }
    fputs("ducksite: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Creates, binds and listens; errors say what to do about them. */
static int listen_on(const char *host, unsigned port, int *family, unsigned *bound, ds_err *err)
{
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0)
        return ds_err_set(err, "cannot use --host %s: %s", host, gai_strerror(gai));
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        if (e == EADDRINUSE)
            return ds_err_set(err,
                              "cannot listen on %s port %u: the port is already in use "
                              "(another server is running there?); choose another with --port",
                              host, port);
        if (e == EACCES)
            return ds_err_set(err,
                              "cannot listen on %s port %u: permission denied (ports below "
                              "1024 need privileges); choose another with --port",
                              host, port);
        if (e == EADDRNOTAVAIL)
            return ds_err_set(err, "cannot listen on %s: not an address of this machine", host);
        return ds_err_set(err, "cannot listen on %s port %u: %s", host, port, strerror(e));
    }
    *family = res->ai_family;
    freeaddrinfo(res);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *bound = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                            : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* Descriptors: each connection may hold a socket and a file being sent,
 * and each file-cache entry one open file.  Raises the soft RLIMIT_NOFILE
 * towards the hard limit for a cache of FILE_CACHE_MAX entries; the cache
 * gets what the limit allows beyond the connections (a power of two), and
 * when that is under FILE_CACHE_MIN, both counts shrink to fit. */
static void descriptor_budget(unsigned *connections, unsigned *cache_slots)
{
    const rlim_t fixed = 2 * MAX_CONNECTIONS + 64, want = fixed + FILE_CACHE_MAX;
    struct rlimit rl;
    *connections = MAX_CONNECTIONS;
    *cache_slots = FILE_CACHE_MIN;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want && rl.rlim_max != rl.rlim_cur) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want) {
        *cache_slots = FILE_CACHE_MAX;
        return;
    }
    if (rl.rlim_cur >= fixed + FILE_CACHE_MIN) {
        while (*cache_slots * 2 <= rl.rlim_cur - fixed)
            *cache_slots *= 2;
        return;
    }
    rlim_t budget = rl.rlim_cur > 128 ? rl.rlim_cur - 64 : 64;
    *cache_slots = (unsigned)(budget / 4);
    *connections = (unsigned)((budget - *cache_slots) / 2);
    if (*connections > MAX_CONNECTIONS)
        *connections = MAX_CONNECTIONS;
}

static void free_server(ds_server *s)
{
    ds_events_close(s->events); /* resumes its suspended connections */
    ds_livequery_stop(s->live); /* and the live queries: their connections too */
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    ds_events_free(s->events); /* after the daemon: it dropped every listener */
    ds_mapstore_close(s->maps);
    ds_resultstore_close(s->results);
    ds_filecache_free(s->files);
    if (s->fs.real)
        ds_staticfs_close(&s->fs);
    ds_deadline_stop(s->deadline); /* after the daemon: it removed every connection */
    ds_login_free(s->login);
    ds_api_free(s->api);
    ds_livequery_close(s->live); /* after the daemon: no query is running */
    for (size_t i = 0; i < s->n_hosts; i++)
        free(s->hosts[i]);
    free(s->hosts);
    struct MHD_Response *fixed[] = {s->r400, s->r404, s->r405,       s->r421,
                                    s->r500, s->r503, s->r404_nostore};
    for (size_t i = 0; i < DS_ARRAY_LEN(fixed); i++)
        if (fixed[i])
            MHD_destroy_response(fixed[i]);
    pthread_mutex_destroy(&s->log_lock);
    free(s->static_dir);
    free(s->url);
    free(s);
}

ds_server *ds_server_start(const ds_server_options *opt, ds_err *err)
{
    ds_server *s = ds_xcalloc(1, sizeof *s);
    pthread_mutex_init(&s->log_lock, NULL);
    s->access_log = opt->access_log;
    const char *host = opt->host ? opt->host : "127.0.0.1";
    char *joined = ds_path_join(opt->root ? opt->root : ".", DS_STATIC_DIR);
    s->static_dir = ds_path_abs(joined);
    free(joined);
    if (!ds_is_dir(s->static_dir)) {
        ds_err_set(err, "nothing to serve: %s does not exist; run `ducksite build` first",
                   s->static_dir);
        goto fail;
    }
    if (ds_staticfs_open(&s->fs, s->static_dir, err) != 0)
        goto fail;
    s->maps = ds_mapstore_open(s->static_dir, err);
    if (!s->maps) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, " (fix it, or rebuild with `ducksite build`)");
        goto fail;
    }
    s->results = ds_resultstore_open(s->static_dir);
    s->api = ds_api_new(opt->root ? opt->root : ".");

    unsigned connections, cache_slots;
    descriptor_budget(&connections, &cache_slots);
    s->files = ds_filecache_new(cache_slots, SMALL_FILE_MAX, SMALL_FILES_MAX, destroy_response);
    ds_info("open-file cache: %u files, %u connections", cache_slots, connections);
    s->r400 = text_response("400 bad request\n");
    s->r404 = text_response("404 not found\n");
    s->r405 = text_response("405 method not allowed: only GET and HEAD\n");
    s->r421 = text_response("421 misdirected request: this server does not answer to that host "
                            "name (allowed_hosts in ducksite.toml lists more)\n");
    s->r500 = text_response("500 internal server error\n");
    s->r503 = text_response("503 too busy: out of file descriptors or memory; try again\n");
    s->r404_nostore = MHD_create_response_from_buffer(
        strlen(NO_STORED_RESULT), (void *)NO_STORED_RESULT, MHD_RESPMEM_PERSISTENT);
    if (!s->r400 || !s->r404 || !s->r405 || !s->r421 || !s->r500 || !s->r503 ||
        !s->r404_nostore) {
        ds_err_set(err, "cannot create HTTP responses: out of memory");
        goto fail;
    }
    add(s->r405, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    add(s->r404_nostore, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    add(s->r404_nostore, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    add_security_headers(s->r404_nostore);

    /* The names this server answers to: allowed_hosts, and --host when it
     * is a name (an address is always answered). */
    s->hosts = ds_xcalloc(opt->n_allowed_hosts + 1, sizeof *s->hosts);
    for (size_t i = 0; i < opt->n_allowed_hosts; i++)
        s->hosts[s->n_hosts++] = ds_strdup(opt->allowed_hosts[i]);
    s->hosts[s->n_hosts++] = ds_strdup(host);
    if (opt->login)
        s->login = ds_login_new(opt->login);
    ds_api_set_login(s->api, s->login);
    if (opt->live && opt->live->enabled) {
        s->live = ds_livequery_open(opt->root ? opt->root : ".", opt->live);
        if (!s->live) {
            ds_err_set(err, "cannot start the DuckDB engine of live queries");
            goto fail;
        }
        ds_livequery_set_maps(s->live, s->maps);
    }
    ds_api_set_live(s->api, s->live);
    s->deadline = ds_deadline_start(HEADER_SECONDS * 1000, HEADER_CHECK_MS, err);
    if (!s->deadline)
        goto fail;

    int family = AF_INET;
    int fd = listen_on(host, opt->port, &family, &s->port, err);
    if (fd < 0)
        goto fail;
    unsigned threads = opt->threads ? opt->threads : ds_cpu_count();
    if (opt->live_reload && !(s->events = ds_events_start(err))) {
        close(fd);
        goto fail;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG | (family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (s->events || s->live ? MHD_ALLOW_SUSPEND_RESUME : 0);
    /* A pool only for more than one thread (MHD warns about a pool of 1). */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s,
        /* first, so that every message goes through it */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_ARRAY,
        pool, MHD_OPTION_CONNECTION_LIMIT, connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)(connections / 4 < PER_ADDRESS_CONNECTIONS ? connections / 4
                                                              : PER_ADDRESS_CONNECTIONS),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)MEMORY_LIMIT, MHD_OPTION_UNESCAPE_CALLBACK,
        keep_escaped, NULL, MHD_OPTION_URI_LOG_CALLBACK, note_target, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        s, MHD_OPTION_END);
    if (!s->daemon) {
        close(fd);
        ds_err_set(err, "cannot start the HTTP server on %s port %u (see the message above)", host,
                   s->port);
        goto fail;
    }
    if (ds_mapstore_watch(s->maps, opt->reload_ms, err) != 0 ||
        ds_resultstore_watch(s->results, opt->reload_ms, err) != 0)
        goto fail;
    bool v6 = family == AF_INET6;
    s->url = ds_asprintf("http://%s%s%s:%u/", v6 ? "[" : "", host, v6 ? "]" : "", s->port);
    return s;
fail:
    free_server(s);
    return NULL;
}

const char *ds_server_url(const ds_server *s)
{
    return s->url;
}

unsigned ds_server_port(const ds_server *s)
{
    return s->port;
}

const char *ds_server_static_dir(const ds_server *s)
{
    return s->static_dir;
}

void ds_server_publish_map(ds_server *s, const ds_datamap *m)
{
    ds_filecache_revalidate(s->files); /* a rebuild: check every path again */
    ds_mapstore_publish(s->maps, ds_maptable_from_datamap(m));
}

void ds_server_event(ds_server *s, const char *name, const char *data)
{
    /* Pages reload after this: every cached path is checked again first. */
    ds_filecache_revalidate(s->files);
    if (s->events)
        ds_events_send(s->events, name, data);
}

ds_login *ds_server_login(ds_server *s)
{
    return s->login;
}

void ds_server_stop(ds_server *s)
{
    if (s)
        free_server(s);
}
