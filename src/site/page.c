/* page.c - markdown page -> ordered parts (see page.h).
 *
 * The scanner follows CommonMark's rules for fenced code blocks (a run of
 * at least three ` or ~ at the start of a line, indented at most three
 * spaces, closed by a run of the same character at least as long), so a
 * DSL block is recognised only where md4c would also see a code block.  A
 * backtick fence whose info string is "TYPE ID" with a DSL type becomes a
 * block; every other fence (```python, ```sql without an id, ~~~) stays
 * prose and its contents are never scanned for blocks. */
#include "page.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sql/sqltext.h"
#include "../util/utf8.h"
#include "inline.h"

typedef struct {
    const char *s;
    size_t len;          /* without the newline and a trailing \r */
} line_t;

typedef struct {
    line_t *items;
    size_t n;
} lines_t;

static void split_lines(const char *text, lines_t *out)
{
    size_t cap = 64;
    out->items = ds_xmalloc(cap * sizeof *out->items);
    out->n = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (out->n == cap) {
            cap *= 2;
            out->items = ds_xrealloc(out->items, cap * sizeof *out->items);
        }
        out->items[out->n++] = (line_t){p, len && p[len - 1] == '\r' ? len - 1 : len};
        p += nl ? len + 1 : len;
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return ds_strndup(s, n);
}

/* Indentation in columns; a tab advances to the next multiple of 4. */
static size_t indent_of(const line_t *l)
{
    size_t col = 0;
    for (size_t i = 0; i < l->len && is_blank(l->s[i]); i++)
        col = l->s[i] == '\t' ? (col / 4 + 1) * 4 : col + 1;
    return col;
}

static bool line_is_blank(const line_t *l)
{
    for (size_t i = 0; i < l->len; i++)
        if (!isspace((unsigned char)l->s[i]))
            return false;
    return true;
}

/* ---- fences ------------------------------------------------------------ */

typedef struct {
    char ch;             /* '`' or '~' */
    size_t len;          /* length of the run */
    const char *info;    /* info string, untrimmed */
    size_t info_len;
} fence_t;

/* An opening fence: up to three spaces, then three or more ` or ~. */
static bool open_fence(const line_t *l, fence_t *f)
{
    size_t i = 0;
    while (i < l->len && i < 4 && l->s[i] == ' ')
        i++;
    if (i == 4 || i == l->len || (l->s[i] != '`' && l->s[i] != '~'))
        return false;
    char ch = l->s[i];
    size_t start = i;
    while (i < l->len && l->s[i] == ch)
        i++;
    if (i - start < 3)
        return false;
    /* A backtick in a backtick fence's info string makes it inline code. */
    if (ch == '`' && memchr(l->s + i, '`', l->len - i))
        return false;
    *f = (fence_t){ch, i - start, l->s + i, l->len - i};
    return true;
}

static bool closes_fence(const line_t *l, const fence_t *f)
{
    size_t i = 0;
    while (i < l->len && i < 4 && l->s[i] == ' ')
        i++;
    if (i == 4)
        return false;
    size_t start = i;
    while (i < l->len && l->s[i] == f->ch)
        i++;
    if (i - start < f->len)
        return false;
    while (i < l->len && is_blank(l->s[i]))
        i++;
    return i == l->len;
}

/* The info string split into blank-separated words (at most 16). */
typedef struct {
    char *w[16];
    size_t n;
} words_t;

static void split_words(const char *s, size_t len, words_t *out)
{
    out->n = 0;
    size_t i = 0;
    while (i < len && out->n < DS_ARRAY_LEN(out->w)) {
        while (i < len && isspace((unsigned char)s[i]))
            i++;
        size_t start = i;
        while (i < len && !isspace((unsigned char)s[i]))
            i++;
        if (i > start)
            out->w[out->n++] = ds_strndup(s + start, i - start);
    }
}

static void free_words(words_t *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->w[i]);
    w->n = 0;
}

static const char *const kind_names[] = {"prose", "sql",  "echart", "table",
                                         "input", "grid", "form", "value", "kpi"};

const char *ds_part_kind_name(ds_part_kind kind)
{
    return kind_names[kind];
}

/* The DSL kind a fence type names, or DS_PART_PROSE. */
static ds_part_kind dsl_kind(const char *type)
{
    for (size_t k = DS_PART_SQL; k < DS_ARRAY_LEN(kind_names); k++)
        if (strcmp(type, kind_names[k]) == 0)
            return (ds_part_kind)k;
    return DS_PART_PROSE;
}

/* A fence "TYPE ID" whose TYPE is a block type misspelt or in other case
 * (```echarts x, ```tabel x, ```SQL x) would silently become a code block;
 * it is an error instead.  Short words (```sh x, ```xml x) are left alone:
 * they are languages more often than typos. */
