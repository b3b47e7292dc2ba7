/* spec.c - form blocks checked and made into specs, and forms.json (see
 * spec.h and docs/forms.md). */
#include "spec.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/sqltext.h"
#include "../util/fs.h"

/* clang-format off */
static const char *const FORM_KEYS[] = {
    "label", "target_csv", "inputs", "sql_relation_query", "image_field", "image_dir",
    "auth_required", "allowed_email_domains", "max_rows_per_user"};
/* clang-format on */

/* Folders a target or image folder must not be in: build outputs the next
 * build replaces, the build's own state, and the users file's folder. */
static const char *const RESERVED[] = {"static/_results", "static/sql", "static/assets",
                                       ".ducksite", "auth", "content", "sources_sql"};

const char *const *ds_form_keys(size_t *n)
{
    *n = DS_ARRAY_LEN(FORM_KEYS);
    return FORM_KEYS;
}

static void push_name(char ***items, size_t *n, const char *s, size_t len)
{
    *items = ds_xrealloc(*items, (*n + 1) * sizeof **items);
    (*items)[(*n)++] = ds_strndup(s, len);
}

static void free_names(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

int ds_form_parse_list(const char *text, bool json_allowed, char ***out, size_t *n,
                       const char **why)
{
    *out = NULL;
    *n = 0;
    const char *t = text;
    while (isspace((unsigned char)*t))
        t++;
    if (*t == '[') {
        json_error_t je;
        json_t *a = json_allowed ? json_loads(t, JSON_DECODE_ANY, &je) : NULL;
        if (!json_is_array(a)) {
            json_decref(a);
            *why = "a list in [...] must be JSON, like [\"a\", \"b\"]";
            return -1;
        }
        for (size_t i = 0; i < json_array_size(a); i++) {
            const char *s = json_string_value(json_array_get(a, i));
            if (!s) {
                json_decref(a);
                free_names(*out, *n);
                *out = NULL;
                *n = 0;
                *why = "every item of the list must be a string";
                return -1;
            }
            push_name(out, n, s, strlen(s));
        }
        json_decref(a);
        return 0;
    }
    for (const char *p = t; *p;) {
        size_t skip = strspn(p, ", \t");
        p += skip;
        size_t len = strcspn(p, ", \t");
        if (len)
            push_name(out, n, p, len);
        p += len;
    }
    return 0;
}

bool ds_form_domain_allowed(const ds_form *f, const char *email)
{
    const char *at = strrchr(email, '@');
    if (!at || !at[1])
        return false;
    for (size_t i = 0; i < f->n_domains; i++)
        if (strcasecmp(at + 1, f->domains[i]) == 0)
            return true;
    return false;
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

char *ds_form_confine(const char *root, const char *rel)
{
    char *root_abs = ds_path_abs(root);
    char *joined = ds_path_join(root_abs, rel);
    char *abs = ds_path_abs(joined);
    free(joined);
    char *out = NULL;
    if (under(abs, root_abs) && strlen(abs) > strlen(root_abs)) {
        /* A symlink on the way may lead out: the deepest existing part of
         * the path, resolved, must still be inside the resolved root. */
        char *real_root = realpath(root_abs, NULL);
        char *probe = ds_strdup(abs);
        char *real = NULL;
        while (!(real = realpath(probe, NULL)) && strlen(probe) > strlen(root_abs)) {
            char *up = ds_path_dirname(probe);
            free(probe);
            probe = up;
        }
        if (real_root && real && under(real, real_root))
            out = ds_strdup(abs + strlen(root_abs) + 1);
        free(real);
        free(real_root);
        free(probe);
    }
    free(abs);
    free(root_abs);
    return out;
}

typedef struct {
    const char *root;
    const char *const *dir_names, *const *dir_values;
    size_t n_dirs;
    const ds_form_page *pg;
    ds_err *err;
} ctx_t;

static const ds_kv *kv(const ds_part *p, const char *key)
{
    for (size_t i = 0; i < p->n_kv; i++)
        if (strcmp(p->kv[i].key, key) == 0)
            return &p->kv[i];
    return NULL;
}

/* "content/a.md:12: form 'feedback': " */
static int fail(const ctx_t *c, int line, const ds_part *p, const char *fmt, ...)
    DS_PRINTF(4, 5);
static int fail(const ctx_t *c, int line, const ds_part *p, const char *fmt, ...)
{
    ds_buf b = {0};
    ds_buf_printf(&b, "%s:%d: form '%s': ", c->pg->display, line, p->id);
    va_list ap;
    va_start(ap, fmt);
    ds_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    ds_err_set(c->err, "%s", b.data);
    ds_buf_free(&b);
    return -1;
}

/* ${DIR_X} replaced from [dirs]. */
static char *substitute_dirs(const ctx_t *c, const ds_part *p, const ds_kv *k)
{
    ds_buf out = {0};
    for (const char *s = k->value; *s;) {
        if (s[0] != '$' || s[1] != '{') {
            ds_buf_putc(&out, *s++);
            continue;
        }
        const char *close = strchr(s, '}');
        char *name = close ? ds_strndup(s + 2, (size_t)(close - s - 2)) : ds_strdup(s + 2);
        const char *value = NULL;
        for (size_t i = 0; i < c->n_dirs && close; i++)
            if (strcmp(c->dir_names[i], name) == 0)
                value = c->dir_values[i];
        if (!value) {
            ds_buf defined = {0};
            for (size_t i = 0; i < c->n_dirs; i++)
                ds_buf_printf(&defined, "%s%s", i ? ", " : "", c->dir_names[i]);
            fail(c, k->line, p, "%s: ${%s} is not defined in [dirs] of ducksite.toml (defined: %s)",
                 k->key, name, c->n_dirs ? defined.data : "(none)");
            ds_buf_free(&defined);
            free(name);
            ds_buf_free(&out);
            return NULL;
        }
        ds_buf_puts(&out, value);
        free(name);
        s = close + 1;
    }
    return ds_buf_take(&out);
}

/* A path key made relative to the root and checked. */
static char *path_key(const ctx_t *c, const ds_part *p, const ds_kv *k)
{
    char *v = substitute_dirs(c, p, k);
    if (!v)
        return NULL;
    if (!*v) {
        free(v);
        fail(c, k->line, p, "%s is empty; write a path under the project root", k->key);
        return NULL;
    }
    char *rel = ds_form_confine(c->root, v);
    if (!rel) {
        fail(c, k->line, p,
             "%s: '%s' is outside the project root; write a path inside it (relative to the "
             "root, e.g. ${DIR_FORMS}/%s.csv with DIR_FORMS = \"static/forms\")",
             k->key, v, p->id);
        free(v);
        return NULL;
    }
    free(v);
    for (size_t i = 0; i < DS_ARRAY_LEN(RESERVED); i++) {
        if (under(rel, RESERVED[i])) {
            fail(c, k->line, p,
                 "%s: '%s' is inside %s/, which the build or sign-in owns; keep submissions "
                 "elsewhere (e.g. static/forms/)",
                 k->key, rel, RESERVED[i]);
            free(rel);
            return NULL;
        }
    }
    return rel;
}

/* The inputs a page's form may use: its input blocks and their param_name. */
static bool page_has_input(const ds_page *page, const char *name)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        if (strcmp(p->id, name) == 0)
            return true;
        for (size_t k = 0; k < p->n_kv; k++)
            if ((strcmp(p->kv[k].key, "param_name") == 0 ||
                 strcmp(p->kv[k].key, "param-name") == 0) &&
                strcmp(p->kv[k].value, name) == 0)
                return true;
    }
    return false;
}

