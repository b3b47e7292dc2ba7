/* server.c - the request handler and the libmicrohttpd daemon (see
 * server.h and docs/server.md).
 *
 * One request: method check → ds_pathnorm → data-map lookup (a reference on
 * the current map held only for the lookup) or a confined open under
 * static/ → validators → 304 / 206 / 416 / 200.  Bodies are sent from the
 * open descriptor with sendfile (MHD_create_response_from_fd_at_offset64),
 * never copied through user space.
 *
 * Threads: libmicrohttpd's pool of internal threads, each with its own epoll
 * set; everything the handler touches is either immutable after start or
 * the data map store, which is made for concurrent readers. */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/fs.h"
#include "http.h"
#include "mapstore.h"
#include "mime.h"
#include "pathnorm.h"
#include "range.h"
#include "staticfs.h"

/* Limits (docs/server.md): request line + headers must fit in the
 * per-connection memory pool; idle or stalled connections are closed. */
#define MEMORY_LIMIT (32 * 1024)
#define MAX_CONNECTIONS 1024
#define TIMEOUT_SECONDS 30

struct ds_server {
    char *static_dir;
    char *url;
    unsigned port;
    bool access_log;
    ds_staticfs fs;
    ds_mapstore *maps;
    struct MHD_Daemon *daemon;
    /* Fixed answers, built once and shared by all threads (MHD responses are
     * reference-counted and may be queued on many connections). */
    struct MHD_Response *r400, *r404, *r405, *r500;
};

/* What a request ended as, for the access log. */
typedef struct {
    unsigned status;
    uint64_t bytes;
} outcome;

const char *ds_server_cache_control(const char *name, bool mapped, bool versioned_query)
{
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

static void add(struct MHD_Response *r, const char *name, const char *value)
{
    MHD_add_response_header(r, name, value);
}

static enum MHD_Result queue_shared(struct MHD_Connection *c, unsigned status,
                                    struct MHD_Response *r, outcome *out)
{
    out->status = status;
    out->bytes = 0;
    return MHD_queue_response(c, status, r);
}

static enum MHD_Result queue_own(struct MHD_Connection *c, unsigned status,
                                 struct MHD_Response *r, uint64_t bytes, outcome *out)
{
    out->status = status;
    out->bytes = bytes;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r); /* the connection holds its own reference */
    return ret;
}

static struct MHD_Response *empty_response(void)
{
    return MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
}

