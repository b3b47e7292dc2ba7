/* layout.h - the project's folders under its root, named in one place.
 *
 * content/      markdown pages (src/site/pages.c)
 * sources_sql/  models (src/sql/models.c)
 * static/       the built site that `ducksite serve` serves */
#ifndef DS_LAYOUT_H
#define DS_LAYOUT_H

#define DS_CONTENT_DIR "content"
#define DS_SOURCES_SQL_DIR "sources_sql"
#define DS_STATIC_DIR "static"

#endif
