/* pagesql.c - the runtime's SQL text rules in C (see pagesql.h).  Each
 * function names the JavaScript function it mirrors; keep them in step. */
#include "pagesql.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../sql/sqltext.h"
#include "../util/util.h"
#include "html.h"

void ds_val_free(ds_val *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

static ds_val val_copy(const ds_val *v)
{
    ds_val out = {v->kind, ds_strdup(v->s), NULL, v->n};
    if (v->n) {
        out.items = ds_xcalloc(v->n, sizeof *out.items);
        for (size_t i = 0; i < v->n; i++)
            out.items[i] = ds_strdup(v->items[i]);
    }
    return out;
}

static ds_val val_str(const char *s)
{
    return (ds_val){DS_VAL_STR, ds_strdup(s), NULL, 0};
}

/* isEmpty(): null, '' or [] */
static bool val_empty(const ds_val *v)
{
    return v->kind == DS_VAL_NULL || (v->kind == DS_VAL_STR && !*v->s) ||
           (v->kind == DS_VAL_LIST && v->n == 0);
}

/* JavaScript's trim() blanks (those page text can hold). */
static bool js_space_c(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The first n bytes of s, trimmed. */
static char *trimmed_n(const char *s, size_t n)
{
    while (n && js_space_c(*s))
        s++, n--;
    while (n && js_space_c(s[n - 1]))
        n--;
    return ds_strndup(s, n);
}

/* ---- normalizeInput ---------------------------------------------------- */

/* pick(spec, ...keys) of sql.js: the first key present, as a string. */
static const char *pick(json_t *spec, const char *a, const char *b, const char *c)
{
    const char *keys[] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (!keys[i])
            continue;
        json_t *v = json_object_get(spec, keys[i]);
        if (json_is_string(v))
            return json_string_value(v);
    }
    return NULL;
}

static char *lower_trim(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = ds_strndup(s, n);
    for (char *p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return out;
}

static bool is_yes(const char *s)
{
    char *t = lower_trim(s ? s : "");
    bool yes = strcmp(t, "true") == 0 || strcmp(t, "yes") == 0 || strcmp(t, "1") == 0;
    free(t);
    return yes;
}

/* splitList(): comma-separated, trimmed, blanks dropped. */
ds_val ds_pagesql_split_list(const char *s)
{
    ds_val v = {DS_VAL_LIST, NULL, NULL, 0};
    if (!s)
        return v;
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && isspace((unsigned char)*p))
            p++, len--;
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len) {
            v.items = ds_xrealloc(v.items, (v.n + 1) * sizeof *v.items);
            v.items[v.n++] = ds_strndup(p, len);
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return v;
}

ds_input_spec *ds_pagesql_inputs(json_t *config, size_t *n)
{
    json_t *inputs = json_object_get(config, "inputs");
    *n = json_is_object(inputs) ? json_object_size(inputs) : 0;
    ds_input_spec *specs = ds_xcalloc(*n ? *n : 1, sizeof *specs);
    const char *name;
    json_t *spec;
    size_t i = 0;
    if (!*n)
        return specs;
    json_object_foreach(inputs, name, spec)
    {
        ds_input_spec *s = &specs[i++];
        s->name = ds_strdup(name);
        const char *mode = pick(spec, "visual_mode", "visual-mode", "type");
        s->mode = lower_trim(mode ? mode : "");
        if (!*s->mode) { /* an input without visual_mode is a dropdown */
            free(s->mode);
            s->mode = ds_strdup("dropdown");
        }
        s->multiple = is_yes(pick(spec, "multiple", "multi", NULL));
        const char *def = pick(spec, "default", NULL, NULL);
        /* normalizeInput's TYPED_DEFAULTS */
        if (!def && (strcmp(s->mode, "checkbox") == 0 || strcmp(s->mode, "toggle") == 0))
            def = "false";
        else if (!def && strcmp(s->mode, "date_range") == 0)
            def = "all";
        if (s->multiple)
            s->def = ds_pagesql_split_list(def);
        else
            s->def = def ? val_str(def) : (ds_val){0};
        s->options_query = ds_strdup(pick(spec, "options_query", "options-query", NULL));
        s->options = ds_pagesql_split_list(pick(spec, "options", NULL, NULL));
        s->value_column = ds_strdup(pick(spec, "value_column", "value-column", NULL));
        const char *tmpl = pick(spec, "expression_template", "expression-template", NULL);
        s->tmpl = tmpl && *tmpl ? ds_strdup(tmpl) : NULL;
        const char *v;
        s->all_label = ds_strdup((v = pick(spec, "all_label", "all-label", NULL)) ? v : "All");
        s->all_value = ds_strdup((v = pick(spec, "all_value", "all-value", NULL)) ? v : "");
        s->all_expression =
            ds_strdup((v = pick(spec, "all_expression", "all-expression", NULL)) ? v : "TRUE");
        s->param_name = ds_strdup(pick(spec, "param_name", "param-name", NULL));
        s->param_template = ds_strdup(pick(spec, "param_template", "param-template", NULL));
    }
    return specs;
}

void ds_pagesql_inputs_free(ds_input_spec *specs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_input_spec *s = &specs[i];
        free(s->name);
        free(s->mode);
        ds_val_free(&s->def);
        free(s->options_query);
        free(s->value_column);
        free(s->tmpl);
        free(s->all_label);
        free(s->all_value);
        free(s->all_expression);
        free(s->param_name);
        free(s->param_template);
        ds_val_free(&s->options);
    }
    free(specs);
}

