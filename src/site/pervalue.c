/* pervalue.c - pages per value: [name].md expanded at build time (see
 * pervalue.h). */
#include "pervalue.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../sql/compile.h"
#include "../sql/filelist.h"
#include "../sql/sources.h"
#include "../sql/sqltext.h"
#include "../util/fs.h"

char *ds_pervalue_param(const char *rel)
{
    const char *stem = strrchr(rel, '/');
    stem = stem ? stem + 1 : rel;
    size_t n = strlen(stem);
    if (n < 2 || stem[0] != '[' || stem[n - 1] != ']')
        return NULL;
    return ds_strndup(stem + 1, n - 2);
}

/* The length of "${ params.NAME }" at s (as the browser's pattern reads
 * it), 0 when s is not that. */
static size_t match_param(const char *s, const char *name)
{
    ds_placeholder_kind kind;
    const char *q;
    size_t n, len = ds_sql_placeholder(s, &kind, &q, &n);
    return len && kind == DS_PH_PARAMS && strlen(name) == n && memcmp(q, name, n) == 0 ? len
                                                                                        : 0;
}

char *ds_pervalue_substitute(const char *text, const char *name, const char *replacement)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (const char *p = text; *p;) {
        size_t n = p[0] == '$' && p[1] == '{' ? match_param(p, name) : 0;
        if (n) {
            ds_buf_puts(&b, replacement);
            p += n;
        } else {
            ds_buf_putc(&b, *p++);
        }
    }
    return b.data;
}

int ds_pervalue_slugs(char *const *values, size_t n, const char *display, int line,
                      char ***slugs, ds_err *err)
{
    char **out = ds_xcalloc(n + 1, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        out[i] = ds_slug(values[i]);
        for (size_t k = 0; k < i; k++) {
            if (strcmp(out[k], out[i]) != 0)
                continue;
            ds_err_set(err,
                       "%s:%d: the values '%s' and '%s' would both be the page %s.html; "
                       "page names keep letters, digits and _ of a value: change the values "
                       "(in values_sql) so they differ there",
                       display, line, values[k], values[i], out[i]);
            for (size_t j = 0; j <= i; j++)
                free(out[j]);
            free(out);
            return -1;
        }
    }
    *slugs = out;
    return 0;
}

/* ---- the values ----------------------------------------------------------- */

typedef struct {
    char **items;
    size_t n;
} str_list;

