/* html.c - page documents, navigation and page config (see html.h).
 *
 * The document layout is a contract with the browser runtime (web/): class
 * names, data- attributes and the page-config keys must match what it
 * looks for.  docs/pages.md describes it. */
#include "html.h"

#include <assert.h>
#include <jansson.h>
#include <md4c-html.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firstpaint.h"
#include "pagesql.h"

void ds_html_escape(ds_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': ds_buf_puts(b, "&amp;"); break;
        case '<': ds_buf_puts(b, "&lt;"); break;
        case '>': ds_buf_puts(b, "&gt;"); break;
        case '"': ds_buf_puts(b, "&quot;"); break;
        case '\'': ds_buf_puts(b, "&#39;"); break;
        default: ds_buf_putc(b, *s);
        }
    }
}

void ds_html_url_path(ds_buf *b, const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p)) {
            ds_buf_putc(b, (char)*p);
        } else {
            ds_buf_putc(b, '%');
            ds_buf_putc(b, hex[*p >> 4]);
            ds_buf_putc(b, hex[*p & 15]);
        }
    }
}

static void md_out(const MD_CHAR *text, MD_SIZE size, void *userdata)
{
    ds_buf_add(userdata, text, size);
}

void ds_html_markdown(ds_buf *b, const char *md)
{
    /* md4c fails only when it runs out of memory. */
    if (md_html(md, (MD_SIZE)strlen(md), md_out, b, MD_DIALECT_GITHUB,
                MD_HTML_FLAG_SKIP_UTF8_BOM) != 0) {
        ds_warn("md4c could not render a markdown chunk");
    }
}

char *ds_html_script_json(const char *json)
{
    ds_buf b = {0};
    for (const char *p = json; *p; p++) {
        /* The HTML tokenizer ends a script at "</script" and treats
         * "<!--" specially; JavaScript (before ES2019) ends string
         * literals at U+2028/2029. */
        if (p[0] == '<' && p[1] == '/') {
            ds_buf_puts(&b, "<\\/");
            p++;
        } else if (strncmp(p, "<!--", 4) == 0) {
            ds_buf_puts(&b, "\\u003c");
        } else if ((unsigned char)p[0] == 0xE2 && (unsigned char)p[1] == 0x80 &&
                   ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9)) {
            ds_buf_puts(&b, (unsigned char)p[2] == 0xA8 ? "\\u2028" : "\\u2029");
            p += 2;
        } else {
            ds_buf_putc(&b, *p);
        }
    }
    return ds_buf_take(&b);
}

/* ---- navigation -------------------------------------------------------- */

/* Length of the folder part of rel ("a/b/c" -> 3, "c" -> 0). */
static size_t dir_len(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    return slash ? (size_t)(slash - rel) : 0;
}

/* Number of folder components of dir[0..len). */
static size_t depth_of(const char *dir, size_t len)
{
    if (len == 0)
        return 0;
    size_t d = 1;
    for (size_t i = 0; i < len; i++)
        d += dir[i] == '/';
    return d;
}

/* How many leading folder components two folder paths share. */
static size_t common_depth(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t depth = 0, i = 0;
    for (;;) {
        size_t ea = i, eb = i;
        while (ea < alen && a[ea] != '/')
            ea++;
        while (eb < blen && b[eb] != '/')
            eb++;
        if (i >= alen || i >= blen || ea != eb || memcmp(a + i, b + i, ea - i) != 0)
            return depth;
        depth++;
        i = ea + 1;
    }
}

/* The navigation's tools: the site search box (web/src/search.js) and the
 * theme switch (web/src/theme.js).  In the page from the start, so they
 * take their place before any script runs; inert without scripts. */
