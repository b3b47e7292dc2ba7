/* pagecheck.h - a parsed page checked against what its blocks may say.
 *
 * page.c reads the shape of a page (fences, key: value lines, grid rows);
 * this module checks the meaning: every key of an echart, table or input
 * block and of its format: section is one docs/pages.md documents, values
 * with a fixed set of choices are one of them, grid cells and query ids name
 * a block of the page or a model/source, and every ${...} is a placeholder
 * the browser fills: ${inputs.x} naming an input of the page, ${params.x}
 * an input with a template, neither inside quotes.  A mistake there would otherwise build and show an
 * empty or wrong component in the browser. */
#ifndef DS_PAGECHECK_H
#define DS_PAGECHECK_H

#include "../sql/query.h"
#include "page.h"
#include "pages.h"

/* Checks page (display names its file in messages); value_name is the
 * [name] of a page per value (its ${params.name}), NULL for other pages;
 * queries holds the site's models and sources (page queries in it are
 * ignored).  The first mistake is an error naming display:line, the block,
 * and a did-you-mean. */
int ds_pagecheck(const ds_page *page, const char *display, const char *value_name,
                 const ds_query_list *queries, ds_err *err);

/* Checks the links between the site's pages: a table's link_page names a
 * page of the site, and the URL key its links set (link_input, else the
 * link_column's name) is an input of that page. */
int ds_pagecheck_links(const ds_pages *pages, ds_err *err);

#endif
