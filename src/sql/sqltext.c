/* sqltext.c - SQL text helpers (see sqltext.h). */
#include "sqltext.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

void ds_sql_quote(ds_buf *b, const char *text)
{
    assert(text);
    /* By runs between quotes: views list a million paths. */
    ds_buf_putc(b, '\'');
    for (const char *p = text;;) {
        const char *q = strchr(p, '\'');
        if (!q) {
            ds_buf_puts(b, p);
            break;
        }
        ds_buf_add(b, p, (size_t)(q - p + 1));
        ds_buf_putc(b, '\'');
        p = q + 1;
    }
    ds_buf_putc(b, '\'');
}

/* Length of the quoted token or comment starting at p, or 0 if p starts
 * none.  Unterminated ones run to the end of the text. */
static size_t skip_quoted(const char *p)
{
    const char *s = p;
    if (p[0] == '-' && p[1] == '-') {
        while (*s && *s != '\n')
            s++;
        return (size_t)(s - p);
    }
    if (p[0] == '/' && p[1] == '*') {
        const char *end = strstr(p + 2, "*/");
        return end ? (size_t)(end + 2 - p) : strlen(p);
    }
    if (*p == '"' || *p == '\'') {
        char q = *p;
        s++;
        while (*s) {
            if (*s == q && s[1] == q)
                s += 2;
            else if (*s == q)
                return (size_t)(s + 1 - p);
            else
                s++;
        }
        return (size_t)(s - p);
    }
    return 0;
}

char *ds_sql_null_placeholders(const char *sql)
{
    ds_buf b = {0};
    const char *p = sql;
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p, '}');
            if (close) {
                ds_buf_puts(&b, "NULL");
                p = close + 1;
                continue;
            }
        }
        ds_buf_putc(&b, *p++);
    }
    return ds_buf_take(&b);
}

/* The length of the JavaScript white space (\s) at p, 0 if there is none:
 * the ASCII blanks and line ends, and U+00A0, U+1680, U+2000-U+200A,
 * U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF in UTF-8.  Each byte is
 * read only when the ones before it matched, so the end of the text is
 * never passed. */
