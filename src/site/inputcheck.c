/* inputcheck.c - an input's SQL keys, bound in the queries that use them
 * (see inputcheck.h). */
#include "inputcheck.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../sql/filelist.h"
#include "../sql/sqltext.h"
#include "pervalue.h"

/* The keys, each with the spelling docs/runtime.md also allows, and which
 * placeholder they fill: the input's own ${params.NAME}, or param_name's. */
static const struct {
    const char *key, *alt;
    bool param_name;
} KEYS[] = {
    {"expression_template", "expression-template", false},
    {"all_expression", "all-expression", false},
    {"param_template", "param-template", true},
};

static const char *physical(void *ctx, const char *literal)
{
    return ds_collected_physical(ctx, literal);
}

/* TEXT with each ? outside quotes read as NULL: the value is not known at
 * build time, but every name and function around it is.  A multiple
 * input's ? is a list, "(a, b)", unless written "(?)" (as expressionFor in
 * web/src/sql.js). */
static char *nulled(const char *text, bool multiple)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    char quote = 0;
    for (const char *p = text; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            ds_buf_putc(&b, *p);
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            ds_buf_putc(&b, *p);
        } else if (*p == '?') {
            bool in_parens = p > text && p[-1] == '(' && p[1] == ')';
            ds_buf_puts(&b, multiple && !in_parens ? "(NULL)" : "NULL");
        } else {
            ds_buf_putc(&b, *p);
        }
    }
    return ds_buf_take(&b);
}

/* DuckDB's message up to its excerpt of the SQL ("LINE 1: ..."), which
 * would show the query with the key spliced in. */
static char *first_part(const char *msg)
{
    const char *end = strstr(msg, "\n\nLINE ");
    if (!end)
        end = strstr(msg, "\nLINE ");
    size_t n = end ? (size_t)(end - msg) : strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    char *s = ds_strndup(msg, n);
    for (char *p = s; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return s;
}

/* Binds the compiled page query C with ${params.NAME} as FILLED. */
static int bind_in(const ds_compiled *c, const char *name, const char *filled,
                   const ds_collected *files, ds_duck *db, char **why)
{
    char *full = ds_filelists_expand(files->lists, c->sql);
    char *with = ds_pervalue_substitute(full, name, filled);
    char *plain = ds_sql_null_placeholders(with);
    char *phys = ds_sql_map_literals(plain, physical, (void *)files);
    char *sql = ds_asprintf("EXPLAIN %s", phys);
    ds_rows rows;
    ds_err err;
    int rc = ds_duck_query(db, sql, &rows, &err);
    if (rc == 0)
        ds_rows_free(&rows);
    else
        *why = first_part(err.msg);
    free(sql);
    free(phys);
    free(plain);
    free(with);
    free(full);
    return rc;
}

/* Whether TEXT holds ${params.NAME} (spaces allowed, as the runtime). */
static bool uses(const char *text, const char *name)
{
    char *probe = ds_pervalue_substitute(text, name, "");
    bool found = strcmp(probe, text) != 0;
    free(probe);
    return found;
}

/* A multiple input (multiple: or multi: true), whose value is a list. */
static bool is_multiple(const ds_part *p)
{
    const ds_kv *m = ds_part_get(p, "multiple");
    if (!m)
        m = ds_part_get(p, "multi");
    if (!m)
        return false;
    char *v = ds_sql_trim(m->value);
    bool yes = strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0;
    free(v);
    return yes;
}

/* What is wrong with the ?s of KEY's TEXT, as the runtime fills them
 * (replaceFirst in web/src/sql.js: the first ?, wherever it is, becomes
 * the value with its quotes, the rest stay; a date range fills two, its
 * start and end): NULL when nothing is. */
static const char *marks_why(const char *key, const char *text, bool range)
{
    int fills = strstr(key, "template") ? (range ? 2 : 1) : 0; /* all_expression: as written */
    int seen = 0;
    char quote = 0;
    for (const char *p = text; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            else if (*p == '?' && seen < fills)
                return "a ? the value fills is inside quotes, where the value would go in "
                       "with quotes of its own ('%'x'%'); put the ? outside them, e.g. region "
                       "LIKE '%' || ? || '%'";
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '?') {
            if (!fills)
                return "it is put in the query as written: a ? there stays a ? and the query "
                       "fails; remove it";
            if (seen == fills)
                return range ? "only its first two ?s are replaced (the range's start and "
                               "end), the others stay and the query fails"
                             : "only its first ? is replaced by the value, the others stay and "
                               "the query fails; use the value once, or ${inputs.NAME} in the "
                               "query";
            seen++;
        }
    }
    return NULL;
}

