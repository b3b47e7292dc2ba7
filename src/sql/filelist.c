/* filelist.c - the file lists of large file-source views, moved out of
 * their SQL and published once (see filelist.h). */
#include "filelist.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../datamap/glob.h"
#include "../util/fs.h"
#include "sqltext.h"

/* ---- reading the SQL the views were written with ------------------------ */

/* The single-quoted literal at *p (its quotes doubled inside): its text,
 * *p moved past it; NULL when *p is no literal. */
static char *read_literal(const char **p)
{
    const char *s = *p;
    if (*s != '\'')
        return NULL;
    /* By runs between quotes: a lake's view lists a million of them. */
    ds_buf b = {0};
    for (s++;;) {
        const char *q = strchr(s, '\'');
        if (!q) {
            ds_buf_free(&b);
            return NULL;
        }
        ds_buf_add(&b, s, (size_t)(q - s));
        if (q[1] != '\'') {
            *p = q + 1;
            return ds_buf_take(&b);
        }
        ds_buf_putc(&b, '\'');
        s = q + 2;
    }
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

static void add_list(ds_filelists *l, const ds_query *q, size_t index, key_vec *keys, char *hive)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    ds_filelist *f = &l->items[l->len++];
    f->view = ds_strdup(q->name);
    f->index = index;
    f->name = ds_asprintf("%s/%zu", q->name, index);
    f->templated = q->kind == DS_KIND_FILE_SOURCE_TEMPLATE;
    if (!l->by_name)
        l->by_name = json_object();
    json_object_set_new(l->by_name, f->name, json_integer((json_int_t)(l->len - 1)));
    f->keys = keys->keys;
    f->n = keys->n;
    f->hive = hive;
    memset(keys, 0, sizeof *keys);
}

/* The index of VIEW's next list: how many lists end l that are VIEW's (a
 * view's lists are added one after another, while its SQL is made; a
 * count over all of l would be quadratic in a lake's templated views). */
static size_t lists_of(const ds_filelists *l, const char *view)
{
    size_t n = 0;
    while (n < l->len && strcmp(l->items[l->len - 1 - n].view, view) == 0)
        n++;
    return n;
}

void ds_filelists_put(ds_filelists *l, const char *view, bool templated,
                      const char *const *keys, size_t n, const char *hive_option, ds_buf *b)
{
    key_vec kv = {ds_xcalloc(n + 1, sizeof *kv.keys), n, n};
    for (size_t i = 0; i < n; i++)
        kv.keys[i] = ds_strdup(keys[i]);
    ds_query q = {.name = (char *)view,
                  .kind = templated ? DS_KIND_FILE_SOURCE_TEMPLATE : DS_KIND_FILE_SOURCE};
    size_t index = lists_of(l, view);
    ds_buf_printf(b, "'" DS_FILELIST_PREFIX "%s/%zu'", view, index);
    add_list(l, &q, index, &kv, hive_option ? read_hive(hive_option) : NULL);
}

/* q's SQL with its long lists replaced by placeholders (NULL: none). */
static char *extract_one(const ds_query *q, ds_filelists *out)
{
    static const char call[] = "read_parquet([";
    const char *sql = q->sql, *copied = sql, *search = sql, *at;
    ds_buf b = {0};
    size_t first = lists_of(out, q->name), index = first;
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
        add_list(out, q, index, &keys, read_hive(end));
        index++;
        copied = search = end;
    }
    if (index == first)
        return NULL;
    ds_buf_puts(&b, copied);
    return ds_buf_take(&b);
}