static size_t js_space_len(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
        return 1;
    if (p[0] == 0xC2)
        return p[1] == 0xA0 ? 2 : 0;
    if (p[0] == 0xE1)
        return p[1] == 0x9A && p[2] == 0x80 ? 3 : 0;
    if (p[0] == 0xE2 && p[1] == 0x80)
        return (p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF
                   ? 3
                   : 0;
    if (p[0] == 0xE2)
        return p[1] == 0x81 && p[2] == 0x9F ? 3 : 0;
    if (p[0] == 0xE3)
        return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    if (p[0] == 0xEF)
        return p[1] == 0xBB && p[2] == 0xBF ? 3 : 0;
    return 0;
}

static const char *skip_js_spaces(const char *p)
{
    for (size_t n; (n = js_space_len(p)) != 0;)
        p += n;
    return p;
}

size_t ds_sql_placeholder(const char *p, ds_placeholder_kind *kind, const char **name,
                          size_t *name_len)
{
    if (p[0] != '$' || p[1] != '{')
        return 0;
    const char *q = skip_js_spaces(p + 2);
    if (strncmp(q, "inputs.", 7) == 0)
        *kind = DS_PH_INPUTS;
    else if (strncmp(q, "params.", 7) == 0)
        *kind = DS_PH_PARAMS;
    else
        return 0;
    q += 7;
    size_t n = 0;
    while (isalnum((unsigned char)q[n]) || q[n] == '_')
        n++;
    const char *e = skip_js_spaces(q + n);
    if (!n || *e != '}')
        return 0;
    *name = q;
    *name_len = n;
    return (size_t)(e + 1 - p);
}

size_t ds_sql_input_placeholder(const char *p, const char **name, size_t *name_len)
{
    ds_placeholder_kind kind;
    const char *q;
    size_t n, len = ds_sql_placeholder(p, &kind, &q, &n);
    if (!len || kind != DS_PH_INPUTS)
        return 0;
    *name = q;
    *name_len = n;
    return len;
}

/* Length of a dollar-quoted string ($$...$$, $tag$...$tag$) at p, or 0. */
static size_t skip_dollar_quoted(const char *p)
{
    if (*p != '$')
        return 0;
    size_t t = 1;
    while (isalnum((unsigned char)p[t]) || p[t] == '_')
        t++;
    if (p[t] != '$' || (t > 1 && isdigit((unsigned char)p[1])))
        return 0; /* not a tag ($1 is a parameter) */
    char *tag = ds_strndup(p, t + 1);
    const char *end = strstr(p + t + 1, tag);
    size_t n = end ? (size_t)(end - p) + t + 1 : strlen(p);
    free(tag);
    return n;
}

int ds_sql_each_brace(const char *sql, ds_sql_brace_fn fn, void *ctx)
{
    assert(sql && fn);
    for (const char *p = sql; *p;) {
        size_t n = skip_quoted(p);
        if (!n)
            n = skip_dollar_quoted(p);
        if (n) {
            ds_sql_at where = *p == '-' || *p == '/' ? DS_SQL_AT_COMMENT
                              : *p == '"'            ? DS_SQL_AT_IDENTIFIER
                                                     : DS_SQL_AT_STRING;
            for (const char *s = p; s + 1 < p + n; s++) {
                int rc = s[0] == '$' && s[1] == '{' ? fn(ctx, s, where) : 0;
                if (rc != 0)
                    return rc;
            }
            p += n;
            continue;
        }
        if (p[0] == '$' && p[1] == '{') {
            int rc = fn(ctx, p, DS_SQL_AT_CODE);
            if (rc != 0)
                return rc;
        }
        p++;
    }
    return 0;
}

char *ds_sql_fill_inputs(const char *sql, ds_sql_input_fn fn, void *ctx, char **bad)
{
    assert(sql && fn && bad);
    *bad = NULL;
    ds_buf b = {0};
    const char *p = sql;
    while (*p) {
        size_t n = skip_quoted(p);
        if (!n)
            n = skip_dollar_quoted(p);
        if (n) {
            const char *ph = *p == '-' || *p == '/' ? NULL : strstr(p, "${");
            if (ph && ph < p + n) {
                char *text = ds_strndup(ph, strcspn(ph, "}") + 1);
                *bad = ds_asprintf("'%s' is inside a %s, where it cannot be a value; write it "
                                   "bare (it becomes a typed literal)",
                                   text, *p == '"' ? "quoted identifier" : "string literal");
                free(text);
                ds_buf_free(&b);
                return NULL;
            }
            ds_buf_add(&b, p, n);
            p += n;
            continue;
        }
        if (p[0] == '$' && p[1] == '{') {
            const char *name;
            size_t name_len, len = ds_sql_input_placeholder(p, &name, &name_len);
            if (!len) {
                char *text = ds_strndup(p, strcspn(p, "}") + 1);
                *bad = ds_asprintf("'%s' is not a placeholder forms fill; only ${inputs.NAME} "
                                   "is",
                                   text);
                free(text);
                ds_buf_free(&b);
                return NULL;
            }
            char *key = ds_strndup(name, name_len);
            char *value = fn(ctx, key);
            free(key);
            if (value)
                ds_buf_puts(&b, value);
            else
                ds_buf_add(&b, p, len);
            free(value);
            p += len;
            continue;
        }
        ds_buf_putc(&b, *p++);
    }
    return ds_buf_take(&b);
}

/* Calls fn for every string literal of sql; with OUT, also writes sql there
 * with each literal fn answered replaced. */
static void walk_literals(const char *sql, ds_sql_literal_fn fn, void *ctx, ds_buf *out)
{
    ds_buf lit = {0};
    const char *p = sql;
    while (*p) {
        size_t n = skip_quoted(p);
        if (n == 0) {
            /* Plain text up to the next quote or comment, copied as a run
             * (a view over a lake is megabytes of SQL). */
            const char *e = p + 1;
            while (*e && !strchr("'\"-/", *e))
                e++;
            if (out)
                ds_buf_add(out, p, (size_t)(e - p));
            p = e;
            continue;
        }
        if (*p == '\'' && n >= 2 && p[n - 1] == '\'') {
            lit.len = 0;
            if (lit.data)
                lit.data[0] = '\0';
            for (const char *s = p + 1, *end = p + n - 1; s < end;) {
                const char *q = memchr(s, '\'', (size_t)(end - s));
                if (!q) {
                    ds_buf_add(&lit, s, (size_t)(end - s));
                    break;
                }
                ds_buf_add(&lit, s, (size_t)(q - s + 1)); /* '' -> ' */
                s = q + 2;
            }
            const char *repl = fn(ctx, ds_buf_str(&lit));
            if (repl) {
                if (out)
                    ds_sql_quote(out, repl);
                p += n;
                continue;
            }
        }
        if (out)
            ds_buf_add(out, p, n);
        p += n;
    }
    ds_buf_free(&lit);
}

char *ds_sql_map_literals(const char *sql, ds_sql_literal_fn fn, void *ctx)
{
    assert(sql && fn);
    ds_buf b = {0};
    walk_literals(sql, fn, ctx, &b);
    return b.data ? ds_buf_take(&b) : ds_strdup("");
}

void ds_sql_each_literal(const char *sql, ds_sql_literal_fn fn, void *ctx)
{
    assert(sql && fn);
    walk_literals(sql, fn, ctx, NULL);
}

static const char *skip_blanks(const char *p)
{
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*'))
            p += skip_quoted(p);
        else
            return p;
    }
}