static void nav_tools(ds_buf *b)
{
    ds_buf_puts(b, "<div class=\"ds-nav-tools\">"
                   "<div class=\"ds-search\" role=\"search\">"
                   "<input type=\"search\" class=\"ds-search-input\" placeholder=\"Search\" "
                   "aria-label=\"Search pages (press /)\" autocomplete=\"off\" "
                   "spellcheck=\"false\"><kbd class=\"ds-search-key\" "
                   "aria-hidden=\"true\">/</kbd></div>"
                   "<button type=\"button\" class=\"ds-theme-toggle\" "
                   "aria-label=\"Theme: follows the system\" title=\"Theme: follows the system\">"
                   "<span class=\"ds-theme-icon\" aria-hidden=\"true\"></span></button></div>");
}

/* The navigation entry to mark as the current page: CURRENT itself, or for
 * a page the navigation leaves out (hidden; one page per value) its
 * folder's index, so a reader still sees where they are.  NULL for none. */
static char *nav_current(const ds_nav_item *nav, size_t n, const char *current)
{
    if (!current)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(nav[i].rel, current) == 0)
            return ds_strdup(current);
    size_t len = dir_len(current);
    if (len == 0)
        return NULL; /* a hidden page at the top belongs to no folder */
    return ds_asprintf("%.*s/index", (int)len, current);
}

void ds_html_nav(ds_buf *b, const ds_nav_item *nav, size_t n, const char *current_rel)
{
    assert(nav || n == 0);
    char *current = nav_current(nav, n, current_rel);
    ds_buf_puts(b, "<nav class=\"ducksite-nav\"><ul class=\"ducksite-nav-list\">");
    const char *open = "";     /* folder path of the open groups */
    size_t open_len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rel = nav[i].rel;
        size_t len = dir_len(rel);
        size_t keep = common_depth(open, open_len, rel, len);
        for (size_t d = depth_of(open, open_len); d > keep; d--)
            ds_buf_puts(b, "</ul></li>");
        /* Open the folders below the shared part, one group each. */
        const char *p = rel;
        for (size_t d = 0; d < depth_of(rel, len); d++) {
            const char *end = strchr(p, '/');
            if (d >= keep) {
                char *name = ds_strndup(p, (size_t)(end - p));
                ds_buf_puts(b, "<li class=\"ducksite-nav-folder\">"
                               "<span class=\"ducksite-nav-folder-name\">");
                ds_html_escape(b, name);
                ds_buf_puts(b, "</span><ul>");
                free(name);
            }
            p = end + 1;
        }
        open = rel;
        open_len = len;
        ds_buf_puts(b, "<li><a href=\"/");
        ds_html_url_path(b, rel); /* its output needs no HTML escaping */
        ds_buf_puts(b, ".html\"");
        if (current && strcmp(rel, current) == 0)
            ds_buf_puts(b, " aria-current=\"page\"");
        ds_buf_putc(b, '>');
        ds_html_escape(b, nav[i].title);
        ds_buf_puts(b, "</a></li>");
    }
    for (size_t d = depth_of(open, open_len); d > 0; d--)
        ds_buf_puts(b, "</ul></li>");
    ds_buf_puts(b, "</ul>");
    nav_tools(b);
    ds_buf_puts(b, "</nav>");
    free(current);
}

/* ---- page config --------------------------------------------------------- */

static json_t *jstr(const char *s)
{
    json_t *j = json_string(s);
    if (!j) { /* page text is checked to be UTF-8 when it is parsed */
        fprintf(stderr, "ducksite: internal error: invalid UTF-8 reached the page config\n");
        abort();
    }
    return j;
}

void ds_html_sql_url(ds_buf *b, bool page_query, const char *name)
{
    assert(name && *name && name[0] != '/'); /* a query name, "<page>/<id>" for a page's */
    ds_buf_puts(b, page_query ? "/" DS_SQL_PAGES_DIR "/" : "/" DS_SQL_GLOBAL_DIR "/");
    ds_html_url_path(b, name);
    ds_buf_puts(b, ".sql");
}

static json_t *sql_path_json(const char *rel, const char *id)
{
    char *name = ds_asprintf("%s/%s", rel, id);
    ds_buf b = {0};
    ds_html_sql_url(&b, true, name);
    json_t *j = jstr(b.data);
    ds_buf_free(&b);
    free(name);
    return j;
}

