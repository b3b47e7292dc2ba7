/* pages.c - content/ -> static/ pages and sitemap (see pages.h). */
#include "pages.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../config/layout.h"
#include "../datamap/servable.h"
#include "../util/fs.h"
#include "../util/walk.h"
#include "assets.h"
#include "memo.h"
#include "pagesql.h"
#include "search.h"

/* Top-level folders of static/ that hold build outputs or user data, or
 * URLs the server answers itself, not pages: content/ may not use them (a
 * page there would be overwritten, or never served). */
static const struct {
    const char *name;
    const char *holds;
} reserved[] = {
    {"_results", "holds the build's stored results, which the server answers from its index"},
    {"api", "is the server's (its /api/ URLs are answered by the server, never from files)"},
    {"assets", "holds the browser runtime"},
    {"data", "holds the data files"},
    {"forms", "holds what forms write"},
    {"sql", "holds the compiled queries"},
};

/* What the reserved folder NAME (LEN bytes) holds, or NULL when it is not one. */
static const char *reserved_use(const char *name, size_t len)
{
    for (size_t i = 0; i < DS_ARRAY_LEN(reserved); i++)
        if (strlen(reserved[i].name) == len && memcmp(reserved[i].name, name, len) == 0)
            return reserved[i].holds;
    return NULL;
}

int ds_pages_nav_cmp(const char *a, const char *b)
{
    for (;;) {
        const char *ea = strchr(a, '/'), *eb = strchr(b, '/');
        if (!ea != !eb)
            return !ea ? -1 : 1; /* a page before a folder */
        if (!ea) {
            bool ia = strcmp(a, "index") == 0, ib = strcmp(b, "index") == 0;
            if (ia != ib)
                return ia ? -1 : 1;
            return strcmp(a, b);
        }
        size_t la = (size_t)(ea - a), lb = (size_t)(eb - b);
        int c = memcmp(a, b, la < lb ? la : lb);
        if (c != 0 || la != lb)
            return c != 0 ? c : la < lb ? -1 : 1;
        a = ea + 1;
        b = eb + 1;
    }
}

/* ---- discovery ----------------------------------------------------------- */

typedef struct {
    char **items;
    size_t n;
} rel_list;

/* A page is a regular file (or a symlink to one) named *.md; dot-files,
 * editor droppings, are left out by the walk.  X.MD (or .Md) is not a
 * page: it is said, as it would otherwise vanish without a word (a page
 * named so could also clash with X.md on a case-blind file system). */
static int add_md(const ds_walk_item *it, void *arg)
{
    rel_list *out = arg;
    struct stat st;
    size_t n = strlen(it->name);
    if (it->type != DS_WALK_DIR && !ds_ends_with(it->name, ".md") && n > 3 &&
        strcasecmp(it->name + n - 3, ".md") == 0)
        ds_warn("content/%s is not a page: pages are files ending in .md, in lower case; "
                "rename it to content/%.*s.md",
                it->rel, (int)(strlen(it->rel) - 3), it->rel);
    if (it->type == DS_WALK_DIR || !ds_ends_with(it->name, ".md"))
        return 0;
    if (it->type == DS_WALK_FILE || (stat(it->path, &st) == 0 && S_ISREG(st.st_mode))) {
        out->items = ds_xrealloc(out->items, (out->n + 1) * sizeof *out->items);
        out->items[out->n++] = ds_strndup(it->rel, strlen(it->rel) - 3);
    }
    return 0;
}

static int by_nav(const void *a, const void *b)
{
    return ds_pages_nav_cmp(*(char *const *)a, *(char *const *)b);
}

/* Two pages of one folder: index first unless it has an order, then the
 * pages with an order (by it), then the rest; ties by name. */
static int same_folder_cmp(const ds_site_page *a, const ds_site_page *b)
{
    const ds_page_settings *sa = &a->page.settings, *sb = &b->page.settings;
    const char *na = strrchr(a->rel, '/'), *nb = strrchr(b->rel, '/');
    bool ia = !sa->has_order && strcmp(na ? na + 1 : a->rel, "index") == 0;
    bool ib = !sb->has_order && strcmp(nb ? nb + 1 : b->rel, "index") == 0;
    if (ia != ib)
        return ia ? -1 : 1;
    if (sa->has_order != sb->has_order)
        return sa->has_order ? -1 : 1;
    if (sa->has_order && sa->order != sb->order)
        return sa->order < sb->order ? -1 : 1;
    return ds_pages_nav_cmp(a->rel, b->rel);
}

