/* login.c - site-wide sign-in for `ducksite serve` (see login.h and
 * docs/server.md, "Sign-in").
 *
 * The login page is made here, not by the build: it must exist whatever
 * the build published, and it holds no script (the policy forbids inline
 * scripts, and a form needs none).  It is styled by the site's own
 * /assets/ducksite.css, which stays public.
 *
 * A password check costs PBKDF2's 310,000 iterations (about 0.1 s) on the
 * worker thread that received the POST; failed attempts are limited per
 * email and per client address, so that cost cannot be multiplied at will.
 *
 * Changing or removing a user in auth/users.json (`ducksite user passwd`,
 * `remove`) ends that user's sessions: each session keeps a hash of the
 * stored password it was opened with, and the file is looked at (one
 * stat) at most once a second while requests come in. */
#include "login.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "http.h"
#include "../auth/ratelimit.h"
#include "../auth/users.h"
#include "../site/html.h"
#include "../util/util.h"
#include "mime.h"
#include "pathnorm.h"
#include "server.h"

/* How often the users file is looked at for changes, in seconds. */
#define USERS_CHECK_SECONDS 1.0
/* The longest next= path kept. */
#define MAX_NEXT 2048

struct ds_login {
    char *users_path;
    ds_sessions *sessions;
    ds_ratelimit *failures;
    double session_seconds;
    bool tls_proxy;
    /* The users file as last seen, and when it was looked at. */
    pthread_mutex_t users_lock;
    double users_checked;
    struct stat users_st;
    bool users_seen;
};

struct ds_login_body {
    size_t len;
    bool too_big;
    char data[DS_LOGIN_MAX_BODY];
};

ds_login *ds_login_new(const ds_login_options *o)
{
    ds_login *l = ds_xcalloc(1, sizeof *l);
    l->users_path = ds_users_path(o->root);
    l->sessions = ds_sessions_new(o->max_sessions ? o->max_sessions : DS_LOGIN_MAX_SESSIONS,
                                  o->session_seconds, o->idle_seconds);
    l->failures = ds_ratelimit_new(o->max_failures, o->lockout_seconds);
    l->session_seconds = o->session_seconds;
    l->tls_proxy = o->tls_proxy;
    pthread_mutex_init(&l->users_lock, NULL);
    l->users_checked = -1e9;
    return l;
}

void ds_login_free(ds_login *l)
{
    if (!l)
        return;
    ds_sessions_free(l->sessions);
    ds_ratelimit_free(l->failures);
    pthread_mutex_destroy(&l->users_lock);
    free(l->users_path);
    free(l);
}

/* ---------------------------------------------------------------- pure */

bool ds_login_next_ok(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\')
        return false;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)next; *p; p++, n++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\' || n >= MAX_NEXT)
            return false;
    return true;
}

/* Decodes the N bytes at S ('+' as a space when FORM) into OUT (SIZE
 * bytes, NUL-terminated); false on a bad escape, a NUL, or no room. */
static bool url_decode(const char *s, size_t n, bool form, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '+' && form) {
            ch = ' ';
        } else if (ch == '%') {
            int a = i + 1 < n ? ds_hex_value((unsigned char)s[i + 1]) : -1, b = i + 2 < n ? ds_hex_value((unsigned char)s[i + 2]) : -1;
            if (a < 0 || b < 0)
                return false;
            ch = (char)(a * 16 + b);
            i += 2;
        }
        if (ch == '\0' || o + 1 >= size)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    return true;
}

bool ds_login_form_value(const char *body, size_t len, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *fe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(fe - p));
        const char *ke = eq ? eq : fe;
        if ((size_t)(ke - p) == nl && memcmp(p, name, nl) == 0) {
            const char *v = eq ? eq + 1 : fe;
            return url_decode(v, (size_t)(fe - v), true, out, n);
        }
        p = amp ? amp + 1 : end;
    }
    return false;
}

bool ds_login_public_path(const char *rel)
{
    return strncmp(rel, "assets/", 7) == 0 && !ds_mime_for(rel)->data;
}