static void str_list_free(str_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static const char *physical(void *ctx, const char *literal)
{
    return ds_collected_physical(ctx, literal);
}

/* The query name of a page's values_sql: not a name a page query can have
 * (its page's name has a '['), and messages call it sql block 'values_sql'. */
static char *values_query_name(const ds_site_page *p)
{
    return ds_asprintf("%s/values_sql", p->rel);
}

/* Runs the compiled values query of page p; its distinct non-NULL values in
 * the query's order. */
static int run_values(const ds_site_page *p, const ds_compiled *c, const ds_collected *files,
                      ds_duck *db, str_list *out, ds_err *err)
{
    const ds_page_settings *st = &p->page.settings;
    char *full = ds_filelists_expand(files->lists, c->sql);
    char *plain = ds_sql_null_placeholders(full);
    free(full);
    char *phys = ds_sql_map_literals(plain, physical, (void *)files);
    free(plain);
    ds_rows rows;
    ds_err qerr;
    int rc = ds_duck_query(db, phys, &rows, &qerr);
    free(phys);
    if (rc != 0)
        return ds_err_set(err, "%s:%d: values_sql failed: %s", p->display, st->values_line,
                          qerr.msg);
    if (rows.cols != 1) {
        ds_err_set(err, "%s:%d: values_sql gives %zu columns; it must give one, the values of "
                        "the page's [name] (SELECT DISTINCT column FROM ...)",
                   p->display, st->values_line, rows.cols);
        ds_rows_free(&rows);
        return -1;
    }
    size_t n_null = 0;
    out->items = ds_xcalloc(rows.rows + 1, sizeof *out->items);
    for (size_t r = 0; r < rows.rows; r++) {
        const char *v = ds_rows_get(&rows, r, 0);
        bool seen = !v;
        for (size_t k = 0; v && k < out->n && !seen; k++)
            seen = strcmp(out->items[k], v) == 0;
        n_null += !v;
        if (!seen)
            out->items[out->n++] = ds_strdup(v);
    }
    ds_rows_free(&rows);
    if (n_null)
        ds_warn("%s:%d: values_sql gives a NULL value; it has no page (filter it out with "
                "WHERE ... IS NOT NULL to silence this)",
                p->display, st->values_line);
    return 0;
}

/* The key the values of page p come from, for messages. */
static const char *values_key(const ds_site_page *p)
{
    return p->page.values_sql ? "values_sql" : "values_from_source";
}

/* The limit and the warning for no values. */
static int check_count(const ds_site_page *p, str_list *out, ds_err *err)
{
    const ds_page_settings *st = &p->page.settings;
    long long max = st->max_pages >= 0 ? st->max_pages : DS_PERVALUE_MAX_PAGES_DEFAULT;
    if ((long long)out->n > max) {
        ds_err_set(err, "%s:%d: %s gives %zu values, more than the %lld pages allowed; "
                        "narrow the query or raise max_pages: in the front matter",
                   p->display, st->values_line, values_key(p), out->n, max);
        str_list_free(out);
        return -1;
    }
    if (out->n == 0)
        ds_warn("%s:%d: %s gives no values: the page makes no pages", p->display,
                st->values_line, values_key(p));
    return 0;
}

/* The template values of file source NAME's views, in their order. */
static int source_values(const ds_site_page *p, const ds_query_list *queries, str_list *out,
                         ds_err *err)
{
    const char *name = p->page.values_source;
    const char **known = ds_xcalloc(queries->len + 1, sizeof *known);
    size_t n_known = 0;
    out->items = ds_xcalloc(queries->len + 1, sizeof *out->items);
    for (size_t i = 0; i < queries->len; i++) {
        const ds_query *q = &queries->items[i];
        if (!q->source)
            continue;
        if (strcmp(q->source, name) == 0)
            out->items[out->n++] = ds_strdup(q->value);
        else if (!n_known || strcmp(known[n_known - 1], q->source) != 0)
            known[n_known++] = q->source;
    }
    int rc = 0;
    if (out->n == 0) {
        const char *best = ds_suggest(name, known, n_known);
        rc = ds_err_set(err, "%s:%d: values_from_source: '%s' is not a file source with "
                             "templated views%s%s%s",
                        p->display, p->page.settings.values_line, name,
                        best ? "; did you mean '" : n_known ? "; those with some: " : "",
                        best ? best : n_known ? known[0] : "", best ? "'?" : "");
        str_list_free(out);
    }
    free(known);
    return rc;
}

/* ---- the pages ------------------------------------------------------------ */

/* TEXT with markdown's punctuation escaped, for a value shown as text. */
static void md_escape(ds_buf *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (ispunct((unsigned char)*p))
            ds_buf_putc(b, '\\');
        ds_buf_putc(b, *p);
    }
}

static void substitute_in(char **text, const char *name, const char *replacement)
{
    if (!*text)
        return;
    char *s = ds_pervalue_substitute(*text, name, replacement);
    free(*text);
    *text = s;
}