int ds_pages_page_cmp(const ds_site_page *a, const ds_site_page *b)
{
    const char *sa = strrchr(a->rel, '/'), *sb = strrchr(b->rel, '/');
    size_t la = sa ? (size_t)(sa - a->rel) : 0, lb = sb ? (size_t)(sb - b->rel) : 0;
    if (la == lb && memcmp(a->rel, b->rel, la) == 0)
        return same_folder_cmp(a, b);
    return ds_pages_nav_cmp(a->rel, b->rel); /* folders keep their order */
}

static int by_page(const void *a, const void *b)
{
    return ds_pages_page_cmp(a, b);
}

static int load_one(const char *root, char *rel, ds_site_page *p, ds_err *err)
{
    p->rel = rel;
    p->display = ds_asprintf("content/%s.md", rel);
    const char *slash = strchr(rel, '/');
    const char *holds = slash ? reserved_use(rel, (size_t)(slash - rel)) : NULL;
    if (holds)
        return ds_err_set(err,
                          "%s: content/%.*s/ would be published as static/%.*s/, which %s; "
                          "rename the folder",
                          p->display, (int)(slash - rel), rel, (int)(slash - rel), rel, holds);
    char *html = ds_asprintf("%s.html", rel);
    const char *dead = ds_servable_why(html);
    free(html);
    if (dead)
        return ds_err_set(err, "%s would be published as static/%s.html, which can never be "
                               "served: %s; rename the page",
                          p->display, rel, dead);
    char *path = ds_path_join(root, p->display);
    char *text = ds_read_file(path, NULL, err);
    free(path);
    if (!text)
        return -1;
    int rc = ds_page_parse(text, p->display, &p->page, err);
    free(text);
    if (rc != 0)
        return -1;
    const char *stem = strrchr(rel, '/');
    p->title = ds_strdup(p->page.title ? p->page.title : stem ? stem + 1 : rel);
    return 0;
}

int ds_pages_load(const char *root, ds_pages *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    char *content = ds_path_join(root, DS_CONTENT_DIR);
    rel_list rels = {0};
    ds_walk(content, DS_WALK_RECURSE | DS_WALK_NO_HIDDEN, add_md, &rels);
    free(content);
    if (rels.n > 1)
        qsort(rels.items, rels.n, sizeof *rels.items, by_nav);
    out->items = ds_xcalloc(rels.n + 1, sizeof *out->items);
    int rc = 0;
    for (size_t i = 0; i < rels.n; i++) {
        if (rc != 0) {
            free(rels.items[i]);
            continue;
        }
        rc = load_one(root, rels.items[i], &out->items[out->len++], err);
    }
    free(rels.items);
    if (rc != 0)
        ds_pages_free(out);
    else /* front matter order: moves pages within a folder */
        ds_pages_sort(out);
    return rc;
}

void ds_pages_add_queries(const ds_pages *pages, ds_query_list *queries)
{
    for (size_t i = 0; i < pages->len; i++) {
        const ds_site_page *p = &pages->items[i];
        for (size_t k = 0; k < p->page.n_parts; k++) {
            const ds_part *part = &p->page.parts[k];
            if (part->kind != DS_PART_SQL)
                continue;
            char *name = ds_asprintf("%s/%s", p->rel, part->id);
            ds_query_add(queries, name, DS_KIND_PAGE_QUERY, part->text, p->display,
                         part->line);
            queries->items[queries->len - 1].text_line = part->text_line;
            free(name);
        }
    }
}

/* ---- writing ------------------------------------------------------------- */

/* True when the sidecar GZ_REL in place holds exactly TEXT: an unchanged
 * page keeps it instead of compressing again (at the best level, a page
 * with its pictures takes tens of ms; inflating it to compare, about 1). */