typedef struct {
    const ctx_t *c;
    const ds_part *p;
    const ds_form *f;
    char *unknown;
    bool *used; /* per f->inputs */
} ph_ctx;

static char *check_placeholder(void *vctx, const char *name)
{
    ph_ctx *x = vctx;
    bool listed = false;
    for (size_t i = 0; i < x->f->n_inputs; i++)
        if (strcmp(x->f->inputs[i], name) == 0)
            listed = x->used[i] = true;
    if (!listed && !page_has_input(x->c->pg->page, name) && !x->unknown)
        x->unknown = ds_strdup(name);
    return ds_strdup("NULL");
}

static int check_keys(const ctx_t *c, const ds_part *p)
{
    for (size_t i = 0; i < p->n_kv; i++) {
        const char *key = p->kv[i].key;
        bool known = false;
        for (size_t k = 0; k < DS_ARRAY_LEN(FORM_KEYS); k++)
            known = known || strcmp(key, FORM_KEYS[k]) == 0;
        if (known)
            continue;
        const char *best = ds_suggest(key, FORM_KEYS, DS_ARRAY_LEN(FORM_KEYS));
        ds_buf keys = {0};
        for (size_t k = 0; k < DS_ARRAY_LEN(FORM_KEYS); k++)
            ds_buf_printf(&keys, "%s%s", k ? ", " : "", FORM_KEYS[k]);
        if (best)
            fail(c, p->kv[i].line, p, "unknown key '%s'; did you mean '%s'?", key, best);
        else
            fail(c, p->kv[i].line, p, "unknown key '%s'; form keys: %s", key, keys.data);
        ds_buf_free(&keys);
        return -1;
    }
    return 0;
}