bool ds_login_wants_html(const char *accept)
{
    /* Each media range: "text/html" (any case), then parameters, of which
     * q=0 refuses it. */
    for (const char *p = accept; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ",");
        if (strncasecmp(p, "text/html", 9) == 0 && (p[9] == ';' || p[9] == ' ' ||
                                                    p[9] == ',' || p[9] == '\0')) {
            const char *q = strstr(p, "q=");
            if (!q || q > p + n || strtod(q + 2, NULL) > 0)
                return true;
        }
        p += n;
    }
    return false;
}

/* ------------------------------------------------------------- helpers */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The client's address as text: the peer, or behind a TLS proxy on this
 * machine the last address of X-Forwarded-For (the one the proxy saw). */
static void client_address(const ds_login *l, struct MHD_Connection *c, char *out, size_t n)
{
    snprintf(out, n, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    bool loopback = false;
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        char addr[INET6_ADDRSTRLEN] = "-";
        if (sa->sa_family == AF_INET) {
            const struct in_addr *a = &((const struct sockaddr_in *)sa)->sin_addr;
            inet_ntop(AF_INET, a, addr, sizeof addr);
            loopback = (ntohl(a->s_addr) >> 24) == 127;
        } else if (sa->sa_family == AF_INET6) {
            const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
            inet_ntop(AF_INET6, a, addr, sizeof addr);
            loopback = IN6_IS_ADDR_LOOPBACK(a);
        }
        snprintf(out, n, "%s", addr);
    }
    const char *xff = l->tls_proxy && loopback ? header(c, "X-Forwarded-For") : NULL;
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        size_t len = strcspn(last, " ");
        if (len > 0 && len < n && len < INET6_ADDRSTRLEN) {
            memcpy(out, last, len);
            out[len] = '\0';
        }
    }
}

/* A hash of the stored password of EMAIL in the users file USERS (a loaded
 * object), 0 when there is no such user. */
static uint64_t tag_in(json_t *users, const char *email)
{
    const char *stored = json_string_value(json_object_get(users, email));
    return stored ? ds_hash(stored, strlen(stored)) | 1 : 0;
}

static json_t *load_users(const char *path)
{
    json_error_t je;
    return json_load_file(path, 0, &je);
}

static bool keep_session(const char *email, uint64_t tag, void *users)
{
    return users && tag_in(users, email) == tag;
}

/* Ends the sessions of users whose stored password changed or who were
 * removed, when the users file changed since it was last looked at. */
static void check_users(ds_login *l)
{
    /* One thread looks while the others go on (the lock is never waited
     * for on the request path). */
    if (pthread_mutex_trylock(&l->users_lock) != 0)
        return;
    double now = ds_monotonic();
    if (now - l->users_checked >= USERS_CHECK_SECONDS) {
        l->users_checked = now;
        struct stat st;
        bool exists = stat(l->users_path, &st) == 0;
        bool changed = exists != l->users_seen ||
                       (exists && (st.st_ino != l->users_st.st_ino ||
                                   st.st_size != l->users_st.st_size ||
                                   st.st_mtim.tv_sec != l->users_st.st_mtim.tv_sec ||
                                   st.st_mtim.tv_nsec != l->users_st.st_mtim.tv_nsec));
        if (changed) {
            json_t *users = exists ? load_users(l->users_path) : NULL;
            /* A file that cannot be read now (being replaced) is looked at
             * again next time, rather than ending everyone's session. */
            if (users || !exists) {
                ds_sessions_retain(l->sessions, keep_session, users);
                l->users_seen = exists;
                if (exists)
                    l->users_st = st;
            }
            json_decref(users);
        }
    }
    pthread_mutex_unlock(&l->users_lock);
}

/* Headers of every answer made here: never stored by any cache. */
static void add_headers(struct MHD_Response *r, const char *type)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", DS_SERVER_CSP);
    /* Pages elsewhere say no-referrer; a browser then sends "Origin: null"
     * with a form's POST, which cannot be told from a hostile one.  The
     * login page sends its own origin with its forms, and still no
     * Referer to other sites. */
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, ds_buf *body,
                                const char *type, const char *const *extra, unsigned *out)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        body->len, body->len ? body->data : (void *)"", MHD_RESPMEM_MUST_COPY);
    ds_buf_free(body);
    if (!r)
        return MHD_NO;
    add_headers(r, type);
    for (size_t i = 0; extra && extra[i]; i += 2)
        MHD_add_response_header(r, extra[i], extra[i + 1]);
    *out = status;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *text,
                                 const char *const *extra, unsigned *out)
{
    ds_buf b = {0};
    ds_buf_puts(&b, text);
    return send_buf(c, status, &b, "text/plain; charset=utf-8", extra, out);
}