void ds_filelists_extract(ds_query_list *q, ds_filelists *out)
{
    for (size_t i = 0; i < q->len; i++) {
        ds_query *v = &q->items[i];
        if (v->kind != DS_KIND_FILE_SOURCE && v->kind != DS_KIND_FILE_SOURCE_TEMPLATE)
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
    json_t *at = l && l->by_name ? json_object_get(l->by_name, name) : NULL;
    return at ? &l->items[json_integer_value(at)] : NULL;
}

/* The position of VIEW's first list (its lists follow it), or l->len. */
static size_t first_of(const ds_filelists *l, const char *view)
{
    char *name = ds_asprintf("%s/0", view);
    const ds_filelist *f = ds_filelists_find(l, name);
    free(name);
    return f ? (size_t)(f - l->items) : l->len;
}

/* Whether list I is still one of the lists of the view starting at FIRST. */
static bool same_view(const ds_filelists *l, size_t first, size_t i)
{
    return i < l->len && strcmp(l->items[i].view, l->items[first].view) == 0;
}

bool ds_filelists_templated(const ds_filelists *l, const char *view)
{
    size_t first = first_of(l, view);
    return first < l->len && l->items[first].templated;
}

const char *ds_filelists_hive(const ds_filelists *l, const char *view)
{
    size_t first = first_of(l, view);
    for (size_t i = first; same_view(l, first, i); i++)
        if (l->items[i].hive)
            return l->items[i].hive;
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
    return ds_filelists_expand_with(l, sql, NULL, NULL);
}

bool ds_filelist_put_first(void *ctx, const ds_filelist *f, ds_buf *b)
{
    (void)ctx;
    if (f->n == 0)
        return false;
    ds_buf_putc(b, '[');
    ds_sql_quote(b, f->keys[0]);
    ds_buf_putc(b, ']');
    return true;
}

char *ds_filelists_expand_with(const ds_filelists *l, const char *sql, ds_filelist_put_fn put,
                               void *ctx)
{
    ds_buf b = {0};
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    while (next_placeholder(l, from, &start, &end, &f)) {
        ds_buf_add(&b, from, (size_t)(end - from) - (f ? (size_t)(end - start) : 0));
        if (f && put && put(ctx, f, &b)) {
            from = end;
            continue;
        }
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

const char **ds_filelists_views_named(const ds_filelists *l, const char *sql)
{
    const char **out = ds_xcalloc(1, sizeof *out);
    size_t n = 0;
    json_t *seen = json_object();
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    while (next_placeholder(l, from, &start, &end, &f)) {
        from = end;
        if (!f || json_object_get(seen, f->view))
            continue;
        json_object_set_new(seen, f->view, json_true());
        out = ds_xrealloc(out, (n + 2) * sizeof *out);
        out[n++] = f->view;
        out[n] = NULL;
    }
    json_decref(seen);
    return out;
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

/* ---- the files the browser keeps ------------------------------------------------ */

/* A C port of the runtime's pruning (web/src/sql.js: parseSqlValue,
 * hiveKind, comparable, compare, folderPasses, hiveFolders,
 * pruneFileList), so the build counts the files a page query would make
 * the browser read exactly as the browser will.  It must match those rules:
 * change both together (tests/unit/test_filelist.c pins them). */

typedef enum { VAL_NULL, VAL_NUM, VAL_STR, VAL_DATE, VAL_LIST } val_kind;

typedef struct sql_val {
    val_kind kind;
    char *text;            /* the number's text, the string's or date's value */
    struct sql_val *items; /* VAL_LIST */
    size_t n;
} sql_val;

static void val_free(sql_val *v)
{
    for (size_t i = 0; i < v->n; i++)
        val_free(&v->items[i]);
    free(v->items);
    free(v->text);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* /^[+-]?\d+(\.\d+)?$/ over s[0..n). */
static bool is_number(const char *s, size_t n)
{
    size_t i = n && (s[0] == '+' || s[0] == '-');
    size_t d = i;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == d)
        return false;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && is_digit(s[i]))
            i++;
        if (i == f)
            return false;
    }
    return i == n;
}

/* /^\d{4}-\d{2}-\d{2}$/ over s[0..n). */
static bool is_iso_date(const char *s, size_t n)
{
    if (n != 10)
        return false;
    for (size_t i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
            return false;
    return true;
}

/* The end of the SQL token at s[i] (the runtime's tokenize: strings,
 * E-strings, quoted names and comments are one token). */
static size_t token_end(const char *s, size_t i, size_t n)
{
    char c = s[i];
    bool e = (c == 'E' || c == 'e') && i + 1 < n && s[i + 1] == '\'';
    if (c == '\'' || e || c == '"') {
        char q = c == '"' ? '"' : '\'';
        i += e ? 2 : 1;
        while (i < n) {
            if (s[i] == q) {
                if (i + 1 < n && s[i + 1] == q) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            if (e && s[i] == '\\')
                i++;
            i++;
        }
        return n;
    }
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
        while (i < n && s[i] != '\n')
            i++;
        return i;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
        for (i += 2; i + 1 < n; i++)
            if (s[i] == '*' && s[i + 1] == '/')
                return i + 2;
        return n;
    }
    return i + 1;
}

static bool parse_value(const char *s, size_t n, sql_val *out);

/* "[a, b]" (s[0..n) inside the brackets) as a list of values. */
static bool parse_list(const char *s, size_t n, sql_val *out)
{
    *out = (sql_val){.kind = VAL_LIST};
    size_t from = 0;
    for (size_t i = 0;; ) {
        bool comma = i < n && s[i] == ',';
        if (i == n || comma) {
            bool blank = true;
            for (size_t k = from; k < i && blank; k++)
                blank = is_space(s[k]);
            if (comma || !blank) {
                out->items = ds_xrealloc(out->items, (out->n + 1) * sizeof *out->items);
                sql_val *it = &out->items[out->n];
                bool ok = parse_value(s + from, i - from, it);
                if (ok && it->kind == VAL_LIST) {
                    val_free(it);
                    ok = false;
                }
                if (!ok) {
                    val_free(out);
                    *out = (sql_val){0};
                    return false;
                }
                out->n++;
            }
            if (i == n)
                return true;
            from = ++i;
            continue;
        }
        i = token_end(s, i, n);
    }
}

/* parseSqlValue: a literal's SQL text as a value; false for anything else
 * (an expression: nothing can be pruned by it). */
static bool parse_value(const char *s, size_t n, sql_val *out)
{
    *out = (sql_val){0};
    while (n && is_space(*s))
        s++, n--;
    while (n && is_space(s[n - 1]))
        n--;
    if (n == 4 && strncasecmp(s, "null", 4) == 0) {
        out->kind = VAL_NULL;
        return true;
    }
    if (is_number(s, n)) {
        *out = (sql_val){.kind = VAL_NUM, .text = ds_strndup(s, n)};
        return true;
    }
    if (n >= 2 && s[0] == '\'' && s[n - 1] == '\'') {
        ds_buf b = {0};
        size_t i = 1;
        for (; i < n - 1; i++) {
            if (s[i] == '\'') {
                if (i + 1 >= n - 1 || s[i + 1] != '\'')
                    break;
                i++;
            }
            ds_buf_putc(&b, s[i]);
        }
        if (i == n - 1) {
            *out = (sql_val){.kind = VAL_STR, .text = ds_buf_take(&b)};
            return true;
        }
        ds_buf_free(&b);
    }
    if (n >= 4 && strncasecmp(s, "DATE", 4) == 0) {
        size_t i = 4;
        while (i < n && is_space(s[i]))
            i++;
        if (n - i == 12 && s[i] == '\'' && s[n - 1] == '\'' && is_iso_date(s + i + 1, 10)) {
            *out = (sql_val){.kind = VAL_DATE, .text = ds_strndup(s + i + 1, 10)};
            return true;
        }
    }
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
        return parse_list(s + 1, n - 2, out);
    return false;
}

typedef enum { HIVE_NONE, HIVE_NUM, HIVE_STR, HIVE_DATE } hive_kind;

/* hiveKind: how a hive column of TYPE compares. */
static hive_kind hive_kind_of(const char *type)
{
    static const char *const nums[] = {"TINYINT",  "SMALLINT",  "INTEGER", "BIGINT", "UTINYINT",
                                       "USMALLINT", "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT",
                                       "FLOAT",    "DOUBLE",    "REAL"};
    for (size_t i = 0; i < DS_ARRAY_LEN(nums); i++)
        if (strcasecmp(type, nums[i]) == 0)
            return HIVE_NUM;
    if (strncasecmp(type, "INT", 3) == 0) {
        const char *p = type + 3;
        while (is_digit(*p))
            p++;
        if (!*p)
            return HIVE_NUM;
    }
    if (strncasecmp(type, "DECIMAL", 7) == 0 || strncasecmp(type, "NUMERIC", 7) == 0)
        return strpbrk(type, "\n\r") ? HIVE_NONE : HIVE_NUM;
    if (strcasecmp(type, "VARCHAR") == 0 || strcasecmp(type, "TEXT") == 0 ||
        strcasecmp(type, "STRING") == 0)
        return HIVE_STR;
    return strcasecmp(type, "DATE") == 0 ? HIVE_DATE : HIVE_NONE;
}

/* comparable: V as its column compares it (a number's text, a string, an
 * ISO date), or NULL when it cannot be compared.  Points into v. */
static const char *comparable(hive_kind kind, const sql_val *v, size_t *len)
{
    const char *t = v->text;
    *len = t ? strlen(t) : 0;
    if (kind == HIVE_NUM) {
        if (v->kind == VAL_NUM)
            return t;
        if (v->kind != VAL_STR)
            return NULL;
        while (*len && is_space(*t))
            t++, (*len)--;
        while (*len && is_space(t[*len - 1]))
            (*len)--;
        return is_number(t, *len) ? t : NULL;
    }
    if (kind == HIVE_STR)
        return v->kind == VAL_STR ? t : NULL;
    if (kind == HIVE_DATE)
        return (v->kind == VAL_DATE || v->kind == VAL_STR) && is_iso_date(t, *len) ? t : NULL;
    return NULL;
}

/* What compare() gives for two numbers NaN lies between (Infinity -
 * Infinity): no test passes. */
#define UNORDERED 2

/* Two integer texts compared as BigInt does: any length. */
static int compare_ints(const char *a, size_t an, const char *b, size_t bn)
{
    bool aneg = *a == '-', bneg = *b == '-';
    if (*a == '+' || *a == '-')
        a++, an--;
    if (*b == '+' || *b == '-')
        b++, bn--;
    while (an > 1 && *a == '0')
        a++, an--;
    while (bn > 1 && *b == '0')
        b++, bn--;
    aneg = aneg && *a != '0';
    bneg = bneg && *b != '0';
    if (aneg != bneg)
        return aneg ? -1 : 1;
    int c = an != bn ? (an < bn ? -1 : 1) : memcmp(a, b, an);
    c = c < 0 ? -1 : c > 0;
    return aneg ? -c : c;
}

static int compare(hive_kind kind, const char *a, size_t an, const char *b, size_t bn)
{
    if (kind == HIVE_NUM) {
        if (!memchr(a, '.', an) && !memchr(b, '.', bn))
            return compare_ints(a, an, b, bn);
        char *x = ds_strndup(a, an), *y = ds_strndup(b, bn);
        double d = strtod(x, NULL) - strtod(y, NULL);
        free(x);
        free(y);
        return d < 0 ? -1 : d > 0 ? 1 : d == 0 ? 0 : UNORDERED;
    }
    /* JS compares UTF-16 code units; dates are ASCII and text is only
     * tested for equality, where bytes agree. */
    int c = strncmp(a, b, an < bn ? an : bn);
    if (c == 0 && an != bn)
        c = an < bn ? -1 : 1;
    return c < 0 ? -1 : c > 0;
}

typedef enum { TEST_EQ, TEST_LT, TEST_LE, TEST_GT, TEST_GE } cmp_test;

static bool passes(int c, cmp_test t)
{
    if (c == UNORDERED)
        return false;
    switch (t) {
    case TEST_EQ: return c == 0;
    case TEST_LT: return c < 0;
    case TEST_LE: return c <= 0;
    case TEST_GT: return c > 0;
    default: return c >= 0;
    }
}

/* one() of folderPasses: whether the folder's VALUE passes test T against
 * V; true when V cannot be compared, false for NULL. */
static bool one(hive_kind kind, const char *value, size_t vn, const sql_val *v, cmp_test t)
{
    if (!v || v->kind == VAL_NULL)
        return !v; /* a comparison with NULL is never true */
    size_t wn = 0;
    const char *w = comparable(kind, v, &wn);
    return !w || passes(compare(kind, value, vn, w, wn), t);
}

typedef struct {
    char *col;       /* lower-cased */
    hive_kind kind;
    const char *op;
    sql_val *values;
    size_t n;
} prune_cond;

/* folderPasses: whether a folder whose partition value is RAW may hold rows
 * that pass C; true whenever that is unsure. */
static bool folder_passes(const prune_cond *c, const char *raw, size_t rn)
{
    if (c->kind == HIVE_NONE || memchr(raw, '%', rn) ||
        (rn == 26 && memcmp(raw, "__HIVE_DEFAULT_PARTITION__", 26) == 0))
        return true;
    if (c->kind == HIVE_NUM ? !is_number(raw, rn)
                            : c->kind == HIVE_DATE && !is_iso_date(raw, rn))
        return true;
    if (strcmp(c->op, "=") == 0 || strcmp(c->op, "in") == 0) {
        for (size_t i = 0; i < c->n; i++) {
            const sql_val *v = &c->values[i];
            size_t m = v->kind == VAL_LIST ? v->n : 1;
            for (size_t k = 0; k < m; k++)
                if (one(c->kind, raw, rn, v->kind == VAL_LIST ? &v->items[k] : v, TEST_EQ))
                    return true;
        }
        return false;
    }
    if (c->kind == HIVE_STR)
        return true; /* text order differs between engines and JS */
    static const struct {
        const char *op;
        cmp_test t;
    } tests[] = {{"<", TEST_LT}, {"<=", TEST_LE}, {">", TEST_GT}, {">=", TEST_GE}};
    for (size_t i = 0; i < DS_ARRAY_LEN(tests); i++)
        if (strcmp(c->op, tests[i].op) == 0)
            return one(c->kind, raw, rn, &c->values[0], tests[i].t);
    if (strcmp(c->op, "between") == 0)
        return one(c->kind, raw, rn, &c->values[0], TEST_GE) &&
               one(c->kind, raw, rn, c->n > 1 ? &c->values[1] : NULL, TEST_LE);
    return true;
}

/* The value of hive column COL in FOLDER[0..n) (name=value segments,
 * names lower-cased, the last one wins), or NULL. */
static const char *hive_value(const char *folder, size_t n, const char *col, size_t *len)
{
    const char *found = NULL;
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && folder[end] != '/')
            end++;
        const char *eq = memchr(folder + i, '=', end - i);
        if (eq && eq > folder + i && (size_t)(eq - folder - i) == strlen(col) &&
            strncasecmp(folder + i, col, strlen(col)) == 0) {
            found = eq + 1;
            *len = (size_t)(folder + end - found);
        }
        i = end + 1;
    }
    return found;
}

/* Whether hive column COL has more than one value among the folders of
 * the keys of the view's lists starting at FIRST (keys without the folder
 * are passed over, as web/src/sql.js varyingHiveColumns does). */
static bool column_varies(const ds_filelist *items, size_t n, const char *col)
{
    const char *seen = NULL;
    size_t seen_len = 0;
    for (size_t i = 0; i < n; i++) {
        const ds_filelist *f = &items[i];
        for (size_t k = 0; k < f->n; k++) {
            const char *slash = strrchr(f->keys[k], '/');
            size_t len = 0;
            const char *v =
                slash ? hive_value(f->keys[k], (size_t)(slash - f->keys[k]), col, &len) : NULL;
            if (!v)
                continue;
            if (!seen) {
                seen = v;
                seen_len = len;
            } else if (len != seen_len || memcmp(v, seen, len) != 0) {
                return true;
            }
        }
    }
    return false;
}

/* The hive columns of HIVE (types as JSON) whose values differ among the
 * N lists ITEMS, else all of them; NULL without hive types. */
static char *hive_columns(const ds_filelist *items, size_t n, const char *hive)
{
    json_t *types = hive ? json_loads(hive, 0, NULL) : NULL;
    if (!types)
        return NULL;
    ds_buf all = {0}, varying = {0};
    const char *col;
    json_t *type;
    json_object_foreach(types, col, type) {
        ds_buf_printf(&all, "%s%s", all.len ? ", " : "", col);
        if (column_varies(items, n, col))
            ds_buf_printf(&varying, "%s%s", varying.len ? ", " : "", col);
    }
    json_decref(types);
    if (!varying.len)
        return ds_buf_take(&all);
    ds_buf_free(&all);
    return ds_buf_take(&varying);
}

char *ds_filelists_hive_columns(const ds_filelists *l, const char *view)
{
    size_t first = first_of(l, view), n = 0;
    while (same_view(l, first, first + n))
        n++;
    return hive_columns(l->items + first, n, ds_filelists_hive(l, view));
}

char *ds_filelist_hive_columns(const ds_filelist *f)
{
    return hive_columns(f, 1, f->hive);
}

/* The conditions of CONDS the runtime uses on a list whose hive types are
 * TYPES: literal values only, on a column TYPES names. */
static prune_cond *usable_conds(json_t *conds, json_t *types, size_t *n)
{
    prune_cond *out = NULL;
    *n = 0;
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
        json_t *values = json_object_get(c, "values");
        const char *col = json_string_value(json_object_get(c, "col"));
        const char *op = json_string_value(json_object_get(c, "op"));
        const char *type = NULL, *name;
        json_t *t;
        json_object_foreach(types, name, t) {
            if (col && strcasecmp(name, col) == 0)
                type = json_string_value(t);
        }
        size_t m = json_array_size(values);
        if (!m || !type || !op)
            continue;
        sql_val *vals = ds_xcalloc(m, sizeof *vals);
        bool ok = true;
        for (size_t k = 0; k < m && ok; k++) {
            const char *s = json_string_value(json_array_get(values, k));
            ok = s && parse_value(s, strlen(s), &vals[k]);
        }
        if (!ok) {
            for (size_t k = 0; k < m; k++)
                val_free(&vals[k]);
            free(vals);
            continue;
        }
        char *lower = ds_strdup(col);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        out = ds_xrealloc(out, (*n + 1) * sizeof *out);
        out[(*n)++] = (prune_cond){lower, hive_kind_of(type ? type : ""), op, vals, m};
    }
    return out;
}

