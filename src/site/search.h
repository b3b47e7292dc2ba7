/* search.h - the site search index: static/_search.json, read by the
 * runtime's search box (web/src/search.js) the first time it is used.
 *
 * One entry per page that the navigation lists (hidden pages are left out:
 * a reader finds them only by their link), in navigation order:
 *   {"pages": [{"url": "/a/b.html", "title": "...", "headings": ["..."],
 *               "text": "..."}]}
 * headings are the page's markdown headings (those equal to the title left
 * out), text its prose as plain text (front matter description first, code
 * kept, raw HTML dropped, white space collapsed), cut at a character
 * boundary after DS_SEARCH_TEXT_MAX bytes.  The limits keep the file small
 * enough to fetch on a keystroke: past DS_SEARCH_TOTAL_MAX bytes of prose
 * in all, later pages keep their title and headings only. */
#ifndef DS_SEARCH_H
#define DS_SEARCH_H

#include "pages.h"

#define DS_SEARCH_FILE "_search.json"
#define DS_SEARCH_TEXT_MAX 2000
#define DS_SEARCH_HEADINGS_MAX 64
#define DS_SEARCH_HEADING_MAX 200
#define DS_SEARCH_TOTAL_MAX (1024 * 1024)

/* The index of PAGES as JSON text (newline-terminated). */
char *ds_search_index(const ds_pages *pages);

#endif