/* What the login page shows besides its form. */
typedef struct {
    const char *next;     /* where to go after signing in */
    const char *email;    /* to fill in again after a failure */
    const char *message;  /* an error, or NULL */
    const char *signed_in; /* the user already signed in, or NULL */
} page_view;

/* Login-page styles on top of the site's: the policy allows <style>. */
static const char PAGE_STYLE[] =
    /* padding, not a margin, on body: a child's margin would collapse
     * through it and move the body's background down */
    "body{padding:12vh 16px 16px}"
    ".ds-login{max-width:380px;margin:0 auto;padding:28px 28px 24px;background:var(--ds-"
    "surface);border:1px solid var(--ds-border);border-radius:var(--ds-radius)}"
    ".ds-login h1{margin:0 0 18px;font-size:22px}"
    ".ds-login label{display:block;margin:0 0 14px;color:var(--ds-muted);font-size:13px}"
    ".ds-login input{display:block;box-sizing:border-box;width:100%;margin-top:6px;padding:9px "
    "11px;font:inherit;font-size:15px;color:var(--ds-fg);background:var(--ds-surface-2);border:"
    "1px solid var(--ds-border-strong);border-radius:6px}"
    ".ds-login input:focus{outline:2px solid var(--ds-accent);outline-offset:1px}"
    ".ds-login button{width:100%;margin-top:6px;padding:10px;font:inherit;font-weight:600;"
    "color:var(--ds-bg);background:var(--ds-accent);border:0;border-radius:6px;cursor:pointer}"
    ".ds-login .ds-login-error{margin:0 0 16px;padding:9px 12px;color:var(--ds-error);"
    "background:var(--ds-error-bg);border-radius:6px;font-size:14px}"
    ".ds-login p{color:var(--ds-muted);overflow-wrap:anywhere}"
    ".ds-login a{color:var(--ds-accent)}"
    "@media (max-width:480px){body{padding-top:16px}.ds-login{padding:22px 18px}}";

static void page_html(ds_buf *b, const page_view *v)
{
    ds_buf_puts(b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<meta name=\"robots\" content=\"noindex\"><title>Sign in</title>"
                   /* the reader's theme, as on every page (docs/pages.md, Themes) */
                   "<script src=\"/assets/theme-init.js\"></script>"
                   "<link rel=\"stylesheet\" href=\"/assets/ducksite.css\"><style>");
    ds_buf_puts(b, PAGE_STYLE);
    ds_buf_puts(b, "</style></head><body><main class=\"ds-login\">");
    if (v->signed_in) {
        ds_buf_puts(b, "<h1>Signed in</h1><p>Signed in as <strong>");
        ds_html_escape(b, v->signed_in);
        ds_buf_puts(b, "</strong>.</p><p><a href=\"");
        ds_html_escape(b, v->next);
        ds_buf_puts(b, "\">Continue to the site</a></p>"
                       "<form method=\"post\" action=\"/logout\">"
                       "<button type=\"submit\">Sign out</button></form>");
    } else {
        ds_buf_puts(b, "<h1>Sign in</h1>");
        if (v->message) {
            ds_buf_puts(b, "<p class=\"ds-login-error\" role=\"alert\">");
            ds_html_escape(b, v->message);
            ds_buf_puts(b, "</p>");
        }
        ds_buf_puts(b, "<form method=\"post\" action=\"/login\">"
                       "<input type=\"hidden\" name=\"next\" value=\"");
        ds_html_escape(b, v->next);
        ds_buf_puts(b, "\"><label>Email<input type=\"email\" name=\"email\" "
                       "autocomplete=\"username\" required autofocus value=\"");
        ds_html_escape(b, v->email ? v->email : "");
        ds_buf_puts(b, "\"></label><label>Password<input type=\"password\" name=\"password\" "
                       "autocomplete=\"current-password\" required></label>"
                       "<button type=\"submit\">Sign in</button></form>");
    }
    ds_buf_puts(b, "</main></body></html>\n");
}