static int near_miss_type(const char *display, ds_err *err, const char *type, const char *id,
                          int line)
{
    char lower[16];
    size_t n = strlen(type);
    if (n >= sizeof lower || !ds_page_is_id(id))
        return 0;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)tolower((unsigned char)type[i]);
    const char *best = dsl_kind(lower) != DS_PART_PROSE ? kind_names[dsl_kind(lower)]
                       : n >= 4 ? ds_suggest(lower, kind_names + 1, DS_ARRAY_LEN(kind_names) - 1)
                                : NULL;
    if (!best)
        return 0;
    return ds_err_set(err,
                      "%s:%d: unknown block type '%s'; did you mean '%s'? (block types: sql, "
                      "echart, table, input, grid, form, value, kpi; to show a code block, fence it with ~~~)",
                      display, line, type, best);
}

bool ds_page_is_id(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

/* ---- key/value bodies -------------------------------------------------- */

/* Drops one pair of surrounding double quotes, then (unless SQL_TEXT) one
 * of single quotes. */
static char *unquote_as(char *v, bool sql_text)
{
    for (int pass = 0; pass < (sql_text ? 1 : 2); pass++) {
        char q = pass == 0 ? '"' : '\'';
        size_t n = strlen(v);
        if (n >= 2 && v[0] == q && v[n - 1] == q) {
            memmove(v, v + 1, n - 2);
            v[n - 2] = '\0';
        }
    }
    return v;
}

static char *unquote(char *v)
{
    return unquote_as(v, false);
}

/* Whether KEY holds SQL (format expressions, an input's templates): there
 * a value in single quotes is an SQL string ('red'), kept as written. */
static bool sql_key(const char *key)
{
    static const char *const TEMPLATES[] = {"expression_template", "expression-template",
                                            "all_expression",      "all-expression",
                                            "param_template",      "param-template"};
    if (ds_ends_with(key, "_expr"))
        return true;
    for (size_t i = 0; i < DS_ARRAY_LEN(TEMPLATES); i++)
        if (strcmp(key, TEMPLATES[i]) == 0)
            return true;
    return false;
}

/* Splits "key: value" at the first ':'.  Returns false when there is none. */
static bool split_kv(const line_t *l, char **key, char **value)
{
    const char *colon = memchr(l->s, ':', l->len);
    if (!colon)
        return false;
    *key = unquote(trim_dup(l->s, (size_t)(colon - l->s)));
    *value = unquote_as(trim_dup(colon + 1, l->len - (size_t)(colon + 1 - l->s)), sql_key(*key));
    return true;
}

static const ds_kv *kv_find(const ds_kv *items, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].key, key) == 0)
            return &items[i];
    return NULL;
}

static void kv_push(ds_kv **items, size_t *n, char *key, char *value, int line)
{
    *items = ds_xrealloc(*items, (*n + 1) * sizeof **items);
    (*items)[(*n)++] = (ds_kv){key, value, line};
}

typedef struct {
    const char *display;
    ds_err *err;
} ctx_t;

/* echart, table and input bodies: "key: value" lines, '#' comments, and
 * one optional section
 *
 *     format:
 *       target:
 *         key: value
 *
 * that ends at the first line indented no deeper than "format:". */
static int parse_kv_body(const ctx_t *c, const line_t *lines, size_t n, int first_line,
                         ds_part *part)
{
    const char *what = ds_part_kind_name(part->kind);
    bool in_format = false;
    size_t format_indent = 0, target_indent = 0;
    int format_line = 0;
    for (size_t i = 0; i < n; i++) {
        const line_t *l = &lines[i];
        int line_no = first_line + (int)i;
        if (line_is_blank(l))
            continue;
        size_t ind = indent_of(l);
        char *trimmed = trim_dup(l->s, l->len);
        bool comment = trimmed[0] == '#';
        free(trimmed);
        if (comment)
            continue;
        char *key, *value;
        if (!split_kv(l, &key, &value)) {
            char *text = trim_dup(l->s, l->len);
            ds_err_set(c->err,
                       "%s:%d: %s '%s': expected 'key: value', got '%s' (values may be "
                       "quoted; lines starting with # are comments)",
                       c->display, line_no, what, part->id, text);
            free(text);
            return -1;
        }
        if (in_format && ind > format_indent) {
            bool is_target = part->n_formats == 0 || ind <= target_indent;
            if (is_target) {
                if (*value || !*key) {
                    ds_err_set(c->err,
                               "%s:%d: %s '%s': under format:, expected a target line "
                               "'column:' followed by more deeply indented 'key: value' lines",
                               c->display, line_no, what, part->id);
                    free(key);
                    free(value);
                    return -1;
                }
                free(value);
                for (size_t t = 0; t < part->n_formats; t++) {
                    if (strcmp(part->formats[t].target, key) == 0) {
                        ds_err_set(c->err,
                                   "%s:%d: %s '%s': format target '%s' is already defined at "
                                   "line %d; merge the two",
                                   c->display, line_no, what, part->id, key,
                                   part->formats[t].line);
                        free(key);
                        return -1;
                    }
                }
                part->formats = ds_xrealloc(part->formats,
                                            (part->n_formats + 1) * sizeof *part->formats);
                part->formats[part->n_formats++] = (ds_format){key, NULL, 0, line_no};
                target_indent = ind;
            } else {
                ds_format *f = &part->formats[part->n_formats - 1];
                const ds_kv *dup = kv_find(f->items, f->n_items, key);
                if (dup) {
                    ds_err_set(c->err,
                               "%s:%d: %s '%s': format key '%s' of target '%s' is already "
                               "set at line %d; keep one",
                               c->display, line_no, what, part->id, key, f->target, dup->line);
                    free(key);
                    free(value);
                    return -1;
                }
                kv_push(&f->items, &f->n_items, key, value, line_no);
            }
            continue;
        }
        in_format = false;
        if (!*key) {
            ds_err_set(c->err, "%s:%d: %s '%s': the line has no key before ':'", c->display,
                       line_no, what, part->id);
            free(key);
            free(value);
            return -1;
        }
        const ds_kv *dup = kv_find(part->kv, part->n_kv, key);
        if (strcmp(key, "format") == 0) {
            int rc = 0;
            if (*value)
                rc = ds_err_set(c->err,
                                "%s:%d: %s '%s': 'format:' takes no value; put targets on "
                                "the following lines, indented",
                                c->display, line_no, what, part->id);
            else if (format_line)
                rc = ds_err_set(c->err,
                                "%s:%d: %s '%s': 'format:' is already given at line %d; "
                                "merge the two",
                                c->display, line_no, what, part->id, format_line);
            if (rc != 0) {
                free(key);
                free(value);
                return -1;
            }
            free(key);
            free(value);
            in_format = true;
            format_indent = ind;
            format_line = line_no;
            continue;
        }
        if (dup) {
            ds_err_set(c->err, "%s:%d: %s '%s': key '%s' is already set at line %d; keep one",
                       c->display, line_no, what, part->id, key, dup->line);
            free(key);
            free(value);
            return -1;
        }
        kv_push(&part->kv, &part->n_kv, key, value, line_no);
    }
    return 0;
}

