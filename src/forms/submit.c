/* submit.c - form submissions and password changes (see submit.h). */
#include "submit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../auth/ratelimit.h"
#include "../auth/users.h"
#include "../config/layout.h"
#include "../sql/duck.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"
#include "csv.h"
#include "spec.h"

struct ds_formsvc {
    char *root;
    char *static_dir;
    char *specs_path;
    char *users_path;
    ds_ratelimit *failures;
    /* The specs, reloaded when forms.json changes (a rebuild, in this
     * process or another): checked at each request, which is rare enough
     * that one stat() costs nothing. */
    pthread_mutex_t lock;
    ds_forms forms;
    struct stat seen;
    bool loaded;
};

ds_formsvc *ds_formsvc_open(const char *root)
{
    ds_formsvc *s = ds_xcalloc(1, sizeof *s);
    s->root = ds_path_abs(root);
    s->static_dir = ds_path_join(s->root, DS_STATIC_DIR);
    s->specs_path = ds_path_join(s->root, DS_FORMS_FILE);
    s->users_path = ds_users_path(s->root);
    s->failures = ds_ratelimit_new(DS_FORMS_MAX_FAILURES, DS_FORMS_FAILURE_WINDOW);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void ds_formsvc_close(ds_formsvc *s)
{
    if (!s)
        return;
    ds_forms_free(&s->forms);
    pthread_mutex_destroy(&s->lock);
    ds_ratelimit_free(s->failures);
    free(s->root);
    free(s->static_dir);
    free(s->specs_path);
    free(s->users_path);
    free(s);
}

/* ---- answers ----------------------------------------------------------- */

void ds_form_reply_error(ds_form_reply *out, unsigned status, const char *fmt, ...)
{
    ds_buf msg = {0};
    va_list ap;
    va_start(ap, fmt);
    ds_buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    ds_buf b = {0};
    ds_buf_puts(&b, "{\"error\": ");
    ds_buf_json_string(&b, msg.data);
    ds_buf_puts(&b, "}");
    ds_buf_free(&msg);
    out->status = status;
    out->body = ds_buf_take(&b);
}

void ds_form_reply_free(ds_form_reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* ---- values ------------------------------------------------------------ */

static char *scalar_literal(const json_t *v)
{
    ds_buf b = {0};
    switch (json_typeof(v)) {
    case JSON_STRING: ds_sql_quote(&b, json_string_value(v)); break;
    case JSON_INTEGER: ds_buf_printf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: ds_buf_printf(&b, "%.17g::DOUBLE", json_real_value(v)); break;
    case JSON_TRUE: ds_buf_puts(&b, "TRUE"); break;
    case JSON_FALSE: ds_buf_puts(&b, "FALSE"); break;
    case JSON_NULL: ds_buf_puts(&b, "NULL"); break;
    default: ds_buf_free(&b); return NULL;
    }
    return ds_buf_take(&b);
}

char *ds_form_literal(const json_t *v)
{
    ds_buf b = {0};
    ds_buf_putc(&b, '(');
    if (json_is_array(v)) {
        ds_buf_putc(&b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            char *item = scalar_literal(json_array_get(v, i));
            if (!item) {
                ds_buf_free(&b);
                return NULL;
            }
            ds_buf_printf(&b, "%s%s", i ? ", " : "", item);
            free(item);
        }
        ds_buf_putc(&b, ']');
    } else {
        char *one = scalar_literal(v);
        if (!one) {
            ds_buf_free(&b);
            return NULL;
        }
        ds_buf_puts(&b, one);
        free(one);
    }
    ds_buf_putc(&b, ')');
    return ds_buf_take(&b);
}

const char *ds_form_image_type(const unsigned char *d, size_t n)
{
    if (n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
        return "jpg";
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return "gif";
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return "webp";
    return NULL;
}

/* ---- specs ------------------------------------------------------------- */

/* A copy of form ID's spec (reloading forms.json when it changed); false
 * when there is none. */
static bool find_form(ds_formsvc *s, const char *id, ds_form *out, ds_err *err, bool *broken)
{
    *broken = false;
    pthread_mutex_lock(&s->lock);
    struct stat st;
    bool exists = stat(s->specs_path, &st) == 0;
    if (!exists)
        memset(&st, 0, sizeof st);
    if (!s->loaded || st.st_ino != s->seen.st_ino || st.st_size != s->seen.st_size ||
        st.st_mtim.tv_sec != s->seen.st_mtim.tv_sec ||
        st.st_mtim.tv_nsec != s->seen.st_mtim.tv_nsec) {
        ds_forms fresh;
        if (ds_forms_load(s->specs_path, &fresh, err) != 0) {
            pthread_mutex_unlock(&s->lock);
            *broken = true;
            return false;
        }
        ds_forms_free(&s->forms);
        s->forms = fresh;
        s->seen = st;
        s->loaded = true;
    }
    const ds_form *f = ds_forms_find(&s->forms, id);
    if (f)
        ds_form_copy(out, f);
    pthread_mutex_unlock(&s->lock);
    return f != NULL;
}

/* ---- the target -------------------------------------------------------- */

/* Locks TARGET_REL (under ROOT) against other writers: flock on its
 * ".NAME.lock" beside it (ds_forms_lock_path).  Each call opens the lock file anew, and flock excludes other
 * open file descriptions, so threads of this server and other processes
 * (a second server, a script using the same lock) are serialised alike. */
static int lock_target(const char *root, const char *target_rel, ds_err *err)
{
    char *lock = ds_forms_lock_path(root, target_rel);
    char *dir = ds_path_dirname(lock);
    int fd = -1;
    if (ds_mkdir_p(dir, err) == 0) {
        fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            ds_err_set(err, "cannot open %s: %s", lock, strerror(errno));
        else if (flock(fd, LOCK_EX) != 0) {
            ds_err_set(err, "cannot lock %s: %s", lock, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    free(lock);
    free(dir);
    return fd;
}

static void unlock_target(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

/* ---- the query --------------------------------------------------------- */

typedef struct {
    json_t *inputs;
    char *bad;
} fill_ctx;

/* ${inputs.NAME}: the submitted value as a literal; an absent one is NULL. */
static char *fill_value(void *vctx, const char *name)
{
    fill_ctx *c = vctx;
    json_t *v = json_object_get(c->inputs, name);
    return v ? ds_form_literal(v) : ds_strdup("(NULL)");
}

/* Runs F's query with INPUTS; the rows as text.  A failure is the
 * submitter's (inputs that do not fit the query) unless the query cannot
 * even start. */
static int run_query(ds_formsvc *s, const ds_form *f, json_t *inputs, ds_rows *rows,
                     ds_form_reply *out)
{
    fill_ctx fc = {inputs, NULL};
    char *bad = NULL;
    char *sql = ds_sql_fill_inputs(f->sql, fill_value, &fc, &bad);
    if (!sql) {
        ds_form_reply_error(out, 500, "form '%s': %s (rebuild the site)", f->id, bad);
        free(bad);
        return -1;
    }
    ds_err err;
    ds_duck *db = ds_duck_open(&err);
    if (!db) {
        free(sql);
        ds_form_reply_error(out, 500, "cannot start DuckDB: %s", err.msg);
        return -1;
    }
    /* Relative paths resolve against static/, as when the build checked it. */
    ds_buf set = {0};
    ds_buf_puts(&set, "SET file_search_path = ");
    ds_sql_quote(&set, s->static_dir);
    int rc = ds_duck_exec(db, set.data, &err);
    ds_buf_free(&set);
    if (rc == 0) {
        /* Every value as DuckDB shows it (lists, structs, dates), for the CSV. */
        char *q = ds_asprintf("SELECT COLUMNS(*)::VARCHAR FROM (\n%s\n) AS ds_form", sql);
        rc = ds_duck_query(db, q, rows, &err);
        free(q);
        if (rc != 0)
            ds_form_reply_error(out, 400, "the form's query failed with these inputs: %s",
                                err.msg);
    } else {
        ds_form_reply_error(out, 500, "cannot set up DuckDB: %s", err.msg);
    }
    ds_duck_close(db);
    free(sql);
    if (rc != 0)
        return -1;
    if (rows->rows == 0 || rows->rows > DS_FORMS_MAX_ROWS) {
        ds_form_reply_error(out, 400,
                            rows->rows ? "the form's query returned %zu rows; at most %d are "
                                         "appended at once"
                                       : "the form's query returned no rows (%zu; at least 1 "
                                         "of at most %d)",
                            rows->rows, DS_FORMS_MAX_ROWS);
        ds_rows_free(rows);
        return -1;
    }
    return 0;
}

/* ---- sign-in ----------------------------------------------------------- */

/* Refuses a key that failed too often: 429 with Retry-After. */
static bool too_many(ds_formsvc *s, const char *email, const char *client, ds_form_reply *out)
{
    time_t now = time(NULL);
    char *user = ds_asprintf("user:%s", email);
    char *addr = ds_asprintf("addr:%s", client ? client : "?");
    unsigned wait = 0, wait2 = 0;
    bool refused = !ds_ratelimit_allowed(s->failures, user, now, &wait) ||
                   !ds_ratelimit_allowed(s->failures, addr, now, &wait2);
    free(user);
    free(addr);
    if (refused) {
        out->retry_after = wait > wait2 ? wait : wait2;
        ds_form_reply_error(out, 429, "too many failed sign-ins; try again in %u seconds",
                            out->retry_after);
    }
    return refused;
}

static void count_failure(ds_formsvc *s, const char *email, const char *client)
{
    time_t now = time(NULL);
    char *user = ds_asprintf("user:%s", email);
    char *addr = ds_asprintf("addr:%s", client ? client : "?");
    ds_ratelimit_failed(s->failures, user, now);
    ds_ratelimit_failed(s->failures, addr, now);
    free(user);
    free(addr);
}

static void count_success(ds_formsvc *s, const char *email)
{
    char *user = ds_asprintf("user:%s", email);
    ds_ratelimit_succeeded(s->failures, user);
    free(user);
}

/* The first-submission sign-in: "set" (new user), "ok", or NULL with OUT
 * set. */
static const char *sign_in(ds_formsvc *s, const char *email, const char *password,
                           const char *client, ds_form_reply *out)
{
    if (too_many(s, email, client, out))
        return NULL;
    ds_err err;
    ds_users_result r = ds_users_check(s->users_path, email, password ? password : "", true,
                                       &err);
    switch (r) {
    case DS_USERS_OK: count_success(s, email); return "ok";
    case DS_USERS_CREATED: count_success(s, email); return "set";
    case DS_USERS_WEAK:
        ds_form_reply_error(out, 400, "password required: choose one of at least %d characters "
                                      "(this first submission sets it)",
                            DS_USERS_MIN_PASSWORD);
        return NULL;
    case DS_USERS_BAD: ds_form_reply_error(out, 400, "%s", err.msg); return NULL;
    case DS_USERS_ERROR: ds_form_reply_error(out, 500, "%s", err.msg); return NULL;
    default:
        count_failure(s, email, client);
        ds_form_reply_error(out, 401, "unauthorized: wrong email or password");
        return NULL;
    }
}

/* ---- checks ------------------------------------------------------------ */

/* Every input is a string, number, boolean, null or a list of those; every
 * input the form lists is there. */
static bool check_inputs(const ds_form *f, json_t *inputs, ds_form_reply *out)
{
    if (!json_is_object(inputs)) {
        ds_form_reply_error(out, 400, "inputs: %s; send an object of input names and values",
                            inputs ? "not an object" : "missing");
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(inputs, key, v) {
        char *lit = ds_form_literal(v);
        free(lit);
        if (!lit) {
            ds_form_reply_error(out, 400,
                                "inputs.%s: only strings, numbers, booleans, null and lists of "
                                "those are accepted",
                                key);
            return false;
        }
    }
    for (size_t i = 0; i < f->n_inputs; i++)
        if (!json_object_get(inputs, f->inputs[i])) {
            ds_form_reply_error(out, 400, "inputs.%s is missing (form '%s' requires it)",
                                f->inputs[i], f->id);
            return false;
        }
    return true;
}

/* Who submits, checked against the form's rules; *AUTH_STATUS set when a
 * password was checked.  NULL email is fine when the form asks nothing. */
static bool check_who(ds_formsvc *s, const ds_form *f, const ds_form_request *rq, char **email,
                      const char **auth_status, ds_form_reply *out)
{
    *email = NULL;
    *auth_status = NULL;
    const char *claimed = rq->session_email ? rq->session_email : rq->email;
    if (claimed && *claimed) {
        ds_err err;
        if (!(*email = ds_users_normal_email(claimed, &err))) {
            ds_form_reply_error(out, 400, "email: %s", err.msg);
            return false;
        }
    }
    if (f->auth_required && !*email) {
        ds_form_reply_error(out, 401, "authentication required: send your email and password");
        return false;
    }
    if ((f->max_rows_per_user || f->n_domains) && !*email) {
        ds_form_reply_error(out, 400, "user email required (form '%s' %s)", f->id,
                            f->n_domains ? "accepts some email domains only"
                                         : "limits rows per user");
        return false;
    }
    if (f->n_domains && !ds_form_domain_allowed(f, *email)) {
        ds_form_reply_error(out, 403, "email domain not allowed for form '%s'", f->id);
        return false;
    }
    if (f->auth_required && !rq->session_email) {
        *auth_status = sign_in(s, *email, rq->password, rq->client, out);
        if (!*auth_status)
            return false;
    } else if (f->auth_required) {
        *auth_status = "session";
    }
    return true;
}

/* ---- the append -------------------------------------------------------- */

static void utc_now(char out[32])
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Stores the image under F's image folder with a unique name; its path
 * (relative to the root) in *REL. */
static int save_image(ds_formsvc *s, const ds_form *f, const ds_form_request *rq,
                      const char *type, char **rel, ds_form_reply *out)
{
    char *dir_rel = ds_form_confine(s->root, f->image_dir);
    if (!dir_rel) {
        ds_form_reply_error(out, 500, "form '%s': image_dir leaves the project (rebuild)",
                            f->id);
        return -1;
    }
    unsigned char rnd[8];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        free(dir_rel);
        ds_form_reply_error(out, 500, "no randomness for an image name");
        return -1;
    }
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    *rel = ds_asprintf("%s/%s-%s-%02x%02x%02x%02x%02x%02x%02x%02x.%s", dir_rel, f->id, stamp,
                       rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], type);
    char *dir = ds_path_join(s->root, dir_rel);
    char *path = ds_path_join(s->root, *rel);
    ds_err err;
    int rc = ds_mkdir_p(dir, &err);
    if (rc == 0)
        rc = ds_write_durable(path, (const char *)rq->image, rq->image_len, 0644, &err);
    if (rc != 0) {
        ds_form_reply_error(out, 500, "cannot store the image: %s", err.msg);
        free(*rel);
        *rel = NULL;
    }
    free(path);
    free(dir);
    free(dir_rel);
    return rc;
}

static size_t rows_of(const ds_csv *csv, const char *email)
{
    size_t n = 0;
    for (size_t r = 0; r < csv->n_rows; r++) {
        const char *by = ds_csv_get(csv, r, "submitted_by");
        n += by && strcasecmp(by, email) == 0;
    }
    return n;
}

/* Appends ROWS (+ image, who, when) to F's target under its lock. */
static int append(ds_formsvc *s, const ds_form *f, const ds_rows *rows, const char *email,
                  const char *image_rel, ds_form_reply *out)
{
    char *target_rel = ds_form_confine(s->root, f->target);
    if (!target_rel) {
        ds_form_reply_error(out, 500, "form '%s': target_csv leaves the project (rebuild)",
                            f->id);
        return -1;
    }
    char *path = ds_path_join(s->root, target_rel);
    ds_err err;
    int lock = lock_target(s->root, target_rel, &err);
    free(target_rel);
    if (lock < 0) {
        free(path);
        ds_form_reply_error(out, 500, "%s", err.msg);
        return -1;
    }
    int rc = -1;
    size_t old_len = 0;
    char *old = ds_exists(path) ? ds_read_file(path, &old_len, &err) : ds_strdup("");
    ds_csv csv = {0};
    if (!old) {
        ds_form_reply_error(out, 500, "%s", err.msg);
    } else if (ds_csv_parse(old, old_len, &csv, &err) != 0) {
        ds_form_reply_error(out, 500, "%s is not valid CSV (%s); fix it by hand, nothing was "
                                      "written",
                            f->target, err.msg);
    } else if (f->max_rows_per_user &&
               rows_of(&csv, email) + rows->rows > (size_t)f->max_rows_per_user) {
        ds_form_reply_error(out, 403, "max_rows_per_user exceeded: %s has %zu of %lld rows",
                            email, rows_of(&csv, email), f->max_rows_per_user);
    } else {
        size_t n_cols = 0;
        char **cols = ds_form_columns(f, rows->names, rows->cols, &n_cols);
        char **values = ds_xcalloc(rows->rows * n_cols + 1, sizeof *values);
        char now[32];
        utc_now(now);
        for (size_t r = 0; r < rows->rows; r++) {
            char **v = values + r * n_cols;
            for (size_t c = 0; c < rows->cols; c++)
                v[c] = rows->cells[r * rows->cols + c];
            for (size_t c = rows->cols; c < n_cols - 2; c++)
                v[c] = NULL; /* the image column, filled below */
            for (size_t c = 0; c < n_cols - 2 && f->image_field; c++)
                if (strcmp(cols[c], f->image_field) == 0)
                    v[c] = (char *)image_rel;
            v[n_cols - 2] = (char *)(email ? email : "");
            v[n_cols - 1] = now;
        }
        size_t len = 0;
        char *text = ds_csv_append(old, old_len, &csv, cols, n_cols, values, rows->rows, &len);
        rc = ds_write_durable(path, text, len, 0644, &err);
        if (rc != 0)
            ds_form_reply_error(out, 500, "nothing was written: %s", err.msg);
        free(text);
        free(values);
        for (size_t c = 0; c < n_cols; c++)
            free(cols[c]);
        free(cols);
    }
    ds_csv_free(&csv);
    free(old);
    unlock_target(lock);
    free(path);
    return rc;
}

void ds_formsvc_submit(ds_formsvc *s, const ds_form_request *rq, ds_form_reply *out)
{
    memset(out, 0, sizeof *out);
    if (!rq->form_id || !*rq->form_id) {
        ds_form_reply_error(out, 400, "form_id is missing");
        return;
    }
    ds_form f;
    ds_err err;
    bool broken;
    if (!find_form(s, rq->form_id, &f, &err, &broken)) {
        if (broken)
            ds_form_reply_error(out, 500, "%s", err.msg);
        else
            ds_form_reply_error(out, 404, "unknown form '%s'", rq->form_id);
        return;
    }
    char *email = NULL;
    const char *auth_status = NULL;
    const char *type = NULL;
    char *image_rel = NULL;
    ds_rows rows = {0};
    bool have_rows = false;
    if (!check_inputs(&f, rq->inputs, out))
        goto done;
    if (rq->image_field && (!f.image_field || strcmp(rq->image_field, f.image_field) != 0)) {
        ds_form_reply_error(out, 400, "form '%s' takes %s%s%s, not a file named '%s'", f.id,
                            f.image_field ? "an image named '" : "no file",
                            f.image_field ? f.image_field : "", f.image_field ? "'" : "",
                            rq->image_field);
        goto done;
    }
    if (rq->image_field && rq->image_len > DS_FORMS_MAX_IMAGE) {
        ds_form_reply_error(out, 413, "the image is larger than %d MiB",
                            DS_FORMS_MAX_IMAGE / (1024 * 1024));
        goto done;
    }
    if (rq->image_field && !(type = ds_form_image_type(rq->image, rq->image_len))) {
        ds_form_reply_error(out, 415, "the image is not PNG, JPEG, GIF or WebP");
        goto done;
    }
    if (!check_who(s, &f, rq, &email, &auth_status, out))
        goto done;
    if (run_query(s, &f, rq->inputs, &rows, out) != 0)
        goto done;
    have_rows = true;
    if (type && save_image(s, &f, rq, type, &image_rel, out) != 0)
        goto done;
    if (append(s, &f, &rows, email, image_rel, out) != 0) {
        if (image_rel) { /* the row that would have named it is not there */
            char *path = ds_path_join(s->root, image_rel);
            unlink(path);
            free(path);
        }
        goto done;
    }
    ds_buf b = {0};
    ds_buf_printf(&b, "{\"status\": \"ok\", \"rows_appended\": %zu", rows.rows);
    if (auth_status)
        ds_buf_printf(&b, ", \"auth_status\": \"%s\"", auth_status);
    if (image_rel) {
        ds_buf_puts(&b, ", \"image\": ");
        ds_buf_json_string(&b, image_rel);
    }
    ds_buf_puts(&b, "}");
    out->status = 200;
    out->body = ds_buf_take(&b);
done:
    if (have_rows)
        ds_rows_free(&rows);
    free(image_rel);
    free(email);
    ds_form_free(&f);
}

void ds_formsvc_update_password(ds_formsvc *s, json_t *body, const char *client,
                                ds_form_reply *out)
{
    memset(out, 0, sizeof *out);
    const char *email = json_string_value(json_object_get(body, "email"));
    const char *old_pw = json_string_value(json_object_get(body, "old_password"));
    const char *new_pw = json_string_value(json_object_get(body, "new_password"));
    if (!email || !*email) {
        ds_form_reply_error(out, 400, "email required");
        return;
    }
    if (!old_pw || !new_pw) {
        ds_form_reply_error(out, 400, "old_password and new_password are required (strings)");
        return;
    }
    ds_err err;
    char *key = ds_users_normal_email(email, &err);
    if (!key) {
        ds_form_reply_error(out, 400, "email: %s", err.msg);
        return;
    }
    if (too_many(s, key, client, out)) {
        free(key);
        return;
    }
    ds_users_result r = ds_users_change(s->users_path, key, old_pw, new_pw, &err);
    switch (r) {
    case DS_USERS_OK:
        count_success(s, key);
        out->status = 200;
        out->body = ds_strdup("{\"status\": \"ok\"}");
        break;
    case DS_USERS_WEAK:
        ds_form_reply_error(out, 400, "weak password: at least %d characters",
                            DS_USERS_MIN_PASSWORD);
        break;
    case DS_USERS_BAD: ds_form_reply_error(out, 400, "%s", err.msg); break;
    case DS_USERS_ERROR: ds_form_reply_error(out, 500, "%s", err.msg); break;
    default: /* unknown and wrong alike: nothing tells which emails exist */
        count_failure(s, key, client);
        ds_form_reply_error(out, 401, "unauthorized: wrong email or password");
    }
    free(key);
}