/* Whether input P is a date range (visual_mode or type). */
static bool is_range(const ds_part *p)
{
    const ds_kv *m = ds_part_get(p, "visual_mode");
    if (!m)
        m = ds_part_get(p, "visual-mode");
    if (!m)
        m = ds_part_get(p, "type");
    char *v = m ? ds_sql_trim(m->value) : NULL;
    bool yes = v && strcasecmp(v, "date_range") == 0;
    free(v);
    return yes;
}

static int check_key(const ds_site_page *sp, const ds_part *p, const ds_kv *kv,
                     const char *name, const ds_compiled_list *compiled,
                     const ds_collected *files, ds_duck *db, ds_err *err)
{
    /* A multi-select's "(?)" is filled wherever it is (expressionFor):
     * the bind below checks such a template. */
    bool any_place = is_multiple(p) && strstr(kv->value, "(?)");
    const char *why_marks = any_place ? NULL : marks_why(kv->key, kv->value, is_range(p));
    if (why_marks)
        return ds_err_set(err, "%s:%d: input '%s': %s '%s': %s", sp->display, kv->line, p->id,
                          kv->key, kv->value, why_marks);
    bool list = is_multiple(p) && strstr(kv->key, "expression") != NULL;
    char *filled = nulled(kv->value, list);
    char *prefix = ds_asprintf("%s/", sp->rel);
    size_t plen = strlen(prefix);
    int rc = 0;
    for (size_t i = 0; i < compiled->len && rc == 0; i++) {
        const ds_compiled *c = &compiled->items[i];
        if (c->kind != DS_KIND_PAGE_QUERY || strncmp(c->name, prefix, plen) != 0 ||
            strchr(c->name + plen, '/') || !uses(c->sql, name))
            continue;
        char *why = NULL;
        if (bind_in(c, name, filled, files, db, &why) != 0) {
            rc = ds_err_set(err,
                            "%s:%d: input '%s': %s '%s' fails in sql block '%s', which reads "
                            "${params.%s}: %s; fix the %s (each ? is the input's value)",
                            sp->display, kv->line, p->id, kv->key, kv->value, c->name + plen, name,
                            why, kv->key);
            free(why);
        }
    }
    free(prefix);
    free(filled);
    return rc;
}

int ds_inputcheck(const ds_pages *pages, const ds_compiled_list *compiled,
                  const ds_collected *files, ds_duck *db, ds_input_sqls *out, ds_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < pages->len && rc == 0; i++) {
        const ds_site_page *sp = &pages->items[i];
        for (size_t k = 0; k < sp->page.n_parts && rc == 0; k++) {
            const ds_part *p = &sp->page.parts[k];
            if (p->kind != DS_PART_INPUT)
                continue;
            for (size_t j = 0; j < DS_ARRAY_LEN(KEYS) && rc == 0; j++) {
                const ds_kv *kv = ds_part_get(p, KEYS[j].key);
                if (!kv)
                    kv = ds_part_get(p, KEYS[j].alt);
                const ds_kv *pn = ds_part_get(p, "param_name");
                if (!pn)
                    pn = ds_part_get(p, "param-name");
                const char *name = KEYS[j].param_name ? (pn ? pn->value : NULL) : p->id;
                if (!kv || !name || !*kv->value)
                    continue;
                rc = check_key(sp, p, kv, name, compiled, files, db, err);
                if (rc == 0 && out) {
                    out->items = ds_xrealloc(out->items, (out->len + 1) * sizeof *out->items);
                    bool list = is_multiple(p) && strstr(kv->key, "expression") != NULL;
    char *filled = nulled(kv->value, list);
                    out->items[out->len++] = (ds_input_sql){
                        ds_asprintf("input '%s': %s", p->id, kv->key), ds_strdup(sp->display),
                        kv->line, ds_asprintf("SELECT %s", filled)};
                    free(filled);
                }
            }
        }
    }
    return rc;
}

void ds_input_sqls_free(ds_input_sqls *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].label);
        free(l->items[i].file);
        free(l->items[i].sql);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}