/* form bodies (docs/forms.md): "key: value" lines, '#' comments, then
 * sql_relation_query, either inline ("sql_relation_query: SELECT ...") or,
 * when nothing or "|" follows the colon, every remaining line of the block
 * (kept verbatim, trimmed as a whole). */
static int parse_form_body(const ctx_t *c, const line_t *lines, size_t n, int first_line,
                           ds_part *part)
{
    for (size_t i = 0; i < n; i++) {
        const line_t *l = &lines[i];
        int line_no = first_line + (int)i;
        char *trimmed = trim_dup(l->s, l->len);
        bool skip = !*trimmed || trimmed[0] == '#';
        free(trimmed);
        if (skip)
            continue;
        char *key, *value;
        if (!split_kv(l, &key, &value))
            return ds_err_set(c->err,
                              "%s:%d: form '%s': expected 'key: value' (or "
                              "'sql_relation_query: |' followed by the query)",
                              c->display, line_no, part->id);
        const ds_kv *dup = kv_find(part->kv, part->n_kv, key);
        if (!*key || dup) {
            if (dup)
                ds_err_set(c->err, "%s:%d: form '%s': key '%s' is already set at line %d; keep one",
                           c->display, line_no, part->id, key, dup->line);
            else
                ds_err_set(c->err, "%s:%d: form '%s': the line has no key before ':'",
                           c->display, line_no, part->id);
            free(key);
            free(value);
            return -1;
        }
        if (strcmp(key, "sql_relation_query") != 0) {
            kv_push(&part->kv, &part->n_kv, key, value, line_no);
            continue;
        }
        free(key);
        ds_buf sql = {0};
        if (*value && strcmp(value, "|") != 0) {
            /* Inline: the text after the first ':' of the line, unquoted
             * only when quoted as a whole (split_kv did that). */
            ds_buf_puts(&sql, value);
            part->text_line = line_no;
            /* Lines after an inline query would be silently ignored. */
            for (size_t k = i + 1; k < n; k++)
                if (!line_is_blank(&lines[k])) {
                    free(value);
                    ds_buf_free(&sql);
                    return ds_err_set(c->err,
                                      "%s:%d: form '%s': text after an inline "
                                      "sql_relation_query; write 'sql_relation_query: |' and "
                                      "the query on the following lines, last in the block",
                                      c->display, first_line + (int)k, part->id);
                }
        } else {
            part->text_line = line_no + 1;
            for (size_t k = i + 1; k < n && line_is_blank(&lines[k]); k++)
                part->text_line++;
            for (size_t k = i + 1; k < n; k++) {
                ds_buf_add(&sql, lines[k].s, lines[k].len);
                ds_buf_putc(&sql, '\n');
            }
        }
        free(value);
        part->text = ds_sql_trim(ds_buf_str(&sql));
        ds_buf_free(&sql);
        if (!*part->text)
            return ds_err_set(c->err,
                              "%s:%d: form '%s': sql_relation_query is empty; write the SELECT "
                              "whose rows a submission appends",
                              c->display, line_no, part->id);
        return 0;
    }
    return 0;
}

/* ---- grids ------------------------------------------------------------- */

