/* maptable.c - data_map.json → hash table (see maptable.h).
 *
 * Strings are referenced, not copied: a string without escapes stays in the
 * file text, a string with escapes is decoded into a side buffer.  A
 * reference is an offset into the text, or, with SIDE_BIT set, into the side
 * buffer; offsets stay valid while the side buffer grows.  The text is only
 * changed once the whole parse has succeeded (so a failed fast parse leaves
 * it intact for the jansson fallback): then its strings are packed to the
 * front, NUL-terminated, and the buffer shrunk, dropping the quotes, colons
 * and indentation (a tenth of a builder-written map).  Memory matters: while
 * a new map loads, the old one is still serving. */
#include "maptable.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/utf8.h"

#define SIDE_BIT ((uint64_t)1 << 63)

typedef struct {
    uint64_t key, val; /* references (see above) */
    uint32_t keylen, vallen;
    uint32_t hash;
} entry; /* 32 bytes: a million entries take 32 MB */

struct ds_maptable {
    char *text;     /* the file's bytes (NULL after a fallback parse) */
    ds_buf side;    /* decoded strings, each NUL-terminated */
    entry *entries; /* in file order; duplicates stay but are unreachable */
    size_t n_entries, cap_entries;
    uint32_t *slots; /* entry index + 1, 0 = empty; power-of-two size */
    size_t mask;
    size_t count; /* distinct keys */
    bool fallback;
};

static const char *deref(const ds_maptable *t, uint64_t ref)
{
    return ref & SIDE_BIT ? t->side.data + (ref & ~SIDE_BIT) : t->text + ref;
}

/* A fast 64-bit hash over 8-byte words with a murmur-style finish.  Keys come
 * from our own builder, so there is no need for a keyed (DoS-resistant) hash:
 * a request can only probe the table, never add to it. */
static uint32_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static void add_entry(ds_maptable *t, uint64_t key, size_t keylen, uint64_t val, size_t vallen)
{
    if (t->n_entries == t->cap_entries) {
        t->cap_entries = t->cap_entries ? t->cap_entries * 2 : 64;
        t->entries = ds_xrealloc(t->entries, t->cap_entries * sizeof *t->entries);
    }
    entry *e = &t->entries[t->n_entries++];
    e->key = key;
    e->val = val;
    e->keylen = (uint32_t)keylen;
    e->vallen = (uint32_t)vallen;
    e->hash = 0;
}

/* Fills the slot array; a later entry with the same key replaces the earlier
 * one (as jansson does with duplicate keys). */
static void build_index(ds_maptable *t)
{
    size_t size = 16;
    while (size < t->n_entries * 2)
        size *= 2;
    t->slots = ds_xcalloc(size, sizeof *t->slots);
    ds_populate(t->slots, size * sizeof *t->slots);
    t->mask = size - 1;
    t->count = 0;
    for (size_t i = 0; i < t->n_entries; i++) {
        entry *e = &t->entries[i];
        const char *key = deref(t, e->key);
        e->hash = hash_bytes(key, e->keylen);
        size_t s = e->hash & t->mask;
        for (;; s = (s + 1) & t->mask) {
            uint32_t idx = t->slots[s];
            if (idx == 0) {
                t->slots[s] = (uint32_t)(i + 1);
                t->count++;
                break;
            }
            const entry *o = &t->entries[idx - 1];
            if (o->hash == e->hash && o->keylen == e->keylen &&
                memcmp(deref(t, o->key), key, e->keylen) == 0) {
                t->slots[s] = (uint32_t)(i + 1);
                break;
            }
        }
    }
}

/* ---- the fast parser ---- */

typedef struct {
    const char *text, *p, *end;
    ds_buf *side;
} parser;

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\n' || *ps->p == '\r' || *ps->p == '\t'))
        ps->p++;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes the escapes of a string whose raw body is [s, e) into the side
 * buffer.  False for anything we do not handle (\u0000, bad surrogates). */
static bool decode_escaped(parser *ps, const char *s, const char *e, uint64_t *ref, size_t *len)
{
    size_t start = ps->side->len;
    while (s < e) {
        if (*s != '\\') {
            const char *run = s;
            while (s < e && *s != '\\')
                s++;
            ds_buf_add(ps->side, run, (size_t)(s - run));
            continue;
        }
        char c = s[1]; /* a backslash is never the last byte of the body */
        s += 2;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            ds_buf_putc(ps->side, c);
            break;
        case 'b':
            ds_buf_putc(ps->side, '\b');
            break;
        case 'f':
            ds_buf_putc(ps->side, '\f');
            break;
        case 'n':
            ds_buf_putc(ps->side, '\n');
            break;
        case 'r':
            ds_buf_putc(ps->side, '\r');
            break;
        case 't':
            ds_buf_putc(ps->side, '\t');
            break;
        case 'u': {
            int cp = e - s >= 4 ? hex4(s) : -1;
            if (cp <= 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                return false;
            s += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                int lo = e - s >= 6 && s[0] == '\\' && s[1] == 'u' ? hex4(s + 2) : -1;
                if (lo < 0xdc00 || lo > 0xdfff)
                    return false;
                s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            char u[DS_UTF8_MAX]; /* cp is now a scalar value, so it encodes */
            ds_buf_add(ps->side, u, ds_utf8_encode((uint32_t)cp, u));
            break;
        }
        default:
            return false;
        }
    }
    *len = ps->side->len - start;
    ds_buf_putc(ps->side, '\0');
    *ref = SIDE_BIT | start;
    return true;
}