/* ---- buildEnv -------------------------------------------------------------- */

static ds_val *map_get(const ds_env_map *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->names[i], name) == 0)
            return &m->vals[i];
    return NULL;
}

/* Sets name (replacing an earlier value, as a JS object does). */
static void map_set(ds_env_map *m, const char *name, ds_val v)
{
    ds_val *old = map_get(m, name);
    if (old) {
        ds_val_free(old);
        *old = v;
        return;
    }
    m->names = ds_xrealloc(m->names, (m->n + 1) * sizeof *m->names);
    m->vals = ds_xrealloc(m->vals, (m->n + 1) * sizeof *m->vals);
    m->names[m->n] = ds_strdup(name);
    m->vals[m->n++] = v;
}

static void map_free(ds_env_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->names[i]);
        ds_val_free(&m->vals[i]);
    }
    free(m->names);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* quote(): 'text' with ' doubled, the one quoting of sqltext.c (the
 * server's live queries put values in with it too). */
static void put_quoted(ds_buf *b, const char *s)
{
    ds_sql_quote(b, s);
}

/* isAll() */
static bool is_all(const ds_input_spec *in, const ds_val *v)
{
    if (val_empty(v))
        return true;
    bool dropdown = strcmp(in->mode, "dropdown") == 0 || strcmp(in->mode, "buttons") == 0;
    size_t n = v->kind == DS_VAL_LIST ? v->n : 1;
    for (size_t i = 0; i < n; i++) {
        const char *x = v->kind == DS_VAL_LIST ? v->items[i] : v->s;
        if (!*x || (*in->all_value && strcmp(x, in->all_value) == 0) ||
            (dropdown && strcmp(x, in->all_label) == 0))
            return true;
    }
    return false;
}

/* replaceFirst(): the first '?' of tmpl replaced. */
static char *replace_first(const char *tmpl, const char *with)
{
    const char *q = strchr(tmpl, '?');
    if (!q)
        return ds_strdup(tmpl);
    return ds_asprintf("%.*s%s%s", (int)(q - tmpl), tmpl, with, q + 1);
}

/* The list as 'a', 'b' */
static char *quoted_list(const ds_val *v)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (size_t i = 0; i < v->n; i++) {
        if (i)
            ds_buf_puts(&b, ", ");
        put_quoted(&b, v->items[i]);
    }
    return ds_buf_take(&b);
}

/* expressionFor() */
static char *expression_for(const ds_input_spec *in, const ds_val *v)
{
    if (is_all(in, v))
        return ds_strdup(in->all_expression);
    if (v->kind != DS_VAL_LIST) {
        ds_buf q = {0};
        put_quoted(&q, v->s);
        char *out = replace_first(in->tmpl, q.data);
        ds_buf_free(&q);
        return out;
    }
    char *list = quoted_list(v);
    char *paren = ds_asprintf("(%s)", list);
    char *out;
    const char *at = strstr(in->tmpl, "(?)");
    if (at)
        out = ds_asprintf("%.*s%s%s", (int)(at - in->tmpl), in->tmpl, paren, at + 3);
    else
        out = replace_first(in->tmpl, paren);
    free(paren);
    free(list);
    return out;
}

