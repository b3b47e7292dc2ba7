/* query.h - named queries: what the compiler turns into static/sql/ files.
 * File-source views, templated views, models and page queries all become a
 * ds_query; the compiler does not care where one came from. */
#ifndef DS_QUERY_H
#define DS_QUERY_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    DS_KIND_FILE_SOURCE,
    DS_KIND_FILE_SOURCE_TEMPLATE,
    DS_KIND_MODEL,
    DS_KIND_PAGE_QUERY
} ds_query_kind;

typedef struct {
    char *name;
    ds_query_kind kind;
    char *sql;          /* one SELECT, placeholders and data/ paths as written */
    char *check_sql;    /* the same SELECT over fewer files, for validation only
                           (one file per schema and filter of a file source:
                           the columns and types are the same); NULL: sql */
    char *file;         /* where it was defined, as shown in messages */
    int line;
    int text_line;      /* the line of the SQL's first line in file; 0: not known */
    char *source;       /* templated views: the file source's name; else NULL */
    char *value;        /* templated views: the template value (its text, parts
                           joined with "_"); else NULL */
} ds_query;

typedef struct {
    ds_query *items;
    size_t len, cap;
} ds_query_list;

void ds_query_add(ds_query_list *l, const char *name, ds_query_kind kind, const char *sql,
                  const char *file, int line);
/* Whether two query names are one: view and model names without regard to
 * case (as SQL), page query names ("<page>/<id>") exactly. */
bool ds_query_name_eq(const char *a, const char *b);
/* The query named NAME (ds_query_name_eq), or NULL. */
const ds_query *ds_query_find(const ds_query_list *l, const char *name);
void ds_query_list_free(ds_query_list *l);

/* Appends a copy of every query of from to to. */
void ds_query_list_copy(ds_query_list *to, const ds_query_list *from);
const char *ds_query_kind_name(ds_query_kind kind);

/* What validation reads: check_sql when there is one, else sql. */
const char *ds_query_check_sql(const ds_query *q);

#endif