/* Reads a string at ps->p (which is at its opening quote). */
static bool read_string(parser *ps, uint64_t *ref, size_t *len)
{
    const unsigned char *p = (const unsigned char *)ps->p + 1;
    const unsigned char *end = (const unsigned char *)ps->end;
    const char *body = (const char *)p;
    bool escaped = false;
    for (;;) {
        if (p >= end)
            return false;
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            if (end - p < 2)
                return false;
            escaped = true;
            p += 2; /* the escaped byte is checked by decode_escaped */
        } else if (c < 0x20) {
            return false;
        } else if (c < 0x80) {
            p++;
        } else {
            size_t n = ds_utf8_decode((const char *)p, (size_t)(end - p), NULL);
            if (n == 0)
                return false;
            p += n;
        }
    }
    ps->p = (const char *)p + 1;
    if (escaped)
        return decode_escaped(ps, body, (const char *)p, ref, len);
    *ref = (uint64_t)(body - ps->text);
    *len = (size_t)((const char *)p - body);
    return true;
}

static bool fast_parse(ds_maptable *t, const char *text, size_t len)
{
    parser ps = {text, text, text + len, &t->side};
    skip_ws(&ps);
    if (ps.p >= ps.end || *ps.p != '{')
        return false;
    ps.p++;
    skip_ws(&ps);
    if (ps.p < ps.end && *ps.p == '}') {
        ps.p++;
    } else {
        for (;;) {
            uint64_t k, v;
            size_t kl, vl;
            if (ps.p >= ps.end || *ps.p != '"' || !read_string(&ps, &k, &kl))
                return false;
            skip_ws(&ps);
            if (ps.p >= ps.end || *ps.p != ':')
                return false;
            ps.p++;
            skip_ws(&ps);
            if (ps.p >= ps.end || *ps.p != '"' || !read_string(&ps, &v, &vl))
                return false;
            if (kl > UINT32_MAX || vl > UINT32_MAX)
                return false;
            add_entry(t, k, kl, v, vl);
            skip_ws(&ps);
            if (ps.p < ps.end && *ps.p == ',') {
                ps.p++;
                skip_ws(&ps);
                continue;
            }
            if (ps.p < ps.end && *ps.p == '}') {
                ps.p++;
                break;
            }
            return false;
        }
    }
    skip_ws(&ps);
    return ps.p == ps.end;
}

/* ---- the jansson fallback: copies every string into the side buffer ---- */

static bool jansson_parse(ds_maptable *t, const char *text, size_t len, const char *name,
                          ds_err *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    if (!doc)
        return ds_err_set(err, "%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text), false;
    bool ok = json_is_object(doc);
    if (!ok)
        ds_err_set(err, "%s: expected a JSON object of \"key\": \"path\" pairs", name);
    const char *key;
    json_t *value;
    json_object_foreach(ok ? doc : NULL, key, value)
    {
        if (!json_is_string(value)) {
            ok = false;
            ds_err_set(err, "%s: the value of \"%s\" is not a string", name, key);
            break;
        }
        size_t kl = strlen(key), vl = json_string_length(value);
        if (memchr(json_string_value(value), '\0', vl)) {
            ok = false;
            ds_err_set(err, "%s: the value of \"%s\" contains a NUL byte", name, key);
            break;
        }
        uint64_t k = SIDE_BIT | t->side.len;
        ds_buf_add(&t->side, key, kl + 1);
        uint64_t v = SIDE_BIT | t->side.len;
        ds_buf_add(&t->side, json_string_value(value), vl + 1);
        add_entry(t, k, kl, v, vl);
    }
    json_decref(doc);
    return ok;
}

/* Moves the strings that live in the text to its front, in file order,
 * each followed by a NUL, and shrinks the buffer.  Every string is followed
 * in the file by at least its closing quote, so the write position never
 * passes the read position. */
static char *pack_strings(ds_maptable *t, char *text)
{
    size_t w = 0;
    for (size_t i = 0; i < t->n_entries; i++) {
        entry *e = &t->entries[i];
        if (!(e->key & SIDE_BIT)) {
            memmove(text + w, text + e->key, e->keylen);
            text[w + e->keylen] = '\0';
            e->key = w;
            w += (size_t)e->keylen + 1;
        }
        if (!(e->val & SIDE_BIT)) {
            size_t n = e->vallen;
            memmove(text + w, text + e->val, n);
            text[w + n] = '\0';
            e->val = w;
            w += n + 1;
        }
    }
    char *shrunk = realloc(text, w ? w : 1);
    return shrunk ? shrunk : text;
}

ds_maptable *ds_maptable_empty(void)
{
    ds_maptable *t = ds_xcalloc(1, sizeof *t);
    build_index(t);
    return t;
}

ds_maptable *ds_maptable_parse(char *text, size_t len, const char *name, ds_err *err)
{
    assert(text && text[len] == '\0' && name); /* the fast parser relies on the NUL */
    ds_maptable *t = ds_xcalloc(1, sizeof *t);
    /* Size the entry array from the line count: the builder writes one pair
     * per line, so this is one allocation instead of twenty doublings. */
    size_t lines = 0;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))) != NULL; p++)
        lines++;
    t->cap_entries = lines + 16;
    t->entries = ds_xmalloc(t->cap_entries * sizeof *t->entries);
    ds_populate(t->entries, t->cap_entries * sizeof *t->entries);

    if (fast_parse(t, text, len)) {
        t->text = pack_strings(t, text);
    } else {
        t->n_entries = 0;
        t->side.len = 0;
        t->fallback = true;
        bool ok = jansson_parse(t, text, len, name, err);
        free(text);
        if (!ok) {
            ds_maptable_free(t);
            return NULL;
        }
    }
    build_index(t);
    return t;
}