size_t ds_filelist_kept(const ds_filelist *f, const char *conds)
{
    return ds_filelist_keep(f, conds, NULL);
}

size_t ds_filelist_keep(const ds_filelist *f, const char *conds, bool *keeps)
{
    json_t *spec = conds ? json_loads(conds, 0, NULL) : NULL;
    json_t *types = f->hive ? json_loads(f->hive, 0, NULL) : NULL;
    size_t n_conds;
    prune_cond *cs = usable_conds(spec, types, &n_conds);
    size_t kept = 0;
    /* Keys come in runs of one folder: the answer is the same for a run. */
    const char *dir = NULL;
    size_t dir_len = 0;
    bool keep = true;
    for (size_t k = 0; k < f->n; k++) {
        const char *key = f->keys[k], *slash = strrchr(key, '/');
        size_t len = slash ? (size_t)(slash - key) + 1 : 0;
        if (!dir || len != dir_len || strncmp(key, dir, len) != 0) {
            dir = key;
            dir_len = len;
            keep = true;
            for (size_t i = 0; i < n_conds && keep; i++) {
                size_t vn = 0;
                const char *v = hive_value(key, len, cs[i].col, &vn);
                keep = !v || folder_passes(&cs[i], v, vn);
            }
        }
        kept += keep;
        if (keeps)
            keeps[k] = keep;
    }
    for (size_t i = 0; i < n_conds; i++) {
        for (size_t k = 0; k < cs[i].n; k++)
            val_free(&cs[i].values[k]);
        free(cs[i].values);
        free(cs[i].col);
    }
    free(cs);
    json_decref(types);
    json_decref(spec);
    /* When every file is left out, the list's first is kept: the engine
     * binds the view's columns from it. */
    if (kept || !f->n)
        return kept;
    if (keeps)
        keeps[0] = true;
    return 1;
}

