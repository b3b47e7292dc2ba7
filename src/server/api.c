/* api.c - POST /api/forms/submit, /api/auth/update_password and
 * /api/live/query (livequery.h) over HTTP
 * (see api.h): method, origin, type and size checks, the body collected
 * (JSON whole; multipart/form-data through libmicrohttpd's post processor),
 * and the answer as JSON. */
#include "api.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "../forms/submit.h"
#include "../util/util.h"
#include "http.h"
#include "livequery.h"

#define SUBMIT "/api/forms/submit"
#define PASSWORD "/api/auth/update_password"
#define SESSION "/api/session"

struct ds_api {
    ds_formsvc *forms;
    ds_login *login;   /* site sign-in, or NULL */
    ds_livequery *live; /* live queries, or NULL when off */
};

typedef enum { FIELD_FORM_ID, FIELD_INPUTS, FIELD_EMAIL, FIELD_PASSWORD, N_FIELDS } field_t;
static const char *const FIELD_NAMES[N_FIELDS] = {"form_id", "inputs", "email", "password"};

struct ds_api_request {
    ds_api *api;
    struct MHD_Connection *c;
    bool submit;              /* else update_password, */
    bool live;                /* or a live query */
    bool waiting;             /* live: suspended until the query's worker is done */
    int fd;                   /* live: the client's socket, for live_gone */
    ds_live_reply reply;      /* live: its answer, filled by that worker */
    ds_api_body kind;
    size_t limit, received;
    bool too_large;           /* past limit: the rest is read and dropped, then 413 */
    size_t dropped;
    bool answered;            /* an answer is queued: the rest is ignored */
    ds_buf body;              /* JSON */
    struct MHD_PostProcessor *pp;
    ds_buf fields[N_FIELDS];  /* multipart text fields */
    bool has_field[N_FIELDS];
    char *file_field;         /* multipart: the file's field name */
    ds_buf file;
    char *bad;                /* multipart: why the body is refused */
    char client[INET6_ADDRSTRLEN];
};

ds_api *ds_api_new(const char *root)
{
    ds_api *a = ds_xcalloc(1, sizeof *a);
    a->forms = ds_formsvc_open(root);
    return a;
}

void ds_api_free(ds_api *a)
{
    if (!a)
        return;
    ds_formsvc_close(a->forms);
    free(a);
}

bool ds_api_path(const char *url)
{
    return strcmp(url, "/api") == 0 || strncmp(url, "/api/", 5) == 0;
}

void ds_api_set_login(ds_api *a, ds_login *login)
{
    a->login = login;
}

void ds_api_set_live(ds_api *a, ds_livequery *live)
{
    a->live = live;
}

bool ds_api_session_email(ds_api *a, struct MHD_Connection *c,
                          char email[DS_SESSION_EMAIL_SIZE])
{
    return a->login && ds_login_user(a->login, c, email);
}

ds_api_body ds_api_body_kind(const char *ct)
{
    if (!ct)
        return DS_API_BODY_OTHER;
    while (*ct == ' ')
        ct++;
    size_t n = strcspn(ct, "; \t");
    if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
        return DS_API_BODY_JSON;
    if (n == 19 && strncasecmp(ct, "multipart/form-data", 19) == 0)
        return DS_API_BODY_MULTIPART;
    return DS_API_BODY_OTHER;
}

/* ---- answers ----------------------------------------------------------- */

/* A JSON answer; CACHE (live queries) becomes X-Ducksite-Cache. */
static enum MHD_Result send_json_cache(struct MHD_Connection *c, unsigned status,
                                       const char *body, unsigned retry_after, const char *allow,
                                       const char *cache)
{
    size_t len = strlen(body);
    char *copy = ds_xmalloc(len + 1);
    memcpy(copy, body, len);
    copy[len] = '\n';
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len + 1, copy, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(copy);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Content-Security-Policy", "default-src 'none'");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (allow)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (cache)
        MHD_add_response_header(r, "X-Ducksite-Cache", cache);
    if (retry_after) {
        char value[16];
        snprintf(value, sizeof value, "%u", retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, value);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const char *body,
                                 unsigned retry_after, const char *allow)
{
    return send_json_cache(c, status, body, retry_after, allow, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *allow,
                                  const char *fmt, ...) DS_PRINTF(4, 5);
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *allow,
                                  const char *fmt, ...)
{
    ds_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    ds_form_reply rep;
    ds_form_reply_error(&rep, status, "%s", msg.data);
    enum MHD_Result ret = send_json(c, status, rep.body, 0, allow);
    ds_form_reply_free(&rep);
    ds_buf_free(&msg);
    return ret;
}

/* ---- the head ---------------------------------------------------------- */

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void client_address(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
                                                                 MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, cap, "?");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size);

