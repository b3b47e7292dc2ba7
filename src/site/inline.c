/* inline.c - ${query.column} values inside prose (see inline.h).
 *
 * The scan runs on the markdown source, before md4c, so that a value knows
 * its line and becomes raw inline HTML that md4c passes through.  It skips
 * what markdown shows as code: fenced blocks, indented blocks after a blank
 * line, and code spans (a run of N backticks up to the next run of N). */
#include "inline.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

static size_t word_len(const char *s)
{
    size_t n = 0;
    while (isalnum((unsigned char)s[n]) || s[n] == '_')
        n++;
    return n;
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* A value starting at s ("${"); its length, or 0 when s is not one. */
static size_t match_ref(const char *s, ds_inline_ref *out)
{
    memset(out, 0, sizeof *out);
    const char *p = skip_blanks(s + 2);
    size_t qn = word_len(p);
    if (!qn || p[qn] != '.')
        return 0;
    if ((qn == 6 && (strncmp(p, "inputs", 6) == 0 || strncmp(p, "params", 6) == 0)))
        return 0;
    const char *q = p;
    p += qn + 1;
    size_t cn = word_len(p);
    if (!cn)
        return 0;
    const char *col = p;
    p = skip_blanks(p + cn);
    const char *row = NULL, *fmt = NULL, *dec = NULL;
    size_t rn = 0, fn = 0, dn = 0;
    if (*p == '[') {
        p = skip_blanks(p + 1);
        row = p;
        rn = word_len(p);
        if (!rn)
            return 0;
        p = skip_blanks(p + rn);
        if (*p != ']')
            return 0;
        p = skip_blanks(p + 1);
    }
    if (*p == '|') {
        p = skip_blanks(p + 1);
        fmt = p;
        fn = word_len(p);
        if (!fn)
            return 0;
        p = skip_blanks(p + fn);
        if (*p == ':') { /* "currency:2", and as naturally typed "currency: 2" */
            p = skip_blanks(p + 1);
            dec = p;
            dn = word_len(p);
            if (!dn)
                return 0;
            p = skip_blanks(p + dn);
        }
    }
    if (*p != '}')
        return 0;
    out->query = ds_strndup(q, qn);
    out->column = ds_strndup(col, cn);
    out->row = row ? ds_strndup(row, rn) : NULL;
    out->fmt = fmt ? ds_strndup(fmt, fn) : NULL;
    out->decimals = dec ? ds_strndup(dec, dn) : NULL;
    return (size_t)(p + 1 - s);
}

/* Does s ("${") start what can only be meant as a value: "${NAME." with
 * NAME not inputs or params?  Such text that is no value is a mistake. */
static bool meant_as_value(const char *s)
{
    const char *p = skip_blanks(s + 2);
    size_t n = word_len(p);
    if (!n || p[n] != '.')
        return false;
    return !(n == 6 && (strncmp(p, "inputs", 6) == 0 || strncmp(p, "params", 6) == 0));
}

/* A fence opening line: up to 3 spaces, then 3+ ` or ~; its char and run. */
/* Where a value at L[I] (its line before it) cannot be drawn, or NULL: a
 * value becomes an element of its own, which a link's URL, an image's
 * text and an HTML tag cannot hold (the markup would break or show the
 * element as text).  A value in a link's text is fine. */
static const char *unsafe_place(const char *l, size_t i)
{
    const char *lt = NULL, *gt = NULL, *dest = NULL, *close = NULL, *alt = NULL, *alt_end = NULL;
    for (size_t k = 0; k < i; k++) {
        if (l[k] == '<' && (isalpha((unsigned char)l[k + 1]) || l[k + 1] == '/'))
            lt = l + k;
        else if (l[k] == '>')
            gt = l + k;
        else if (l[k] == ']' && l[k + 1] == '(')
            dest = l + k;
        else if (l[k] == ')')
            close = l + k;
        else if (l[k] == '!' && l[k + 1] == '[')
            alt = l + k;
        else if (l[k] == ']')
            alt_end = l + k;
    }
    if (lt && (!gt || gt < lt))
        return "inside an HTML tag";
    if (dest && (!close || close < dest))
        return "inside a link's or an image's URL";
    if (alt && (!alt_end || alt_end < alt) && (!dest || dest < alt))
        return "inside an image's text";
    return NULL;
}

static bool fence_line(const char *l, char *ch, size_t *run)
{
    size_t i = 0;
    while (i < 3 && l[i] == ' ')
        i++;
    if (l[i] != '`' && l[i] != '~')
        return false;
    size_t n = 0;
    while (l[i + n] == l[i])
        n++;
    if (n < 3)
        return false;
    *ch = l[i];
    *run = n;
    return true;
}

static bool blank_line(const char *l, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)l[i]))
            return false;
    return true;
}