/* The conditions of CONDS as SQL: "year > 0 AND day IN (1, 2)". */
static char *conds_sql(json_t *conds)
{
    ds_buf b = {0};
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
        const char *col = json_string_value(json_object_get(c, "col"));
        const char *op = json_string_value(json_object_get(c, "op"));
        json_t *values = json_object_get(c, "values");
        if (!col || !op)
            continue;
        ds_buf_printf(&b, "%s%s ", b.len ? " AND " : "", col);
        bool in = strcmp(op, "in") == 0, between = strcmp(op, "between") == 0;
        ds_buf_puts(&b, in ? "IN (" : between ? "BETWEEN " : op);
        size_t k;
        json_t *v;
        json_array_foreach(values, k, v) {
            ds_buf_puts(&b, k ? (between ? " AND " : ", ") : (in || between ? "" : " "));
            ds_buf_puts(&b, json_string_value(v) ? json_string_value(v) : "?");
        }
        if (in)
            ds_buf_putc(&b, ')');
    }
    return b.len ? ds_buf_take(&b) : NULL;
}

/* Whether a value of CONDS holds a ${...} placeholder. */
static bool conds_have_placeholder(json_t *conds)
{
    size_t i, k;
    json_t *c, *v;
    json_array_foreach(conds, i, c) {
        json_array_foreach(json_object_get(c, "values"), k, v) {
            const char *s = json_string_value(v);
            if (s && strstr(s, "${"))
                return true;
        }
    }
    return false;
}