static int parse_form(const ctx_t *c, const ds_part *p, ds_form *f)
{
    memset(f, 0, sizeof *f);
    f->id = ds_strdup(p->id);
    f->page = ds_strdup(c->pg->display);
    f->line = p->line;
    if (check_keys(c, p) != 0)
        return -1;
    const ds_kv *k;
    f->label = ds_strdup((k = kv(p, "label")) && *k->value ? k->value : p->id);
    if (!(k = kv(p, "target_csv")))
        return fail(c, p->line, p,
                    "target_csv is missing; write 'target_csv: ${DIR_FORMS}/%s.csv' (where "
                    "submissions are appended)",
                    p->id);
    if (!(f->target = path_key(c, p, k)))
        return -1;
    if (!ds_ends_with(f->target, ".csv"))
        return fail(c, k->line, p, "target_csv: '%s' must name a .csv file", f->target);
    if (!p->text)
        return fail(c, p->line, p,
                    "sql_relation_query is missing; end the block with 'sql_relation_query: |' "
                    "and the SELECT whose rows a submission appends");
    f->sql = ds_strdup(p->text);
    f->sql_line = p->text_line;
    if ((k = kv(p, "inputs"))) {
        const char *why = NULL;
        if (ds_form_parse_list(k->value, true, &f->inputs, &f->n_inputs, &why) != 0)
            return fail(c, k->line, p, "inputs: %s", why);
        for (size_t i = 0; i < f->n_inputs; i++)
            if (!ds_page_is_id(f->inputs[i]))
                return fail(c, k->line, p,
                            "inputs: '%s' is not an input name (letters, digits and _)",
                            f->inputs[i]);
    }
    if ((k = kv(p, "image_field"))) {
        if (!ds_page_is_id(k->value))
            return fail(c, k->line, p,
                        "image_field: '%s' must be a column name (letters, digits and _)",
                        k->value);
        f->image_field = ds_strdup(k->value);
    }
    if ((k = kv(p, "image_dir"))) {
        if (!f->image_field)
            return fail(c, k->line, p, "image_dir is set but image_field is not; add "
                                       "image_field (the column that records the image's path)");
        if (!(f->image_dir = path_key(c, p, k)))
            return -1;
    } else if (f->image_field) {
        f->image_dir = ds_path_dirname(f->target);
    }
    if ((k = kv(p, "auth_required"))) {
        if (strcmp(k->value, "true") != 0 && strcmp(k->value, "false") != 0)
            return fail(c, k->line, p, "auth_required: '%s' is not one of true, false",
                        k->value);
        f->auth_required = strcmp(k->value, "true") == 0;
    }
    if ((k = kv(p, "allowed_email_domains"))) {
        const char *why = NULL;
        ds_form_parse_list(k->value, false, &f->domains, &f->n_domains, &why);
        for (size_t i = 0; i < f->n_domains; i++) {
            char *d = f->domains[i];
            if (*d == '@')
                memmove(d, d + 1, strlen(d));
            for (char *q = d; *q; q++)
                *q = (char)tolower((unsigned char)*q);
            if (!*d || strchr(d, '@') || !strchr(d, '.'))
                return fail(c, k->line, p,
                            "allowed_email_domains: '%s' is not a domain (write e.g. "
                            "example.com, @example.org)",
                            f->domains[i]);
        }
        if (!f->n_domains)
            return fail(c, k->line, p, "allowed_email_domains is empty; list domains or "
                                       "remove the key");
    }
    if ((k = kv(p, "max_rows_per_user"))) {
        char *end;
        errno = 0;
        long long n = strtoll(k->value, &end, 10);
        if (!*k->value || *end || errno || n < 1 || !isdigit((unsigned char)k->value[0]))
            return fail(c, k->line, p, "max_rows_per_user: '%s' is not a whole number of 1 "
                                       "or more",
                        k->value);
        f->max_rows_per_user = n;
    }
    ph_ctx x = {c, p, f, NULL, ds_xcalloc(f->n_inputs + 1, sizeof(bool))};
    char *bad = NULL;
    char *filled = ds_sql_fill_inputs(f->sql, check_placeholder, &x, &bad);
    free(filled);
    int rc = 0;
    if (bad)
        rc = fail(c, p->text_line, p, "sql_relation_query: %s", bad);
    else if (x.unknown)
        rc = fail(c, p->text_line, p,
                  "sql_relation_query: ${inputs.%s} names no input of this page and is not in "
                  "the form's inputs; add an ```input %s block or list it in inputs:",
                  x.unknown, x.unknown);
    for (size_t i = 0; i < f->n_inputs && rc == 0; i++)
        if (!x.used[i])
            rc = fail(c, kv(p, "inputs")->line, p,
                      "inputs: '%s' is never used as ${inputs.%s} in sql_relation_query; "
                      "remove it or use it",
                      f->inputs[i], f->inputs[i]);
    free(bad);
    free(x.unknown);
    free(x.used);
    return rc;
}

