/* search.c - the site search index (see search.h).
 *
 * Prose is walked with md4c's parser (the renderer html.c uses), so what is
 * indexed is the text a reader sees: no markdown syntax, no raw HTML. */
#include "search.h"

#include <jansson.h>
#include <md4c.h>
#include <stdlib.h>
#include <string.h>

/* What one page's prose gives. */
typedef struct {
    ds_buf text;       /* plain text, white space collapsed */
    ds_buf heading;    /* the heading being read */
    int in_heading;    /* inside an MD_BLOCK_H */
    json_t *headings;  /* strings */
    const char *title; /* headings equal to it are not kept */
} prose;

/* Appends S[0..n) to B with runs of white space made one space. */
static void add_text(ds_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        if (space) {
            if (b->len && b->data[b->len - 1] != ' ')
                ds_buf_putc(b, ' ');
        } else {
            ds_buf_putc(b, c);
        }
    }
}

/* The length of S cut to at most MAX bytes without splitting a UTF-8
 * character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
    (void)detail;
    prose *p = arg;
    if (type == MD_BLOCK_H) {
        p->in_heading = 1;
        p->heading.len = 0;
        if (p->heading.data)
            p->heading.data[0] = '\0';
    }
    return 0;
}

static void trim_end(ds_buf *b)
{
    while (b->len && b->data[b->len - 1] == ' ')
        b->data[--b->len] = '\0';
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
    (void)detail;
    prose *p = arg;
    if (type == MD_BLOCK_H) {
        p->in_heading = 0;
        trim_end(&p->heading);
        const char *h = ds_buf_str(&p->heading);
        size_t n = utf8_cut(h, p->heading.len, DS_SEARCH_HEADING_MAX);
        if (n && json_array_size(p->headings) < DS_SEARCH_HEADINGS_MAX &&
            !(p->title && strlen(p->title) == n && memcmp(p->title, h, n) == 0)) {
            json_t *s = json_stringn(h, n);
            if (s) /* page text is UTF-8 (checked when parsed) */
                json_array_append_new(p->headings, s);
        }
    }
    /* Blocks are separated in the text as they are on the page. */
    add_text(&p->text, " ", 1);
    return 0;
}

static int span(MD_SPANTYPE type, void *detail, void *arg)
{
    (void)type;
    (void)detail;
    (void)arg;
    return 0;
}

/* Entities the prose most often uses; others are left out of the index. */
static const char *entity(const char *s, size_t n)
{
    static const struct {
        const char *name, *text;
    } E[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&nbsp;", " "},
             {"&#39;", "'"}, {"&apos;", "'"}};
    for (size_t i = 0; i < DS_ARRAY_LEN(E); i++)
        if (strlen(E[i].name) == n && memcmp(E[i].name, s, n) == 0)
            return E[i].text;
    return NULL;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
    prose *p = arg;
    ds_buf *b = p->in_heading ? &p->heading : &p->text;
    switch (type) {
    case MD_TEXT_HTML:
    case MD_TEXT_NULLCHAR: break;
    case MD_TEXT_BR:
    case MD_TEXT_SOFTBR: add_text(b, " ", 1); break;
    case MD_TEXT_ENTITY: {
        const char *e = entity(s, n);
        if (e)
            add_text(b, e, strlen(e));
        break;
    }
    default: add_text(b, s, n); break;
    }
    return 0;
}

static void read_prose(prose *p, const char *md)
{
    MD_PARSER parser = {0};
    parser.abi_version = 0;
    parser.flags = MD_DIALECT_GITHUB;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = span;
    parser.leave_span = span;
    parser.text = text;
    /* md4c fails only when it runs out of memory: the page keeps what was
     * read. */
    (void)md_parse(md, (MD_SIZE)strlen(md), &parser, p);
}

static json_t *page_entry(const ds_site_page *sp, size_t *budget)
{
    prose p = {.headings = json_array(), .title = sp->title};
    if (sp->page.description) {
        add_text(&p.text, sp->page.description, strlen(sp->page.description));
        add_text(&p.text, " ", 1);
    }
    for (size_t i = 0; i < sp->page.n_parts; i++)
        if (sp->page.parts[i].kind == DS_PART_PROSE && sp->page.parts[i].text)
            read_prose(&p, sp->page.parts[i].text);
    trim_end(&p.text);
    const char *t = ds_buf_str(&p.text);
    size_t len = strlen(t);
    size_t keep = utf8_cut(t, len, DS_SEARCH_TEXT_MAX < *budget ? DS_SEARCH_TEXT_MAX : *budget);
    while (keep < len && keep > 0 && t[keep - 1] == ' ')
        keep--;
    *budget -= keep;
    ds_buf url = {0};
    ds_buf_putc(&url, '/');
    ds_html_url_path(&url, sp->rel);
    ds_buf_puts(&url, ".html");
    json_t *text_json = json_stringn(t, keep);
    json_t *o = json_pack("{s:s, s:s, s:o, s:o}", "url", url.data, "title", sp->title, "headings",
                          p.headings, "text", text_json ? text_json : json_string(""));
    ds_buf_free(&url);
    ds_buf_free(&p.text);
    ds_buf_free(&p.heading);
    return o;
}

char *ds_search_index(const ds_pages *pages)
{
    json_t *list = json_array();
    size_t budget = DS_SEARCH_TOTAL_MAX;
    for (size_t i = 0; i < pages->len; i++) {
        const ds_site_page *sp = &pages->items[i];
        if (sp->page.settings.hidden)
            continue;
        json_t *entry = page_entry(sp, &budget);
        if (entry)
            json_array_append_new(list, entry);
    }
    json_t *doc = json_pack("{s:o}", "pages", list);
    char *text = json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT);
    json_decref(doc);
    char *out = ds_asprintf("%s\n", text);
    free(text);
    return out;
}
