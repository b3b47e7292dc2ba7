/* toml.c - a TOML 1.0.0 parser producing the ds_toml_value tree of toml.h.
 *
 * It is a hand-written recursive-descent parser that works directly on the
 * bytes of the document:
 *
 *   1. check_text() first checks the whole text once: valid UTF-8, and no
 *      control characters except tab, LF and CR-LF.  TOML forbids the others
 *      everywhere (in strings and comments too), so the rest of the parser
 *      never has to think about them.
 *   2. parse_document() reads line by line: [table] headers, [[array]]
 *      headers and key = value pairs.
 *   3. parse_value() reads one value; arrays and inline tables recurse.
 *
 * Every table lookup goes through one hash index (key_index) owned by the
 * parser, so documents with many keys in one table stay linear.  The index
 * is thrown away when parsing ends; ds_toml_find() on the finished tree
 * simply scans, which is plenty for configuration files.
 *
 * The rules about defining tables twice are tracked with the `flags` field
 * of each table or array (see the F_* values below).  They follow the TOML
 * 1.0.0 text: a table is defined once, either by a [header] or by dotted
 * keys; a header may create tables implicitly that a later header defines;
 * inline tables and arrays written with [ ] can never be extended. */

#include "toml.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/utf8.h"
#include "../util/util.h"

/* ---------------------------------------------------------------------- */
/* Flags for the redefinition rules                                        */
/* ---------------------------------------------------------------------- */

enum {
    F_HEADER = 1u << 0, /* table defined by [a] or an element made by [[a]] */
    F_DOTTED = 1u << 1, /* table created or extended by dotted keys a.b = 1 */
    F_FROZEN = 1u << 2, /* inline table, or array written with [ ]: immutable */
    F_AOT = 1u << 3     /* array created by [[a]]: later [[a]] may append */
};
/* A table with none of F_HEADER, F_DOTTED, F_FROZEN was created implicitly
 * by a header such as [a.b.c] (for a and a.b); a later [a] may define it. */

/* ---------------------------------------------------------------------- */
/* Parser state                                                            */
/* ---------------------------------------------------------------------- */

/* One slot of the key index: "key number `index` of `table`". */
typedef struct {
    const ds_toml_value *table; /* NULL marks an empty slot */
    size_t index;
    uint64_t hash;
} key_slot;

typedef struct {
    key_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t count;
} key_index;

typedef struct {
    const unsigned char *s;
    size_t len;
    size_t pos;    /* byte offset of the next unread character */
    int line, col; /* position of s[pos], 1-based, col in characters */
    ds_toml_error *err;
    bool failed; /* only the first error is kept */
    key_index index;
    ds_toml_value *root;
    ds_toml_value *cur; /* table that key = value lines go into */
    int cur_depth;      /* depth of cur: root is 0 */
} parser;

/* A growable byte buffer used to build strings. */
typedef struct {
    char *data;
    size_t len, cap;
} strbuf;

/* One part of a (possibly dotted) key, with where it was written. */
typedef struct {
    char *s;
    size_t len;
    int line, col;
} keypart;

typedef struct {
    keypart *parts;
    size_t n, cap;
} keypath;

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */
/* ---------------------------------------------------------------------- */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Record an error at line:col.  Only the first error counts: later ones
 * are usually consequences of it. */
static void fail_va(parser *p, int line, int col, const char *fmt, va_list ap)
{
    if (!p->failed) {
        p->failed = true;
        p->err->line = line;
        p->err->col = col;
        vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
    }
}

/* Always returns false, so callers can write `return fail_at(...);`. */
PRINTF_LIKE(4, 5)
static bool fail_at(parser *p, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_va(p, line, col, fmt, ap);
    va_end(ap);
    return false;
}

/* The same for functions that return a node: always returns NULL. */
PRINTF_LIKE(4, 5)
static ds_toml_value *fail_node(parser *p, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_va(p, line, col, fmt, ap);
    va_end(ap);
    return NULL;
}

/* Error at the current position. */
#define fail(p, ...) fail_at((p), (p)->line, (p)->col, __VA_ARGS__)

static bool fail_oom(parser *p)
{
    return fail(p, "out of memory");
}

/* ---------------------------------------------------------------------- */
/* Reading characters                                                      */
/* ---------------------------------------------------------------------- */

/* The byte k places ahead, or -1 past the end. */
static int peek_at(const parser *p, size_t k)
{
    size_t i = p->pos + k;
    return i < p->len ? p->s[i] : -1;
}

static int peek(const parser *p)
{
    return peek_at(p, 0);
}

/* Consume one byte, keeping line and column up to date.  Columns count
 * characters, so UTF-8 continuation bytes do not move the column. */
static void advance(parser *p)
{
    unsigned char c;
    if (p->pos >= p->len)
        return;
    c = p->s[p->pos++];
    if (c == '\n') {
        p->line++;
        p->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        p->col++;
    }
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_bare_key_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-';
}

static bool at_newline(const parser *p)
{
    return peek(p) == '\n' || (peek(p) == '\r' && peek_at(p, 1) == '\n');
}

static void skip_newline(parser *p)
{
    if (peek(p) == '\r')
        advance(p);
    advance(p);
}

static void skip_ws(parser *p)
{
    while (peek(p) == ' ' || peek(p) == '\t')
        advance(p);
}

/* A comment runs to the end of the line.  check_text() already rejected
 * control characters, and every CR is followed by LF. */
static void skip_comment(parser *p)
{
    if (peek(p) != '#')
        return;
    while (peek(p) != -1 && peek(p) != '\n' && peek(p) != '\r')
        advance(p);
}

/* Whitespace, comments and newlines: what may sit between array items. */
static void skip_blank(parser *p)
{
    for (;;) {
        skip_ws(p);
        skip_comment(p);
        if (!at_newline(p))
            return;
        skip_newline(p);
    }
}

/* Describe the current character for "expected X, found Y" messages. */
static void describe_here(const parser *p, char *buf, size_t size)
{
    int c = peek(p);
    if (c == -1) {
        snprintf(buf, size, "end of input");
    } else if (at_newline(p)) {
        snprintf(buf, size, "end of line");
    } else if (c == '\t') {
        snprintf(buf, size, "a tab");
    } else if (c < 0x80) {
        snprintf(buf, size, "'%c'", c);
    } else {
        /* Copy the whole UTF-8 character; check_text() made sure it is
         * complete and well formed. */
        size_t n = 1;
        while (n < 4 && p->pos + n < p->len && (p->s[p->pos + n] & 0xC0) == 0x80)
            n++;
        snprintf(buf, size, "'%.*s'", (int)n, (const char *)p->s + p->pos);
    }
}

static bool fail_found(parser *p, const char *expected)
{
    char found[32];
    describe_here(p, found, sizeof found);
    return fail(p, "expected %s, found %s", expected, found);
}