/* A view's share of what a query reads. */
typedef struct {
    const char *view;
    size_t kept, all; /* the files it gives, the files its lists hold */
} view_reads;

ds_filelist_reads ds_filelists_reads(const ds_filelists *l, const char *sql, const char *prune)
{
    json_t *spec = prune ? json_loads(prune, 0, NULL) : NULL;
    const ds_filelist **seen = NULL;
    size_t n_seen = 0;
    view_reads *views = NULL;
    size_t n_views = 0;
    ds_filelist_reads r = {0};
    const char *from = sql, *start, *end;
    const ds_filelist *f;
    while (next_placeholder(l, from, &start, &end, &f)) {
        from = end;
        json_t *conds = f ? json_object_get(spec, f->view) : NULL;
        if (!f || conds_have_placeholder(conds))
            continue; /* an input's value is not known here: taken as pruned */
        bool again = false;
        for (size_t i = 0; i < n_seen && !again; i++)
            again = seen[i] == f;
        if (again)
            continue;
        seen = ds_xrealloc(seen, (n_seen + 1) * sizeof *seen);
        seen[n_seen++] = f;
        char *text = conds ? json_dumps(conds, JSON_COMPACT) : NULL;
        size_t kept = conds ? ds_filelist_kept(f, text) : f->n;
        free(text);
        size_t v = 0;
        while (v < n_views && strcmp(views[v].view, f->view) != 0)
            v++;
        if (v == n_views) {
            views = ds_xrealloc(views, (n_views + 1) * sizeof *views);
            views[n_views++] = (view_reads){f->view, 0, 0};
        }
        views[v].kept += kept;
        views[v].all += f->n;
        r.files += kept;
    }
    for (size_t v = 0; v < n_views; v++)
        if (!r.view || views[v].kept > r.view_files) {
            r.view = views[v].view;
            r.view_files = views[v].kept;
            r.view_all = views[v].all;
        }
    if (r.view)
        r.where = conds_sql(json_object_get(spec, r.view));
    free(views);
    free(seen);
    json_decref(spec);
    return r;
}