/* The N of left(?,N) / substr(?,1,N) / substring(?,1,N), or -1. */
static long prefix_length(const char *tmpl)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (const char *p = tmpl; *p; p++)
        if (!isspace((unsigned char)*p))
            ds_buf_putc(&b, (char)tolower((unsigned char)*p));
    const char *t = b.data, *num = NULL;
    if (strncmp(t, "left(?,", 7) == 0)
        num = t + 7;
    else if (strncmp(t, "substr(?,1,", 11) == 0)
        num = t + 11;
    else if (strncmp(t, "substring(?,1,", 14) == 0)
        num = t + 14;
    long n = -1;
    if (num && isdigit((unsigned char)*num)) {
        char *end;
        long v = strtol(num, &end, 10);
        if (strcmp(end, ")") == 0)
            n = v;
    }
    ds_buf_free(&b);
    return n;
}

/* text.slice(0, n) counting UTF-16 code units, as JavaScript does. */
static char *js_prefix(const char *s, long n)
{
    const unsigned char *p = (const unsigned char *)s;
    long units = 0;
    while (*p) {
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        int u = len == 4 ? 2 : 1;
        if (units + u > n)
            break;
        units += u;
        p += len;
    }
    return ds_strndup(s, (size_t)((const char *)p - s));
}

/* ---- typed inputs (sql.js "Typed inputs") ------------------------------- */

static bool typed_mode(const char *mode)
{
    static const char *const TYPED[] = {"date", "date_range", "slider", "checkbox", "toggle"};
    for (size_t i = 0; i < DS_ARRAY_LEN(TYPED); i++)
        if (strcmp(mode, TYPED[i]) == 0)
            return true;
    return false;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's civil-date algorithms). */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, char out[24])
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    /* Years beyond 9999 never come from a valid date plus a few days. */
    snprintf(out, 24, "%04d-%02d-%02d", (int)((y + (m <= 2)) % 100000), (int)(m % 100),
             (int)(d % 100));
}

static char *trimmed(const char *s)
{
    while (js_space_c(*s))
        s++;
    size_t n = strlen(s);
    while (n && js_space_c(s[n - 1]))
        n--;
    return ds_strndup(s, n);
}