/* A block's keys and values as written, plus "format" when given. */
static json_t *block_json(const ds_part *p)
{
    json_t *o = json_object();
    for (size_t i = 0; i < p->n_kv; i++)
        json_object_set_new(o, p->kv[i].key, jstr(p->kv[i].value));
    if (p->n_formats) {
        json_t *format = json_object();
        for (size_t t = 0; t < p->n_formats; t++) {
            const ds_format *f = &p->formats[t];
            json_t *target = json_object();
            for (size_t i = 0; i < f->n_items; i++)
                json_object_set_new(target, f->items[i].key, jstr(f->items[i].value));
            json_object_set_new(format, f->target, target);
        }
        json_object_set_new(o, "format", format);
    }
    return o;
}

static json_t *grid_json(const ds_part *p)
{
    json_t *rows = json_array();
    for (size_t r = 0; r < p->n_rows; r++) {
        json_t *row = json_array();
        for (size_t k = 0; k < p->rows[r].n_cells; k++) {
            const ds_cell *c = &p->rows[r].cells[k];
            json_array_append_new(row, json_pack("{s:o, s:i}", "id", jstr(c->id), "span",
                                                 c->span));
        }
        json_array_append_new(rows, row);
    }
    return json_pack("{s:i, s:o, s:o}", "cols", p->cols, "gap", jstr(p->gap), "rows", rows);
}

char *ds_html_page_config(const ds_page *page, const char *rel)
{
    json_t *queries = json_object(), *charts = json_object(), *tables = json_object(),
           *inputs = json_object(), *grids = json_array(), *values = json_object(),
           *kpis = json_object();
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        switch (p->kind) {
        case DS_PART_SQL:
            json_object_set_new(queries, p->id,
                                json_pack("{s:o}", "sql_path", sql_path_json(rel, p->id)));
            break;
        case DS_PART_ECHART: json_object_set_new(charts, p->id, block_json(p)); break;
        case DS_PART_TABLE: json_object_set_new(tables, p->id, block_json(p)); break;
        case DS_PART_INPUT: json_object_set_new(inputs, p->id, block_json(p)); break;
        case DS_PART_GRID: json_array_append_new(grids, grid_json(p)); break;
        case DS_PART_VALUE: json_object_set_new(values, p->id, block_json(p)); break;
        case DS_PART_KPI: json_object_set_new(kpis, p->id, block_json(p)); break;
        case DS_PART_PROSE:
        case DS_PART_FORM: break; /* page->forms, below */
        }
    }
    /* Keys in the order the contract lists them, blocks in document order. */
    json_t *doc = json_object();
    json_object_set_new(doc, "page", jstr(rel));
    json_object_set_new(doc, "queries", queries);
    json_object_set_new(doc, "charts", charts);
    json_object_set_new(doc, "tables", tables);
    json_object_set_new(doc, "inputs", inputs);
    json_object_set_new(doc, "grids", grids);
    /* Values and KPI cards (docs/pages.md), only when the page has some. */
    if (json_object_size(values))
        json_object_set_new(doc, "values", values);
    else
        json_decref(values);
    if (json_object_size(kpis))
        json_object_set_new(doc, "kpis", kpis);
    else
        json_decref(kpis);
    /* Stored results the runtime may fetch instead of running a query. */
    json_t *stored = page->stored ? json_loads(page->stored, 0, NULL) : NULL;
    if (stored)
        json_object_set_new(doc, "stored", stored);
    /* Sizes of the data files it reads: small ones are read whole. */
    json_t *files = page->files ? json_loads(page->files, 0, NULL) : NULL;
    if (files)
        json_object_set_new(doc, "files", files);
    /* Its forms, as the browser needs them (no SQL, no host paths). */
    json_t *forms = page->forms ? json_loads(page->forms, 0, NULL) : NULL;
    if (forms)
        json_object_set_new(doc, "forms", forms);
    char *text = json_dumps(doc, JSON_PRESERVE_ORDER);
    json_decref(doc);
    char *safe = ds_html_script_json(text);
    free(text);
    return safe;
}