/* ---------------------------------------------------------------------- */
/* Checking the whole text: UTF-8 and control characters                   */
/* ---------------------------------------------------------------------- */

static bool check_text(parser *p)
{
    int line = p->line, col = p->col;
    size_t i = p->pos;
    while (i < p->len) {
        unsigned char c = p->s[i];
        size_t n;
        if (c == '\n') {
            line++;
            col = 1;
            i++;
            continue;
        }
        if (c == '\r') {
            if (i + 1 < p->len && p->s[i + 1] == '\n') {
                i++;
                col++;
                continue;
            }
            return fail_at(p, line, col,
                           "carriage return (U+000D) must be followed by a line feed");
        }
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return fail_at(p, line, col,
                           "control character U+%04X is not allowed in TOML text "
                           "(in a basic string, write it as the escape \\u%04X)",
                           (unsigned)c, (unsigned)c);
        n = ds_utf8_decode((const char *)p->s + i, p->len - i, NULL);
        if (n == 0)
            return fail_at(p, line, col, "invalid UTF-8 (byte 0x%02X)", (unsigned)c);
        i += n;
        col++;
    }
    return true;
}

/* ---------------------------------------------------------------------- */
/* Small helpers: strings, key paths, nodes                                */
/* ---------------------------------------------------------------------- */

static bool sb_reserve(parser *p, strbuf *b, size_t extra)
{
    size_t need, cap;
    char *d;
    if (extra > SIZE_MAX - b->len - 1)
        return fail_oom(p);
    need = b->len + extra + 1; /* room for the final NUL */
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 16;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    d = realloc(b->data, cap);
    if (!d)
        return fail_oom(p);
    b->data = d;
    b->cap = cap;
    return true;
}

static bool sb_byte(parser *p, strbuf *b, char c)
{
    if (!sb_reserve(p, b, 1))
        return false;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return true;
}

/* Append code point cp (already checked to be a Unicode scalar value). */
static bool sb_utf8(parser *p, strbuf *b, uint32_t cp)
{
    char u[DS_UTF8_MAX];
    size_t n = ds_utf8_encode(cp, u), i;
    for (i = 0; i < n; i++)
        if (!sb_byte(p, b, u[i]))
            return false;
    return true;
}

/* Make sure the buffer holds a (possibly empty) NUL-terminated string. */
static bool sb_finish(parser *p, strbuf *b)
{
    if (!sb_reserve(p, b, 0))
        return false;
    b->data[b->len] = '\0';
    return true;
}

static void keypath_free(keypath *k)
{
    size_t i;
    for (i = 0; i < k->n; i++)
        free(k->parts[i].s);
    free(k->parts);
    k->parts = NULL;
    k->n = k->cap = 0;
}

static char *memdup0(const char *s, size_t len)
{
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

/* Write a key path such as a."b c".d into buf for error messages.  Parts
 * that are not bare keys are quoted; very long paths are cut with "...". */
static const char *format_key(char *buf, size_t size, const keypart *parts, size_t n)
{
    size_t out = 0, i, j;
    const size_t limit = size - 4; /* keep room for "..." and NUL */
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        const keypart *k = &parts[i];
        bool bare = k->len > 0;
        char piece[16];
        for (j = 0; j < k->len; j++)
            if (!is_bare_key_char((unsigned char)k->s[j]))
                bare = false;
        if (i > 0 && out < limit)
            buf[out++] = '.';
        if (!bare && out < limit)
            buf[out++] = '"';
        for (j = 0; j < k->len && out < limit; j++) {
            unsigned char c = (unsigned char)k->s[j];
            if (c < 0x20 || c == 0x7F)
                snprintf(piece, sizeof piece, "\\u%04X", (unsigned)c);
            else if (c == '"' || c == '\\')
                snprintf(piece, sizeof piece, "\\%c", c);
            else
                snprintf(piece, sizeof piece, "%c", c);
            if (out + strlen(piece) > limit) {
                out = limit;
                break;
            }
            memcpy(buf + out, piece, strlen(piece));
            out += strlen(piece);
        }
        if (!bare && out < limit)
            buf[out++] = '"';
    }
    if (out >= limit) {
        /* Do not cut a UTF-8 character in half. */
        while (out > 0 && ((unsigned char)buf[out - 1] & 0xC0) == 0x80)
            out--;
        if (out > 0 && ((unsigned char)buf[out - 1] & 0xC0) == 0xC0)
            out--;
        memcpy(buf + out, "...", 3);
        out += 3;
    }
    buf[out] = '\0';
    return buf;
}

static ds_toml_value *new_node(parser *p, ds_toml_type type, int line, int col)
{
    ds_toml_value *v = calloc(1, sizeof *v);
    if (!v) {
        fail_oom(p);
        return NULL;
    }
    v->type = type;
    v->line = line;
    v->col = col;
    return v;
}

static bool array_push(parser *p, ds_toml_value *arr, ds_toml_value *item)
{
    if (arr->u.arr.len == arr->u.arr.cap) {
        size_t cap = arr->u.arr.cap ? arr->u.arr.cap * 2 : 4;
        ds_toml_value **items = realloc(arr->u.arr.items, cap * sizeof *items);
        if (!items) {
            ds_toml_free(item);
            return fail_oom(p);
        }
        arr->u.arr.items = items;
        arr->u.arr.cap = cap;
    }
    arr->u.arr.items[arr->u.arr.len++] = item;
    return true;
}

/* ---------------------------------------------------------------------- */
/* The key index: (table, key) -> position of the entry in the table       */
/* ---------------------------------------------------------------------- */

static uint64_t hash_key(const ds_toml_value *table, const char *key, size_t len)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    size_t i;
    for (i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211u;
    }
    /* Mix in the table's address so equal keys in different tables spread
     * over different slots. */
    h ^= (uint64_t)(uintptr_t)table;
    h *= 0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    return h;
}

static ds_toml_entry *index_find(const parser *p, const ds_toml_value *table, const char *key,
                                 size_t len)
{
    const key_index *ix = &p->index;
    uint64_t h;
    size_t i, mask;
    if (ix->cap == 0)
        return NULL;
    h = hash_key(table, key, len);
    mask = ix->cap - 1;
    for (i = (size_t)h & mask;; i = (i + 1) & mask) {
        const key_slot *s = &ix->slots[i];
        if (!s->table)
            return NULL;
        if (s->table == table && s->hash == h) {
            ds_toml_entry *e = &table->u.table.items[s->index];
            if (e->key_len == len && memcmp(e->key, key, len) == 0)
                return e;
        }
    }
}

