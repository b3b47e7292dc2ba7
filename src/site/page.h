/* page.h - one content/ *.md page as an ordered list of parts: prose
 * (markdown, rendered later by md4c) and the DSL blocks written as fenced
 * code blocks: ```sql <id>, ```echart <id>, ```table <id>, ```input <name>,
 * ```form <id>, ```value <id>, ```kpi <id> and ```grid cols=N gap=G; a ${query.column}
 * inside prose becomes a value part of its own (inline.h).  Parts keep document order and the line of
 * their fence, so components render where they are written and errors can
 * name the line.  The language is described in docs/pages.md. */
#ifndef DS_PAGE_H
#define DS_PAGE_H

#include <stddef.h>

#include "../util/util.h"

typedef enum {
    DS_PART_PROSE,
    DS_PART_SQL,
    DS_PART_ECHART,
    DS_PART_TABLE,
    DS_PART_INPUT,
    DS_PART_GRID,
    DS_PART_FORM,
    DS_PART_VALUE,          /* ```value <id>, or ${query.column} inside prose */
    DS_PART_KPI
} ds_part_kind;

/* "key: value" from a block body; values are always strings. */
typedef struct {
    char *key;
    char *value;
    int line;
} ds_kv;

/* One target of a nested format: section (format[target][key] = value). */
typedef struct {
    char *target;
    ds_kv *items;
    size_t n_items;
    int line;
} ds_format;

typedef struct {
    char *id;
    int span;
} ds_cell;

typedef struct {
    ds_cell *cells;
    size_t n_cells;
    int line;
} ds_row;

typedef struct {
    ds_part_kind kind;
    int line;               /* the fence's line (prose: its first line), 1-based */
    char *id;               /* sql/echart/table id or input name; NULL otherwise */
    char *text;             /* prose: the markdown; sql: the query, trimmed;
                               form: its sql_relation_query, NULL if none */
    int text_line;          /* sql, form: the line of the query's first line */
    ds_kv *kv;              /* echart, table, input, form (without
                               sql_relation_query) */
    size_t n_kv;
    ds_format *formats;     /* echart, table, input: the format: section */
    size_t n_formats;
    int cols;               /* grid */
    char *gap;              /* grid */
    ds_row *rows;           /* grid */
    size_t n_rows;
    bool inline_ref;        /* value: written as ${query.column} inside the
                               prose before it (id "inline-N"); no block of
                               its own on the page */
} ds_part;

/* Front matter: a first line "---", key: value lines, a closing "---".
 * -1 means "not given" (the site's [build] settings apply).  The keys
 * title and description are kept in ds_page. */
typedef struct {
    int prerender;                  /* 0: no stored results for this page */
    long long prerender_max_options;
    long long prerender_max_bytes;
    bool has_order;                 /* order: was given */
    long long order;                /* its place in its folder's navigation */
    bool hidden;                    /* built, but left out of the navigation */
    long long max_pages;            /* [name].md: most pages it may make; -1: the
                                       default (pervalue.h) */
    int values_line;                /* the line of values_sql:, 0 if none */
    int max_pages_line;             /* the line of max_pages:, 0 if none */
} ds_page_settings;

typedef struct {
    char *title;            /* front matter title, else the text of the first
                               "# heading"; NULL if neither */
    char *description;      /* front matter description, NULL if none */
    char *values_sql;       /* front matter values_sql ([name].md pages), NULL
                               if none */
    char *values_source;    /* front matter values_from_source, NULL if none */
    ds_page_settings settings;
    char *stored;           /* {"<hash>": bytes} of its stored results (JSON),
                               set by the build; NULL for none */
    char *preload;          /* URLs its first visit fetches, one per line (SQL
                               files, stored results), set by the build */
    char *files;            /* {"<data path>": size} of the files its queries
                               read (JSON), set by the build; NULL for none */
    char *chart_results;    /* {"<chart id>": "<hash>"}: the stored result of
                               each chart's default state (JSON), and of each
                               value and KPI card ("value:<id>", "kpi:<id>"),
                               set by the build; NULL for none */
    char *table_rows;       /* {"<table id>": rows}: the row count of each
                               table's stored default result (JSON), set by
                               the build; NULL for none */
    char *first_paint;      /* {"<chart id>": {"light": svg, "dark": svg},
                               "value:<id>" / "kpi:<id>": "<text>"}: charts
                               drawn and values formatted at build time
                               (firstpaint.h), set by the build */
    char *forms;            /* [{...}]: what the browser needs of its forms
                               (JSON, src/forms/spec.h), set by the build */
    ds_part *parts;
    size_t n_parts;
} ds_page;

/* Parses a page; display names the file in messages ("content/a.md").
 * Every error names display:line and what to write instead. */
int ds_page_parse(const char *text, const char *display, ds_page *out, ds_err *err);

/* The block of that kind and id, or NULL. */
const ds_part *ds_page_find(const ds_page *page, ds_part_kind kind, const char *id);

/* The key: value line KEY of a block, or NULL. */
const ds_kv *ds_part_get(const ds_part *part, const char *key);

/* "sql", "echart", ... as written in fences; "prose" for prose. */
const char *ds_part_kind_name(ds_part_kind kind);

/* Block ids and input names: [A-Za-z0-9_]+. */
bool ds_page_is_id(const char *s);

void ds_page_free(ds_page *page);

#endif