/* ---- the document -------------------------------------------------------- */

/* A chart drawn at build time, as an image, not inline SVG: nothing in it
 * can run or reach out.  One per theme; ducksite.css shows the page's. */
static void first_paint_img(ds_buf *b, const char *svg, const char *theme)
{
    /* Its height (the viewBox's) holds the chart's box until the
     * stylesheet's own sizes take over. */
    const char *vb = strstr(svg, "viewBox=\"0 0 ");
    int w = 0, h = 0;
    if (!vb || sscanf(vb + 14, "%d %d", &w, &h) != 2 || h <= 0 || h > 100000)
        h = 360;
    ds_buf_printf(b, "<img class=\"ds-first-paint ds-first-paint-%s\" alt=\"\" height=\"%d\"",
                  theme, h);
    /* Small multiples: their count, for the runtime to hold their height at
     * the page's width before it draws them (web/src/chart.js). */
    const char *fa = strstr(svg, "data-ds-facets=\"");
    const char *root_end = strchr(svg, '>');
    int n = 0;
    if (fa && root_end && fa < root_end && sscanf(fa + 16, "%d", &n) == 1 && n > 0 && n < 100000)
        ds_buf_printf(b, " data-ds-facets=\"%d\"", n);
    ds_buf_puts(b, " src=\"");
    ds_firstpaint_data_url(b, svg);
    ds_buf_puts(b, "\">");
}

/* What the build knows of a page's components before the browser runs
 * anything (parsed once per document; either may be NULL). */
typedef struct {
    json_t *paint; /* charts drawn at build time (page.first_paint) */
    json_t *rows;  /* tables' default row counts (page.table_rows) */
    ds_input_spec *inputs; /* the page's inputs, for titles that show them */
    size_t n_inputs;
} built_hints;

/* The text of value or KPI card ID formatted at build time, or NULL. */
static const char *painted_text(json_t *paint, const char *what, const char *id)
{
    char *key = ds_asprintf("%s:%s", what, id);
    const char *text = json_string_value(json_object_get(paint, key));
    free(key);
    return text;
}

/* A value block or KPI card as the runtime draws it (kpi.js ValueView,
 * KpiView), with TEXT, its default state's value formatted at build time:
 * it shows before any script runs, and the runtime keeps it. */
static void painted_value(ds_buf *b, const ds_page *page, const built_hints *built,
                          const char *what, const char *id, const char *text)
{
    bool kpi = strcmp(what, "kpi") == 0;
    const ds_part *part = ds_page_find(page, kpi ? DS_PART_KPI : DS_PART_VALUE, id);
    const ds_kv *title = part ? ds_part_get(part, "title") : NULL;
    const ds_kv *value = part && kpi ? ds_part_get(part, "value") : NULL;
    const char *t = title && *title->value ? title->value
                    : kpi && value && *value->value ? value->value
                    : kpi ? id : NULL;
    if (t) {
        /* ${inputs.x} in it shows the input's default, as a first visit
         * does (the runtime fills it again from the URL and on changes). */
        char *filled = ds_pagesql_fill_title(t, built->inputs, built->n_inputs);
        ds_buf_puts(b, kpi ? "<div class=\"ds-kpi-title\">" : "<span class=\"ds-value-title\">");
        ds_html_escape(b, filled);
        free(filled);
        ds_buf_puts(b, kpi ? "</div>" : "</span>");
    }
    ds_buf_puts(b, kpi ? "<div class=\"ds-kpi-value\">" : "<span class=\"ds-value-text\">");
    ds_html_escape(b, text);
    ds_buf_puts(b, kpi ? "</div>" : "</span>");
}

/* PAINT: the page's charts drawn and values formatted at build time
 * (page.first_paint, parsed once per document), or NULL. */