void ds_filelist_reads_free(ds_filelist_reads *r)
{
    free(r->where);
    memset(r, 0, sizeof *r);
}

/* ---- the published document ------------------------------------------------ */

/* Written by hand, not built as a tree of JSON values: a lake's document
 * holds a million names and sizes.  The text is what jansson's compact
 * form gives (keys are UTF-8 without control characters: the build
 * refuses any other, collect.c). */
char *ds_filelists_json(const ds_filelists *l, const char *view, ds_filelist_size_fn size_of,
                        void *ctx)
{
    ds_buf b = {0};
    size_t first = first_of(l, view);
    const char *hive = ds_filelists_hive(l, view);
    ds_buf_printf(&b, "{\"hive\":%s,\"lists\":[", hive ? hive : "null");
    bool first_list = true;
    ds_buf sizes = {0};
    for (size_t i = first; same_view(l, first, i); i++) {
        const ds_filelist *f = &l->items[i];
        ds_buf_puts(&b, first_list ? "[" : ",[");
        first_list = false;
        size_t dir_len = 0;
        const char *dir = NULL;
        /* A run is [folder, [names], [sizes]]: the sizes wait in their own
         * buffer until the run's names are written. */
        for (size_t k = 0; k < f->n; k++) {
            const char *key = f->keys[k], *slash = strrchr(key, '/');
            size_t len = slash ? (size_t)(slash - key) + 1 : 0;
            bool new_run = !dir || len != dir_len || strncmp(key, dir, len) != 0;
            if (new_run) {
                if (dir) {
                    ds_buf_puts(&b, "],[");
                    ds_buf_add(&b, sizes.data, sizes.len);
                    ds_buf_puts(&b, "]],");
                }
                sizes.len = 0;
                char *folder = ds_strndup(key, len);
                ds_buf_putc(&b, '[');
                ds_buf_json_string(&b, folder);
                ds_buf_puts(&b, ",[");
                free(folder);
                dir = key;
                dir_len = len;
            } else {
                ds_buf_putc(&b, ',');
                ds_buf_putc(&sizes, ',');
            }
            ds_buf_json_string(&b, key + len);
            char size[24];
            int n = snprintf(size, sizeof size, "%lld", size_of(ctx, key));
            ds_buf_add(&sizes, size, (size_t)n);
        }
        if (dir) {
            ds_buf_puts(&b, "],[");
            ds_buf_add(&b, sizes.data, sizes.len);
            ds_buf_puts(&b, "]]");
        }
        ds_buf_putc(&b, ']');
    }
    ds_buf_free(&sizes);
    /* A templated view says so: the page then does not advise querying one. */
    ds_buf_puts(&b, ds_filelists_templated(l, view) ? "],\"templated\":true}" : "]}");
    return ds_buf_take(&b);
}