int ds_forms_collect(const char *root, const char *const *dir_names,
                     const char *const *dir_values, size_t n_dirs, const ds_form_page *pages,
                     size_t n_pages, ds_forms *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n_pages; i++) {
        ctx_t c = {root, dir_names, dir_values, n_dirs, &pages[i], err};
        for (size_t k = 0; k < pages[i].page->n_parts; k++) {
            const ds_part *p = &pages[i].page->parts[k];
            if (p->kind != DS_PART_FORM)
                continue;
            const ds_form *dup = ds_forms_find(out, p->id);
            if (dup) {
                ds_err_set(err,
                           "%s:%d: form '%s' is also defined at %s:%d; form ids are site-wide "
                           "(a submission names its form by id): rename one",
                           pages[i].display, p->line, p->id, dup->page, dup->line);
                ds_forms_free(out);
                return -1;
            }
            out->items = ds_xrealloc(out->items, (out->len + 1) * sizeof *out->items);
            if (parse_form(&c, p, &out->items[out->len]) != 0) {
                ds_form_free(&out->items[out->len]);
                ds_forms_free(out);
                return -1;
            }
            out->len++;
        }
    }
    return 0;
}

const ds_form *ds_forms_find(const ds_forms *forms, const char *id)
{
    for (size_t i = 0; i < forms->len; i++)
        if (strcmp(forms->items[i].id, id) == 0)
            return &forms->items[i];
    return NULL;
}