static void placeholder(ds_buf *b, const ds_page *page, const built_hints *built,
                        const char *what, const char *id)
{
    bool is_value = strcmp(what, "value") == 0 || strcmp(what, "kpi") == 0;
    const char *text = is_value ? painted_text(built->paint, what, id) : NULL;
    ds_buf_printf(b, "<div class=\"ds-%s\" data-ds-%s=\"", what, what);
    ds_html_escape(b, id);
    ds_buf_putc(b, '"');
    /* A table's row count: the runtime holds its final height while the
     * rows are on their way (web/src/table.js). */
    json_t *n = strcmp(what, "table") == 0 ? json_object_get(built->rows, id) : NULL;
    if (json_is_integer(n))
        ds_buf_printf(b, " data-ds-rows=\"%lld\"", (long long)json_integer_value(n));
    ds_buf_puts(b, text ? " data-ds-painted=\"\">" : ">");
    if (text)
        painted_value(b, page, built, what, id, text);
    /* A chart drawn at build time shows until the runtime draws it live. */
    json_t *themes = strcmp(what, "chart") == 0 ? json_object_get(built->paint, id) : NULL;
    static const char *const THEMES[] = {"light", "dark"};
    for (size_t t = 0; t < DS_ARRAY_LEN(THEMES); t++) {
        const char *svg = json_string_value(json_object_get(themes, THEMES[t]));
        if (svg)
            first_paint_img(b, svg, THEMES[t]);
    }
    ds_buf_puts(b, "</div>");
}

/* Prose as HTML, each ${query.column} span (inline.c) holding its value
 * when the build formatted it (PAINT). */
static void prose_html(ds_buf *b, const char *markdown, json_t *paint)
{
    static const char MARK[] = "<span class=\"ds-value ds-value-inline\" data-ds-value=\"inline-";
    static const char END[] = "\"></span>";
    ds_buf md = {0};
    ds_html_markdown(&md, markdown);
    const char *s = ds_buf_str(&md), *m;
    while ((m = strstr(s, MARK))) {
        const char *num = m + strlen(MARK);
        size_t digits = strspn(num, "0123456789");
        ds_buf_add(b, s, (size_t)(num - s) + digits);
        s = num + digits;
        char *id = ds_asprintf("inline-%.*s", (int)digits, num);
        const char *text = digits && strncmp(s, END, strlen(END)) == 0
                               ? painted_text(paint, "value", id)
                               : NULL;
        free(id);
        if (!text)
            continue;
        ds_buf_puts(b, "\" data-ds-painted=\"\"><span class=\"ds-value-text\">");
        ds_html_escape(b, text);
        ds_buf_puts(b, "</span></span>");
        s += strlen(END);
    }
    ds_buf_puts(b, s);
    ds_buf_free(&md);
}

/* A cell is a chart when it names an echart block of the page, an input
 * when it names an input block, else a table of the query with that id. */
static void grid_html(ds_buf *b, const ds_page *page, const built_hints *built, const ds_part *p)
{
    ds_buf_printf(b, "<div class=\"layout-grid\" data-cols=\"%d\" data-gap=\"", p->cols);
    ds_html_escape(b, p->gap);
    ds_buf_puts(b, "\">");
    for (size_t r = 0; r < p->n_rows; r++) {
        ds_buf_puts(b, "<div class=\"layout-row\">");
        for (size_t k = 0; k < p->rows[r].n_cells; k++) {
            const ds_cell *c = &p->rows[r].cells[k];
            ds_buf_printf(b, "<div class=\"layout-col span-%d\">", c->span);
            const char *what = ds_page_find(page, DS_PART_ECHART, c->id)  ? "chart"
                               : ds_page_find(page, DS_PART_INPUT, c->id) ? "input"
                               : ds_page_find(page, DS_PART_KPI, c->id)   ? "kpi"
                               : ds_page_find(page, DS_PART_VALUE, c->id) ? "value"
                                                                          : "table";
            placeholder(b, page, built, what, c->id);
            ds_buf_puts(b, "</div>");
        }
        ds_buf_puts(b, "</div>");
    }
    ds_buf_puts(b, "</div>");
}