/* One page of template text for one value. */
static int make_page(const ds_site_page *tp, const char *text, const char *name,
                     const char *folder, const char *value, const char *slug, ds_site_page *out,
                     ds_err *err)
{
    memset(out, 0, sizeof *out);
    if (ds_page_parse(text, tp->display, &out->page, err) != 0)
        return -1;
    ds_buf lit = {0}, md = {0};
    ds_sql_quote(&lit, value);
    md_escape(&md, value);
    for (size_t i = 0; i < out->page.n_parts; i++) {
        ds_part *part = &out->page.parts[i];
        if (part->kind == DS_PART_SQL || part->kind == DS_PART_FORM)
            substitute_in(&part->text, name, lit.data);
        else if (part->kind == DS_PART_PROSE)
            substitute_in(&part->text, name, md.data);
        /* A block's keys: a query id names a view (orders_${params.region}
         * is the templated view orders_<slug>, as the page's own name);
         * SQL keys get the literal, text keys the value as written. */
        for (size_t k = 0; k < part->n_kv; k++) {
            const char *key = part->kv[k].key;
            bool id = strcmp(key, "query") == 0 || strcmp(key, "data_query") == 0 ||
                      strcmp(key, "options_query") == 0 || strcmp(key, "options-query") == 0;
            size_t kl = strlen(key);
            bool sql = (kl > 5 && strcmp(key + kl - 5, "_expr") == 0) ||
                       strstr(key, "expression") || strstr(key, "template") ||
                       strcmp(key, "sql_relation_query") == 0;
            substitute_in(&part->kv[k].value, name, id ? slug : sql ? lit.data : value);
        }
        /* Format expressions are SQL too: the runtime puts them in the query. */
        for (size_t t = 0; t < part->n_formats; t++) {
            ds_format *f = &part->formats[t];
            for (size_t k = 0; k < f->n_items; k++)
                if (ds_ends_with(f->items[k].key, "_expr"))
                    substitute_in(&f->items[k].value, name, lit.data);
        }
    }
    substitute_in(&out->page.title, name, value);
    substitute_in(&out->page.description, name, value);
    ds_buf_free(&lit);
    ds_buf_free(&md);
    out->page.settings.hidden = true; /* the folder's index lists them */
    out->rel = *folder ? ds_asprintf("%s/%s", folder, slug) : ds_strdup(slug);
    out->display = ds_strdup(tp->display);
    out->title = ds_strdup(out->page.title ? out->page.title : value);
    return 0;
}

/* The list of links to a folder's pages per value, as markdown. */
static char *links_markdown(const str_list *values, char *const *slugs)
{
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (size_t i = 0; i < values->n; i++) {
        ds_buf_puts(&b, "- [");
        md_escape(&b, values->items[i]);
        ds_buf_puts(&b, "](");
        ds_buf_puts(&b, slugs[i]);
        ds_buf_puts(&b, ".html)\n");
    }
    return b.data;
}

static void add_prose(ds_page *page, char *text)
{
    page->parts = ds_xrealloc(page->parts, (page->n_parts + 1) * sizeof *page->parts);
    page->parts[page->n_parts++] = (ds_part){.kind = DS_PART_PROSE, .line = 0, .text = text};
}

static void push_page(ds_pages *pages, size_t *cap, ds_site_page p)
{
    if (pages->len == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        pages->items = ds_xrealloc(pages->items, *cap * sizeof *pages->items);
    }
    pages->items[pages->len++] = p;
}

static ds_site_page *find_page(ds_pages *pages, const char *rel)
{
    for (size_t i = 0; i < pages->len; i++)
        if (strcmp(pages->items[i].rel, rel) == 0)
            return &pages->items[i];
    return NULL;
}

/* Adds the pages per value of template page tp (not in pages) to pages,
 * and their links to the folder's index (made when there is none). */