ds_maptable *ds_maptable_from_datamap(const ds_datamap *m)
{
    assert(m->finished || m->len == 0); /* sorted, one entry per key */
    ds_maptable *t = ds_xcalloc(1, sizeof *t);
    t->cap_entries = m->len + 1;
    t->entries = ds_xmalloc(t->cap_entries * sizeof *t->entries);
    /* One allocation for every string: maps reach many megabytes. */
    size_t total = 1;
    for (size_t i = 0; i < m->len; i++)
        total += strlen(m->items[i].key) + strlen(m->items[i].path) + 2;
    t->side = (ds_buf){ds_xmalloc(total), 0, total};
    for (size_t i = 0; i < m->len; i++) {
        const ds_datamap_entry *e = &m->items[i];
        size_t kl = strlen(e->key), vl = strlen(e->path);
        assert(kl <= UINT32_MAX);
        uint64_t k = SIDE_BIT | t->side.len;
        ds_buf_add(&t->side, e->key, kl + 1);
        uint64_t v = SIDE_BIT | t->side.len;
        ds_buf_add(&t->side, e->path, vl + 1);
        add_entry(t, k, kl, v, vl);
    }
    build_index(t);
    return t;
}

ds_maptable *ds_maptable_load(const char *path, ds_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        ds_err_set(err, "cannot read %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *text = ds_xmalloc(size + 1);
    ds_populate(text, size + 1);
    while (got < size) {
        ssize_t n = read(fd, text + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n < 0)
                ds_err_set(err, "cannot read %s: %s", path, strerror(errno));
            else
                ds_err_set(err, "cannot read %s: it shrank while being read", path);
            free(text);
            close(fd);
            return NULL;
        }
        got += (size_t)n;
    }
    close(fd);
    text[size] = '\0';
    return ds_maptable_parse(text, size, path, err);
}

const char *ds_maptable_get(const ds_maptable *t, const char *key, size_t keylen)
{
    assert(t && (key || keylen == 0));
    uint32_t h = hash_bytes(key, keylen);
    for (size_t s = h & t->mask;; s = (s + 1) & t->mask) {
        uint32_t idx = t->slots[s];
        if (idx == 0)
            return NULL;
        const entry *e = &t->entries[idx - 1];
        if (e->hash == h && e->keylen == keylen && memcmp(deref(t, e->key), key, keylen) == 0)
            return deref(t, e->val);
    }
}

size_t ds_maptable_count(const ds_maptable *t)
{
    return t->count;
}

size_t ds_maptable_slots(const ds_maptable *t)
{
    return t->n_entries;
}

bool ds_maptable_at(const ds_maptable *t, size_t i, const char **key, size_t *keylen,
                    const char **path)
{
    assert(t && i < t->n_entries && key && keylen && path);
    const entry *e = &t->entries[i];
    const char *k = deref(t, e->key);
    const char *v = deref(t, e->val);
    /* A duplicate key's earlier entry is not the one a lookup finds. */
    if (ds_maptable_get(t, k, e->keylen) != v)
        return false;
    *key = k;
    *keylen = e->keylen;
    *path = v;
    return true;
}

bool ds_maptable_used_fallback(const ds_maptable *t)
{
    return t->fallback;
}

void ds_maptable_free(ds_maptable *t)
{
    if (!t)
        return;
    free(t->text);
    ds_buf_free(&t->side);
    free(t->entries);
    free(t->slots);
    free(t);
}