static bool kept_gzip(const ds_publish *pub, const char *gz_rel, const char *text, size_t len)
{
    char *path = ds_path_join(ds_publish_live_dir(pub), gz_rel);
    size_t gz_len = 0;
    char *gz = ds_read_file(path, &gz_len, NULL);
    bool same = gz && ds_gunzip_equals(gz, gz_len, text, len);
    free(gz);
    free(path);
    return same;
}

/* REL and its gzip sidecar REL.gz, which the server sends to clients that
 * take gzip (a page carries its charts' pictures, in two themes: ten times
 * smaller gzipped).  The sidecar is written after its file, so it is never
 * older; unchanged files keep their mtimes. */
static int write_with_gzip(ds_publish *pub, const char *rel, const char *text, ds_err *err)
{
    size_t len = strlen(text), gz_len = 0;
    bool changed = true;
    if (ds_publish_write_if_changed(pub, rel, text, len, &changed, err) != 0)
        return -1;
    char *gz_rel = ds_asprintf("%s.gz", rel);
    int rc = 0;
    if (!changed && kept_gzip(pub, gz_rel, text, len)) {
        ds_publish_keep(pub, gz_rel);
    } else {
        char *gz = ds_gzip(text, len, &gz_len);
        rc = ds_publish_write_if_changed(pub, gz_rel, gz, gz_len, NULL, err);
        free(gz);
    }
    free(gz_rel);
    return rc;
}

/* ---- outputs kept by `ducksite serve` (memo.h) ---------------------------- */

/* Appends the identity static/REL will have once published: its staged
 * file's (publishing renames it, which keeps it), else the one in place. */
static bool published_id(const ds_publish *pub, const char *rel, ds_buf *b)
{
    char *staged = ds_path_join(ds_publish_stage_dir(pub), rel);
    bool ok = ds_memo_file_id(staged, b);
    free(staged);
    if (!ok) {
        char *live = ds_path_join(ds_publish_live_dir(pub), rel);
        ok = ds_memo_file_id(live, b);
        free(live);
    }
    return ok;
}

/* What the memo keeps of REL and its sidecar: "DIGEST FILE-ID GZ-ID", the
 * ids as published (live: as they are in static/ now); NULL when a file is
 * missing. */
static char *output_key(const ds_publish *pub, const char *rel, const char *digest, bool live)
{
    ds_buf b = {0};
    ds_buf_printf(&b, "%s ", digest);
    char *gz_rel = ds_asprintf("%s.gz", rel);
    bool ok = true;
    for (int i = 0; i < 2 && ok; i++) {
        const char *r = i ? gz_rel : rel;
        if (i)
            ds_buf_putc(&b, ' ');
        if (live) {
            char *path = ds_path_join(ds_publish_live_dir(pub), r);
            ok = ds_memo_file_id(path, &b);
            free(path);
        } else {
            ok = published_id(pub, r, &b);
        }
    }
    free(gz_rel);
    if (!ok) {
        ds_buf_free(&b);
        return NULL;
    }
    return ds_buf_take(&b);
}

/* True when static/REL and REL.gz are still what a previous build made
 * from DIGEST: both are then kept as they are, without being made again. */
static bool kept_as_made(ds_publish *pub, const ds_memo *memo, const char *rel,
                         const char *digest)
{
    const char *had = memo ? ds_memo_output_get(memo, rel) : NULL;
    if (!had)
        return false;
    char *now = output_key(pub, rel, digest, true);
    bool same = now && strcmp(now, had) == 0;
    free(now);
    if (same) {
        char *gz_rel = ds_asprintf("%s.gz", rel);
        ds_publish_keep(pub, rel);
        ds_publish_keep(pub, gz_rel);
        free(gz_rel);
    }
    return same;
}

/* REL and REL.gz from TEXT, made from DIGEST, as write_with_gzip; the
 * memo remembers them. */
static int write_made(ds_publish *pub, ds_memo *memo, const char *rel, const char *text,
                      const char *digest, ds_err *err)
{
    if (memo)
        ds_memo_output_put(memo, rel, NULL); /* whatever happens next */
    int rc = write_with_gzip(pub, rel, text, err);
    if (rc == 0 && memo) {
        char *key = output_key(pub, rel, digest, false);
        ds_memo_output_put(memo, rel, key);
        free(key);
    }
    return rc;
}