static struct MHD_Response *text_response(const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (r) {
        add(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
        add(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    }
    return r;
}

static bool older(struct timespec a, struct timespec b)
{
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/* Answers from an open regular file FD (ownership passes here).  NAME is
 * the path the client asked for (for the type); MAPPED says it came from
 * the data map (identity encoding, data cache policy). */
static enum MHD_Result serve_file(ds_server *s, struct MHD_Connection *c, int fd,
                                  struct stat st, const char *name, bool mapped, outcome *out)
{
    const ds_mime *m = ds_mime_for(name);
    const char *range = header(c, MHD_HTTP_HEADER_RANGE);

    /* A precompressed sidecar, only for whole-file answers: a gzipped range
     * is a different representation, and browsers mishandle it. */
    bool gz = false;
    if (!mapped && m->compressible && !range &&
        ds_http_accepts_gzip(header(c, MHD_HTTP_HEADER_ACCEPT_ENCODING))) {
        char gzname[PATH_MAX];
        struct stat gst;
        if ((size_t)snprintf(gzname, sizeof gzname, "%s.gz", name) < sizeof gzname) {
            int gfd = ds_staticfs_openat(&s->fs, gzname, &gst);
            if (gfd >= 0 && S_ISREG(gst.st_mode) && !older(gst.st_mtim, st.st_mtim)) {
                close(fd);
                fd = gfd;
                st = gst;
                gz = true;
            } else if (gfd >= 0) {
                close(gfd); /* stale sidecar: the original is newer */
            }
        }
    }

    char etag[DS_HTTP_ETAG_LEN], modified[DS_HTTP_DATE_LEN];
    ds_http_etag(etag, (uint64_t)st.st_ino, (uint64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
                 st.st_mtim.tv_nsec, gz ? "gz" : "");
    ds_http_date_format(st.st_mtim.tv_sec, modified);
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "v");
    const char *cache = ds_server_cache_control(name, mapped, v && *v);

    struct MHD_Response *r;
    unsigned status;
    uint64_t size = (uint64_t)st.st_size, first = 0, last = 0, bytes = 0;
    char content_range[64] = "";

    /* Conditions come before Range (RFC 9110 §13.2.2): a cached copy that
     * is still current gets 304 even when the client asked for a range. */
    if (ds_http_not_modified(header(c, MHD_HTTP_HEADER_IF_NONE_MATCH),
                             header(c, MHD_HTTP_HEADER_IF_MODIFIED_SINCE), etag,
                             st.st_mtim.tv_sec)) {
        close(fd);
        r = empty_response();
        if (!r)
            return queue_shared(c, 500, s->r500, out);
        add(r, MHD_HTTP_HEADER_ETAG, etag);
        add(r, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
        add(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
        if (m->compressible)
            add(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
        return queue_own(c, MHD_HTTP_NOT_MODIFIED, r, 0, out);
    }

    ds_range_kind kind = DS_RANGE_NONE;
    if (range && ds_http_if_range_ok(header(c, MHD_HTTP_HEADER_IF_RANGE), etag,
                                      st.st_mtim.tv_sec))
        kind = ds_range_parse(range, strlen(range), size, &first, &last);

    if (kind == DS_RANGE_UNSATISFIABLE) {
        close(fd);
        r = empty_response();
        if (!r)
            return queue_shared(c, 500, s->r500, out);
        snprintf(content_range, sizeof content_range, "bytes */%" PRIu64, size);
        add(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
        add(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
        add(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
        return queue_own(c, MHD_HTTP_RANGE_NOT_SATISFIABLE, r, 0, out);
    }
    if (kind == DS_RANGE_SINGLE) {
        bytes = last - first + 1;
        r = MHD_create_response_from_fd_at_offset64(bytes, fd, first);
        status = MHD_HTTP_PARTIAL_CONTENT;
        snprintf(content_range, sizeof content_range, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64,
                 first, last, size);
    } else if (size == 0) {
        /* Several ranges (see range.h), none, or an empty file: whole file. */
        close(fd);
        fd = -1;
        r = empty_response();
        status = MHD_HTTP_OK;
    } else {
        bytes = size;
        r = MHD_create_response_from_fd_at_offset64(size, fd, 0);
        status = MHD_HTTP_OK;
    }
    if (!r) {
        if (fd >= 0)
            close(fd);
        return queue_shared(c, 500, s->r500, out);
    }
    add(r, MHD_HTTP_HEADER_CONTENT_TYPE, m->type);
    add(r, MHD_HTTP_HEADER_ETAG, etag);
    add(r, MHD_HTTP_HEADER_LAST_MODIFIED, modified);
    add(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    add(r, "X-Content-Type-Options", "nosniff");
    if (*content_range)
        add(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    if (gz)
        add(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    else
        add(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (m->compressible)
        add(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    return queue_own(c, status, r, bytes, out);
}

/* /dir → /dir/ so relative links inside dir/index.html resolve. */
static enum MHD_Result redirect_to_dir(ds_server *s, struct MHD_Connection *c, const char *url,
                                       outcome *out)
{
    char *location = ds_asprintf("%s/", url);
    struct MHD_Response *r = text_response("moved to the directory\n");
    if (!r) {
        free(location);
        return queue_shared(c, 500, s->r500, out);
    }
    add(r, MHD_HTTP_HEADER_LOCATION, location);
    free(location);
    return queue_own(c, MHD_HTTP_MOVED_PERMANENTLY, r, 0, out);
}

static enum MHD_Result serve(ds_server *s, struct MHD_Connection *c, const char *url,
                             outcome *out)
{
    /* Room to append "/index.html" or ".gz" to any accepted path. */
    char rel[PATH_MAX];
    bool dir;
    ds_pathnorm_result pr = ds_pathnorm(url, strlen(url), rel, sizeof rel - 16, &dir);
    if (pr == DS_PATHNORM_BAD_REQUEST)
        return queue_shared(c, 400, s->r400, out);
    if (pr != DS_PATHNORM_OK || ds_pathnorm_is_private(rel))
        return queue_shared(c, 404, s->r404, out);

    struct stat st;
    int fd;
    /* The data map first: copy the physical path out so the map reference
     * is held only for the lookup, not while the body is sent. */
    char phys[PATH_MAX];
    bool mapped = false;
    if (*rel && !dir) {
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
        fd = open(phys, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
            close(fd);
            fd = -1;
        }
        if (fd < 0)
            return queue_shared(c, 404, s->r404, out);
        return serve_file(s, c, fd, st, rel, true, out);
    }

    fd = ds_staticfs_openat(&s->fs, rel, &st);
    if (fd < 0)
        return queue_shared(c, 404, s->r404, out);
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        if (!dir && *rel)
            return redirect_to_dir(s, c, url, out);
        strcat(rel, *rel ? "/index.html" : "index.html");
        fd = ds_staticfs_openat(&s->fs, rel, &st);
        if (fd < 0)
            return queue_shared(c, 404, s->r404, out);
    } else if (dir) {
        close(fd); /* "file.html/" names no directory */
        return queue_shared(c, 404, s->r404, out);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return queue_shared(c, 404, s->r404, out);
    }
    return serve_file(s, c, fd, st, rel, false, out);
}

/* Writes S with bytes that could confuse a log reader %-escaped. */
static void log_escaped(ds_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p == '"' || *p == '\\' || *p >= 0x7f)
            ds_buf_printf(b, "%%%02X", *p);
        else
            ds_buf_putc(b, (char)*p);
    }
}

static void access_log(struct MHD_Connection *c, const char *method, const char *url,
                       const outcome *out)
{
    char addr[INET6_ADDRSTRLEN] = "-";
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, addr,
                      sizeof addr);
    }
    time_t now = time(NULL);
    struct tm tm;
    char when[32];
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    ds_buf b = {0};
    ds_buf_printf(&b, "%s %s \"", when, addr);
    log_escaped(&b, method);
    ds_buf_putc(&b, ' ');
    log_escaped(&b, url);
    ds_buf_printf(&b, "\" %u %" PRIu64 "\n", out->status, out->bytes);
    fwrite(b.data, 1, b.len, stdout); /* one call: lines from threads never interleave */
    fflush(stdout);
    ds_buf_free(&b);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    ds_server *s = cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    /* libmicrohttpd 0.9.75 closes the connection after any response queued
     * in the first call for a request, so the first call only marks the
     * request as seen; the answer comes on the second (keep-alive works). */
    if (*req_cls == NULL) {
        *req_cls = s;
        return MHD_YES;
    }
    outcome out = {0, 0};
    enum MHD_Result ret;
    bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    if (!head && strcmp(method, MHD_HTTP_METHOD_GET) != 0)
        ret = queue_shared(c, MHD_HTTP_METHOD_NOT_ALLOWED, s->r405, &out);
    else
        ret = serve(s, c, url, &out);
    if (head)
        out.bytes = 0;
    if (s->access_log)
        access_log(c, method, url, &out);
    return ret;
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
    (void)cls;
    fputs("ducksite: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Creates, binds and listens; errors say what to do about them. */
static int listen_on(const char *host, unsigned port, int *family, unsigned *bound,
                     ds_err *err)
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
            return ds_err_set(err, "cannot listen on %s: not an address of this machine",
                              host);
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

/* Each connection may hold a socket and an open file: make sure the
 * descriptor limit allows the connection limit, raising the soft limit to
 * the hard one when needed. */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 256;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 2 * MAX_CONNECTIONS + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 2 * MAX_CONNECTIONS + 64)
        return MAX_CONNECTIONS;
    return rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) / 2 : 32;
}

static void free_server(ds_server *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    ds_mapstore_close(s->maps);
    if (s->fs.real)
        ds_staticfs_close(&s->fs);
    struct MHD_Response *fixed[] = {s->r400, s->r404, s->r405, s->r500};
    for (size_t i = 0; i < DS_ARRAY_LEN(fixed); i++)
        if (fixed[i])
            MHD_destroy_response(fixed[i]);
    free(s->static_dir);
    free(s->url);
    free(s);
}

ds_server *ds_server_start(const ds_server_options *opt, ds_err *err)
{
    ds_server *s = ds_xcalloc(1, sizeof *s);
    s->access_log = opt->access_log;
    const char *host = opt->host ? opt->host : "127.0.0.1";
    char *joined = ds_path_join(opt->root ? opt->root : ".", "static");
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

    s->r400 = text_response("400 bad request\n");
    s->r404 = text_response("404 not found\n");
    s->r405 = text_response("405 method not allowed: only GET and HEAD\n");
    s->r500 = text_response("500 internal server error\n");
    if (!s->r400 || !s->r404 || !s->r405 || !s->r500) {
        ds_err_set(err, "cannot create HTTP responses: out of memory");
        goto fail;
    }
    add(s->r405, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");

    int family = AF_INET;
    int fd = listen_on(host, opt->port, &family, &s->port, err);
    if (fd < 0)
        goto fail;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opt->threads ? opt->threads : (cpus > 0 ? (unsigned)cpus : 1);
    if (getenv("XX_THREADS")) threads = (unsigned)atoi(getenv("XX_THREADS"));
    size_t xxpool = getenv("XX_POOL") ? (size_t)atoi(getenv("XX_POOL")) : MEMORY_LIMIT;
    unsigned xxmode = getenv("XX_TPC") ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL: MHD_USE_EPOLL;
    if (getenv("XX_TPC")) threads = 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | xxmode | MHD_USE_TURBO |
                     MHD_USE_ERROR_LOG | (family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                                 /* first, so that every message goes through it */
                                 MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                                 MHD_OPTION_LISTEN_SOCKET, fd,
                                 MHD_OPTION_THREAD_POOL_SIZE, threads,
                                 MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)TIMEOUT_SECONDS,
                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, xxpool,
                                 MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        close(fd);
        ds_err_set(err, "cannot start the HTTP server on %s port %u (see the message above)",
                   host, s->port);
        goto fail;
    }
    if (ds_mapstore_watch(s->maps, opt->reload_ms, err) != 0)
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

void ds_server_stop(ds_server *s)
{
    if (s)
        free_server(s);
}