bool ds_pagesql_valid_date(const char *s)
{
    char *t = trimmed(s ? s : "");
    int y, m, d, used = 0;
    bool ok = strlen(t) == 10 && isdigit((unsigned char)t[0]) && t[4] == '-' && t[7] == '-' &&
              strspn(t, "0123456789-") == 10 && sscanf(t, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 &&
              used == 10 && m >= 1 && m <= 12 && d >= 1;
    if (ok) {
        char back[24];
        civil_from_days(days_from_civil(y, m, d), back);
        ok = strcmp(back, t) == 0;
    }
    free(t);
    return ok;
}

bool ds_pagesql_valid_number(const char *s)
{
    char *t = trimmed(s ? s : "");
    const char *p = t + (*t == '-');
    size_t digits = strspn(p, "0123456789");
    bool ok = digits > 0;
    p += digits;
    if (ok && *p == '.') {
        size_t frac = strspn(p + 1, "0123456789");
        ok = frac > 0;
        p += 1 + frac;
    }
    ok = ok && *p == '\0';
    free(t);
    return ok;
}

static void shift_days(const char *date, long days, char out[24])
{
    int y, m, d;
    sscanf(date, "%4d-%2d-%2d", &y, &m, &d);
    civil_from_days(days_from_civil(y, m, d) + days, out);
}

/* dateRange(): start and end ("" for an open end); false when V is neither
 * a preset, all/empty nor START..END. */
static bool date_range(const char *v, const char *today, char start[24], char end[24])
{
    char *t = trimmed(v);
    bool ok = true;
    start[0] = end[0] = '\0';
    int days = 0;
    const char *dots = strstr(t, "..");
    if (!*t || strcmp(t, "all") == 0) {
        /* open at both ends */
    } else if (sscanf(t, "last_%d_days", &days) == 1 && (days == 7 || days == 30 || days == 90) &&
               strcmp(t + strlen(t) - 5, "_days") == 0 &&
               (size_t)snprintf(NULL, 0, "last_%d_days", days) == strlen(t)) {
        shift_days(today, 1 - days, start);
        snprintf(end, 24, "%s", today);
    } else if (strcmp(t, "this_month") == 0) {
        char first[24], later[24];
        snprintf(first, sizeof first, "%.8s01", today);
        shift_days(first, 31, later);
        snprintf(later + 8, 3, "01");
        snprintf(start, 24, "%s", first);
        shift_days(later, -1, end);
    } else if (strcmp(t, "this_year") == 0) {
        snprintf(start, 24, "%.4s-01-01", today);
        snprintf(end, 24, "%.4s-12-31", today);
    } else if (dots) {
        /* The regex /^(.*)\.\.(.*)$/ splits at the last "..". */
        const char *last = dots;
        for (const char *q; (q = strstr(last + 1, "..")); last = q)
            ;
        char *a = trimmed_n(t, (size_t)(last - t)), *b = trimmed(last + 2);
        ok = (!*a || ds_pagesql_valid_date(a)) && (!*b || ds_pagesql_valid_date(b));
        if (ok) {
            snprintf(start, 24, "%s", a);
            snprintf(end, 24, "%s", b);
        }
        free(a);
        free(b);
    } else {
        ok = false;
    }
    free(t);
    if (!ok)
        start[0] = end[0] = '\0';
    return ok;
}

/* Sets ${inputs.NAME} to TEXT, written in SQL as SQL (taken); a NULL
 * text is the value null. */
static void set_typed(ds_env *out, const char *name, const char *text, char *sql)
{
    map_set(&out->inputs, name, text ? val_str(text) : (ds_val){0});
    map_set(&out->typed, name, (ds_val){DS_VAL_STR, sql, NULL, 0});
}

static char *date_sql(const char *d, const char *open)
{
    return ds_asprintf("DATE '%s'", *d ? d : open);
}

/* typedEnv(): the ${inputs.*} of a typed input for value V, set in INPUTS;
 * and typedExpression(): its ${params.NAME} when it has a template. */
static void typed_env(const ds_input_spec *in, const ds_val *v, const char *today, ds_env *out)
{
    const char *raw = v->kind == DS_VAL_STR ? v->s : "";
    char *t = trimmed(raw), *expr = NULL;
    if (strcmp(in->mode, "date") == 0 || strcmp(in->mode, "slider") == 0) {
        bool date = strcmp(in->mode, "date") == 0;
        bool ok = date ? ds_pagesql_valid_date(t) : ds_pagesql_valid_number(t);
        char *sql = !ok ? ds_strdup("NULL") : date ? ds_asprintf("DATE '%s'", t) : ds_strdup(t);
        if (in->tmpl)
            expr = ok ? replace_first(in->tmpl, sql) : ds_strdup(in->all_expression);
        set_typed(out, in->name, ok ? t : NULL, sql);
    } else if (strcmp(in->mode, "date_range") != 0) { /* checkbox, toggle */
        char *l = lower_trim(raw);
        bool on = strcmp(l, "true") == 0;
        free(l);
        char *sql = ds_strdup(on ? "TRUE" : "FALSE");
        if (in->tmpl)
            expr = replace_first(in->tmpl, sql);
        set_typed(out, in->name, on ? "true" : "false", sql);
    } else {
        char start[24], end[24];
        date_range(raw, today, start, end);
        bool open = !*start && !*end;
        char *text = ds_asprintf("%s..%s", start, end);
        ds_buf q = {0};
        put_quoted(&q, text);
        free(text);
        set_typed(out, in->name, raw, open ? (ds_buf_free(&q), ds_strdup("NULL")) : ds_buf_take(&q));
        char *s_sql = date_sql(start, "-infinity"), *e_sql = date_sql(end, "infinity");
        if (in->tmpl && open) {
            expr = ds_strdup(in->all_expression);
        } else if (in->tmpl) {
            char *one = replace_first(in->tmpl, s_sql);
            expr = replace_first(one, e_sql);
            free(one);
        }
        char *k = ds_asprintf("%s_start", in->name);
        set_typed(out, k, start, s_sql);
        free(k);
        k = ds_asprintf("%s_end", in->name);
        set_typed(out, k, end, e_sql);
        free(k);
    }
    if (expr)
        map_set(&out->params, in->name, (ds_val){DS_VAL_STR, expr, NULL, 0});
    free(t);
}

void ds_pagesql_today(char day[16])
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(day, 16, "%Y-%m-%d", &tm);
}