/* GET /api/session: whether the site signs people in and who this is, so
 * a form's panel asks for no email or password when the site session
 * already says who submits.  Answered for anyone: without a session it
 * only says sign-in exists, which the login page says too. */
static enum MHD_Result session_answer(ds_api *a, struct MHD_Connection *c, const char *method,
                                      unsigned *status)
{
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        *status = 405;
        return send_error(c, 405, "GET, HEAD", "%s accepts GET only", SESSION);
    }
    char email[DS_SESSION_EMAIL_SIZE];
    json_t *o = json_object();
    json_object_set_new(o, "site_sign_in", json_boolean(a->login != NULL));
    json_object_set_new(o, "email", ds_api_session_email(a, c, email) ? json_string(email)
                                                                       : json_null());
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *status = 200;
    enum MHD_Result ret = send_json(c, 200, text, 0, NULL);
    free(text);
    return ret;
}

ds_api_request *ds_api_begin(ds_api *a, struct MHD_Connection *c, const char *url,
                             const char *method, unsigned *status, enum MHD_Result *ret)
{
    if (strcmp(url, SESSION) == 0) {
        *ret = session_answer(a, c, method, status);
        return NULL;
    }
    const char *origin = header(c, "Origin");
    const char *fetch_site = header(c, "Sec-Fetch-Site");
    bool cross = !ds_http_same_origin(origin, header(c, "Referer"), header(c, MHD_HTTP_HEADER_HOST),
                                      a->login ? ds_login_scheme(a->login) : NULL) ||
                 (fetch_site && strcmp(fetch_site, "cross-site") == 0);
    bool submit = strcmp(url, SUBMIT) == 0, password = strcmp(url, PASSWORD) == 0,
         live = strcmp(url, DS_LIVEQUERY_PATH) == 0;
    const char *length = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
    ds_api_body kind = ds_api_body_kind(header(c, MHD_HTTP_HEADER_CONTENT_TYPE));
    char session[DS_SESSION_EMAIL_SIZE];
    size_t limit = kind == DS_API_BODY_MULTIPART
                       ? (size_t)DS_FORMS_MAX_IMAGE + DS_API_MAX_MULTIPART_EXTRA
                       : DS_API_MAX_JSON;
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        *status = 405;
        *ret = send_error(c, 405, "POST", "%s accepts POST only", url);
    } else if (!submit && !password && !live) {
        *status = 404;
        *ret = send_error(c, 404, NULL, "no such endpoint %s (there are " SUBMIT ", " PASSWORD
                                        ", " DS_LIVEQUERY_PATH " and " SESSION ")", url);
    } else if (a->login && !ds_api_session_email(a, c, session)) {
        /* With site sign-in, nothing is answered without a session. */
        *status = 401;
        *ret = send_error(c, 401, NULL, "sign-in required: sign in at /login first");
    } else if (cross) {
        *status = 403;
        *ret = send_error(c, 403, NULL, "cross-origin request refused: post from a page of "
                                        "this site");
    } else if (length && strtoull(length, NULL, 10) > limit) {
        *status = 413;
        *ret = send_error(c, 413, NULL, "the body is larger than %zu bytes", limit);
    } else if (live && !a->live) {
        *status = 404;
        *ret = send_error(c, 404, NULL, "live queries are off ([serve] live_queries = false)");
    } else if (kind == DS_API_BODY_OTHER || ((password || live) && kind != DS_API_BODY_JSON)) {
        *status = 415;
        *ret = send_error(c, 415, NULL, "send Content-Type: application/json%s",
                          submit ? " or multipart/form-data" : "");
    } else {
        ds_api_request *r = ds_xcalloc(1, sizeof *r);
        r->api = a;
        r->c = c;
        r->submit = submit;
        r->live = live;
        r->kind = kind;
        r->limit = limit;
        client_address(c, r->client, sizeof r->client);
        if (kind == DS_API_BODY_MULTIPART) {
            r->pp = MHD_create_post_processor(c, 16 * 1024, on_part, r);
            if (!r->pp) {
                ds_api_done(r);
                *status = 400;
                *ret = send_error(c, 400, NULL, "malformed multipart/form-data: no boundary");
                return NULL;
            }
        }
        return r;
    }
    return NULL;
}

/* ---- the body ---------------------------------------------------------- */

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    ds_api_request *r = cls;
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    if (r->bad)
        return MHD_NO;
    if (filename) {
        if (r->file_field && strcmp(r->file_field, key) != 0) {
            r->bad = ds_strdup("more than one file; send one image, under the form's "
                               "image_field");
            return MHD_NO;
        }
        if (!r->file_field)
            r->file_field = ds_strdup(key);
        ds_buf_add(&r->file, data, size);
        return MHD_YES;
    }
    for (int f = 0; f < N_FIELDS; f++) {
        if (strcmp(key, FIELD_NAMES[f]) == 0) {
            r->has_field[f] = true;
            ds_buf_add(&r->fields[f], data, size);
            return MHD_YES;
        }
    }
    r->bad = ds_asprintf("unknown field '%s' (fields: form_id, inputs, email, password and "
                         "the image file)",
                         key);
    return MHD_NO;
}

