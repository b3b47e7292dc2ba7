/* filelist.c - the file lists of large file-source views, moved out of
 * their SQL and published once (see filelist.h). */
#include "filelist.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "sqltext.h"

/* ---- reading the SQL the views were written with ------------------------ */

/* The single-quoted literal at *p (its quotes doubled inside): its text,
 * *p moved past it; NULL when *p is no literal. */
static char *read_literal(const char **p)
{
    const char *s = *p;
    if (*s != '\'')
        return NULL;
    ds_buf b = {0};
    for (s++;; s++) {
        if (!*s) {
            ds_buf_free(&b);
            return NULL;
        }
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
        ds_buf_putc(&b, *s);
    }
    *p = s + 1;
    return ds_buf_take(&b);
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

typedef struct {
    char **keys;
    size_t n, cap;
} key_vec;

static void keys_free(key_vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->keys[i]);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

/* The list at p ("'a', 'b']"), p just past "["; returns the end (past
 * "]"), or NULL when it is not a plain list of literals. */
static const char *read_list(const char *p, key_vec *out)
{
    for (;;) {
        p = skip_blanks(p);
        char *lit = read_literal(&p);
        if (!lit)
            return NULL;
        if (out->n == out->cap) {
            out->cap = out->cap ? out->cap * 2 : 256;
            out->keys = ds_xrealloc(out->keys, out->cap * sizeof *out->keys);
        }
        out->keys[out->n++] = lit;
        p = skip_blanks(p);
        if (*p == ']')
            return p + 1;
        if (*p != ',')
            return NULL;
        p++;
    }
}

/* The hive_types = {...} option of the call whose arguments continue at p
 * (just past the list), as JSON text, or NULL. */
static char *read_hive(const char *p)
{
    /* The option ends the call or comes before another: look no further
     * than the call's closing parenthesis (outside quotes). */
    const char *end = p;
    while (*end && *end != ')') {
        if (*end == '\'') {
            const char *q = end;
            char *skip = read_literal(&q);
            if (!skip)
                return NULL;
            free(skip);
            end = q;
        } else {
            end++;
        }
    }
    const char *at = strstr(p, "hive_types = {");
    if (!at || at > end)
        return NULL;
    at += strlen("hive_types = {");
    json_t *o = json_object();
    for (;;) {
        at = skip_blanks(at);
        char *name = read_literal(&at);
        at = skip_blanks(at);
        char *type = NULL;
        if (name && *at == ':') {
            at = skip_blanks(at + 1);
            type = read_literal(&at);
        }
        if (!name || !type) {
            free(name);
            free(type);
            json_decref(o);
            return NULL;
        }
        json_object_set_new(o, name, json_string(type));
        free(name);
        free(type);
        at = skip_blanks(at);
        if (*at == '}')
            break;
        if (*at != ',') {
            json_decref(o);
            return NULL;
        }
        at++;
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

static void add_list(ds_filelists *l, const char *view, size_t index, key_vec *keys, char *hive)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    ds_filelist *f = &l->items[l->len++];
    f->view = ds_strdup(view);
    f->index = index;
    f->name = ds_asprintf("%s/%zu", view, index);
    f->keys = keys->keys;
    f->n = keys->n;
    f->hive = hive;
    memset(keys, 0, sizeof *keys);
}

/* q's SQL with its long lists replaced by placeholders (NULL: none). */
static char *extract_one(const ds_query *q, ds_filelists *out)
{
    static const char call[] = "read_parquet([";
    const char *sql = q->sql, *copied = sql, *search = sql, *at;
    ds_buf b = {0};
    size_t index = 0;
    while ((at = strstr(search, call))) {
        const char *list = at + strlen(call);
        key_vec keys = {0};
        const char *end = read_list(list, &keys);
        if (!end || keys.n <= DS_FILELIST_MIN) {
            keys_free(&keys);
            search = list;
            continue;
        }
        ds_buf_add(&b, copied, (size_t)(at - copied));
        ds_buf_puts(&b, "read_parquet('" DS_FILELIST_PREFIX);
        ds_buf_printf(&b, "%s/%zu'", q->name, index);
        add_list(out, q->name, index, &keys, read_hive(end));
        index++;
        copied = search = end;
    }
    if (!index)
        return NULL;
    ds_buf_puts(&b, copied);
    return ds_buf_take(&b);
}

void ds_filelists_extract(ds_query_list *q, ds_filelists *out)
{
    for (size_t i = 0; i < q->len; i++) {
        ds_query *v = &q->items[i];
        if (v->kind != DS_KIND_FILE_SOURCE)
            continue;
        char *sql = extract_one(v, out);
        if (sql) {
            free(v->sql);
            v->sql = sql;
        }
    }
}

/* ---- placeholders ----------------------------------------------------------- */

const ds_filelist *ds_filelists_find(const ds_filelists *l, const char *name)
{
    for (size_t i = 0; l && i < l->len; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

bool ds_filelists_named(const char *sql)
{
    return strstr(sql, "'" DS_FILELIST_PREFIX) != NULL;
}

/* The next placeholder of sql at or after from: its list (NULL when it
 * names none), *start at its opening quote, *end past its closing one.
 * false when there is none. */
static bool next_placeholder(const ds_filelists *l, const char *from, const char **start,
                             const char **end, const ds_filelist **list)
{
    const char *at = strstr(from, "'" DS_FILELIST_PREFIX);
    if (!at)
        return false;
    const char *name = at + 1 + strlen(DS_FILELIST_PREFIX);
    const char *close = strchr(name, '\'');
    if (!close)
        return false;
    char *n = ds_strndup(name, (size_t)(close - name));
    *list = ds_filelists_find(l, n);
    free(n);
    *start = at;
    *end = close + 1;
    return true;
}

char *ds_filelists_expand(const ds_filelists *l, const char *sql)
{
    ds_buf b = {0};
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    while (next_placeholder(l, from, &start, &end, &f)) {
        ds_buf_add(&b, from, (size_t)(end - from) - (f ? (size_t)(end - start) : 0));
        if (f) {
            ds_buf_putc(&b, '[');
            for (size_t k = 0; k < f->n; k++) {
                if (k)
                    ds_buf_puts(&b, ", ");
                ds_sql_quote(&b, f->keys[k]);
            }
            ds_buf_putc(&b, ']');
        }
        from = end;
    }
    ds_buf_puts(&b, from);
    return ds_buf_take(&b);
}

void ds_filelists_each_key(const ds_filelists *l, const char *sql, ds_filelist_key_fn fn,
                           void *ctx)
{
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    while (next_placeholder(l, from, &start, &end, &f)) {
        for (size_t k = 0; f && k < f->n; k++)
            fn(ctx, f->keys[k]);
        from = end;
    }
}

size_t ds_filelists_unpruned(const ds_filelists *l, const char *sql, const char *prune,
                             const char **view)
{
    json_t *spec = prune ? json_loads(prune, 0, NULL) : NULL;
    const ds_filelist **seen = NULL;
    size_t n_seen = 0, total = 0;
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    *view = NULL;
    while (next_placeholder(l, from, &start, &end, &f)) {
        from = end;
        if (!f || json_object_get(spec, f->view))
            continue;
        bool again = false;
        for (size_t i = 0; i < n_seen && !again; i++)
            again = seen[i] == f;
        if (again)
            continue;
        seen = ds_xrealloc(seen, (n_seen + 1) * sizeof *seen);
        seen[n_seen++] = f;
        total += f->n;
        if (!*view)
            *view = f->view;
    }
    free(seen);
    json_decref(spec);
    return total;
}

const char **ds_filelists_views(const ds_filelists *l)
{
    const char **out = ds_xcalloc(l->len + 1, sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        if (!n || strcmp(out[n - 1], l->items[i].view) != 0)
            out[n++] = l->items[i].view;
    return out;
}

/* ---- the published document ------------------------------------------------ */

char *ds_filelists_json(const ds_filelists *l, const char *view, ds_filelist_size_fn size_of,
                        void *ctx)
{
    json_t *lists = json_array(), *hive = NULL;
    for (size_t i = 0; i < l->len; i++) {
        const ds_filelist *f = &l->items[i];
        if (strcmp(f->view, view) != 0)
            continue;
        if (!hive && f->hive)
            hive = json_loads(f->hive, 0, NULL);
        json_t *runs = json_array(), *names = NULL, *sizes = NULL;
        size_t dir_len = 0;
        const char *dir = NULL;
        for (size_t k = 0; k < f->n; k++) {
            const char *key = f->keys[k], *slash = strrchr(key, '/');
            size_t len = slash ? (size_t)(slash - key) + 1 : 0;
            if (!names || len != dir_len || strncmp(key, dir, len) != 0) {
                names = json_array();
                sizes = json_array();
                json_array_append_new(runs, json_pack("[s%oo]", key, len, names, sizes));
                dir = key;
                dir_len = len;
            }
            json_array_append_new(names, json_string(key + len));
            json_array_append_new(sizes, json_integer(size_of(ctx, key)));
        }
        json_array_append_new(lists, runs);
    }
    json_t *doc = json_pack("{s:o, s:o}", "hive", hive ? hive : json_null(), "lists", lists);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

void ds_filelists_free(ds_filelists *l)
{
    for (size_t i = 0; i < l->len; i++) {
        ds_filelist *f = &l->items[i];
        free(f->view);
        free(f->name);
        for (size_t k = 0; k < f->n; k++)
            free(f->keys[k]);
        free(f->keys);
        free(f->hive);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}