static bool word_at(const char *p, const char *word)
{
    size_t n = strlen(word);
    return strncasecmp(p, word, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

const char *ds_sql_leading_with(const char *sql, bool *recursive)
{
    const char *p = skip_blanks(sql);
    *recursive = false;
    if (!word_at(p, "with"))
        return NULL;
    p = skip_blanks(p + 4);
    if (word_at(p, "recursive")) {
        *recursive = true;
        p = skip_blanks(p + 9);
    }
    return p;
}

char *ds_sql_trim(const char *sql)
{
    const char *s = sql;
    while (isspace((unsigned char)*s))
        s++;
    const char *e = s + strlen(s);
    while (e > s && (isspace((unsigned char)e[-1]) || e[-1] == ';'))
        e--;
    return ds_strndup(s, (size_t)(e - s));
}

bool ds_sql_is_identifier(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return false;
    return true;
}

/* DuckDB's keywords that are not "unreserved" (SELECT keyword_name FROM
 * duckdb_keywords() WHERE keyword_category <> 'unreserved'): written bare,
 * they are read as syntax, not as a column.  Sorted; test_sqltext.c checks
 * the list against the engine's. */
static const char *const KEYWORDS[] = {
    "all", "analyse", "analyze", "and", "anti", "any", "array", "as", "asc", "asof",
    "asymmetric", "at", "authorization", "between", "bigint", "binary", "bit", "boolean",
    "both", "by", "case", "cast", "char", "character", "check", "coalesce", "collate",
    "collation", "column", "columns", "concurrently", "constraint", "create", "cross", "dec",
    "decimal", "default", "deferrable", "desc", "describe", "distinct", "do", "else", "end",
    "except", "exists", "extract", "false", "fetch", "float", "for", "foreign", "freeze",
    "from", "full", "generated", "glob", "group", "grouping", "grouping_id", "having",
    "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect", "interval",
    "into", "is", "isnull", "join", "lambda", "lateral", "leading", "left", "like", "limit",
    "map", "national", "natural", "nchar", "none", "not", "notnull", "null", "nullif",
    "numeric", "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay",
    "pivot", "pivot_longer", "pivot_wider", "placing", "position", "positional", "precision",
    "primary", "qualify", "real", "references", "returning", "right", "row", "select", "semi",
    "setof", "show", "similar", "smallint", "some", "struct", "substring", "summarize",
    "symmetric", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
    "treat", "trim", "true", "try_cast", "union", "unique", "unpack", "unpivot", "using",
    "values", "varchar", "variadic", "verbose", "when", "where", "window", "with",
    "xmlattributes", "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces",
    "xmlparse", "xmlpi", "xmlroot", "xmlserialize", "xmltable"};

static int keyword_cmp(const void *key, const void *item)
{
    return strcasecmp((const char *)key, *(const char *const *)item);
}

const char *const *ds_sql_keywords(size_t *n)
{
    *n = DS_ARRAY_LEN(KEYWORDS);
    return KEYWORDS;
}

void ds_sql_ident(ds_buf *b, const char *name)
{
    assert(name);
    if (ds_sql_is_identifier(name) &&
        !bsearch(name, KEYWORDS, DS_ARRAY_LEN(KEYWORDS), sizeof *KEYWORDS, keyword_cmp)) {
        ds_buf_puts(b, name);
        return;
    }
    ds_buf_putc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            ds_buf_putc(b, '"');
        ds_buf_putc(b, *p);
    }
    ds_buf_putc(b, '"');
}

/* Does the text before P (blanks skipped) end with a comparison operator
 * (=, <, >, <=, >=, <>, !=)? */
static bool after_comparison(const char *start, const char *p)
{
    while (p > start && isspace((unsigned char)p[-1]))
        p--;
    return p > start && strchr("=<>", p[-1]) != NULL;
}

char *ds_sql_shape(const char *sql)
{
    ds_buf b = {0};
    for (const char *p = sql; *p;) {
        size_t q = skip_quoted(p);
        bool operand = after_comparison(sql, p);
        if (q && *p == '\'' && operand) {
            ds_buf_puts(&b, "''");
            p += q;
        } else if (q) {
            ds_buf_add(&b, p, q);
            p += q;
        } else if (isdigit((unsigned char)*p) && operand) {
            /* A number compared with something: 12, 1.5, 1e-3. */
            while (isalnum((unsigned char)*p) || *p == '.' || *p == '_' ||
                   ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
                p++;
            ds_buf_putc(&b, '0');
        } else {
            ds_buf_putc(&b, *p++);
        }
    }
    return b.data ? ds_buf_take(&b) : ds_strdup("");
}

/* The end of a dollar-quoted string's tag at P ("$$" or "$tag$"), or
 * NULL when P starts none. */
static const char *dollar_tag_end(const char *p)
{
    const char *q = p + 1;
    if (*q != '$' && !(isalpha((unsigned char)*q) || *q == '_'))
        return NULL;
    while (isalnum((unsigned char)*q) || *q == '_')
        q++;
    return *q == '$' ? q + 1 : NULL;
}

const char *ds_sql_expression_why(const char *text)
{
    long depth = 0;
    for (const char *p = text; *p; p++) {
        const char *tag_end = *p == '$' ? dollar_tag_end(p) : NULL;
        if (tag_end) {
            /* $$...$$ or $tag$...$tag$: nothing inside is SQL. */
            size_t n = (size_t)(tag_end - p);
            const char *close = tag_end;
            while (*close && strncmp(close, p, n) != 0)
                close++;
            if (!*close)
                return "a quote is not closed";
            p = close + n - 1;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            /* A literal or a quoted name: a doubled quote stays inside, and
             * in an E'...' string a backslash escapes the next byte. */
            char q = *p;
            bool escapes = q == '\'' && p > text && (p[-1] == 'E' || p[-1] == 'e') &&
                           (p - 1 == text || !(isalnum((unsigned char)p[-2]) || p[-2] == '_'));
            for (p++;; p++) {
                if (!*p)
                    return "a quote is not closed";
                if (escapes && *p == '\\' && p[1])
                    p++;
                else if (*p == q && p[1] == q)
                    p++;
                else if (*p == q)
                    break;
            }
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth < 0)
            return "a ')' closes a '(' it does not open";
        else if (*p == ';')
            return "it holds ';'";
        else if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*'))
            return "it holds a comment ('--' or '/*')";
    }
    return depth ? "a '(' is not closed" : NULL;
}
