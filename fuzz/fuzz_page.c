/* fuzz_page.c - libFuzzer target for the page scanner (src/site/page.c):
 * front matter, fences, DSL blocks, key/value bodies with format sections,
 * form bodies and grids.
 *
 * Input: the text of one content/ page (up to its first NUL, as a file read
 * into a C string would be).  Checks what every parse must give: an error
 * names the page and a line inside it; a page has its parts in document
 * order, valid ids and names, findable by kind and id, non-empty keys, grid
 * sizes in range, and every string terminated. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "site/page.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_kvs(const ds_kv *items, size_t n, int first_line, int last_line)
{
    for (size_t i = 0; i < n; i++)
        if (!items[i].key || !items[i].value || items[i].line <= first_line ||
            items[i].line > last_line)
            abort();
}

static void check_page(const ds_page *page, int n_lines)
{
    int prev = 0;
    if (page->title && (!*page->title || isspace((unsigned char)page->title[0])))
        abort();
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        /* Document order, lines inside the page; a ${query.column} value
         * follows its prose and may share its line (and another's). */
        if ((p->inline_ref ? p->line < prev : p->line <= prev) || p->line > n_lines)
            abort();
        prev = p->line;
        /* a block's keys follow its fence; an inline value's are on its line */
        check_kvs(p->kv, p->n_kv, p->inline_ref ? p->line - 1 : p->line, n_lines);
        for (size_t f = 0; f < p->n_formats; f++) {
            if (!p->formats[f].target || !*p->formats[f].target)
                abort();
            check_kvs(p->formats[f].items, p->formats[f].n_items, p->line, n_lines);
        }
        switch (p->kind) {
        case DS_PART_PROSE:
            if (!p->text || p->id)
                abort();
            break;
        case DS_PART_SQL:
            if (!p->text || !*p->text)
                abort();
            /* fall through */
        case DS_PART_ECHART:
        case DS_PART_TABLE:
        case DS_PART_INPUT:
            if (!p->id || !ds_page_is_id(p->id) || ds_page_find(page, p->kind, p->id) != p)
                abort(); /* ids are unique per kind */
            for (size_t k = 0; k < p->n_kv; k++)
                if (!*p->kv[k].key || strcmp(p->kv[k].key, "format") == 0)
                    abort();
            break;
        case DS_PART_FORM:
            if (!p->id || !ds_page_is_id(p->id) || ds_page_find(page, p->kind, p->id) != p)
                abort();
            for (size_t k = 0; k < p->n_kv; k++)
                if (!*p->kv[k].key || strcmp(p->kv[k].key, "sql_relation_query") == 0)
                    abort(); /* the query is the text, never a key */
            if (p->text && (!*p->text || p->text_line <= p->line || p->text_line > n_lines))
                abort();
            break;
        case DS_PART_VALUE:
        case DS_PART_KPI:
            /* ```value <id>, ```kpi <id>, or ${query.column} in prose
             * (a value part "inline-N" that reads the query and column) */
            if (!p->id || !*p->id || ds_page_find(page, p->kind, p->id) != p)
                abort();
            if (p->inline_ref && (p->kind != DS_PART_VALUE || strncmp(p->id, "inline-", 7) != 0 ||
                                  !ds_part_get(p, "query") ||
                                  !ds_part_get(p, "column")))
                abort();
            if (!p->inline_ref && !ds_page_is_id(p->id))
                abort();
            for (size_t k = 0; k < p->n_kv; k++)
                if (!*p->kv[k].key)
                    abort();
            break;
        case DS_PART_GRID:
            if (p->cols < 1 || p->cols > 12 || !p->gap || !*p->gap)
                abort();
            for (size_t r = 0; r < p->n_rows; r++) {
                if (p->rows[r].n_cells == 0)
                    abort();
                for (size_t c = 0; c < p->rows[r].n_cells; c++) {
                    const ds_cell *cell = &p->rows[r].cells[c];
                    if (!ds_page_is_id(cell->id) || cell->span < 1 || cell->span > p->cols)
                        abort();
                }
            }
            break;
        default:
            abort();
        }
        (void)ds_part_kind_name(p->kind);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int n_lines = 1;
    for (const char *p = text; *p; p++)
        n_lines += *p == '\n';

    ds_page page;
    ds_err err;
    err.msg[0] = '\0';
    if (ds_page_parse(text, "content/page.md", &page, &err) == 0) {
        check_page(&page, n_lines);
        ds_page_free(&page);
    } else {
        /* "content/page.md:LINE: what to do", with LINE inside the page */
        static const char prefix[] = "content/page.md:";
        if (strncmp(err.msg, prefix, sizeof prefix - 1) != 0)
            abort();
        char *end;
        long line = strtol(err.msg + sizeof prefix - 1, &end, 10);
        if (line < 1 || line > n_lines || *end != ':' || end[1] != ' ' || !end[2])
            abort();
        if (page.n_parts || page.parts || page.title)
            abort(); /* a failed parse leaves nothing behind */
    }
    free(text);
    return 0;
}