static void index_put(key_index *ix, const ds_toml_value *table, size_t index, uint64_t h)
{
    size_t mask = ix->cap - 1, i;
    for (i = (size_t)h & mask; ix->slots[i].table; i = (i + 1) & mask)
        ;
    ix->slots[i].table = table;
    ix->slots[i].index = index;
    ix->slots[i].hash = h;
    ix->count++;
}

static bool index_add(parser *p, const ds_toml_value *table, size_t index)
{
    key_index *ix = &p->index;
    const ds_toml_entry *e = &table->u.table.items[index];
    /* Keep the index at most half full so probe runs stay short. */
    if ((ix->count + 1) * 2 > ix->cap) {
        key_index bigger;
        size_t i;
        bigger.cap = ix->cap ? ix->cap * 2 : 64;
        bigger.count = 0;
        bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
        if (!bigger.slots)
            return fail_oom(p);
        for (i = 0; i < ix->cap; i++)
            if (ix->slots[i].table)
                index_put(&bigger, ix->slots[i].table, ix->slots[i].index, ix->slots[i].hash);
        free(ix->slots);
        *ix = bigger;
    }
    index_put(ix, table, index, hash_key(table, e->key, e->key_len));
    return true;
}

/* Append key = value to a table.  Takes ownership of key and value: on
 * failure both are freed. */
static bool table_add(parser *p, ds_toml_value *table, char *key, size_t key_len, int line, int col,
                      ds_toml_value *value)
{
    ds_toml_entry *e;
    if (table->u.table.len == table->u.table.cap) {
        size_t cap = table->u.table.cap ? table->u.table.cap * 2 : 4;
        ds_toml_entry *items = realloc(table->u.table.items, cap * sizeof *items);
        if (!items) {
            free(key);
            ds_toml_free(value);
            return fail_oom(p);
        }
        table->u.table.items = items;
        table->u.table.cap = cap;
    }
    e = &table->u.table.items[table->u.table.len++];
    e->key = key;
    e->key_len = key_len;
    e->line = line;
    e->col = col;
    e->value = value;
    return index_add(p, table, table->u.table.len - 1);
}

/* Add a new empty table under the key part k and return it. */
static ds_toml_value *add_table(parser *p, ds_toml_value *parent, const keypart *k, int line,
                                int col, unsigned flags)
{
    ds_toml_value *t;
    char *key = memdup0(k->s, k->len);
    if (!key) {
        fail_oom(p);
        return NULL;
    }
    t = new_node(p, DS_TOML_TABLE, line, col);
    if (!t) {
        free(key);
        return NULL;
    }
    t->flags = flags;
    if (!table_add(p, parent, key, k->len, k->line, k->col, t))
        return NULL;
    return t;
}

/* ---------------------------------------------------------------------- */
/* Strings                                                                 */
/* ---------------------------------------------------------------------- */

/* Read one escape sequence (p is at the backslash) into b.  In multi-line
 * basic strings a backslash at the end of a line swallows the newline and
 * all whitespace after it. */