/* Is id placed by some grid of the page?  Then the grid shows it, and its
 * own block only defines it (otherwise it would appear twice). */
static bool in_grid(const ds_page *page, const char *id)
{
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *g = &page->parts[i];
        if (g->kind != DS_PART_GRID)
            continue;
        for (size_t r = 0; r < g->n_rows; r++)
            for (size_t k = 0; k < g->rows[r].n_cells; k++)
                if (strcmp(g->rows[r].cells[k].id, id) == 0)
                    return true;
    }
    return false;
}

/* Which ECharts a page needs: none without charts; the common build (bar,
 * line, area, scatter, pie: 220 kB gzipped) when every chart is one of
 * those; else the full one (335 kB), e.g. for heatmaps, gauges, funnels and
 * charts given as ECharts options. */
typedef enum { ECHARTS_NONE, ECHARTS_COMMON, ECHARTS_FULL } echarts_build;

static bool blank_value(const char *v)
{
    for (; v && *v; v++)
        if (*v != ' ' && *v != '\t')
            return false;
    return true;
}

static echarts_build echarts_needed(const ds_page *page)
{
    static const char *const COMMON[] = {"bar", "line", "area", "scatter", "pie", "donut"};
    echarts_build need = ECHARTS_NONE;
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        if (p->kind != DS_PART_ECHART)
            continue;
        need = ECHARTS_COMMON;
        for (size_t k = 0; k < p->n_kv; k++) {
            const char *key = p->kv[k].key, *val = p->kv[k].value;
            if ((strcmp(key, "option_column") == 0 || strcmp(key, "optionColumn") == 0 ||
                 strcmp(key, "option") == 0) &&
                !blank_value(val))
                return ECHARTS_FULL;
            if (strcmp(key, "type") == 0 && !blank_value(val)) {
                char *t = ds_strdup(val);
                char *s = t;
                while (*s == ' ' || *s == '\t')
                    s++;
                size_t n = strlen(s);
                while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                    s[--n] = '\0';
                for (char *c = s; *c; c++)
                    *c = (char)tolower((unsigned char)*c);
                bool common = false;
                for (size_t j = 0; j < DS_ARRAY_LEN(COMMON); j++)
                    common = common || strcmp(s, COMMON[j]) == 0;
                free(t);
                if (!common)
                    return ECHARTS_FULL;
            }
        }
    }
    return need;
}

static void asset_url(ds_buf *b, const char *file, const char *version)
{
    ds_buf_printf(b, "/assets/%s?v=", file);
    ds_html_escape(b, version && *version ? version : "0");
}