/* What a page's document is made of, as a digest: the document without
 * its first-paint pictures and values (a fraction of its bytes, the rest
 * of its making) and those as they are inlined. */
static void page_digest(const ds_site_page *p, const ds_nav_item *nav, size_t n_nav,
                        const ds_asset_versions *v, char out[33])
{
    ds_page bare = p->page;
    bare.first_paint = NULL;
    char *html = ds_html_page(&bare, p->rel, p->title, nav, n_nav, v);
    ds_pagesql_hash(html, out);
    ds_pagesql_hash(p->page.first_paint ? p->page.first_paint : "", out + 16);
    free(html);
}

static int write_sitemap(ds_publish *pub, const ds_pages *pages, ds_err *err)
{
    json_t *routes = json_array();
    for (size_t i = 0; i < pages->len; i++) {
        ds_buf url = {0};
        ds_buf_putc(&url, '/');
        ds_html_url_path(&url, pages->items[i].rel);
        ds_buf_puts(&url, ".html");
        json_array_append_new(routes, json_string(url.data));
        ds_buf_free(&url);
    }
    json_t *doc = json_pack("{s:o}", "routes", routes);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    char *with_nl = ds_asprintf("%s\n", text);
    int rc = ds_publish_write_if_changed(pub, "sitemap.json", with_nl, strlen(with_nl), NULL, err);
    free(with_nl);
    free(text);
    return rc;
}

int ds_pages_write(ds_publish *pub, const ds_pages *pages, const ds_asset_versions *v,
                   ds_memo *memo, ds_err *err)
{
    ds_nav_item *nav = ds_xcalloc(pages->len + 1, sizeof *nav);
    size_t n_nav = 0;
    for (size_t i = 0; i < pages->len; i++)
        if (!pages->items[i].page.settings.hidden) /* reachable, not listed */
            nav[n_nav++] = (ds_nav_item){pages->items[i].rel, pages->items[i].title};
    int rc = 0;
    for (size_t i = 0; i < pages->len && rc == 0; i++) {
        const ds_site_page *p = &pages->items[i];
        char *rel = ds_asprintf("%s.html", p->rel);
        char digest[33] = "";
        if (memo)
            page_digest(p, nav, n_nav, v, digest);
        if (memo && kept_as_made(pub, memo, rel, digest)) {
            free(rel);
            continue;
        }
        char *html = ds_html_page(&p->page, p->rel, p->title, nav, n_nav, v);
        /* Unchanged pages keep their mtime (and the server's
         * Last-Modified). */
        rc = write_made(pub, memo, rel, html, digest, err);
        if (rc != 0) {
            /* Name the page's markdown: that is what the author can change
             * (a name too long for the file system, say). */
            ds_err inner = *err;
            ds_err_set(err, "%s: its page static/%s cannot be written: %s; nothing was published",
                       p->display, rel, inner.msg);
        }
        free(rel);
        free(html);
    }
    if (rc == 0)
        rc = write_sitemap(pub, pages, err);
    if (rc == 0) {
        char *index = ds_search_index(pages);
        char digest[17];
        ds_pagesql_hash(index, digest);
        if (!kept_as_made(pub, memo, DS_SEARCH_FILE, digest))
            rc = write_made(pub, memo, DS_SEARCH_FILE, index, digest, err);
        free(index);
    }
    free(nav);
    return rc;
}

void ds_pages_sort(ds_pages *pages)
{
    if (pages->len > 1)
        qsort(pages->items, pages->len, sizeof *pages->items, by_page);
}

void ds_site_page_free(ds_site_page *p)
{
    free(p->rel);
    free(p->display);
    free(p->title);
    ds_page_free(&p->page);
}

void ds_pages_free(ds_pages *pages)
{
    for (size_t i = 0; i < pages->len; i++)
        ds_site_page_free(&pages->items[i]);
    free(pages->items);
    memset(pages, 0, sizeof *pages);
}