/* ---- a whole source read by its glob ----------------------------------------- */

const ds_source_set *ds_filelist_whole_source(const ds_collected *c, const ds_filelist *f)
{
    for (size_t i = 0; i < c->n_sets; i++) {
        const ds_source_set *s = &c->sets[i];
        if (!s->fs->upstream_glob || !s->fs->name || strcmp(s->fs->name, f->view) != 0 ||
            s->n_files != f->n)
            continue;
        for (size_t k = 0; k < f->n; k++)
            if (s->files[k].row_filter || strcmp(s->files[k].key, f->keys[k]) != 0)
                return NULL;
        return s;
    }
    return NULL;
}

/* Whether DB's glob() of PATTERN (physical) names exactly PATHS[0..N) in
 * that order. */
static bool glob_lists(ds_duck *db, const char *pattern, const char *const *paths, size_t n)
{
    ds_buf q = {0};
    ds_buf_puts(&q, "SELECT file FROM glob(");
    ds_sql_quote(&q, pattern);
    ds_buf_puts(&q, ")");
    ds_rows rows;
    ds_err err;
    bool same = ds_duck_query(db, q.data, &rows, &err) == 0;
    ds_buf_free(&q);
    if (same) {
        same = rows.cols == 1 && rows.rows == n;
        for (size_t k = 0; same && k < rows.rows; k++) {
            const char *got = ds_rows_get(&rows, k, 0);
            same = got && strcmp(got, paths[k]) == 0;
        }
        ds_rows_free(&rows);
    }
    return same;
}

/* S's upstream_glob as a physical pattern (a relative one joined to ROOT). */
static char *source_pattern(const char *root, const ds_source_set *s)
{
    const char *g = s->fs->upstream_glob;
    return g[0] == '/' ? ds_strdup(g) : ds_path_join(root, g);
}