static int expand_one(const char *root, const ds_site_page *tp, const str_list *values,
                      ds_pages *pages, size_t *cap, ds_err *err)
{
    char *name = ds_pervalue_param(tp->rel);
    const char *slash = strrchr(tp->rel, '/');
    char *folder = slash ? ds_strndup(tp->rel, (size_t)(slash - tp->rel)) : ds_strdup("");
    char **slugs = NULL;
    char *path = ds_path_join(root, tp->display);
    char *text = ds_read_file(path, NULL, err);
    free(path);
    int rc = text ? ds_pervalue_slugs(values->items, values->n, tp->display,
                                      tp->page.settings.values_line, &slugs, err)
                  : -1;
    for (size_t i = 0; rc == 0 && i < values->n; i++) {
        ds_site_page p;
        char *rel = *folder ? ds_asprintf("%s/%s", folder, slugs[i]) : ds_strdup(slugs[i]);
        const ds_site_page *other = find_page(pages, rel);
        /* The folder's index lists the pages per value: a value cannot be it. */
        if (strcmp(slugs[i], "index") == 0)
            rc = ds_err_set(err, "%s:%d: the value '%s' would be the page %s.html, the "
                                 "folder's index, which lists the pages per value; leave the "
                                 "value out (in %s) or change it",
                            tp->display, tp->page.settings.values_line, values->items[i], rel,
                            values_key(tp));
        else if (other)
            rc = ds_err_set(err, "%s:%d: the value '%s' would be the page %s.html, which %s "
                                 "already is; rename that page or change the value",
                            tp->display, tp->page.settings.values_line, values->items[i], rel,
                            other->display);
        free(rel);
        if (rc == 0 && (rc = make_page(tp, text, name, folder, values->items[i], slugs[i], &p,
                                       err)) == 0)
            push_page(pages, cap, p);
    }
    if (rc == 0) {
        char *index_rel = *folder ? ds_asprintf("%s/index", folder) : ds_strdup("index");
        ds_site_page *index = find_page(pages, index_rel);
        if (!index) {
            ds_site_page made = {0};
            made.rel = index_rel;
            made.display = ds_asprintf("%s (its folder's index)", tp->display);
            const char *stem = strrchr(folder, '/');
            made.title = ds_strdup(*folder ? stem ? stem + 1 : folder : "Index");
            made.title[0] = (char)toupper((unsigned char)made.title[0]); /* customers -> Customers */
            made.page.settings = (ds_page_settings){.prerender = -1,
                                                    .prerender_max_options = -1,
                                                    .prerender_max_bytes = -1,
                                                    .max_pages = -1};
            ds_buf h = {0};
            ds_buf_puts(&h, "# ");
            md_escape(&h, made.title);
            ds_buf_puts(&h, "\n");
            add_prose(&made.page, h.data);
            push_page(pages, cap, made);
            index = &pages->items[pages->len - 1];
        } else {
            free(index_rel);
        }
        add_prose(&index->page, links_markdown(values, slugs));
    }
    for (size_t i = 0; slugs && i < values->n; i++)
        free(slugs[i]);
    free(slugs);
    free(text);
    free(folder);
    free(name);
    return rc;
}

/* true when an input of page is called NAME (its id or param_name): its
 * ${params.NAME} belongs to the input. */
static bool input_param(const ds_page *page, const char *name, size_t n)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind != DS_PART_INPUT)
            continue;
        const ds_kv *pn = ds_part_get(p, "param_name");
        if ((strlen(p->id) == n && memcmp(p->id, name, n) == 0) ||
            (pn && strlen(pn->value) == n && memcmp(pn->value, name, n) == 0))
            return true;
    }
    return false;
}

typedef struct {
    const ds_site_page *page;
    const char *name;   /* the page's [name] */
    const char *text;   /* the sql block's text */
    int line;           /* its first line */
    ds_err *err;
} params_scan;

/* One "${" of a template's SQL: its own ${params.name} outside quotes (it
 * becomes a quoted literal), or an input's ${params.X}. */
static int check_param(void *ctx, const char *at, ds_sql_at where)
{
    const params_scan *s = ctx;
    ds_placeholder_kind kind;
    const char *q;
    size_t n, len = ds_sql_placeholder(at, &kind, &q, &n);
    if (!len || kind != DS_PH_PARAMS || where == DS_SQL_AT_COMMENT)
        return 0; /* the page check reports what is no placeholder */
    int line = s->line;
    for (const char *k = s->text; k < at; k++)
        line += *k == '\n';
    bool own = strlen(s->name) == n && memcmp(q, s->name, n) == 0;
    if (own && where != DS_SQL_AT_CODE)
        return ds_err_set(s->err, "%s:%d: '%.*s' is inside quotes, but ${params.%s} becomes a "
                                  "quoted literal ('value'); remove the quotes around it",
                          s->page->display, line, (int)len, at, s->name);
    if (own || input_param(&s->page->page, q, n))
        return 0;
    return ds_err_set(s->err, "%s:%d: ${params.%.*s} is neither this page's value "
                              "(${params.%s}) nor an input's; fix the name",
                      s->page->display, line, (int)n, q, s->name);
}