static json_t *names_json(char **items, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

char **ds_form_columns(const ds_form *f, char *const *query_cols, size_t n_query, size_t *n)
{
    char **out = ds_xcalloc(n_query + 3, sizeof *out);
    *n = 0;
    bool has_image = false;
    for (size_t i = 0; i < n_query; i++) {
        out[(*n)++] = ds_strdup(query_cols[i]);
        has_image = has_image || (f->image_field && strcmp(query_cols[i], f->image_field) == 0);
    }
    if (f->image_field && !has_image)
        out[(*n)++] = ds_strdup(f->image_field);
    out[(*n)++] = ds_strdup("submitted_by");
    out[(*n)++] = ds_strdup("submitted_at");
    return out;
}

char *ds_forms_page_json(const ds_forms *forms, const char *display)
{
    json_t *a = json_array();
    for (size_t i = 0; i < forms->len; i++) {
        const ds_form *f = &forms->items[i];
        if (strcmp(f->page, display) != 0)
            continue;
        /* What the page's queries call the target: its path under static/,
         * or null when it is not served (pages cannot read it then). */
        const char *reads = ds_starts_with(f->target, "static/") ? f->target + 7 : NULL;
        json_t *o = json_pack("{s:s, s:s, s:o, s:b, s:o}", "id", f->id, "label", f->label,
                              "inputs", names_json(f->inputs, f->n_inputs), "auth_required",
                              f->auth_required, "allowed_email_domains",
                              names_json(f->domains, f->n_domains));
        json_object_set_new(o, "image_field", f->image_field ? json_string(f->image_field)
                                                             : json_null());
        json_object_set_new(o, "max_rows_per_user",
                            f->max_rows_per_user ? json_integer(f->max_rows_per_user)
                                                 : json_null());
        json_object_set_new(o, "reads", reads ? json_string(reads) : json_null());
        json_array_append_new(a, o);
    }
    char *text = json_array_size(a) ? json_dumps(a, JSON_PRESERVE_ORDER) : NULL;
    json_decref(a);
    return text;
}

char **ds_forms_kept_paths(const ds_forms *forms, const char *root, size_t *n)
{
    char **out = ds_xcalloc(3 * forms->len + 1, sizeof *out);
    *n = 0;
    for (size_t i = 0; i < forms->len; i++) {
        out[(*n)++] = ds_path_join(root, forms->items[i].target);
        out[(*n)++] = ds_forms_lock_path(root, forms->items[i].target);
        if (forms->items[i].image_dir)
            out[(*n)++] = ds_path_join(root, forms->items[i].image_dir);
    }
    return out;
}

char *ds_forms_lock_path(const char *root, const char *target)
{
    char *path = ds_path_join(root, target);
    char *dir = ds_path_dirname(path);
    const char *slash = strrchr(path, '/');
    char *lock = ds_asprintf("%s/.%s.lock", dir, slash ? slash + 1 : path);
    free(dir);
    free(path);
    return lock;
}

int ds_forms_save(const ds_forms *forms, const char *root, ds_err *err)
{
    json_t *all = json_object();
    for (size_t i = 0; i < forms->len; i++) {
        const ds_form *f = &forms->items[i];
        json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:o, s:I, s:s, s:i}", "label",
                              f->label, "target_csv", f->target, "sql_relation_query", f->sql,
                              "inputs", names_json(f->inputs, f->n_inputs), "page", f->page,
                              "auth_required", f->auth_required, "allowed_email_domains",
                              names_json(f->domains, f->n_domains), "max_rows_per_user",
                              (json_int_t)f->max_rows_per_user, "image_field",
                              f->image_field ? f->image_field : "", "line", f->line);
        json_object_set_new(o, "image_dir", json_string(f->image_dir ? f->image_dir : ""));
        json_object_set_new(o, "sql_line", json_integer(f->sql_line));
        json_object_set_new(all, f->id, o);
    }
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "forms", all);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    int rc = ds_write_atomic_under(root, DS_FORMS_FILE, text, err);
    free(text);
    return rc;
}

