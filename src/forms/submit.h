/* submit.h - what `ducksite serve` does with a form submission and a
 * password change, without HTTP (src/server/api.c is the HTTP side).
 *
 * A submission: the form's spec (reloaded when <root>/.ducksite/forms.json
 * changes), the sign-in rules (allowed domains, auth_required with the
 * first-submission sign-in of auth/users.json, failed attempts limited per
 * email and per client address), the query run by DuckDB with every
 * submitted input a typed literal, then the rows appended to the target CSV
 * under a lock (flock on a lock file beside it: threads and other processes
 * alike) by writing a new file and renaming it over the old one
 * (ds_write_durable), so the previous file stays whole until the new one
 * is.  Every refusal leaves every file as it was.  docs/forms.md describes
 * the rules and answers. */
#ifndef DS_FORMS_SUBMIT_H
#define DS_FORMS_SUBMIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Limits (docs/forms.md). */
#define DS_FORMS_MAX_IMAGE (5 * 1024 * 1024)
#define DS_FORMS_MAX_ROWS 1000
/* Failed sign-ins: this many per email and per address within the window. */
#define DS_FORMS_MAX_FAILURES 5
#define DS_FORMS_FAILURE_WINDOW 300

typedef struct ds_formsvc ds_formsvc;

/* ROOT is the project; its static/ is where relative paths in form
 * queries resolve, as at build time. */
ds_formsvc *ds_formsvc_open(const char *root);
void ds_formsvc_close(ds_formsvc *s);

typedef struct {
    const char *form_id;          /* NULL: missing */
    json_t *inputs;               /* the "inputs" object; NULL: missing */
    const char *email;            /* who says they submit (NULL: nobody) */
    const char *password;
    /* The signed-in site user's email, if any (site-wide sign-in, the
     * server's login.h): trusted as is; no password is asked, and EMAIL
     * and PASSWORD are ignored.  NULL without a session. */
    const char *session_email;
    const char *client;           /* the client's address, for rate limits */
    const unsigned char *image;   /* the uploaded file of the image field */
    size_t image_len;
    const char *image_field;      /* the field name it came under; NULL: none */
} ds_form_request;

/* An answer: HTTP status, a JSON body, and for 429 the seconds to wait. */
typedef struct {
    unsigned status;
    char *body;
    unsigned retry_after;
} ds_form_reply;

void ds_formsvc_submit(ds_formsvc *s, const ds_form_request *rq, ds_form_reply *out);

/* POST /api/auth/update_password: BODY is {email, old_password,
 * new_password}. */
void ds_formsvc_update_password(ds_formsvc *s, json_t *body, const char *client,
                                ds_form_reply *out);

/* {"error": MESSAGE} with STATUS. */
void ds_form_reply_error(ds_form_reply *out, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ds_form_reply_free(ds_form_reply *r);

/* The SQL literal for a submitted JSON value, in parentheses so it stays
 * one value wherever the placeholder stands: ('text'), (42), (1.5::DOUBLE),
 * (TRUE), (NULL), (['a', 'b']).  NULL for objects and nested lists. */
char *ds_form_literal(const json_t *v);

/* The file type of an image from its first bytes: "png", "jpg", "gif",
 * "webp", or NULL. */
const char *ds_form_image_type(const unsigned char *data, size_t len);

#endif