char *ds_html_page(const ds_page *page, const char *rel, const char *title,
                   const ds_nav_item *nav, size_t n_nav, const ds_asset_versions *v)
{
    assert(page && rel && v && (nav || n_nav == 0));
    ds_buf b = {0};
    ds_buf_puts(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    /* no favicon request: it would be a 404 in the console */
                    "<link rel=\"icon\" href=\"data:,\">"
                    "<title>");
    ds_html_escape(&b, title);
    ds_buf_puts(&b, "</title>");
    if (page->description) {
        ds_buf_puts(&b, "<meta name=\"description\" content=\"");
        ds_html_escape(&b, page->description);
        ds_buf_puts(&b, "\">");
    }
    /* The SQL files and stored results of the first view start downloading
     * with the scripts, not after them. */
    for (const char *u = page->preload; u && *u;) {
        const char *nl = strchr(u, '\n');
        size_t n = nl ? (size_t)(nl - u) : strlen(u);
        char *url = ds_strndup(u, n);
        ds_buf_puts(&b, "<link rel=\"preload\" as=\"fetch\" crossorigin href=\"");
        ds_html_escape(&b, url); /* already a URL path (sql_path is encoded) */
        ds_buf_puts(&b, "\">");
        free(url);
        u += n + (nl ? 1 : 0);
    }
    /* The reader's theme on <html> before anything is drawn: a classic
     * script (the CSP allows no inline one), tiny and cached. */
    ds_buf_puts(&b, "<script src=\"");
    asset_url(&b, "theme-init.js", v->theme_init);
    ds_buf_puts(&b, "\"></script><link rel=\"stylesheet\" href=\"");
    asset_url(&b, "ducksite.css", v->css);
    ds_buf_puts(&b, "\">");
    /* defer: the page is parsed while ECharts downloads; it still runs
     * before the runtime module, which needs it. */
    echarts_build need = echarts_needed(page);
    if (need == ECHARTS_COMMON && v->echarts_common && *v->echarts_common) {
        ds_buf_puts(&b, "<script defer src=\"");
        asset_url(&b, "echarts.common.min.js", v->echarts_common);
        ds_buf_puts(&b, "\"></script>");
    } else if (need != ECHARTS_NONE) {
        ds_buf_puts(&b, "<script defer src=\"");
        asset_url(&b, "echarts.min.js", v->echarts);
        ds_buf_puts(&b, "\"></script>");
    }
    ds_buf_puts(&b, "<script type=\"module\" src=\"");
    asset_url(&b, "ducksite.js", v->js);
    ds_buf_puts(&b, "\"></script></head><body>");
    ds_html_nav(&b, nav, n_nav, rel);
    ds_buf_puts(&b, "<main class=\"ducksite-page\">");
    char *config = ds_html_page_config(page, rel);
    json_t *config_json = json_loads(config, 0, NULL);
    built_hints built = {page->first_paint ? json_loads(page->first_paint, 0, NULL) : NULL,
                         page->table_rows ? json_loads(page->table_rows, 0, NULL) : NULL, NULL, 0};
    built.inputs = ds_pagesql_inputs(config_json, &built.n_inputs);
    json_decref(config_json);
    for (size_t i = 0; i < page->n_parts; i++) {
        const ds_part *p = &page->parts[i];
        switch (p->kind) {
        case DS_PART_PROSE:
            ds_buf_puts(&b, "<div class=\"ducksite-md\">");
            prose_html(&b, p->text, built.paint);
            ds_buf_puts(&b, "</div>");
            break;
        case DS_PART_ECHART:
            if (!in_grid(page, p->id))
                placeholder(&b, page, &built, "chart", p->id);
            break;
        case DS_PART_TABLE:
            if (!in_grid(page, p->id))
                placeholder(&b, page, &built, "table", p->id);
            break;
        case DS_PART_INPUT:
            if (!in_grid(page, p->id))
                placeholder(&b, page, &built, "input", p->id);
            break;
        case DS_PART_VALUE:
        case DS_PART_KPI:
            /* A value inside prose is a span there already. */
            if (!p->inline_ref && !in_grid(page, p->id))
                placeholder(&b, page, &built, ds_part_kind_name(p->kind), p->id);
            break;
        case DS_PART_GRID: grid_html(&b, page, &built, p); break;
        case DS_PART_SQL: break; /* queries run in the browser; nothing to show */
        case DS_PART_FORM:
            ds_buf_puts(&b, "<div class=\"ds-form\" data-ds-form=\"");
            ds_buf_puts(&b, p->id); /* [A-Za-z0-9_]+: nothing to escape */
            ds_buf_puts(&b, "\"></div>");
            break;
        }
    }
    json_decref(built.paint);
    json_decref(built.rows);
    ds_pagesql_inputs_free(built.inputs, built.n_inputs);
    ds_buf_puts(&b, "</main><script id=\"page-config-json\" type=\"application/json\">");
    ds_buf_puts(&b, config);
    free(config);
    ds_buf_puts(&b, "</script></body></html>\n");
    return ds_buf_take(&b);
}