/* The first ${params.X} in TEXT that is not SQL (its line counted from
 * LINE) that is neither the page's value NAME nor an input's: a typo,
 * which would be shown as written. */
static int scan_params(const ds_site_page *p, const char *name, const char *text, int line,
                       ds_err *err)
{
    for (const char *s = text; s && *s; s++) {
        line += *s == '\n';
        if (s[0] != '$' || s[1] != '{')
            continue;
        const char *q = s + 2;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "params.", 7) != 0)
            continue;
        q += 7;
        size_t n = 0;
        while (isalnum((unsigned char)q[n]) || q[n] == '_')
            n++;
        if ((strlen(name) == n && memcmp(q, name, n) == 0) || input_param(&p->page, q, n))
            continue;
        return ds_err_set(err, "%s:%d: ${params.%.*s} is neither this page's value "
                               "(${params.%s}) nor an input's; fix the name",
                          p->display, line, (int)n, q, name);
    }
    return 0;
}

/* A ${params.X} in a template's SQL that is neither its value nor an
 * input's would reach the browser as NULL, and one in its title,
 * description, prose or a block's keys would be shown as written: a typo,
 * so an error. */
static int check_params(const ds_site_page *p, const char *name, ds_err *err)
{
    int rc = scan_params(p, name, p->page.title, 1, err);
    if (rc == 0)
        rc = scan_params(p, name, p->page.description, 1, err);
    for (size_t i = 0; i < p->page.n_parts && rc == 0; i++) {
        const ds_part *part = &p->page.parts[i];
        int line = part->text_line ? part->text_line : part->line;
        if (part->kind == DS_PART_SQL && part->text) {
            params_scan s = {p, name, part->text, line, err};
            rc = ds_sql_each_brace(part->text, check_param, &s) != 0 ? -1 : 0;
        } else if (part->text) {
            rc = scan_params(p, name, part->text, line, err);
        }
        for (size_t k = 0; k < part->n_kv && rc == 0; k++)
            rc = scan_params(p, name, part->kv[k].value, part->kv[k].line, err);
    }
    return rc;
}