static enum MHD_Result send_page(struct MHD_Connection *c, unsigned status, const page_view *v,
                                 const char *const *extra, unsigned *out)
{
    ds_buf b = {0};
    page_html(&b, v);
    return send_buf(c, status, &b, "text/html; charset=utf-8", extra, out);
}

/* The Set-Cookie value for session ID ("" with MAX_AGE 0 ends it). */
static char *cookie(const ds_login *l, const char *id, long max_age)
{
    return ds_asprintf("%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s", DS_LOGIN_COOKIE,
                       id, max_age, l->tls_proxy ? "; Secure" : "");
}

static bool session_of(ds_login *l, struct MHD_Connection *c, char id[DS_SESSION_ID_SIZE],
                       char email[DS_SESSION_EMAIL_SIZE])
{
    if (!ds_session_cookie(header(c, MHD_HTTP_HEADER_COOKIE), DS_LOGIN_COOKIE, id))
        return false;
    check_users(l);
    return ds_sessions_lookup(l->sessions, id, ds_monotonic(), email);
}

const char *ds_login_scheme(const ds_login *l)
{
    return l->tls_proxy ? "https" : "http";
}

bool ds_login_user(ds_login *l, struct MHD_Connection *c, char email[DS_SESSION_EMAIL_SIZE])
{
    char id[DS_SESSION_ID_SIZE];
    return l && session_of(l, c, id, email);
}

/* The raw next= of a GET /login, decoded, if it is a local path. */
static const char *query_next(struct MHD_Connection *c, char *out, size_t n)
{
    const char *raw = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next");
    if (raw && url_decode(raw, strlen(raw), true, out, n) && ds_login_next_ok(out))
        return out;
    return "/";
}

static void put_escaped(ds_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~", *p))
            ds_buf_putc(b, (char)*p);
        else
            ds_buf_printf(b, "%%%02X", *p);
    }
}

/* Appends one query argument, as the client sent it, to the query being
 * rebuilt in CLS ("?" before the first, "&" between). */
static enum MHD_Result put_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    (void)kind;
    ds_buf *target = cls;
    ds_buf_putc(target, target->len ? '&' : '?');
    ds_buf_puts(target, key);
    if (value) {
        ds_buf_putc(target, '=');
        ds_buf_puts(target, value);
    }
    return MHD_YES;
}

/* "/login?next=" + the request's target (path and query as the client
 * sent them, which keeps a page's filters), %-escaped. */
static char *login_location(struct MHD_Connection *c, const char *url)
{
    ds_buf location = {0}, query = {0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, put_argument, &query);
    ds_buf_puts(&location, "/login?next=");
    put_escaped(&location, url);
    put_escaped(&location, ds_buf_str(&query));
    ds_buf_free(&query);
    return ds_buf_take(&location);
}

bool ds_login_takes_post(const char *method, const char *url)
{
    return strcmp(method, MHD_HTTP_METHOD_POST) == 0 &&
           (strcmp(url, "/login") == 0 || strcmp(url, "/logout") == 0);
}

bool ds_login_gate(ds_login *l, struct MHD_Connection *c, const char *method, const char *url,
                   enum MHD_Result *ret, unsigned *status)
{
    (void)method;
    char id[DS_SESSION_ID_SIZE], email[DS_SESSION_EMAIL_SIZE];
    if (strcmp(url, "/login") == 0) {
        char next[MAX_NEXT + 1];
        page_view v = {query_next(c, next, sizeof next), NULL, NULL, NULL};
        if (session_of(l, c, id, email))
            v.signed_in = email;
        *ret = send_page(c, MHD_HTTP_OK, &v, NULL, status);
        return true;
    }
    if (strcmp(url, "/logout") == 0) {
        static const char *const allow[] = {MHD_HTTP_HEADER_ALLOW, "POST", NULL};
        *ret = send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 sign out with POST /logout\n",
                         allow, status);
        return true;
    }
    char rel[PATH_MAX];
    bool dir;
    if (ds_pathnorm(url, strlen(url), rel, sizeof rel, &dir) == DS_PATHNORM_OK &&
        ds_login_public_path(rel))
        return false;
    if (session_of(l, c, id, email))
        return false;
    if (ds_login_wants_html(header(c, MHD_HTTP_HEADER_ACCEPT))) {
        char *location = login_location(c, url);
        const char *const extra[] = {MHD_HTTP_HEADER_LOCATION, location, NULL};
        *ret = send_text(c, MHD_HTTP_SEE_OTHER, "303 sign in first: /login\n", extra, status);
        free(location);
        return true;
    }
    static const char *const auth[] = {
        MHD_HTTP_HEADER_WWW_AUTHENTICATE,
        "Cookie realm=\"ducksite\", form-action=\"/login\", cookie-name=\"" DS_LOGIN_COOKIE "\"",
        NULL};
    ds_buf b = {0};
    ds_buf_puts(&b, "{\"error\":\"sign-in required\",\"login\":\"/login\"}\n");
    *ret = send_buf(c, MHD_HTTP_UNAUTHORIZED, &b, "application/json", auth, status);
    return true;
}

