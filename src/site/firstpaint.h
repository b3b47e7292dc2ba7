/* firstpaint.h - charts drawn at build time, so a page shows its charts
 * before any script has run.
 *
 * For every chart whose default result is stored (prerender.h), the build
 * draws the chart as SVG with the runtime's own option code and ECharts'
 * server-side renderer (web/src/firstpaint.js, run once per build under
 * node), once in each theme (light and dark), and sets page.first_paint
 * ({"<chart id>": {"light": svg, "dark": svg}}).  The page inlines each picture as an
 * image (html.c); the runtime replaces it with the live ECharts chart drawn
 * from the same stored result.  Pictures are kept in
 * static/_results/.first_paint.json (published like any output) and drawn again only when their chart,
 * result, size or the drawing script changed.  Without node, or when a
 * picture fails, charts simply wait for ECharts: never a build error.
 *
 * Values and KPI cards with a stored default result ("value:ID" / "kpi:ID"
 * in chart_results) are formatted by the same script (kpi.js valueText) and
 * their text set in page.first_paint under the same keys; html.c writes it
 * into the placeholder (and the ${query.column} spans of prose). */
#ifndef DS_FIRSTPAINT_H
#define DS_FIRSTPAINT_H

#include "../util/util.h"
#include "pages.h"
#include "publish.h"

#define DS_FIRSTPAINT_CACHE ".first_paint.json"
/* The layout the pictures are drawn for: a desktop window this wide (the
 * page's content is ds_firstpaint_width() of it); elsewhere the picture
 * scales until ECharts redraws at the real size. */
#define DS_FIRSTPAINT_VIEWPORT 1440

struct ds_memo;

/* Draws the charts of every page that has chart_results and sets
 * page.first_paint; the picture cache is published with the build's other
 * outputs.  With a memo (memo.h; NULL: none) the previous cache is not
 * read again while static/ holds the file it published, nor a page's
 * pictures joined again when they are the same ones.  Returns -1 only
 * when the cache cannot be staged. */
int ds_firstpaint(ds_pages *pages, ds_publish *pub, struct ds_memo *memo, ds_err *err);

/* The width in CSS pixels of the drawing area of chart ID on a page whose
 * config (ds_html_page_config, parsed) is CONFIG, at the viewport above.
 * Exposed for tests. */
int ds_firstpaint_width(const void *config, const char *id);

/* The picture as the value of an <img src="...">: a data: URL with every
 * byte that could end the attribute or the URL percent-encoded. */
void ds_firstpaint_data_url(ds_buf *b, const char *svg);

#endif
