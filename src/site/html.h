/* html.h - a parsed page -> its HTML document: the head with the runtime
 * assets, the navigation, prose rendered by md4c, component placeholders in
 * document order, and the page-config JSON the browser runtime reads.
 * Everything that comes from the user is escaped; the JSON is escaped so it
 * cannot leave its <script> element.  The contract is docs/pages.md. */
#ifndef DS_HTML_H
#define DS_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/util.h"
#include "page.h"

/* One page in the navigation, in navigation order (see ds_pages_load). */
typedef struct {
    const char *rel;      /* "a/b" for content/a/b.md */
    const char *title;
} ds_nav_item;

/* Short content hashes of the runtime assets, for ?v= cache busting. */
typedef struct {
    const char *css;      /* assets/ducksite.css */
    const char *echarts;  /* assets/echarts.min.js */
    const char *js;       /* assets/ducksite.js */
    const char *echarts_common; /* assets/echarts.common.min.js */
    const char *theme_init; /* assets/theme-init.js */
} ds_asset_versions;

/* The whole document of the page content/<rel>.md. */
char *ds_html_page(const ds_page *page, const char *rel, const char *title,
                   const ds_nav_item *nav, size_t n_nav, const ds_asset_versions *v);

/* The page-config JSON, already escaped for a <script> element. */
char *ds_html_page_config(const ds_page *page, const char *rel);

/* <nav class="ducksite-nav">: every page, folders grouped, current marked. */
void ds_html_nav(ds_buf *b, const ds_nav_item *nav, size_t n, const char *current_rel);

/* Markdown -> HTML (GitHub dialect: tables, strikethrough, autolinks). */
void ds_html_markdown(ds_buf *b, const char *md);

/* Text and attribute values: & < > " ' escaped. */
void ds_html_escape(ds_buf *b, const char *s);

/* JSON text made safe inside <script>: "</" -> "<\/", "<!--" -> "\u003c!--",
 * U+2028/U+2029 -> \u2028/\u2029.  These only occur inside JSON strings,
 * where the replacements mean the same characters. */
char *ds_html_script_json(const char *json);

/* Where compiled queries' SQL files go in static/: the one place that
 * spells the layout in C (web/src/sql.js spells it for the runtime). */
#define DS_SQL_PAGES_DIR "sql/pages"
#define DS_SQL_GLOBAL_DIR "sql/_global"
/* The file lists of large views (sql/filelist.h): sql/_files/<view>.json. */
#define DS_SQL_FILES_DIR "sql/_files"

/* The URL of a compiled query's SQL file: "/sql/pages/<page>/<id>.sql" for
 * a page query (NAME is "<page>/<id>"), "/sql/_global/<name>.sql"
 * otherwise. */
void ds_html_sql_url(ds_buf *b, bool page_query, const char *name);

/* A URL path with bytes outside [A-Za-z0-9-._~/] percent-encoded. */
void ds_html_url_path(ds_buf *b, const char *path);

#endif