void ds_pagesql_env(const ds_input_spec *specs, size_t n, const ds_val *values, ds_env *out)
{
    char today[16];
    ds_pagesql_today(today);
    ds_pagesql_env_at(specs, n, values, today, out);
}

void ds_pagesql_env_at(const ds_input_spec *specs, size_t n, const ds_val *values,
                       const char *today, ds_env *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        map_set(&out->inputs, specs[i].name,
                val_copy(values && values[i].kind != DS_VAL_NULL ? &values[i] : &specs[i].def));
    for (size_t i = 0; i < n; i++) {
        const ds_input_spec *in = &specs[i];
        if (typed_mode(in->mode)) {
            ds_val v = val_copy(map_get(&out->inputs, in->name));
            typed_env(in, &v, today, out);
            ds_val_free(&v);
            continue;
        }
        ds_val v = val_copy(map_get(&out->inputs, in->name));
        if (in->tmpl) {
            char *e = expression_for(in, &v);
            map_set(&out->params, in->name, (ds_val){DS_VAL_STR, e, NULL, 0});
        }
        if (in->param_name && in->param_template && !val_empty(&v)) {
            char *text, *with;
            if (v.kind == DS_VAL_LIST) {
                ds_buf b = {0};
                ds_buf_puts(&b, "");
                for (size_t k = 0; k < v.n; k++)
                    ds_buf_printf(&b, "%s%s", k ? "," : "", v.items[k]);
                text = ds_buf_take(&b);
                with = quoted_list(&v);
            } else {
                text = ds_strdup(v.s);
                ds_buf q = {0};
                put_quoted(&q, text);
                with = ds_buf_take(&q);
            }
            map_set(&out->params, in->param_name,
                    (ds_val){DS_VAL_STR, replace_first(in->param_template, with), NULL, 0});
            long len = prefix_length(in->param_template);
            if (len >= 0)
                map_set(&out->inputs, in->param_name,
                        (ds_val){DS_VAL_STR, js_prefix(text, len), NULL, 0});
            free(with);
            free(text);
        }
        ds_val_free(&v);
    }
}

void ds_pagesql_env_free(ds_env *env)
{
    map_free(&env->inputs);
    map_free(&env->params);
    map_free(&env->typed);
}

/* ---- substitute / substituteId ------------------------------------------ */

static bool js_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Matches ${ inputs.NAME } or ${ params.NAME } at p (the regex
 * PLACEHOLDER of sql.js).  Sets kind (0 inputs, 1 params), the name and
 * the length matched. */
static bool match_placeholder(const char *p, int *kind, char **name, size_t *len)
{
    ds_placeholder_kind k;
    const char *q;
    size_t n;
    *len = ds_sql_placeholder(p, &k, &q, &n);
    if (!*len)
        return false;
    *kind = k == DS_PH_INPUTS ? 0 : 1;
    *name = ds_strndup(q, n);
    return true;
}

/* sqlLiteral() */
static void put_literal(ds_buf *b, const ds_val *v)
{
    if (!v || val_empty(v)) {
        ds_buf_puts(b, "NULL");
    } else if (v->kind == DS_VAL_LIST) {
        char *list = quoted_list(v);
        ds_buf_printf(b, "[%s]", list);
        free(list);
    } else {
        put_quoted(b, v->s);
    }
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (!js_space(*s))
            return false;
    return true;
}

char *ds_pagesql_substitute(const char *sql, const ds_env *env)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (const char *p = sql; *p;) {
        int kind;
        char *name;
        size_t len;
        if (!match_placeholder(p, &kind, &name, &len)) {
            ds_buf_putc(&b, *p++);
            continue;
        }
        const ds_val *typed = kind == 0 ? map_get(&env->typed, name) : NULL;
        if (typed) {
            ds_buf_puts(&b, typed->s); /* SqlValue: its literal */
        } else if (kind == 0) {
            put_literal(&b, map_get(&env->inputs, name));
        } else {
            const ds_val *v = map_get(&env->params, name);
            if (!v || v->kind != DS_VAL_STR || blank(v->s))
                ds_buf_puts(&b, "NULL");
            else
                ds_buf_puts(&b, v->s);
        }
        free(name);
        p += len;
    }
    return ds_buf_take(&b);
}