static bool parse_escape(parser *p, strbuf *b, bool multiline)
{
    int line = p->line, col = p->col;
    int c;
    advance(p); /* the backslash */
    c = peek(p);
    switch (c) {
    case 'b':
        advance(p);
        return sb_byte(p, b, '\b');
    case 't':
        advance(p);
        return sb_byte(p, b, '\t');
    case 'n':
        advance(p);
        return sb_byte(p, b, '\n');
    case 'f':
        advance(p);
        return sb_byte(p, b, '\f');
    case 'r':
        advance(p);
        return sb_byte(p, b, '\r');
    case '"':
        advance(p);
        return sb_byte(p, b, '"');
    case '\\':
        advance(p);
        return sb_byte(p, b, '\\');
    case 'u':
    case 'U': {
        int digits = c == 'u' ? 4 : 8, i;
        uint32_t cp = 0;
        advance(p);
        for (i = 0; i < digits; i++) {
            int h = ds_hex_value(peek(p));
            if (h < 0)
                return fail_at(p, line, col, "escape \\%c needs exactly %d hex digits", c, digits);
            cp = cp * 16 + (uint32_t)h;
            advance(p);
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return fail_at(p, line, col,
                           "escape \\%c%0*X is a surrogate code point, not a character", c, digits,
                           (unsigned)cp);
        if (cp > 0x10FFFF)
            return fail_at(p, line, col, "escape \\%c%0*X is beyond U+10FFFF", c, digits,
                           (unsigned)cp);
        return sb_utf8(p, b, cp);
    }
    default:
        break;
    }
    if (multiline && (c == ' ' || c == '\t' || at_newline(p))) {
        skip_ws(p);
        if (!at_newline(p))
            return fail_at(p, line, col, "a backslash followed by whitespace must end the line");
        while (peek(p) == ' ' || peek(p) == '\t' || at_newline(p)) {
            if (at_newline(p))
                skip_newline(p);
            else
                advance(p);
        }
        return true;
    }
    if (c == -1 || at_newline(p))
        return fail_at(p, line, col, "unterminated string: backslash at end of line");
    if (c > 0x20 && c < 0x7F)
        return fail_at(p, line, col, "invalid escape sequence '\\%c'", c);
    return fail_at(p, line, col,
                   "invalid escape sequence: a backslash must be followed by one of "
                   "b t n f r \" \\ u U");
}

/* Single-line basic ("...") or literal ('...') string; p is at the quote. */
static bool parse_short_string(parser *p, strbuf *b)
{
    int line = p->line, col = p->col;
    int quote = peek(p);
    advance(p);
    for (;;) {
        int c = peek(p);
        if (c == quote) {
            advance(p);
            return sb_finish(p, b);
        }
        if (c == -1 || at_newline(p))
            return fail_at(p, line, col,
                           "string is not closed before the end of the line "
                           "(use %c%c%c for a multi-line string)",
                           quote, quote, quote);
        if (c == '\\' && quote == '"') {
            if (!parse_escape(p, b, false))
                return false;
            continue;
        }
        if (!sb_byte(p, b, (char)c))
            return false;
        advance(p);
    }
}

/* Multi-line basic (""") or literal (''') string; p is at the first quote. */
static bool parse_long_string(parser *p, strbuf *b)
{
    int line = p->line, col = p->col;
    int quote = peek(p);
    advance(p);
    advance(p);
    advance(p);
    /* A newline right after the opening delimiter is not part of the text. */
    if (at_newline(p))
        skip_newline(p);
    for (;;) {
        int c = peek(p);
        if (c == -1)
            return fail_at(p, line, col, "multi-line string is never closed");
        if (c == quote) {
            /* Up to two quotes may sit right before the closing three, so
             * count the whole run: """a"""" is the text a" */
            size_t run = 0, i;
            while (peek_at(p, run) == quote)
                run++;
            if (run >= 3) {
                if (run > 5)
                    return fail(p, "too many quotes in a row in a multi-line string");
                for (i = 0; i < run; i++)
                    advance(p);
                for (i = 0; i < run - 3; i++)
                    if (!sb_byte(p, b, (char)quote))
                        return false;
                return sb_finish(p, b);
            }
            for (i = 0; i < run; i++) {
                advance(p);
                if (!sb_byte(p, b, (char)quote))
                    return false;
            }
            continue;
        }
        if (c == '\\' && quote == '"') {
            if (!parse_escape(p, b, true))
                return false;
            continue;
        }
        if (at_newline(p)) {
            /* CRLF becomes LF so the text is the same on every platform. */
            skip_newline(p);
            if (!sb_byte(p, b, '\n'))
                return false;
            continue;
        }
        if (!sb_byte(p, b, (char)c))
            return false;
        advance(p);
    }
}

static bool at_long_string(const parser *p)
{
    int q = peek(p);
    return (q == '"' || q == '\'') && peek_at(p, 1) == q && peek_at(p, 2) == q;
}

static ds_toml_value *parse_string_value(parser *p)
{
    ds_toml_value *v;
    strbuf b = {0};
    int line = p->line, col = p->col;
    bool ok = at_long_string(p) ? parse_long_string(p, &b) : parse_short_string(p, &b);
    if (!ok) {
        free(b.data);
        return NULL;
    }
    v = new_node(p, DS_TOML_STRING, line, col);
    if (!v) {
        free(b.data);
        return NULL;
    }
    v->u.str.ptr = b.data;
    v->u.str.len = b.len;
    return v;
}

/* ---------------------------------------------------------------------- */
/* Keys                                                                    */
/* ---------------------------------------------------------------------- */

static bool parse_simple_key(parser *p, keypart *out)
{
    strbuf b = {0};
    int c = peek(p);
    out->line = p->line;
    out->col = p->col;
    if (c == '"' || c == '\'') {
        if (at_long_string(p))
            return fail(p, "a key cannot be a multi-line string");
        if (!parse_short_string(p, &b)) {
            free(b.data);
            return false;
        }
    } else if (is_bare_key_char(c)) {
        while (is_bare_key_char(peek(p))) {
            if (!sb_byte(p, &b, (char)peek(p))) {
                free(b.data);
                return false;
            }
            advance(p);
        }
    } else {
        return fail_found(p, "a key");
    }
    out->s = b.data;
    out->len = b.len;
    return true;
}

/* key = simple-key *( ws "." ws simple-key ) */
static bool parse_key(parser *p, keypath *k)
{
    for (;;) {
        if (k->n == k->cap) {
            size_t cap = k->cap ? k->cap * 2 : 4;
            keypart *parts = realloc(k->parts, cap * sizeof *parts);
            if (!parts)
                return fail_oom(p);
            k->parts = parts;
            k->cap = cap;
        }
        if (!parse_simple_key(p, &k->parts[k->n]))
            return false;
        k->n++;
        skip_ws(p);
        if (peek(p) != '.')
            return true;
        advance(p);
        skip_ws(p);
    }
}

/* ---------------------------------------------------------------------- */
/* Numbers                                                                 */
/* ---------------------------------------------------------------------- */

static bool is_base_digit(int c, int base)
{
    int v = ds_hex_value(c);
    return v >= 0 && v < base;
}

/* Skip a run of digits in which each '_' sits between two digits.  Returns
 * false if the run does not start with a digit. */
static bool scan_digits(const char *s, size_t n, size_t *i, int base)
{
    if (*i >= n || !is_base_digit((unsigned char)s[*i], base))
        return false;
    (*i)++;
    while (*i < n) {
        if (is_base_digit((unsigned char)s[*i], base))
            (*i)++;
        else if (s[*i] == '_' && *i + 1 < n && is_base_digit((unsigned char)s[*i + 1], base))
            *i += 2;
        else
            break;
    }
    return true;
}

static bool is_number_char(int c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '+' || c == '-' || c == '.';
}

/* Integers (decimal, 0x, 0o, 0b), floats, inf and nan.  The whole token is
 * gathered first and then checked against the TOML grammar. */
static ds_toml_value *parse_number(parser *p)
{
    int line = p->line, col = p->col;
    size_t start = p->pos, n, i = 0;
    const char *s;
    bool negative = false, has_sign = false, is_float = false;
    ds_toml_value *v;
    int shown;

    while (is_number_char(peek(p)))
        advance(p);
    s = (const char *)p->s + start;
    n = p->pos - start;
    shown = n > 40 ? 40 : (int)n; /* how much of the token messages quote */

    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        has_sign = true;
        negative = s[0] == '-';
        i = 1;
    }

    if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
        v = new_node(p, DS_TOML_FLOAT, line, col);
        if (!v)
            return NULL;
        if (s[i] == 'i')
            v->u.flt = negative ? -INFINITY : INFINITY;
        else
            v->u.flt = negative ? -NAN : NAN;
        return v;
    }

    if (n - i >= 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'o' || s[i + 1] == 'b')) {
        int base = s[i + 1] == 'x' ? 16 : s[i + 1] == 'o' ? 8 : 2;
        uint64_t value = 0;
        size_t j = i + 2;
        if (has_sign)
            return fail_node(p, line, col,
                             "'%.*s': a sign is not allowed on hex, octal or binary integers",
                             shown, s);
        if (!scan_digits(s, n, &j, base) || j != n)
            return fail_node(p, line, col, "invalid %s integer '%.*s'%s",
                             base == 16  ? "hexadecimal"
                             : base == 8 ? "octal"
                                         : "binary",
                             shown, s,
                             memchr(s, '_', n) ? " (underscores must sit between digits)" : "");
        for (j = i + 2; j < n; j++) {
            uint64_t d;
            if (s[j] == '_')
                continue;
            d = (uint64_t)ds_hex_value((unsigned char)s[j]);
            if (value > ((uint64_t)INT64_MAX - d) / (uint64_t)base)
                return fail_node(p, line, col, "integer does not fit in 64 bits");
            value = value * (uint64_t)base + d;
        }
        v = new_node(p, DS_TOML_INTEGER, line, col);
        if (v)
            v->u.integer = (int64_t)value;
        return v;
    }

    /* Decimal integer or float:  int [ "." digits ] [ ("e"|"E") [sign] digits ] */
    {
        size_t int_start = i, int_end;
        if (!scan_digits(s, n, &i, 10)) {
            if (n == 0) {
                fail_found(p, "a value");
                return NULL;
            }
            return fail_node(p, line, col, "invalid value '%.*s'", shown, s);
        }
        int_end = i;
        if (s[int_start] == '0' && int_end - int_start > 1)
            return fail_node(p, line, col, "'%.*s': leading zeros are not allowed", shown, s);
        if (i < n && s[i] == '.') {
            i++;
            is_float = true;
            if (!scan_digits(s, n, &i, 10))
                return fail_node(p, line, col, "'%.*s': a decimal point must be followed by digits",
                                 shown, s);
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            is_float = true;
            if (i < n && (s[i] == '+' || s[i] == '-'))
                i++;
            if (!scan_digits(s, n, &i, 10))
                return fail_node(p, line, col, "'%.*s': the exponent needs digits", shown, s);
        }
        if (i != n) {
            if (memchr(s, '_', n))
                return fail_node(p, line, col,
                                 "invalid number '%.*s' (underscores must sit between digits)",
                                 shown, s);
            return fail_node(p, line, col, "invalid value '%.*s'", shown, s);
        }
    }

    if (is_float) {
        /* strtod wants the digits without underscores.  It follows the C
         * locale's decimal point, which is '.' unless the program calls
         * setlocale(LC_NUMERIC, ...). */
        char *clean = malloc(n + 1), *end;
        size_t j, m = 0;
        double d;
        if (!clean) {
            fail_oom(p);
            return NULL;
        }
        for (j = 0; j < n; j++)
            if (s[j] != '_')
                clean[m++] = s[j];
        clean[m] = '\0';
        errno = 0;
        d = strtod(clean, &end);
        free(clean);
        if (errno == ERANGE && isinf(d))
            return fail_node(p, line, col, "float '%.*s' is too large for 64 bits", shown, s);
        v = new_node(p, DS_TOML_FLOAT, line, col);
        if (v)
            v->u.flt = d;
        return v;
    }

    {
        /* Accumulate the magnitude; a negative number may reach 2^63. */
        uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t value = 0;
        size_t j;
        for (j = has_sign ? 1 : 0; j < n; j++) {
            uint64_t d;
            if (s[j] == '_')
                continue;
            d = (uint64_t)(s[j] - '0');
            if (value > (limit - d) / 10)
                return fail_node(p, line, col, "integer does not fit in 64 bits");
            value = value * 10 + d;
        }
        v = new_node(p, DS_TOML_INTEGER, line, col);
        if (!v)
            return NULL;
        if (negative)
            v->u.integer = value == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)value;
        else
            v->u.integer = (int64_t)value;
        return v;
    }
}