/* Checks the [name] pages and the keys only they may have; counts them. */
static int check_pages(const ds_pages *pages, size_t *n_templates, ds_err *err)
{
    *n_templates = 0;
    for (size_t i = 0; i < pages->len; i++) {
        const ds_site_page *p = &pages->items[i];
        const ds_page_settings *st = &p->page.settings;
        char *name = ds_pervalue_param(p->rel);
        int rc = 0;
        if (name && !ds_page_is_id(name))
            rc = ds_err_set(err, "%s: the page name [%s] must be [name] with letters, digits "
                                 "and _ (the name is ${params.name} in its SQL)",
                            p->display, name);
        else if (name && !p->page.values_sql && !p->page.values_source)
            rc = ds_err_set(err, "%s:1: a page named [%s] is one page per value of %s; add "
                                 "front matter values_sql: SELECT DISTINCT %s FROM ... (or "
                                 "values_from_source: <templated file source>) to say where "
                                 "the values come from",
                            p->display, name, name, name);
        else if (name)
            rc = check_params(p, name, err);
        else if (st->values_line)
            rc = ds_err_set(err, "%s:%d: %s: is for pages named [name].md (one page "
                                 "per value); rename the file or remove the key",
                            p->display, st->values_line, values_key(p));
        else if (st->max_pages_line)
            rc = ds_err_set(err, "%s:%d: max_pages: is for pages named [name].md (one page "
                                 "per value); rename the file or remove the key",
                            p->display, st->max_pages_line);
        *n_templates += name != NULL;
        free(name);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static bool is_template(const ds_site_page *p)
{
    return p->page.values_sql || p->page.values_source;
}

/* Compiles the values queries beside queries (they may read any view or
 * model) and runs each: values[i] for pages->items[i] (templates only). */
static int all_values(const ds_pages *pages, const ds_query_list *queries,
                      const ds_collected *files, const ds_keyset *unreadable, ds_duck *db,
                      str_list *values, ds_err *err)
{
    ds_query_list l = {0};
    for (size_t i = 0; i < queries->len; i++) {
        const ds_query *q = &queries->items[i];
        ds_query_add(&l, q->name, q->kind, q->sql, q->file, q->line);
        l.items[l.len - 1].check_sql = q->check_sql ? ds_strdup(q->check_sql) : NULL;
        l.items[l.len - 1].text_line = q->text_line;
    }
    for (size_t i = 0; i < pages->len; i++) {
        const ds_site_page *p = &pages->items[i];
        if (!p->page.values_sql)
            continue;
        char *qname = values_query_name(p);
        ds_query_add(&l, qname, DS_KIND_PAGE_QUERY, p->page.values_sql, p->display,
                     p->page.settings.values_line);
        free(qname);
    }
    ds_compiled_list compiled = {0};
    /* Compiling validates every query again: only when a values_sql needs it. */
    int rc = l.len > queries->len ? ds_compile_all(&l, files, unreadable, db, &compiled, err) : 0;
    for (size_t i = 0; rc == 0 && i < pages->len; i++) {
        const ds_site_page *p = &pages->items[i];
        if (!p->page.values_sql)
            continue;
        char *qname = values_query_name(p);
        for (size_t k = 0; k < compiled.len; k++)
            if (strcmp(compiled.items[k].name, qname) == 0)
                rc = run_values(p, &compiled.items[k], files, db, &values[i], err);
        free(qname);
    }
    for (size_t i = 0; rc == 0 && i < pages->len; i++)
        if (pages->items[i].page.values_source)
            rc = source_values(&pages->items[i], queries, &values[i], err);
    for (size_t i = 0; rc == 0 && i < pages->len; i++)
        if (is_template(&pages->items[i]))
            rc = check_count(&pages->items[i], &values[i], err);
    ds_compiled_list_free(&compiled);
    ds_query_list_free(&l);
    return rc;
}

int ds_pervalue_expand(const char *root, ds_pages *pages, const ds_query_list *queries,
                       const ds_collected *files, const ds_keyset *unreadable, ds_duck *db,
                       ds_err *err)
{
    size_t n_templates;
    if (check_pages(pages, &n_templates, err) != 0)
        return -1;
    if (n_templates == 0)
        return 0;
    str_list *values = ds_xcalloc(pages->len + 1, sizeof *values);
    int rc = all_values(pages, queries, files, unreadable, db, values, err);
    /* The templates leave the list; what they make is appended. */
    ds_pages old = *pages;
    ds_pages kept = {ds_xcalloc(old.len + 1, sizeof *kept.items), 0};
    size_t cap = old.len + 1;
    for (size_t i = 0; i < old.len; i++)
        if (!is_template(&old.items[i]))
            kept.items[kept.len++] = old.items[i];
    for (size_t i = 0; rc == 0 && i < old.len; i++)
        if (is_template(&old.items[i]))
            rc = expand_one(root, &old.items[i], &values[i], &kept, &cap, err);
    size_t made = 0;
    for (size_t i = 0; i < old.len; i++) {
        made += values[i].n;
        str_list_free(&values[i]);
        if (is_template(&old.items[i]))
            ds_site_page_free(&old.items[i]);
    }
    free(values);
    free(old.items);
    *pages = kept;
    if (rc == 0) {
        ds_pages_sort(pages);
        ds_info("pages per value: %zu from %zu [name] pages", made, n_templates);
    }
    return rc;
}