/* substituteId(): raw text, lists comma-joined, missing = ''. */
static char *substitute_id(const char *id, const ds_env *env)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (const char *p = id; *p;) {
        int kind;
        char *name;
        size_t len;
        if (!match_placeholder(p, &kind, &name, &len)) {
            ds_buf_putc(&b, *p++);
            continue;
        }
        const ds_val *v = kind == 0 ? map_get(&env->inputs, name) : NULL;
        if (v && !val_empty(v)) {
            if (v->kind == DS_VAL_LIST)
                for (size_t k = 0; k < v->n; k++)
                    ds_buf_printf(&b, "%s%s", k ? "," : "", v->items[k]);
            else
                ds_buf_puts(&b, v->s);
        }
        free(name);
        p += len;
    }
    return ds_buf_take(&b);
}

/* resolveQuery() */
char *ds_pagesql_resolve(const char *query_id, const ds_env *env, json_t *page_queries)
{
    char *id = substitute_id(query_id, env);
    const char *s = id;
    while (js_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && js_space(s[n - 1]))
        n--;
    char *name = ds_strndup(s, n);
    free(id);
    bool global = false;
    char *plain = name;
    if (strncmp(name, "global:", 7) == 0) {
        global = true;
        plain = name + 7;
        while (js_space(*plain))
            plain++;
        size_t m = strlen(plain);
        while (m && js_space(plain[m - 1]))
            plain[--m] = '\0';
    }
    bool ok = *plain != '\0';
    for (const char *p = plain; *p; p++)
        ok = ok && name_char(*p);
    char *path = NULL;
    if (ok) {
        json_t *q = global ? NULL : json_object_get(page_queries, plain);
        const char *sql_path = pick(q, "sql_path", "path", NULL);
        if (sql_path && *sql_path) {
            path = ds_strdup(sql_path);
        } else {
            ds_buf url = {0};
            ds_html_sql_url(&url, false, plain);
            path = ds_buf_take(&url);
        }
    }
    free(name);
    return path;
}

/* ---- wrapFormat ------------------------------------------------------------- */

/* tokenize() of sql.js, reduced to what stripTerminator needs: each token's
 * end and whether it is blank space or a comment. */
typedef struct {
    size_t start, end;
    char type; /* 's' space, 'c' comment, 'o' other */
} token;