/* The submission in a JSON body: {form_id, inputs, email?, password?}; the
 * original Ducksite's inputs._user_email/_user_password are read too (and
 * never reach the query). */
static int parse_json_submit(json_t *doc, ds_form_request *rq, char **why)
{
    if (!json_is_object(doc)) {
        *why = ds_strdup("the body must be a JSON object {\"form_id\": ..., \"inputs\": {...}}");
        return -1;
    }
    json_t *id = json_object_get(doc, "form_id");
    if (id && !json_is_string(id)) {
        *why = ds_strdup("form_id must be a string");
        return -1;
    }
    rq->form_id = json_string_value(id);
    rq->inputs = json_object_get(doc, "inputs");
    const char *names[2] = {"email", "password"};
    const char **dest[2] = {&rq->email, &rq->password};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(doc, names[i]);
        if (v && !json_is_string(v)) {
            *why = ds_asprintf("%s must be a string", names[i]);
            return -1;
        }
        *dest[i] = json_string_value(v);
    }
    if (json_is_object(rq->inputs)) {
        const char *legacy[2] = {"_user_email", "_user_password"};
        for (int i = 0; i < 2; i++) {
            json_t *v = json_object_get(rq->inputs, legacy[i]);
            if (json_is_string(v) && !*dest[i])
                *dest[i] = json_string_value(v);
        }
    }
    return 0;
}

/* Takes the legacy sign-in keys out of the inputs (copied first: their
 * strings are still pointed at). */
static void drop_legacy(ds_form_request *rq, char **email, char **password)
{
    *email = ds_strdup(rq->email);
    *password = ds_strdup(rq->password);
    rq->email = *email;
    rq->password = *password;
    if (json_is_object(rq->inputs)) {
        json_object_del(rq->inputs, "_user_email");
        json_object_del(rq->inputs, "_user_password");
    }
}

static enum MHD_Result reply(ds_api_request *r, ds_form_reply *rep, unsigned *status)
{
    *status = rep->status;
    enum MHD_Result ret = send_json(r->c, rep->status, rep->body, rep->retry_after, NULL);
    ds_form_reply_free(rep);
    return ret;
}

static enum MHD_Result send_live(ds_api_request *r, unsigned *status)
{
    ds_live_reply *rep = &r->reply;
    *status = rep->status;
    enum MHD_Result ret =
        send_json_cache(r->c, rep->status, rep->body, rep->retry_after, NULL, rep->cache);
    ds_live_reply_free(rep);
    return ret;
}

/* Called by the query's worker thread once r->reply is filled: the
 * connection is handed back to libmicrohttpd, which calls the handler
 * again (ds_api_continue sends the answer). */
static void live_done(void *ctx)
{
    ds_api_request *r = ctx;
    MHD_resume_connection(r->c);
}

/* Whether the client of a suspended request closed its side (a client
 * that gave up waiting): libmicrohttpd does not watch a suspended
 * connection, so its socket is asked, without reading from it. */