char *ds_filelist_source_glob(ds_duck *db, const char *root, const ds_source_set *s)
{
    char *pattern = source_pattern(root, s);
    const char **paths = ds_xcalloc(s->n_files + 1, sizeof *paths);
    for (size_t k = 0; k < s->n_files; k++)
        paths[k] = s->files[k].path;
    bool same = glob_lists(db, pattern, paths, s->n_files);
    free(paths);
    if (!same) {
        free(pattern);
        pattern = NULL;
    }
    return pattern;
}

/* The upstream_glob source F's keys come from (data/<name>/...), or NULL. */
static const ds_source_set *glob_source_of(const ds_collected *c, const ds_filelist *f)
{
    for (size_t i = 0; f->n && i < c->n_sets; i++) {
        const ds_source_set *s = &c->sets[i];
        if (!s->fs->upstream_glob || !s->fs->name)
            continue;
        size_t n = strlen(s->fs->name);
        if (strncmp(f->keys[0], "data/", 5) == 0 && strncmp(f->keys[0] + 5, s->fs->name, n) == 0 &&
            f->keys[0][5 + n] == '/')
            return s;
    }
    return NULL;
}

char *ds_filelist_folder_glob(ds_duck *db, const char *root, const ds_collected *c,
                              const ds_filelist *f, const ds_source_set **from)
{
    const ds_source_set *s = glob_source_of(c, f);
    if (!s)
        return NULL;
    char *prefix = ds_asprintf("data/%s/", s->fs->name);
    size_t plen = strlen(prefix), common = strlen(f->keys[0]);
    for (size_t k = 0; k < f->n && common > 0; k++) {
        size_t m = 0;
        while (m < common && f->keys[k][m] == f->keys[0][m])
            m++;
        common = strncmp(f->keys[k], prefix, plen) == 0 ? m : 0;
    }
    while (common > 0 && f->keys[0][common - 1] != '/')
        common--; /* to the folder the keys share */
    /* The pattern's part from its first segment with a wildcard: only
     * "**" can stand below the shared folder for every file of it. */
    char *pattern = source_pattern(root, s);
    const char *wild = strpbrk(pattern, "*?[");
    const char *rest = wild ? wild : pattern;
    while (rest > pattern && rest[-1] != '/')
        rest--;
    ds_err ignore;
    char *base = ds_glob_base(pattern, root, &ignore);
    char *out = NULL;
    if (base && common > plen && strncmp(rest, "**/", 3) == 0) {
        out = ds_asprintf("%s/%.*s%s", base, (int)(common - plen), f->keys[0] + plen, rest);
        char **paths = ds_xcalloc(f->n + 1, sizeof *paths);
        for (size_t k = 0; k < f->n; k++)
            paths[k] = ds_asprintf("%s/%s", base, f->keys[k] + plen);
        if (!glob_lists(db, out, (const char *const *)paths, f->n)) {
            free(out);
            out = NULL;
        }
        for (size_t k = 0; k < f->n; k++)
            free(paths[k]);
        free(paths);
    }
    free(base);
    free(pattern);
    free(prefix);
    if (out && from)
        *from = s;
    return out;
}

/* ---- a published document read back ----------------------------------------- */

bool ds_filelist_from_doc(json_t *doc, const char *view, size_t index, ds_filelist *out)
{
    memset(out, 0, sizeof *out);
    json_t *runs = json_array_get(json_object_get(doc, "lists"), index);
    if (!json_is_array(runs))
        return false;
    json_t *hive = json_object_get(doc, "hive");
    out->view = ds_strdup(view);
    out->index = index;
    out->name = ds_asprintf("%s/%zu", view, index);
    out->hive = json_is_object(hive) ? json_dumps(hive, JSON_COMPACT) : NULL;
    out->templated = json_is_true(json_object_get(doc, "templated"));
    size_t i, k;
    json_t *run, *name;
    json_array_foreach(runs, i, run) {
        const char *folder = json_string_value(json_array_get(run, 0));
        json_t *names = json_array_get(run, 1);
        out->keys = ds_xrealloc(out->keys, (out->n + json_array_size(names) + 1) *
                                               sizeof *out->keys);
        json_array_foreach(names, k, name) {
            if (folder && json_string_value(name))
                out->keys[out->n++] = ds_asprintf("%s%s", folder, json_string_value(name));
        }
    }
    return true;
}

void ds_filelist_clear(ds_filelist *f)
{
    free(f->view);
    free(f->name);
    for (size_t k = 0; k < f->n; k++)
        free(f->keys[k]);
    free(f->keys);
    free(f->hive);
    memset(f, 0, sizeof *f);
}

void ds_filelists_free(ds_filelists *l)
{
    json_decref(l->by_name);
    for (size_t i = 0; i < l->len; i++)
        ds_filelist_clear(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}