char *ds_inline_rewrite(const char *md, int first_line, int *next, ds_inline_ref **refs,
                        size_t *n_refs, const char *display, ds_err *err)
{
    *refs = NULL;
    *n_refs = 0;
    ds_buf out = {0};
    int line = first_line;
    bool in_fence = false, prev_blank = true, in_indented = false;
    char fch = 0;
    size_t frun = 0;
    const char *l = md;
    while (*l) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l) + 1 : strlen(l);
        char ch;
        size_t run;
        bool blank = blank_line(l, len);
        bool code = false;
        if (in_fence) {
            code = true;
            if (fence_line(l, &ch, &run) && ch == fch && run >= frun)
                in_fence = false;
        } else if (fence_line(l, &ch, &run)) {
            in_fence = code = true;
            fch = ch;
            frun = run;
        } else if (!blank && (l[0] == '\t' || strncmp(l, "    ", 4) == 0) &&
                   (prev_blank || in_indented)) {
            code = in_indented = true;
        } else if (!blank) {
            in_indented = false;
        }
        prev_blank = blank;
        if (code) {
            ds_buf_add(&out, l, len);
        } else {
            /* Outside code blocks: skip code spans, replace values. */
            for (size_t i = 0; i < len;) {
                if (l[i] == '`') {
                    size_t n = 0;
                    while (i + n < len && l[i + n] == '`')
                        n++;
                    size_t j = i + n, close = 0;
                    while (j < len && !close) {
                        if (l[j] == '`') {
                            size_t m = 0;
                            while (j + m < len && l[j + m] == '`')
                                m++;
                            if (m == n)
                                close = j + m;
                            j += m;
                        } else {
                            j++;
                        }
                    }
                    size_t stop = close ? close : i + n;
                    ds_buf_add(&out, l + i, stop - i);
                    i = stop;
                    continue;
                }
                ds_inline_ref r;
                bool brace = l[i] == '$' && l[i + 1] == '{';
                size_t m = brace ? match_ref(l + i, &r) : 0;
                if (!m && brace && meant_as_value(l + i)) {
                    /* Published as it is, it would show the raw text. */
                    size_t n = strcspn(l + i, "}\n");
                    n += l[i + n] == '}';
                    ds_err_set(err,
                               "%s:%d: '%.*s' is not a value; write ${QUERY.COLUMN}, with an "
                               "optional row and format: ${QUERY.COLUMN[ROW] | FMT:DECIMALS} "
                               "(ROW a row number or last, DECIMALS 0 to 20; to show the text "
                               "as it is, put it in `code`)",
                               display, line, (int)(n > 60 ? 60 : n), l + i);
                    ds_inline_refs_free(*refs, *n_refs);
                    *refs = NULL;
                    *n_refs = 0;
                    ds_buf_free(&out);
                    return NULL;
                }
                if (!m) { /* a value never spans lines: match_ref stops at '\n' */
                    ds_buf_putc(&out, l[i++]);
                    continue;
                }
                const char *unsafe = unsafe_place(l, i);
                if (unsafe) {
                    ds_err_set(err,
                               "%s:%d: '%.*s' stands %s, where a value cannot be shown (the "
                               "browser draws it as an element of its own); put it in the "
                               "text around it",
                               display, line, (int)(m > 60 ? 60 : m), l + i, unsafe);
                    free(r.query);
                    free(r.column);
                    free(r.row);
                    free(r.fmt);
                    free(r.decimals);
                    ds_inline_refs_free(*refs, *n_refs);
                    *refs = NULL;
                    *n_refs = 0;
                    ds_buf_free(&out);
                    return NULL;
                }
                r.line = line;
                *refs = ds_xrealloc(*refs, (*n_refs + 1) * sizeof **refs);
                (*refs)[(*n_refs)++] = r;
                ds_buf_printf(&out,
                              "<span class=\"ds-value ds-value-inline\" "
                              "data-ds-value=\"inline-%d\"></span>",
                              (*next)++);
                i += m;
            }
        }
        line++;
        l += len;
    }
    return ds_buf_take(&out);
}

void ds_inline_refs_free(ds_inline_ref *refs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(refs[i].query);
        free(refs[i].column);
        free(refs[i].row);
        free(refs[i].fmt);
        free(refs[i].decimals);
    }
    if (n)
        free(refs);
}