/* ---------------------------------------------------------------------- */
/* Dates and times                                                         */
/* ---------------------------------------------------------------------- */

static bool looks_like_date(const parser *p)
{
    return is_digit(peek_at(p, 0)) && is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
           is_digit(peek_at(p, 3)) && peek_at(p, 4) == '-';
}

static bool looks_like_time(const parser *p)
{
    return is_digit(peek_at(p, 0)) && is_digit(peek_at(p, 1)) && peek_at(p, 2) == ':';
}

/* Read exactly `count` digits as a number. */
static bool read_digits(parser *p, int count, int *out)
{
    int i, v = 0;
    for (i = 0; i < count; i++) {
        if (!is_digit(peek(p)))
            return false;
        v = v * 10 + (peek(p) - '0');
        advance(p);
    }
    *out = v;
    return true;
}

static bool read_char(parser *p, int c)
{
    if (peek(p) != c)
        return false;
    advance(p);
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD */
static bool parse_date_part(parser *p, ds_toml_datetime *dt, int line, int col)
{
    if (!read_digits(p, 4, &dt->year) || !read_char(p, '-') || !read_digits(p, 2, &dt->month) ||
        !read_char(p, '-') || !read_digits(p, 2, &dt->day))
        return fail_at(p, line, col, "invalid date: expected YYYY-MM-DD");
    if (dt->month < 1 || dt->month > 12)
        return fail_at(p, line, col, "invalid date: month %02d is not 01 to 12", dt->month);
    if (dt->day < 1 || dt->day > days_in_month(dt->year, dt->month))
        return fail_at(p, line, col, "invalid date: %04d-%02d has no day %02d", dt->year, dt->month,
                       dt->day);
    return true;
}

/* HH:MM:SS[.fraction]  (TOML 1.0 requires the seconds) */
static bool parse_time_part(parser *p, ds_toml_datetime *dt, int line, int col)
{
    if (!read_digits(p, 2, &dt->hour) || !read_char(p, ':') || !read_digits(p, 2, &dt->minute) ||
        !read_char(p, ':') || !read_digits(p, 2, &dt->second))
        return fail_at(p, line, col, "invalid time: expected HH:MM:SS");
    if (dt->hour > 23)
        return fail_at(p, line, col, "invalid time: hour %02d is not 00 to 23", dt->hour);
    if (dt->minute > 59)
        return fail_at(p, line, col, "invalid time: minute %02d is not 00 to 59", dt->minute);
    /* RFC 3339 allows second 60 for leap seconds, but without a table of
     * leap seconds it cannot be checked, so it is refused like most TOML
     * parsers do. */
    if (dt->second > 59)
        return fail_at(p, line, col, "invalid time: second %02d is not 00 to 59", dt->second);
    if (peek(p) == '.') {
        int digits = 0;
        advance(p);
        if (!is_digit(peek(p)))
            return fail_at(p, line, col, "invalid time: '.' must be followed by digits");
        while (is_digit(peek(p))) {
            /* Keep nanoseconds; further digits are read but dropped. */
            if (digits < 9) {
                dt->nanosecond = dt->nanosecond * 10 + (peek(p) - '0');
                digits++;
            }
            advance(p);
        }
        dt->frac_digits = digits;
        for (; digits < 9; digits++)
            dt->nanosecond *= 10;
    }
    return true;
}

/* Z, z, +HH:MM or -HH:MM after a date and time.  Returns false with no
 * error if there is no offset (a local date-time). */
static bool parse_offset(parser *p, ds_toml_datetime *dt, bool *has_offset)
{
    int line = p->line, col = p->col, c = peek(p), hh, mm;
    *has_offset = false;
    if (c == 'Z' || c == 'z') {
        advance(p);
        *has_offset = true;
        return true;
    }
    if (c != '+' && c != '-')
        return true;
    advance(p);
    if (!read_digits(p, 2, &hh) || !read_char(p, ':') || !read_digits(p, 2, &mm))
        return fail_at(p, line, col, "invalid time offset: expected Z, +HH:MM or -HH:MM");
    if (hh > 23 || mm > 59)
        return fail_at(p, line, col, "invalid time offset %c%02d:%02d", c, hh, mm);
    dt->offset_minutes = (hh * 60 + mm) * (c == '-' ? -1 : 1);
    *has_offset = true;
    return true;
}

static ds_toml_value *parse_datetime(parser *p)
{
    int line = p->line, col = p->col;
    ds_toml_datetime dt;
    ds_toml_type type;
    ds_toml_value *v;
    memset(&dt, 0, sizeof dt);

    if (looks_like_date(p)) {
        int c;
        if (!parse_date_part(p, &dt, line, col))
            return NULL;
        c = peek(p);
        /* The date and time may be split by T, t or one space.  A space
         * only counts when a time follows, so "d = 2000-01-01 # note" is
         * still a plain date. */
        if (c == 'T' || c == 't' ||
            (c == ' ' && is_digit(peek_at(p, 1)) && is_digit(peek_at(p, 2)) &&
             peek_at(p, 3) == ':')) {
            bool has_offset;
            advance(p);
            if (!parse_time_part(p, &dt, line, col) || !parse_offset(p, &dt, &has_offset))
                return NULL;
            type = has_offset ? DS_TOML_DATETIME : DS_TOML_LOCAL_DATETIME;
        } else {
            type = DS_TOML_LOCAL_DATE;
        }
    } else {
        if (!parse_time_part(p, &dt, line, col))
            return NULL;
        type = DS_TOML_LOCAL_TIME;
    }
    v = new_node(p, type, line, col);
    if (v)
        v->u.dt = dt;
    return v;
}

/* ---------------------------------------------------------------------- */
/* Values, arrays and inline tables                                        */
/* ---------------------------------------------------------------------- */

static ds_toml_value *parse_value(parser *p, int depth);
static bool parse_keyval(parser *p, ds_toml_value *table, int depth);

/* Mark an inline table and every table created inside it (by dotted keys)
 * as immutable.  Inline tables nested in it were frozen when they closed,
 * which stops the walk, so each table is visited once. */
static void freeze(ds_toml_value *t)
{
    size_t i;
    t->flags |= F_FROZEN;
    for (i = 0; i < t->u.table.len; i++) {
        ds_toml_value *v = t->u.table.items[i].value;
        if (v->type == DS_TOML_TABLE && !(v->flags & F_FROZEN))
            freeze(v);
    }
}

static ds_toml_value *parse_array(parser *p, int depth)
{
    int line = p->line, col = p->col;
    ds_toml_value *arr = new_node(p, DS_TOML_ARRAY, line, col);
    if (!arr)
        return NULL;
    arr->flags = F_FROZEN; /* written with [ ], so [[ ]] may not append */
    advance(p);            /* [ */
    for (;;) {
        ds_toml_value *item;
        skip_blank(p);
        if (peek(p) == ']')
            break;
        if (peek(p) == -1) {
            fail_at(p, line, col, "array is never closed with ']'");
            goto error;
        }
        item = parse_value(p, depth + 1);
        if (!item || !array_push(p, arr, item))
            goto error;
        skip_blank(p);
        if (peek(p) == ',') {
            advance(p);
            continue;
        }
        if (peek(p) == ']')
            break;
        if (peek(p) == -1)
            fail_at(p, line, col, "array is never closed with ']'");
        else
            fail_found(p, "',' or ']' after array element");
        goto error;
    }
    advance(p); /* ] */
    return arr;
error:
    ds_toml_free(arr);
    return NULL;
}

static ds_toml_value *parse_inline_table(parser *p, int depth)
{
    int line = p->line, col = p->col;
    ds_toml_value *t = new_node(p, DS_TOML_TABLE, line, col);
    if (!t)
        return NULL;
    advance(p); /* { */
    skip_ws(p);
    if (peek(p) != '}') {
        for (;;) {
            skip_ws(p);
            if (peek(p) == '}') {
                fail(p, "a trailing comma is not allowed in an inline table");
                goto error;
            }
            if (at_newline(p) || peek(p) == '#') {
                fail(p, "an inline table must be written on one line");
                goto error;
            }
            if (!parse_keyval(p, t, depth))
                goto error;
            skip_ws(p);
            if (peek(p) == ',') {
                advance(p);
                continue;
            }
            if (peek(p) == '}')
                break;
            if (at_newline(p) || peek(p) == '#')
                fail(p, "an inline table must be written on one line");
            else
                fail_found(p, "',' or '}' in inline table");
            goto error;
        }
    }
    advance(p); /* } */
    freeze(t);
    return t;
error:
    ds_toml_free(t);
    return NULL;
}

/* Match a keyword such as "true": it must not run on into more letters. */
static bool match_word(const parser *p, const char *word)
{
    size_t n = strlen(word), i;
    for (i = 0; i < n; i++)
        if (peek_at(p, i) != (unsigned char)word[i])
            return false;
    return !is_bare_key_char(peek_at(p, n));
}

/* depth is the depth the value will have in the tree (root is 0). */
static ds_toml_value *parse_value(parser *p, int depth)
{
    int c = peek(p);
    if (depth > DS_TOML_MAX_DEPTH)
        return fail_node(p, p->line, p->col, "nesting is deeper than %d levels", DS_TOML_MAX_DEPTH);
    if (c == '"' || c == '\'')
        return parse_string_value(p);
    if (c == '[')
        return parse_array(p, depth);
    if (c == '{')
        return parse_inline_table(p, depth);
    if (c == 't' || c == 'f') {
        bool truth = c == 't';
        ds_toml_value *v;
        if (!match_word(p, truth ? "true" : "false")) {
            fail_found(p, "a value (booleans are written true or false)");
            return NULL;
        }
        v = new_node(p, DS_TOML_BOOL, p->line, p->col);
        if (!v)
            return NULL;
        v->u.boolean = truth;
        while (is_alpha(peek(p)))
            advance(p);
        return v;
    }
    if (looks_like_date(p) || looks_like_time(p))
        return parse_datetime(p);
    if (is_digit(c) || c == '+' || c == '-' || c == 'i' || c == 'n')
        return parse_number(p);
    fail_found(p, "a value");
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Key = value pairs and table headers                                     */
/* ---------------------------------------------------------------------- */

/* Follow the dotted parts of a key (all but the last) from table t,
 * creating tables as needed.  *depth is t's depth on entry and the result's
 * depth on return.  Dotted keys may not reach into an inline table, a
 * table defined by a [header], or anything that is not a table. */
static ds_toml_value *walk_dotted(parser *p, ds_toml_value *t, int *depth, const keypath *k)
{
    size_t i;
    char name[128];
    for (i = 0; i + 1 < k->n; i++) {
        const keypart *kp = &k->parts[i];
        ds_toml_entry *e = index_find(p, t, kp->s, kp->len);
        if (++*depth > DS_TOML_MAX_DEPTH)
            return fail_node(p, kp->line, kp->col, "nesting is deeper than %d levels",
                             DS_TOML_MAX_DEPTH);
        if (!e) {
            t = add_table(p, t, kp, kp->line, kp->col, F_DOTTED);
            if (!t)
                return NULL;
            continue;
        }
        format_key(name, sizeof name, k->parts, i + 1);
        if (e->value->type != DS_TOML_TABLE)
            return fail_node(p, kp->line, kp->col,
                             "key '%s' is already %s (line %d), so it cannot hold more keys", name,
                             ds_toml_type_describe(e->value->type), e->value->line);
        if (e->value->flags & F_FROZEN)
            return fail_node(p, kp->line, kp->col,
                             "cannot add keys to '%s': it is an inline table (line %d), "
                             "and inline tables cannot be extended",
                             name, e->value->line);
        if (e->value->flags & F_HEADER)
            return fail_node(p, kp->line, kp->col,
                             "cannot add keys to table '%s' with dotted keys: it was "
                             "defined by a [table] header at line %d",
                             name, e->value->line);
        t = e->value;
        t->flags |= F_DOTTED;
    }
    return t;
}

/* key = value, added to `table` (at `depth`). */
static bool parse_keyval(parser *p, ds_toml_value *table, int depth)
{
    keypath k = {0};
    ds_toml_value *target, *value;
    keypart *last;
    bool ok = false;

    if (!parse_key(p, &k))
        goto done;
    skip_ws(p);
    if (peek(p) != '=') {
        fail_found(p, "'=' after key");
        goto done;
    }
    advance(p);
    skip_ws(p);
    target = walk_dotted(p, table, &depth, &k);
    if (!target)
        goto done;
    last = &k.parts[k.n - 1];
    {
        const ds_toml_entry *e = index_find(p, target, last->s, last->len);
        if (e) {
            char name[128];
            fail_at(p, last->line, last->col, "duplicate key '%s' (first defined at line %d)",
                    format_key(name, sizeof name, k.parts, k.n), e->line);
            goto done;
        }
    }
    if (peek(p) == -1 || at_newline(p) || peek(p) == '#') {
        fail_found(p, "a value after '='");
        goto done;
    }
    value = parse_value(p, depth + 1);
    if (!value)
        goto done;
    ok = table_add(p, target, last->s, last->len, last->line, last->col, value);
    last->s = NULL; /* now owned by the table */
done:
    keypath_free(&k);
    return ok;
}

/* [a.b.c] or [[a.b.c]]; p is at the first '['. */
static bool parse_header(parser *p)
{
    int line = p->line, col = p->col, depth = 0;
    bool is_array = peek_at(p, 1) == '[';
    keypath k = {0};
    ds_toml_value *t = p->root;
    ds_toml_entry *e;
    const keypart *last;
    char name[128];
    size_t i;
    bool ok = false;

    advance(p);
    if (is_array)
        advance(p);
    skip_ws(p);
    if (!parse_key(p, &k))
        goto done;
    skip_ws(p);
    if (!read_char(p, ']') || (is_array && !read_char(p, ']'))) {
        fail_found(p, is_array ? "']]' to close the [[array]] header"
                               : "']' to close the [table] header");
        goto done;
    }

    /* Walk to the parent of the last part.  Missing tables are created
     * implicitly; through an array of tables, the walk continues in its
     * last element. */
    for (i = 0; i + 1 < k.n; i++) {
        const keypart *kp = &k.parts[i];
        if (++depth > DS_TOML_MAX_DEPTH) {
            fail_at(p, kp->line, kp->col, "nesting is deeper than %d levels", DS_TOML_MAX_DEPTH);
            goto done;
        }
        e = index_find(p, t, kp->s, kp->len);
        if (!e) {
            t = add_table(p, t, kp, kp->line, kp->col, 0);
            if (!t)
                goto done;
            continue;
        }
        format_key(name, sizeof name, k.parts, i + 1);
        if (e->value->type == DS_TOML_TABLE && !(e->value->flags & F_FROZEN)) {
            t = e->value;
        } else if (e->value->type == DS_TOML_ARRAY && (e->value->flags & F_AOT)) {
            /* [[a]] always adds a table, so the array is never empty. */
            t = e->value->u.arr.items[e->value->u.arr.len - 1];
            depth++;
        } else if (e->value->flags & F_FROZEN) {
            fail_at(p, kp->line, kp->col,
                    "cannot add to '%s': it is %s written inline (line %d), "
                    "which cannot be extended",
                    name, ds_toml_type_describe(e->value->type), e->value->line);
            goto done;
        } else {
            fail_at(p, kp->line, kp->col, "key '%s' is already %s (line %d), not a table", name,
                    ds_toml_type_describe(e->value->type), e->value->line);
            goto done;
        }
    }

    last = &k.parts[k.n - 1];
    format_key(name, sizeof name, k.parts, k.n);
    if (++depth > DS_TOML_MAX_DEPTH) {
        fail_at(p, last->line, last->col, "nesting is deeper than %d levels", DS_TOML_MAX_DEPTH);
        goto done;
    }
    e = index_find(p, t, last->s, last->len);

    if (is_array) {
        ds_toml_value *arr, *elem;
        if (!e) {
            arr = new_node(p, DS_TOML_ARRAY, line, col);
            if (!arr)
                goto done;
            arr->flags = F_AOT;
            if (!table_add(p, t, last->s, last->len, last->line, last->col, arr)) {
                k.parts[k.n - 1].s = NULL;
                goto done;
            }
            k.parts[k.n - 1].s = NULL; /* now owned by the table */
        } else if (e->value->type == DS_TOML_ARRAY && (e->value->flags & F_AOT)) {
            arr = e->value;
        } else if (e->value->type == DS_TOML_ARRAY) {
            fail_at(p, last->line, last->col,
                    "cannot append to '%s' with [[%s]]: it is an array written with [ ] "
                    "(line %d)",
                    name, name, e->value->line);
            goto done;
        } else {
            fail_at(p, last->line, last->col,
                    "cannot define '%s' as an array of tables: it is already %s (line %d)", name,
                    ds_toml_type_describe(e->value->type), e->value->line);
            goto done;
        }
        if (++depth > DS_TOML_MAX_DEPTH) {
            fail_at(p, last->line, last->col, "nesting is deeper than %d levels",
                    DS_TOML_MAX_DEPTH);
            goto done;
        }
        elem = new_node(p, DS_TOML_TABLE, line, col);
        if (!elem || !array_push(p, arr, elem))
            goto done;
        elem->flags = F_HEADER;
        p->cur = elem;
        p->cur_depth = depth;
        ok = true;
        goto done;
    }

    if (!e) {
        ds_toml_value *nt = add_table(p, t, last, line, col, F_HEADER);
        if (!nt)
            goto done;
        p->cur = nt;
    } else {
        ds_toml_value *v = e->value;
        if (v->type != DS_TOML_TABLE) {
            fail_at(p, last->line, last->col,
                    "cannot define table '%s': it is already %s (line %d)", name,
                    ds_toml_type_describe(v->type), v->line);
            goto done;
        }
        if (v->flags & F_FROZEN) {
            fail_at(p, last->line, last->col,
                    "cannot define table '%s': it is an inline table (line %d), "
                    "which cannot be extended",
                    name, v->line);
            goto done;
        }
        if (v->flags & F_HEADER) {
            fail_at(p, last->line, last->col, "table '%s' is already defined at line %d", name,
                    v->line);
            goto done;
        }
        if (v->flags & F_DOTTED) {
            fail_at(p, last->line, last->col, "table '%s' was already defined with dotted keys",
                    name);
            goto done;
        }
        /* The table existed only implicitly (made by a header such as
         * [a.b.c] for a); this header defines it, so point at it now. */
        v->flags |= F_HEADER;
        v->line = line;
        v->col = col;
        e->line = last->line;
        e->col = last->col;
        p->cur = v;
    }
    p->cur_depth = depth;
    ok = true;
done:
    keypath_free(&k);
    return ok;
}

static bool parse_document(parser *p)
{
    for (;;) {
        const char *what = NULL;
        skip_ws(p);
        if (peek(p) == '[') {
            if (!parse_header(p))
                return false;
            what = "table header";
        } else if (peek(p) != '#' && peek(p) != -1 && !at_newline(p)) {
            if (!parse_keyval(p, p->cur, p->cur_depth))
                return false;
            what = "value";
        }
        skip_ws(p);
        skip_comment(p);
        if (peek(p) == -1)
            return true;
        if (!at_newline(p)) {
            char expected[64];
            snprintf(expected, sizeof expected, "end of line after %s", what ? what : "comment");
            return fail_found(p, expected);
        }
        skip_newline(p);
    }
}

/* ---------------------------------------------------------------------- */
/* Public API                                                              */
/* ---------------------------------------------------------------------- */

ds_toml_value *ds_toml_parse(const char *text, size_t len, ds_toml_error *err)
{
    parser p;
    ds_toml_error scratch = {0, 0, ""};
    bool ok;

    memset(&p, 0, sizeof p);
    p.err = err ? err : &scratch;
    p.err->line = 0;
    p.err->col = 0;
    p.err->msg[0] = '\0';
    p.s = (const unsigned char *)(text ? text : "");
    p.len = text ? len : 0;
    p.line = 1;
    p.col = 1;
    /* Lines and columns are ints; a configuration file is never this big. */
    if (p.len > INT_MAX) {
        fail(&p, "document is larger than %d bytes", INT_MAX);
        return NULL;
    }
    /* A UTF-8 byte order mark may start the file; it is not content. */
    if (p.len >= 3 && memcmp(p.s, "\xEF\xBB\xBF", 3) == 0)
        p.pos = 3;

    p.root = new_node(&p, DS_TOML_TABLE, 1, 1);
    if (!p.root)
        return NULL;
    p.root->flags = F_HEADER; /* the root can never be defined again */
    p.cur = p.root;
    p.cur_depth = 0;

    ok = check_text(&p) && parse_document(&p);
    free(p.index.slots);
    if (!ok) {
        ds_toml_free(p.root);
        return NULL;
    }
    return p.root;
}

void ds_toml_free(ds_toml_value *v)
{
    size_t i;
    if (!v)
        return;
    switch (v->type) {
    case DS_TOML_STRING:
        free(v->u.str.ptr);
        break;
    case DS_TOML_ARRAY:
        for (i = 0; i < v->u.arr.len; i++)
            ds_toml_free(v->u.arr.items[i]);
        free(v->u.arr.items);
        break;
    case DS_TOML_TABLE:
        for (i = 0; i < v->u.table.len; i++) {
            free(v->u.table.items[i].key);
            ds_toml_free(v->u.table.items[i].value);
        }
        free(v->u.table.items);
        break;
    default:
        break;
    }
    free(v);
}

const ds_toml_entry *ds_toml_find(const ds_toml_value *table, const char *key)
{
    size_t i, len;
    if (!table || table->type != DS_TOML_TABLE || !key)
        return NULL;
    len = strlen(key);
    for (i = 0; i < table->u.table.len; i++) {
        const ds_toml_entry *e = &table->u.table.items[i];
        if (e->key_len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
    return NULL;
}

const char *ds_toml_type_describe(ds_toml_type t)
{
    switch (t) {
    case DS_TOML_STRING:
        return "a string";
    case DS_TOML_INTEGER:
        return "an integer";
    case DS_TOML_FLOAT:
        return "a float";
    case DS_TOML_BOOL:
        return "a boolean";
    case DS_TOML_DATETIME:
        return "an offset date-time";
    case DS_TOML_LOCAL_DATETIME:
        return "a local date-time";
    case DS_TOML_LOCAL_DATE:
        return "a local date";
    case DS_TOML_LOCAL_TIME:
        return "a local time";
    case DS_TOML_ARRAY:
        return "an array";
    case DS_TOML_TABLE:
        return "a table";
    }
    return "an unknown value";
}

size_t ds_toml_datetime_format(ds_toml_type t, const ds_toml_datetime *dt, char *buf, size_t size)
{
    assert(t >= DS_TOML_DATETIME && t <= DS_TOML_LOCAL_TIME && dt && (buf || size == 0));
    /* Every field is printed with at most 11 characters, so 160 bytes hold
     * even nonsense values; real ones need at most 35. */
    char tmp[160];
    int n = 0;
    bool date = t == DS_TOML_DATETIME || t == DS_TOML_LOCAL_DATETIME || t == DS_TOML_LOCAL_DATE;
    bool time = t == DS_TOML_DATETIME || t == DS_TOML_LOCAL_DATETIME || t == DS_TOML_LOCAL_TIME;

    tmp[0] = '\0';
    if (date)
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%04d-%02d-%02d", dt->year, dt->month,
                      dt->day);
    if (date && time)
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "T");
    if (time) {
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%02d:%02d:%02d", dt->hour, dt->minute,
                      dt->second);
        if (dt->frac_digits > 0) {
            int digits = dt->frac_digits > 9 ? 9 : dt->frac_digits, i;
            long frac = dt->nanosecond;
            for (i = digits; i < 9; i++)
                frac /= 10;
            n += snprintf(tmp + n, sizeof tmp - (size_t)n, ".%0*ld", digits, frac);
        }
    }
    if (t == DS_TOML_DATETIME) {
        long long off = dt->offset_minutes;
        if (off == 0)
            n += snprintf(tmp + n, sizeof tmp - (size_t)n, "Z");
        else
            n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%c%02lld:%02lld", off < 0 ? '-' : '+',
                          llabs(off) / 60, llabs(off) % 60);
    }
    if (size > 0)
        snprintf(buf, size, "%s", tmp);
    return (size_t)n;
}
