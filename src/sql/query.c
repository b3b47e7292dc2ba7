/* query.c - the named-query list (see query.h). */
#include "query.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/util.h"

void ds_query_add(ds_query_list *l, const char *name, ds_query_kind kind, const char *sql,
                  const char *file, int line)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->items = ds_xrealloc(l->items, l->cap * sizeof *l->items);
    }
    ds_query *q = &l->items[l->len++];
    q->name = ds_strdup(name);
    q->kind = kind;
    q->sql = ds_strdup(sql);
    q->check_sql = NULL;
    q->file = ds_strdup(file);
    q->line = line;
    q->text_line = 0;
    q->source = NULL;
    q->value = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? ds_strdup(s) : NULL;
}

void ds_query_list_copy(ds_query_list *to, const ds_query_list *from)
{
    for (size_t i = 0; i < from->len; i++) {
        const ds_query *q = &from->items[i];
        ds_query_add(to, q->name, q->kind, q->sql, q->file, q->line);
        ds_query *c = &to->items[to->len - 1];
        c->check_sql = dup_or_null(q->check_sql);
        c->text_line = q->text_line;
        c->source = dup_or_null(q->source);
        c->value = dup_or_null(q->value);
    }
}

bool ds_query_name_eq(const char *a, const char *b)
{
    /* Views and models are SQL names, which DuckDB compares without case;
     * a page query's name holds its page's path, which is a file's. */
    return strchr(a, '/') || strchr(b, '/') ? strcmp(a, b) == 0 : strcasecmp(a, b) == 0;
}

const ds_query *ds_query_find(const ds_query_list *l, const char *name)
{
    for (size_t i = 0; i < l->len; i++)
        if (ds_query_name_eq(l->items[i].name, name))
            return &l->items[i];
    return NULL;
}

void ds_query_list_free(ds_query_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        free(l->items[i].name);
        free(l->items[i].sql);
        free(l->items[i].check_sql);
        free(l->items[i].file);
        free(l->items[i].source);
        free(l->items[i].value);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

const char *ds_query_kind_name(ds_query_kind kind)
{
    static const char *const names[] = {"file_source", "file_source_template", "model",
                                        "page_query"};
    return names[kind];
}

const char *ds_query_check_sql(const ds_query *q)
{
    return q->check_sql ? q->check_sql : q->sql;
}