static token *tokenize(const char *sql, size_t *n)
{
    size_t len = strlen(sql), cap = 16, i = 0;
    token *t = ds_xmalloc(cap * sizeof *t);
    *n = 0;
    while (i < len) {
        size_t start = i;
        char c = sql[i], type = 'o';
        if (c == '\'' || ((c == 'E' || c == 'e') && sql[i + 1] == '\'')) {
            bool esc = c != '\'';
            i += esc ? 2 : 1;
            while (i < len) {
                if (sql[i] == '\'') {
                    if (sql[i + 1] == '\'') {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (esc && sql[i] == '\\')
                    i++;
                i++;
            }
        } else if (c == '"') {
            i++;
            while (i < len) {
                if (sql[i] == '"') {
                    if (sql[i + 1] == '"') {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                i++;
            type = 'c';
        } else if (c == '/' && sql[i + 1] == '*') {
            const char *end = strstr(sql + i + 2, "*/");
            i = end ? (size_t)(end - sql) + 2 : len;
            type = 'c';
        } else if (js_space(c)) {
            while (i < len && js_space(sql[i]))
                i++;
            type = 's';
        } else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
            while (i < len && (isalnum((unsigned char)sql[i]) || sql[i] == '_' ||
                               sql[i] == '$' || (unsigned char)sql[i] >= 0x80))
                i++;
        } else {
            i++;
        }
        if (i > len)
            i = len;
        if (*n == cap) {
            cap *= 2;
            t = ds_xrealloc(t, cap * sizeof *t);
        }
        t[(*n)++] = (token){start, i, type};
    }
    return t;
}

/* stripTerminator() */
static char *strip_terminator(const char *sql)
{
    size_t n;
    token *t = tokenize(sql, &n);
    size_t end = n;
    while (end > 0 && t[end - 1].type != 'o')
        end--;
    size_t cut = end;
    while (cut > 0 && (t[cut - 1].type != 'o' ||
                       (t[cut - 1].end - t[cut - 1].start == 1 && sql[t[cut - 1].start] == ';')))
        cut--;
    char *out;
    if (cut == end) {
        size_t len = strlen(sql);
        while (len && js_space(sql[len - 1]))
            len--;
        out = ds_strndup(sql, len);
    } else {
        out = ds_strndup(sql, cut > 0 ? t[cut - 1].end : 0);
    }
    free(t);
    return out;
}

/* safeName(): every UTF-16 code unit outside [A-Za-z0-9_] becomes '_'. */
static void put_safe_name(ds_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            ds_buf_putc(b, name_char((char)*p) ? (char)*p : '_');
            p++;
            continue;
        }
        int len = *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        ds_buf_puts(b, len == 4 ? "__" : "_");
        for (int k = 0; k < len && *p; k++)
            p++;
    }
}

/* Is key a JavaScript array index?  Object.entries lists those first. */
static bool array_index(const char *k)
{
    if (!*k || (k[0] == '0' && k[1]) || strlen(k) > 10)
        return false;
    for (const char *p = k; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return strtoull(k, NULL, 10) < 4294967295ULL;
}

static int cmp_index(const void *a, const void *b)
{
    unsigned long long x = strtoull(*(const char *const *)a, NULL, 10);
    unsigned long long y = strtoull(*(const char *const *)b, NULL, 10);
    return x < y ? -1 : x > y;
}

char *ds_pagesql_wrap_format(const char *sql, json_t *format, const char *kind)
{
    static const char *const CHART[][2] = {
        {"color_expr", "color"}, {"highlight_expr", "highlight"}, {"label_color_expr",
                                                                   "label_color"}};
    static const char *const TABLE[][2] = {
        {"bg_color_expr", "bg"}, {"fg_color_expr", "fg"}, {"highlight_expr", "hl"}};
    bool chart = strcmp(kind, "chart") == 0;
    if (!json_is_object(format) || (!chart && strcmp(kind, "table") != 0))
        return ds_strdup(sql);
    /* Object.entries order: array-index keys ascending, then the rest. */
    size_t n = json_object_size(format), k = 0, n_idx = 0;
    const char **keys = ds_xcalloc(n + 1, sizeof *keys);
    const char *key;
    json_t *spec;
    json_object_foreach(format, key, spec) if (array_index(key)) keys[n_idx++] = key;
    if (n_idx > 1)
        qsort(keys, n_idx, sizeof *keys, cmp_index);
    k = n_idx;
    json_object_foreach(format, key, spec) if (!array_index(key)) keys[k++] = key;
    ds_buf extras = {0};
    for (size_t i = 0; i < n; i++) {
        spec = json_object_get(format, keys[i]);
        if (!json_is_object(spec))
            continue;
        for (int j = 0; j < 3; j++) {
            const char *const *pair = chart ? CHART[j] : TABLE[j];
            json_t *e = json_object_get(spec, pair[0]);
            if (!json_is_string(e) || blank(json_string_value(e)))
                continue;
            ds_buf_printf(&extras, "%s(%s) AS \"__fmt_%s_", extras.len ? ", " : "",
                          json_string_value(e), chart ? "chart" : "tbl");
            put_safe_name(&extras, keys[i]);
            ds_buf_printf(&extras, "_%s\"", pair[1]);
        }
    }
    free(keys);
    if (!extras.len)
        return ds_strdup(sql);
    char *body = strip_terminator(sql);
    char *out = ds_asprintf("WITH base AS (\n%s\n)\nSELECT base.*, %s FROM base", body,
                            extras.data);
    free(body);
    ds_buf_free(&extras);
    return out;
}

/* ---- hashing and numbers -------------------------------------------------- */

void ds_pagesql_hash(const char *text, char out[17])
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* Number.prototype.toString(): the shortest digits that read back as x,
 * written plainly for exponents -7 < e < 21 and as d.ddde+N otherwise. */
void ds_pagesql_js_number(double x, char out[40])
{
    if (x == 0) {
        strcpy(out, "0");
        return;
    }
    char buf[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* buf: [-]d.ddde[+-]XX */
    bool neg = buf[0] == '-';
    const char *m = buf + neg;
    char digits[20];
    size_t k = 0;
    for (const char *p = m; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    int e = atoi(strchr(m, 'e') + 1); /* x = d.ddd * 10^e */
    int n = e + 1;                      /* x = 0.dddd * 10^n */
    ds_buf b = {0};
    if (neg)
        ds_buf_putc(&b, '-');
    if ((int)k <= n && n <= 21) {
        ds_buf_puts(&b, digits);
        for (int i = (int)k; i < n; i++)
            ds_buf_putc(&b, '0');
    } else if (0 < n && n <= 21) {
        ds_buf_add(&b, digits, (size_t)n);
        ds_buf_putc(&b, '.');
        ds_buf_puts(&b, digits + n);
    } else if (-6 < n && n <= 0) {
        ds_buf_puts(&b, "0.");
        for (int i = 0; i < -n; i++)
            ds_buf_putc(&b, '0');
        ds_buf_puts(&b, digits);
    } else {
        ds_buf_putc(&b, digits[0]);
        if (k > 1) {
            ds_buf_putc(&b, '.');
            ds_buf_puts(&b, digits + 1);
        }
        ds_buf_printf(&b, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    snprintf(out, 40, "%s", b.data);
    ds_buf_free(&b);
}

/* The default of SPEC as a title shows it (sql.js fillTitle). */
static void title_value(ds_buf *b, const ds_input_spec *in)
{
    bool choice = strcmp(in->mode, "dropdown") == 0 || strcmp(in->mode, "buttons") == 0 ||
                  strcmp(in->mode, "hidden") == 0;
    const ds_val *v = &in->def;
    bool empty = v->kind == DS_VAL_NULL || (v->kind == DS_VAL_STR && !*v->s) ||
                 (v->kind == DS_VAL_LIST && v->n == 0) ||
                 (v->kind == DS_VAL_STR && *in->all_value && strcmp(v->s, in->all_value) == 0);
    if (empty) {
        if (choice)
            ds_buf_puts(b, in->all_label);
        return;
    }
    if (v->kind == DS_VAL_STR) {
        ds_buf_puts(b, v->s);
        return;
    }
    for (size_t i = 0; i < v->n; i++)
        ds_buf_printf(b, "%s%s", i ? ", " : "", v->items[i]);
}

char *ds_pagesql_fill_title(const char *text, const ds_input_spec *specs, size_t n)
{
    ds_buf b = {0};
    const char *p = text;
    for (const char *at; (at = strstr(p, "${"));) {
        ds_buf_add(&b, p, (size_t)(at - p));
        const char *q = at + 2;
        q += strspn(q, " \t");
        const ds_input_spec *in = NULL;
        const char *end = NULL;
        if (strncmp(q, "inputs.", 7) == 0) {
            const char *name = q + 7;
            size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
            const char *close = name + len + strspn(name + len, " \t");
            if (len && *close == '}') {
                end = close + 1;
                for (size_t i = 0; i < n && !in; i++)
                    if (strlen(specs[i].name) == len && strncmp(specs[i].name, name, len) == 0)
                        in = &specs[i];
            }
        }
        const ds_input_spec *range = NULL;
        bool at_start = false;
        if (!in && end) { /* a date range's NAME_start or NAME_end: its day */
            const char *name = q + 7;
            size_t len = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
            for (size_t i = 0; i < n && !range; i++) {
                size_t k = strlen(specs[i].name);
                if (strcmp(specs[i].mode, "date_range") != 0 || k >= len ||
                    strncmp(specs[i].name, name, k) != 0)
                    continue;
                if (len - k == 6 && strncmp(name + k, "_start", 6) == 0)
                    range = &specs[i], at_start = true;
                else if (len - k == 4 && strncmp(name + k, "_end", 4) == 0)
                    range = &specs[i];
            }
        }
        if (in) {
            title_value(&b, in);
            p = end;
        } else if (range) {
            char today[16], start[24], stop[24];
            ds_pagesql_today(today);
            date_range(range->def.kind == DS_VAL_STR ? range->def.s : "", today, start, stop);
            ds_buf_puts(&b, at_start ? start : stop);
            p = end;
        } else {
            ds_buf_puts(&b, "${");
            p = at + 2;
        }
    }
    ds_buf_puts(&b, p);
    return ds_buf_take(&b);
}