static char **names_from(json_t *a, size_t *n)
{
    *n = json_array_size(a);
    char **out = *n ? ds_xcalloc(*n, sizeof *out) : NULL;
    for (size_t i = 0; i < *n; i++) {
        const char *s = json_string_value(json_array_get(a, i));
        out[i] = ds_strdup(s ? s : "");
    }
    return out;
}

static char *opt_string(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s && *s ? ds_strdup(s) : NULL;
}

int ds_forms_load(const char *path, ds_forms *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    if (!ds_exists(path))
        return 0;
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    json_t *all = json_object_get(doc, "forms");
    if (!json_is_object(all)) {
        json_decref(doc);
        return ds_err_set(err, "%s: not a forms file (%s); rebuild with `ducksite build`", path,
                          doc ? "no \"forms\" object" : je.text);
    }
    out->items = ds_xcalloc(json_object_size(all) + 1, sizeof *out->items);
    const char *id;
    json_t *o;
    json_object_foreach(all, id, o) {
        ds_form *f = &out->items[out->len];
        f->id = ds_strdup(id);
        f->label = opt_string(o, "label");
        f->target = opt_string(o, "target_csv");
        f->sql = opt_string(o, "sql_relation_query");
        f->page = opt_string(o, "page");
        f->image_field = opt_string(o, "image_field");
        f->image_dir = opt_string(o, "image_dir");
        f->inputs = names_from(json_object_get(o, "inputs"), &f->n_inputs);
        f->domains = names_from(json_object_get(o, "allowed_email_domains"), &f->n_domains);
        f->auth_required = json_is_true(json_object_get(o, "auth_required"));
        f->max_rows_per_user = json_integer_value(json_object_get(o, "max_rows_per_user"));
        f->line = (int)json_integer_value(json_object_get(o, "line"));
        f->sql_line = (int)json_integer_value(json_object_get(o, "sql_line"));
        out->len++;
        if (!f->label || !f->target || !f->sql || !f->page) {
            json_decref(doc);
            ds_forms_free(out);
            return ds_err_set(err, "%s: form '%s' lacks a key; rebuild with `ducksite build`",
                              path, id);
        }
    }
    json_decref(doc);
    return 0;
}

static char **copy_names(char **items, size_t n)
{
    char **out = n ? ds_xcalloc(n, sizeof *out) : NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = ds_strdup(items[i]);
    return out;
}

void ds_form_copy(ds_form *dst, const ds_form *src)
{
    *dst = *src;
    dst->id = ds_strdup(src->id);
    dst->label = ds_strdup(src->label);
    dst->target = ds_strdup(src->target);
    dst->image_field = ds_strdup(src->image_field);
    dst->image_dir = ds_strdup(src->image_dir);
    dst->inputs = copy_names(src->inputs, src->n_inputs);
    dst->sql = ds_strdup(src->sql);
    dst->domains = copy_names(src->domains, src->n_domains);
    dst->page = ds_strdup(src->page);
}

void ds_form_free(ds_form *f)
{
    free(f->id);
    free(f->label);
    free(f->target);
    free(f->image_field);
    free(f->image_dir);
    free_names(f->inputs, f->n_inputs);
    free(f->sql);
    free_names(f->domains, f->n_domains);
    free(f->page);
    memset(f, 0, sizeof *f);
}

void ds_forms_free(ds_forms *forms)
{
    for (size_t i = 0; i < forms->len; i++)
        ds_form_free(&forms->items[i]);
    free(forms->items);
    memset(forms, 0, sizeof *forms);
}