/* --------------------------------------------------------------- POSTs */

ds_login_body *ds_login_body_new(void)
{
    return ds_xcalloc(1, sizeof(ds_login_body));
}

void ds_login_body_add(ds_login_body *b, const char *data, size_t n)
{
    if (b->too_big || n > sizeof b->data - b->len) {
        b->too_big = true;
        return;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
}

void ds_login_body_free(ds_login_body *b)
{
    if (b)
        OPENSSL_cleanse(b, sizeof *b); /* it held a password */
    free(b);
}

static enum MHD_Result logout(ds_login *l, struct MHD_Connection *c, unsigned *status)
{
    char id[DS_SESSION_ID_SIZE];
    if (ds_session_cookie(header(c, MHD_HTTP_HEADER_COOKIE), DS_LOGIN_COOKIE, id))
        ds_sessions_end(l->sessions, id);
    char *clear = cookie(l, "", 0);
    const char *const extra[] = {MHD_HTTP_HEADER_SET_COOKIE, clear, MHD_HTTP_HEADER_LOCATION,
                                 "/login", NULL};
    enum MHD_Result ret = send_text(c, MHD_HTTP_SEE_OTHER, "303 signed out: /login\n", extra,
                                    status);
    free(clear);
    return ret;
}

/* A successful sign-in: a new session, its cookie, and 303 to NEXT. */
static enum MHD_Result signed_in(ds_login *l, struct MHD_Connection *c, const char *email,
                                 const char *next, unsigned *status)
{
    char *key = ds_users_normal_email(email, &(ds_err){0});
    json_t *users = load_users(l->users_path);
    uint64_t tag = tag_in(users, key);
    json_decref(users);
    char id[DS_SESSION_ID_SIZE];
    bool made = tag && ds_sessions_create(l->sessions, key, tag, ds_monotonic(), id);
    free(key);
    if (!made) {
        page_view v = {next, email, "Sign-in is not available right now; try again.", NULL};
        return send_page(c, MHD_HTTP_SERVICE_UNAVAILABLE, &v, NULL, status);
    }
    char *set = cookie(l, id, (long)(l->session_seconds + 0.999));
    /* NEXT is a checked local path; spaces and bytes beyond ASCII are
     * %-escaped for the header, anything else goes as the client sent it. */
    ds_buf location = {0};
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            ds_buf_printf(&location, "%%%02X", *p);
        else
            ds_buf_putc(&location, (char)*p);
    const char *const extra[] = {MHD_HTTP_HEADER_SET_COOKIE, set, MHD_HTTP_HEADER_LOCATION,
                                 ds_buf_str(&location), NULL};
    enum MHD_Result ret = send_text(c, MHD_HTTP_SEE_OTHER, "303 signed in\n", extra, status);
    OPENSSL_cleanse(id, sizeof id);
    ds_buf_free(&location);
    free(set);
    return ret;
}

/* The rate-limit keys of a sign-in: per email (lower-cased) and per address. */
static void limit_keys(const ds_login *l, struct MHD_Connection *c, const char *email,
                       char *user_key, char *addr_key, size_t n)
{
    snprintf(user_key, n, "user:%s", email);
    for (char *p = user_key; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    char addr[INET6_ADDRSTRLEN + 1];
    client_address(l, c, addr, sizeof addr);
    snprintf(addr_key, n, "addr:%s", addr);
}

static enum MHD_Result login(ds_login *l, struct MHD_Connection *c, const ds_login_body *b,
                             unsigned *status)
{
    const char *type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33) != 0 ||
        (type[33] != '\0' && type[33] != ';'))
        return send_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                         "415 sign in with a form: application/x-www-form-urlencoded\n", NULL,
                         status);
    if (b->too_big)
        return send_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "413 the sign-in form is too large\n",
                         NULL, status);
    char email[DS_USERS_MAX_EMAIL + 2] = "", password[DS_USERS_MAX_PASSWORD + 2] = "";
    char next_buf[MAX_NEXT + 1];
    const char *next = "/";
    if (ds_login_form_value(b->data, b->len, "next", next_buf, sizeof next_buf) &&
        ds_login_next_ok(next_buf))
        next = next_buf;
    bool has_email = ds_login_form_value(b->data, b->len, "email", email, sizeof email);
    bool has_password =
        ds_login_form_value(b->data, b->len, "password", password, sizeof password);
    page_view v = {next, email, NULL, NULL};
    if (!has_email || !has_password || !*email || !*password) {
        OPENSSL_cleanse(password, sizeof password);
        v.message = "Enter your email and your password.";
        return send_page(c, MHD_HTTP_BAD_REQUEST, &v, NULL, status);
    }

    char user_key[DS_USERS_MAX_EMAIL + 16], addr_key[DS_USERS_MAX_EMAIL + 16];
    limit_keys(l, c, email, user_key, addr_key, sizeof user_key);
    time_t now = time(NULL);
    unsigned wait_user = 0, wait_addr = 0;
    bool user_ok = ds_ratelimit_allowed(l->failures, user_key, now, &wait_user);
    bool addr_ok = ds_ratelimit_allowed(l->failures, addr_key, now, &wait_addr);
    if (!user_ok || !addr_ok) {
        OPENSSL_cleanse(password, sizeof password);
        unsigned wait = wait_user > wait_addr ? wait_user : wait_addr;
        char seconds[32], message[160];
        snprintf(seconds, sizeof seconds, "%u", wait);
        snprintf(message, sizeof message,
                 "Too many failed sign-ins. Try again in %u minute%s.", (wait + 59) / 60,
                 (wait + 59) / 60 == 1 ? "" : "s");
        v.message = message;
        const char *const extra[] = {MHD_HTTP_HEADER_RETRY_AFTER, seconds, NULL};
        return send_page(c, MHD_HTTP_TOO_MANY_REQUESTS, &v, extra, status);
    }

    ds_err err;
    ds_users_result r = ds_users_check(l->users_path, email, password, false, &err);
    OPENSSL_cleanse(password, sizeof password);
    if (r == DS_USERS_OK) {
        ds_ratelimit_succeeded(l->failures, user_key);
        return signed_in(l, c, email, next, status);
    }
    if (r == DS_USERS_ERROR) {
        ds_warn("sign-in: %s", err.msg);
        v.message = "Sign-in is not available: the users file cannot be read (the server's log "
                    "says why).";
        return send_page(c, MHD_HTTP_INTERNAL_SERVER_ERROR, &v, NULL, status);
    }
    /* Unknown user, wrong password, not an address: the same answer, so
     * the page tells nobody which emails have accounts. */
    ds_ratelimit_failed(l->failures, user_key, now);
    ds_ratelimit_failed(l->failures, addr_key, now);
    v.message = "Wrong email or password.";
    return send_page(c, MHD_HTTP_UNAUTHORIZED, &v, NULL, status);
}

enum MHD_Result ds_login_post(ds_login *l, struct MHD_Connection *c, const char *url,
                              const ds_login_body *b, unsigned *status)
{
    if (!ds_http_same_origin(header(c, "Origin"), header(c, "Referer"),
                             header(c, MHD_HTTP_HEADER_HOST), ds_login_scheme(l)))
        return send_text(c, MHD_HTTP_FORBIDDEN,
                         "403 a POST from another site is refused (its Origin is not this "
                         "server)\n",
                         NULL, status);
    if (strcmp(url, "/logout") == 0)
        return logout(l, c, status);
    return login(l, c, b, status);
}