static bool live_gone(void *ctx)
{
    ds_api_request *r = ctx;
    if (r->fd < 0)
        return false;
    char byte;
    ssize_t n = recv(r->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* A query runs on a worker of livequery.c, never on this thread: the
 * connection is suspended meanwhile, and this thread serves others. */
static enum MHD_Result answer_live(ds_api_request *r, unsigned *status)
{
    ds_live_job *job = ds_livequery_begin(r->api->live, r->body.data, r->body.len, &r->reply);
    if (!job)
        return send_live(r, status);
    r->waiting = true;
    /* Its socket, asked by the worker later (from this thread, where
     * libmicrohttpd's connection may be read). */
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->c, MHD_CONNECTION_INFO_CONNECTION_FD);
    r->fd = info ? info->connect_fd : -1;
    MHD_suspend_connection(r->c);
    ds_livequery_watch(job, live_gone);
    ds_livequery_submit(r->api->live, job, live_done, r);
    return MHD_YES;
}

static enum MHD_Result finish(ds_api_request *r, unsigned *status)
{
    if (r->live)
        return answer_live(r, status);
    ds_form_reply rep = {0};
    json_t *doc = NULL;
    json_error_t je;
    if (r->kind == DS_API_BODY_JSON) {
        doc = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &je);
        if (!doc) {
            ds_form_reply_error(&rep, 400, "malformed JSON: %s (at byte %d)", je.text,
                                je.position);
            return reply(r, &rep, status);
        }
        if (!r->submit) {
            ds_formsvc_update_password(r->api->forms, doc, r->client, &rep);
            json_decref(doc);
            return reply(r, &rep, status);
        }
    }
    ds_form_request rq = {0};
    char *why = NULL;
    if (r->kind == DS_API_BODY_JSON) {
        parse_json_submit(doc, &rq, &why);
    } else {
        rq.form_id = r->has_field[FIELD_FORM_ID] ? ds_buf_str(&r->fields[FIELD_FORM_ID]) : NULL;
        rq.email = r->has_field[FIELD_EMAIL] ? ds_buf_str(&r->fields[FIELD_EMAIL]) : NULL;
        rq.password = r->has_field[FIELD_PASSWORD] ? ds_buf_str(&r->fields[FIELD_PASSWORD])
                                                   : NULL;
        if (r->has_field[FIELD_INPUTS]) {
            const ds_buf *in = &r->fields[FIELD_INPUTS];
            doc = json_loadb(in->data ? in->data : "", in->len, 0, &je);
            if (!doc)
                why = ds_asprintf("inputs: malformed JSON: %s", je.text);
            rq.inputs = doc;
        }
        for (int f = 0; f < N_FIELDS && !why; f++)
            if (r->has_field[f] && strlen(ds_buf_str(&r->fields[f])) != r->fields[f].len)
                why = ds_asprintf("%s: contains a NUL byte", FIELD_NAMES[f]);
        /* An empty file part is what a browser sends for a file input
         * left empty: no image. */
        if (r->file_field && r->file.len) {
            rq.image_field = r->file_field;
            rq.image = (const unsigned char *)(r->file.data ? r->file.data : "");
            rq.image_len = r->file.len;
        }
    }
    if (why) {
        ds_form_reply_error(&rep, 400, "%s", why);
        free(why);
        json_decref(doc);
        return reply(r, &rep, status);
    }
    char *email = NULL, *password = NULL;
    drop_legacy(&rq, &email, &password);
    char session[DS_SESSION_EMAIL_SIZE];
    rq.session_email = ds_api_session_email(r->api, r->c, session) ? session : NULL;
    rq.client = r->client;
    ds_formsvc_submit(r->api->forms, &rq, &rep);
    free(email);
    free(password);
    json_decref(doc);
    return reply(r, &rep, status);
}

enum MHD_Result ds_api_continue(ds_api_request *r, const char *data, size_t *size,
                                unsigned *status)
{
    *status = 0;
    if (r->waiting) {
        /* Called again after live_done resumed the connection. */
        r->waiting = false;
        *size = 0;
        return send_live(r, status);
    }
    if (r->answered) {
        *size = 0;
        return MHD_YES;
    }
    if (*size) {
        size_t n = *size;
        *size = 0;
        if (r->too_large || r->received + n > r->limit) {
            /* A body without a length (chunked) that grows past the limit:
             * the rest is read and dropped, and 413 answered at its end,
             * so the client reads the answer instead of a reset.  Past
             * DS_API_MAX_DROPPED more, answered now: libmicrohttpd reads
             * no more and closes the connection after the answer. */
            r->too_large = true;
            r->dropped += n;
            if (r->dropped <= DS_API_MAX_DROPPED)
                return MHD_YES;
            r->answered = true;
            *status = 413;
            return send_error(r->c, 413, NULL, "the body is larger than %zu bytes", r->limit);
        }
        r->received += n;
        if (r->pp) {
            if (!r->bad && MHD_post_process(r->pp, data, n) != MHD_YES && !r->bad)
                r->bad = ds_strdup("malformed multipart/form-data");
        } else {
            ds_buf_add(&r->body, data, n);
        }
        return MHD_YES;
    }
    if (r->pp) {
        /* The post processor says MHD_NO when the body ended early (no
         * closing boundary). */
        bool whole = MHD_destroy_post_processor(r->pp) == MHD_YES;
        r->pp = NULL;
        if (!r->bad && !whole)
            r->bad = ds_strdup("malformed multipart/form-data: the body ends before its "
                               "closing boundary");
    }
    r->answered = true;
    if (r->too_large) {
        *status = 413;
        return send_error(r->c, 413, NULL, "the body is larger than %zu bytes", r->limit);
    }
    if (r->bad) {
        *status = 400;
        return send_error(r->c, 400, NULL, "%s", r->bad);
    }
    return finish(r, status);
}

void ds_api_done(ds_api_request *r)
{
    if (!r)
        return;
    if (r->pp)
        MHD_destroy_post_processor(r->pp);
    ds_buf_free(&r->body);
    for (int f = 0; f < N_FIELDS; f++)
        ds_buf_free(&r->fields[f]);
    free(r->file_field);
    ds_buf_free(&r->file);
    free(r->bad);
    /* A live reply never sent (its client went away meanwhile). */
    ds_live_reply_free(&r->reply);
    free(r);
}
