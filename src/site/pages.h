/* pages.h - the site's pages: content/ ** / *.md found and parsed, their sql
 * blocks handed to the compiler as page queries, and static/<rel>.html,
 * static/sitemap.json written, with pages whose markdown is gone removed.
 *
 * content/<rel>.md becomes static/<rel>.html; its sql block <id> becomes
 * the page query "<rel>/<id>" (the '/' keeps it apart from model names),
 * written to static/sql/pages/<rel>/<id>.sql. */
#ifndef DS_PAGES_H
#define DS_PAGES_H

#include "../sql/query.h"
#include "html.h"
#include "page.h"
#include "publish.h"

typedef struct {
    char *rel;          /* "a/b" for content/a/b.md */
    char *display;      /* "content/a/b.md", for messages */
    char *title;        /* front matter title, else the first "# heading",
                           else the file stem */
    ds_page page;
} ds_site_page;

typedef struct {
    ds_site_page *items;  /* in navigation order (see ds_pages_page_cmp) */
    size_t len;
} ds_pages;

/* Finds and parses ROOT/content/ ** / *.md (dot-files and symlinked
 * folders are skipped).  A missing content/ gives no pages. */
int ds_pages_load(const char *root, ds_pages *out, ds_err *err);

/* Appends each page's sql blocks to queries as DS_KIND_PAGE_QUERY. */
void ds_pages_add_queries(const ds_pages *pages, ds_query_list *queries);

struct ds_memo;

/* Stages every page and static/sitemap.json (files whose content is
 * unchanged are left alone).  Pages whose markdown is gone are removed when
 * the build is published (publish.h): they are outputs of the previous
 * build that this one does not make.  With a memo (memo.h; NULL: none), a
 * page whose makings are those of the file a previous build left in place
 * is kept as it is, without its document (and its pictures) being made. */
int ds_pages_write(ds_publish *pub, const ds_pages *pages, const ds_asset_versions *v,
                   struct ds_memo *memo, ds_err *err);

/* Navigation order of two page paths: in each folder, its pages (index
 * first, then by name) before its subfolders (by name). */
int ds_pages_nav_cmp(const char *a, const char *b);

/* Navigation order of two loaded pages: ds_pages_nav_cmp, except that
 * within one folder front matter order counts: index first unless it has
 * an order, then pages with an order (by it, ties by name), then the rest
 * by name.  Hidden pages keep their place; ds_pages_write leaves them out
 * of the navigation (the sitemap still lists them). */
int ds_pages_page_cmp(const ds_site_page *a, const ds_site_page *b);

/* Sorts pages by ds_pages_page_cmp. */
void ds_pages_sort(ds_pages *pages);

void ds_site_page_free(ds_site_page *p);
void ds_pages_free(ds_pages *pages);

#endif