/* A whole decimal number in [lo, hi], or -1. */
static int parse_int(const char *s, int lo, int hi)
{
    if (!*s)
        return -1;
    long v = 0;
    for (const char *p = s; *p; p++) {
        if (!isdigit((unsigned char)*p) || v > 1000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v >= lo && v <= hi ? (int)v : -1;
}

/* The gap sizes the stylesheet knows; a number is pixels (web/src/page.js
 * reads digits with an optional fraction). */
static const char *const GRID_GAPS[] = {"none", "xs", "sm", "md", "lg", "xl"};

static bool is_gap_name(const char *s)
{
    for (size_t i = 0; i < DS_ARRAY_LEN(GRID_GAPS); i++)
        if (strcmp(s, GRID_GAPS[i]) == 0)
            return true;
    return false;
}

static bool pixels(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0)
        return false;
    if (s[n] == '.' && isdigit((unsigned char)s[n + 1]))
        n += 1 + strspn(s + n + 1, "0123456789");
    return s[n] == '\0';
}

/* "```grid cols=N gap=G": each argument once, with a value the page can
 * use; anything else would silently change nothing. */
static int parse_grid_args(const ctx_t *c, const words_t *w, int line_no, ds_part *part)
{
    static const char *const ARGS[] = {"cols", "gap"};
    part->cols = 2;
    part->gap = NULL;
    bool cols_given = false;
    for (size_t i = 1; i < w->n; i++) {
        const char *tok = w->w[i], *eq = strchr(tok, '=');
        size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
        char *key = ds_strndup(tok, klen);
        const char *v = eq ? eq + 1 : NULL;
        int rc = 0;
        bool cols = strcmp(key, "cols") == 0, gap = strcmp(key, "gap") == 0;
        if (!cols && !gap) {
            const char *best = ds_suggest(key, ARGS, DS_ARRAY_LEN(ARGS));
            rc = ds_err_set(c->err,
                            "%s:%d: grid: unknown argument '%s'%s%s%s (arguments: cols=N, 1 to "
                            "12, and gap=G)",
                            c->display, line_no, tok, best ? "; did you mean '" : "",
                            best ? best : "", best ? "'?" : "");
        } else if (cols ? cols_given : part->gap != NULL) {
            rc = ds_err_set(c->err, "%s:%d: grid: %s is given twice; keep one", c->display,
                            line_no, key);
        } else if (cols) {
            cols_given = true;
            part->cols = v ? parse_int(v, 1, 12) : -1;
            if (part->cols < 0)
                rc = ds_err_set(c->err,
                                "%s:%d: grid: cols must be a whole number from 1 to 12, got "
                                "'%s' (write cols=N)",
                                c->display, line_no, v ? v : tok);
        } else if (!v || (!pixels(v) && !is_gap_name(v))) {
            const char *best = v ? ds_suggest(v, GRID_GAPS, DS_ARRAY_LEN(GRID_GAPS)) : NULL;
            bool px = v && ds_ends_with(v, "px") && strlen(v) > 2;
            rc = ds_err_set(c->err,
                            "%s:%d: grid: gap must be none, xs, sm, md, lg, xl or a number of "
                            "pixels, got '%s'%s%s%s",
                            c->display, line_no, v ? v : tok,
                            px ? "; write the number without px" : best ? "; did you mean '" : "",
                            !px && best ? best : "", !px && best ? "'?" : "");
        } else {
            part->gap = ds_strdup(v);
        }
        free(key);
        if (rc != 0)
            return rc;
    }
    if (!part->gap)
        part->gap = ds_strdup("md");
    return 0;
}

/* Rows are lines "| a | b:2 | . |"; '.' and empty cells are gaps. */
static int parse_grid_body(const ctx_t *c, const line_t *lines, size_t n, int first_line,
                           ds_part *part)
{
    for (size_t i = 0; i < n; i++) {
        int line_no = first_line + (int)i;
        char *row = trim_dup(lines[i].s, lines[i].len);
        if (!*row || row[0] == '#') {
            free(row);
            continue;
        }
        if (row[0] != '|') {
            ds_err_set(c->err,
                       "%s:%d: grid: expected a row like '| chart_id | table_id:2 |', got "
                       "'%s'",
                       c->display, line_no, row);
            free(row);
            return -1;
        }
        ds_row r = {.line = line_no};
        char *p = row + 1;
        int rc = 0;
        while (*p && rc == 0) {
            char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            char *cell = trim_dup(p, len);
            p += bar ? len + 1 : len;
            if (!*cell || strcmp(cell, ".") == 0) {
                free(cell);
                continue;
            }
            int span = 1;
            char *colon = strchr(cell, ':');
            if (colon) {
                *colon = '\0';
                char *sp = trim_dup(colon + 1, strlen(colon + 1));
                span = parse_int(sp, 1, 12);
                if (span < 0)
                    rc = ds_err_set(c->err,
                                    "%s:%d: grid: cell '%s' has span '%s'; write a whole "
                                    "number from 1 to 12 (id:span)",
                                    c->display, line_no, cell, sp);
                free(sp);
                char *id = trim_dup(cell, strlen(cell));
                free(cell);
                cell = id;
            }
            if (rc == 0 && !ds_page_is_id(cell))
                rc = ds_err_set(c->err,
                                "%s:%d: grid: cell '%s' is not a block id (letters, digits "
                                "and _ only)",
                                c->display, line_no, cell);
            /* A cell wider than the grid cannot be laid out as written. */
            if (rc == 0 && span > part->cols)
                rc = ds_err_set(c->err,
                                "%s:%d: grid: cell '%s' spans %d columns, more than the "
                                "grid's %d (cols=%d); lower the span or raise cols",
                                c->display, line_no, cell, span, part->cols, part->cols);
            if (rc != 0) {
                free(cell);
                break;
            }
            r.cells = ds_xrealloc(r.cells, (r.n_cells + 1) * sizeof *r.cells);
            r.cells[r.n_cells++] = (ds_cell){cell, span};
        }
        free(row);
        if (rc == 0 && r.n_cells) {
            part->rows = ds_xrealloc(part->rows, (part->n_rows + 1) * sizeof *part->rows);
            part->rows[part->n_rows++] = r;
            continue;
        }
        for (size_t k = 0; k < r.n_cells; k++)
            free(r.cells[k].id);
        free(r.cells);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- the page ---------------------------------------------------------- */

static ds_part *add_part(ds_page *page, ds_part_kind kind, int line)
{
    page->parts = ds_xrealloc(page->parts, (page->n_parts + 1) * sizeof *page->parts);
    ds_part *p = &page->parts[page->n_parts++];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->line = line;
    return p;
}

static int flush_prose(const ctx_t *c, ds_page *page, ds_buf *prose, int line)
{
    const char *s = ds_buf_str(prose);
    bool blank = true;
    for (const char *q = s; *q && blank; q++)
        blank = isspace((unsigned char)*q);
    if (blank) {
        ds_buf_free(prose);
        return 0;
    }
    /* Values written inside the prose (${query.column}) become value
     * parts of their own after it, so they are checked and stored like
     * ```value blocks. */
    int next = 1;
    for (size_t i = 0; i < page->n_parts; i++)
        next += page->parts[i].inline_ref;
    ds_inline_ref *refs;
    size_t n_refs;
    char *text = ds_inline_rewrite(s, line, &next, &refs, &n_refs, c->display, c->err);
    ds_buf_free(prose);
    if (!text)
        return -1;
    add_part(page, DS_PART_PROSE, line)->text = text;
    for (size_t i = 0; i < n_refs; i++) {
        ds_inline_ref *r = &refs[i];
        ds_part *p = add_part(page, DS_PART_VALUE, r->line);
        p->inline_ref = true;
        p->id = ds_asprintf("inline-%d", next - (int)n_refs + (int)i);
        kv_push(&p->kv, &p->n_kv, ds_strdup("query"), r->query, r->line);
        kv_push(&p->kv, &p->n_kv, ds_strdup("column"), r->column, r->line);
        if (r->row)
            kv_push(&p->kv, &p->n_kv, ds_strdup("row"), r->row, r->line);
        if (r->fmt)
            kv_push(&p->kv, &p->n_kv, ds_strdup("fmt"), r->fmt, r->line);
        if (r->decimals)
            kv_push(&p->kv, &p->n_kv, ds_strdup("decimals"), r->decimals, r->line);
        *r = (ds_inline_ref){0};
    }
    ds_inline_refs_free(refs, n_refs);
    return 0;
}

/* "# Title" (ATX level 1) -> "Title"; NULL for anything else. */
static char *h1_text(const line_t *l)
{
    size_t i = 0;
    while (i < l->len && i < 4 && l->s[i] == ' ')
        i++;
    if (i > 3 || i >= l->len || l->s[i] != '#')
        return NULL;
    i++;
    if (i < l->len && !is_blank(l->s[i]))
        return NULL;
    size_t end = l->len;
    while (end > i && is_blank(l->s[end - 1]))
        end--;
    /* An optional closing run of '#' preceded by a blank. */
    size_t k = end;
    while (k > i && l->s[k - 1] == '#')
        k--;
    if (k < end && (k == i || is_blank(l->s[k - 1])))
        end = k;
    char *raw = trim_dup(l->s + i, end - i);
    /* A value (${query.column}, ${inputs.x}) is known only on the page: the
     * document's title and its navigation link leave it out rather than
     * show the placeholder.  ${params.name} stays for pages per value,
     * which fill it in. */
    ds_buf b = {0};
    ds_buf_puts(&b, "");
    for (const char *p = raw; *p;) {
        const char *close = p[0] == '$' && p[1] == '{' ? strchr(p, '}') : NULL;
        const char *q = p + 2;
        while (close && (*q == ' ' || *q == '\t'))
            q++;
        if (close && strncmp(q, "params.", 7) != 0) {
            p = close + 1;
            continue;
        }
        /* One blank where a value stood between two. */
        if (!(is_blank(*p) && b.len && is_blank(b.data[b.len - 1])))
            ds_buf_putc(&b, *p);
        p++;
    }
    char *t = trim_dup(b.data, b.len);
    ds_buf_free(&b);
    free(raw);
    if (!*t) {
        free(t);
        return NULL;
    }
    return t;
}

/* Parses the block whose fence is lines[at] (body up to close, exclusive). */
static int parse_block(const ctx_t *c, ds_page *page, ds_part_kind kind, const words_t *w,
                       const lines_t *ls, size_t at, size_t close)
{
    int line_no = (int)at + 1;
    const line_t *body = &ls->items[at + 1];
    size_t n_body = close - at - 1;
    if (kind == DS_PART_GRID) {
        ds_part *p = add_part(page, kind, line_no);
        if (parse_grid_args(c, w, line_no, p) != 0)
            return -1;
        return parse_grid_body(c, body, n_body, line_no + 1, p);
    }
    const char *id = w->w[1];
    const char *what = ds_part_kind_name(kind);
    const char *noun = kind == DS_PART_INPUT ? "name" : "id";
    if (!ds_page_is_id(id))
        return ds_err_set(c->err,
                          "%s:%d: %s %s '%s' may use only letters, digits and _ "
                          "(write ```%s <%s>)",
                          c->display, line_no, what, noun, id, what, noun);
    if (w->n > 2)
        return ds_err_set(c->err,
                          "%s:%d: %s '%s': unexpected '%s' after the %s (write ```%s <%s>)",
                          c->display, line_no, what, id, w->w[2], noun, what, noun);
    const ds_part *dup = ds_page_find(page, kind, id);
    if (dup)
        return ds_err_set(c->err, "%s:%d: %s '%s' is defined twice, at lines %d and %d; "
                                  "rename one",
                          c->display, line_no, what, id, dup->line, line_no);
    ds_part *p = add_part(page, kind, line_no);
    p->id = ds_strdup(id);
    if (kind == DS_PART_FORM)
        return parse_form_body(c, body, n_body, line_no + 1, p);
    if (kind != DS_PART_SQL)
        return parse_kv_body(c, body, n_body, line_no + 1, p);
    /* Error lines inside the query count from its first non-blank line. */
    p->text_line = line_no + 1;
    for (size_t i = 0; i < n_body && line_is_blank(&body[i]); i++)
        p->text_line++;
    ds_buf sql = {0};
    for (size_t i = 0; i < n_body; i++) {
        ds_buf_add(&sql, body[i].s, body[i].len);
        ds_buf_putc(&sql, '\n');
    }
    p->text = ds_sql_trim(ds_buf_str(&sql));
    ds_buf_free(&sql);
    if (!*p->text)
        return ds_err_set(c->err,
                          "%s:%d: sql '%s' is empty; write one SELECT statement between the "
                          "fences",
                          c->display, line_no, id);
    return 0;
}

/* The line of the first byte that is not part of valid UTF-8, or 0. */
static int bad_utf8_line(const char *text)
{
    int line = 1;
    const char *p = text, *end = text + strlen(text);
    while (p < end) {
        size_t n = ds_utf8_decode(p, (size_t)(end - p), NULL);
        if (n == 0)
            return line;
        line += *p == '\n';
        p += n;
    }
    return 0;
}

static const char *const FRONT_KEYS[] = {"title", "description", "order", "hidden", "prerender",
                                          "prerender_max_bytes", "prerender_max_options",
                                          "values_sql", "values_from_source", "max_pages"};

/* Whether KEY is a front matter key. */
static bool listed_key(const char *key)
{
    for (size_t i = 0; i < DS_ARRAY_LEN(FRONT_KEYS); i++)
        if (strcmp(key, FRONT_KEYS[i]) == 0)
            return true;
    return false;
}

static bool line_is(const line_t *l, const char *s)
{
    size_t n = l->len;
    while (n > 0 && (l->s[n - 1] == ' ' || l->s[n - 1] == '\t'))
        n--;
    return n == strlen(s) && memcmp(l->s, s, n) == 0;
}

/* true/false for a boolean key; -1 (an error set) otherwise. */
static int front_bool(const ctx_t *c, int line, const char *key, const char *v)
{
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return v[0] == 't';
    return ds_err_set(c->err, "%s:%d: front matter '%s' must be true or false, not '%s'",
                      c->display, line, key, v);
}

/* An integer; with non_negative, one >= 0.  Sets an error when it is not. */
static int front_int(const ctx_t *c, int line, const char *key, const char *v,
                     bool non_negative, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || (non_negative && n < 0))
        return ds_err_set(c->err, "%s:%d: front matter '%s' must be %s, not '%s'", c->display,
                          line, key, non_negative ? "a non-negative integer" : "an integer", v);
    *out = n;
    return 0;
}

/* Text for the page's title or description: not empty.  Takes v. */
static int front_text(const ctx_t *c, int line, const char *key, char *v, char **out)
{
    if (!*v) {
        free(v);
        return ds_err_set(c->err, "%s:%d: front matter '%s' is empty; write %s: some text",
                          c->display, line, key, key);
    }
    *out = v; /* a key is given once (parse_front_matter) */
    return 0;
}

/* One front-matter value (a known key), stored in page.  Takes v. */
static int front_value(const ctx_t *c, int line, const char *key, char *v, ds_page *page)
{
    ds_page_settings *st = &page->settings;
    int rc = 0;
    if (strcmp(key, "title") == 0)
        return front_text(c, line, key, v, &page->title);
    if (strcmp(key, "description") == 0)
        return front_text(c, line, key, v, &page->description);
    if (strcmp(key, "values_sql") == 0 || strcmp(key, "values_from_source") == 0) {
        bool from_sql = strcmp(key, "values_sql") == 0;
        if (from_sql ? page->values_source != NULL : page->values_sql != NULL) {
            free(v);
            return ds_err_set(c->err, "%s:%d: front matter has values_sql: and "
                                      "values_from_source: (line %d); keep one",
                              c->display, line, st->values_line);
        }
        st->values_line = line;
        return front_text(c, line, key, v, from_sql ? &page->values_sql : &page->values_source);
    }
    if (strcmp(key, "prerender") == 0 || strcmp(key, "hidden") == 0) {
        int b = front_bool(c, line, key, v);
        if (b >= 0 && key[0] == 'p')
            st->prerender = b;
        else if (b >= 0)
            st->hidden = b;
        rc = b < 0 ? -1 : 0;
    } else if (strcmp(key, "order") == 0) {
        rc = front_int(c, line, key, v, false, &st->order);
        st->has_order = st->has_order || rc == 0;
    } else if (strcmp(key, "max_pages") == 0) {
        rc = front_int(c, line, key, v, true, &st->max_pages);
        st->max_pages_line = line;
    } else {
        rc = front_int(c, line, key, v, true,
                       strcmp(key, "prerender_max_options") == 0 ? &st->prerender_max_options
                                                                 : &st->prerender_max_bytes);
    }
    free(v);
    return rc;
}

/* Reads the front matter when the page starts with "---"; *next is the
 * first line after it. */
static int parse_front_matter(const ctx_t *c, const lines_t *ls, ds_page *page, size_t *next)
{
    page->settings = (ds_page_settings){
        .prerender = -1, .prerender_max_options = -1, .prerender_max_bytes = -1,
        .max_pages = -1};
    *next = 0;
    /* Blank lines, then what reads as front matter (--- and a known key):
     * markdown would make it a rule and a heading, silently. */
    size_t at = 0;
    while (at < ls->n && line_is_blank(&ls->items[at]))
        at++;
    if (at > 0 && at + 2 < ls->n && line_is(&ls->items[at], "---")) {
        char *line = trim_dup(ls->items[at + 1].s, ls->items[at + 1].len);
        char *colon = strchr(line, ':');
        if (colon)
            *colon = '\0';
        bool front = colon && listed_key(line);
        free(line);
        if (front)
            return ds_err_set(c->err,
                              "%s:%zu: front matter must start on the first line: the blank "
                              "line%s before it make%s it a rule and a heading; remove %s",
                              c->display, at + 1, at > 1 ? "s" : "", at > 1 ? "" : "s",
                              at > 1 ? "them" : "it");
    }
    if (ls->n == 0 || !line_is(&ls->items[0], "---"))
        return 0;
    size_t end = 1;
    while (end < ls->n && !line_is(&ls->items[end], "---"))
        end++;
    if (end == ls->n)
        return ds_err_set(c->err, "%s:1: front matter is not closed; add a line --- after it",
                          c->display);
    /* The line each key was given at: a repeated key is an error, as in
     * block bodies (the last one silently winning would hide the first). */
    int given[DS_ARRAY_LEN(FRONT_KEYS)] = {0};
    for (size_t i = 1; i < end; i++) {
        const line_t *l = &ls->items[i];
        char *line = trim_dup(l->s, l->len);
        int rc = 0;
        char *colon = strchr(line, ':');
        char *key = NULL, *val = NULL;
        if (*line == '\0' || *line == '#') {
            /* blank or comment */
        } else if (!colon) {
            rc = ds_err_set(c->err, "%s:%zu: front matter line has no ':'; write key: value",
                            c->display, i + 1);
        } else {
            key = trim_dup(line, (size_t)(colon - line));
            val = unquote(trim_dup(colon + 1, strlen(colon + 1)));
            size_t known = DS_ARRAY_LEN(FRONT_KEYS);
            for (size_t k = 0; k < DS_ARRAY_LEN(FRONT_KEYS); k++)
                if (strcmp(key, FRONT_KEYS[k]) == 0)
                    known = k;
            const char *best = ds_suggest(key, FRONT_KEYS, DS_ARRAY_LEN(FRONT_KEYS));
            if (known < DS_ARRAY_LEN(FRONT_KEYS) && given[known]) {
                rc = ds_err_set(c->err,
                                "%s:%zu: front matter '%s' is already given at line %d; keep "
                                "one",
                                c->display, i + 1, key, given[known]);
            } else if (known == DS_ARRAY_LEN(FRONT_KEYS)) {
                rc = best ? ds_err_set(c->err,
                                              "%s:%zu: unknown front matter key '%s'; did you "
                                              "mean '%s'?",
                                              c->display, i + 1, key, best)
                                 : ds_err_set(c->err,
                                              "%s:%zu: unknown front matter key '%s'; known "
                                              "keys: title, description, order, hidden, "
                                              "prerender, prerender_max_options, "
                                              "prerender_max_bytes, values_sql, values_from_source, "
                                              "max_pages",
                                              c->display, i + 1, key);
            } else {
                given[known] = (int)i + 1;
                rc = front_value(c, (int)i + 1, key, val, page);
                val = NULL; /* front_value took it */
            }
        }
        free(key);
        free(val);
        free(line);
        if (rc != 0)
            return rc;
    }
    *next = end + 1;
    return 0;
}

int ds_page_parse(const char *text, const char *display, ds_page *out, ds_err *err)
{
    assert(text && display && out);
    memset(out, 0, sizeof *out);
    int bad = bad_utf8_line(text);
    if (bad)
        return ds_err_set(err, "%s:%d: the text is not valid UTF-8; save the file as UTF-8",
                          display, bad);
    if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)
        text += 3; /* a UTF-8 byte order mark is not content */
    ctx_t c = {display, err};
    lines_t ls;
    split_lines(text, &ls);
    ds_buf prose = {0};
    int prose_line = 1;
    bool in_code = false;     /* inside a prose (non-DSL) fenced code block */
    fence_t code = {0};
    size_t first = 0;
    int rc = parse_front_matter(&c, &ls, out, &first);
    prose_line = (int)first + 1;
    for (size_t i = first; i < ls.n && rc == 0; i++) {
        const line_t *l = &ls.items[i];
        fence_t f;
        if (in_code) {
            in_code = !closes_fence(l, &code);
        } else if (open_fence(l, &f)) {
            words_t w;
            split_words(f.info, f.info_len, &w);
            ds_part_kind kind = w.n ? dsl_kind(w.w[0]) : DS_PART_PROSE;
            /* ```sql without an id is an ordinary code block. */
            if (f.ch == '`' && kind != DS_PART_PROSE && (kind == DS_PART_GRID || w.n >= 2)) {
                size_t close = i + 1;
                while (close < ls.n && !closes_fence(&ls.items[close], &f))
                    close++;
                if (close == ls.n) {
                    rc = ds_err_set(err,
                                    "%s:%zu: %s block is not closed; add a line ``` after "
                                    "its body",
                                    display, i + 1, w.w[0]);
                } else {
                    rc = flush_prose(&c, out, &prose, prose_line);
                    if (rc == 0)
                        rc = parse_block(&c, out, kind, &w, &ls, i, close);
                    i = close;
                }
                free_words(&w);
                continue;
            }
            if (f.ch == '`' && kind == DS_PART_PROSE && w.n == 2)
                rc = near_miss_type(display, err, w.w[0], w.w[1], (int)i + 1);
            /* ```echart without an id would silently show its keys as code
             * (```sql without one is a documented way to show SQL). */
            if (f.ch == '`' && w.n == 1 && kind != DS_PART_PROSE && kind != DS_PART_SQL)
                rc = ds_err_set(err,
                                "%s:%zu: %s block without %s; write ```%s <%s> (to show a "
                                "code block, fence it with ~~~)",
                                display, i + 1, w.w[0], kind == DS_PART_INPUT ? "a name" : "an id",
                                w.w[0], kind == DS_PART_INPUT ? "name" : "id");
            free_words(&w);
            in_code = true;
            code = f;
        } else if (!out->title) {
            out->title = h1_text(l);
        }
        if (prose.len == 0)
            prose_line = (int)i + 1;
        ds_buf_add(&prose, l->s, l->len);
        ds_buf_putc(&prose, '\n');
    }
    if (rc == 0)
        rc = flush_prose(&c, out, &prose, prose_line);
    ds_buf_free(&prose);
    free(ls.items);
    if (rc != 0)
        ds_page_free(out);
    return rc;
}

const ds_kv *ds_part_get(const ds_part *part, const char *key)
{
    assert(part && key);
    return kv_find(part->kv, part->n_kv, key);
}

const ds_part *ds_page_find(const ds_page *page, ds_part_kind kind, const char *id)
{
    assert(page && id);
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind == kind && p->id && strcmp(p->id, id) == 0)
            return p;
    }
    return NULL;
}

static void free_kvs(ds_kv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].key);
        free(items[i].value);
    }
    free(items);
}

void ds_page_free(ds_page *page)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        ds_part *p = &page->parts[i];
        free(p->id);
        free(p->text);
        free_kvs(p->kv, p->n_kv);
        for (size_t k = 0; k < p->n_formats; k++) {
            free(p->formats[k].target);
            free_kvs(p->formats[k].items, p->formats[k].n_items);
        }
        free(p->formats);
        free(p->gap);
        for (size_t r = 0; r < p->n_rows; r++) {
            for (size_t k = 0; k < p->rows[r].n_cells; k++)
                free(p->rows[r].cells[k].id);
            free(p->rows[r].cells);
        }
        free(p->rows);
    }
    free(page->parts);
    free(page->title);
    free(page->description);
    free(page->values_sql);
    free(page->values_source);
    free(page->stored);
    free(page->files);
    free(page->preload);
    free(page->chart_results);
    free(page->table_rows);
    free(page->first_paint);
    free(page->forms);
    memset(page, 0, sizeof *page);
}
