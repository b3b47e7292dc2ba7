/* compile.c - dependency graph -> one CTE query per name, validated
 * (see compile.h). */
#include "compile.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "filelist.h"
#include "prune.h"
#include "sqltext.h"

typedef struct {
    size_t *deps;        /* indices into the query list */
    size_t n;
} dep_list;

/* How messages name a query: page queries ("<page>/<id>") by their block,
 * the way the page author wrote them; the rest by name. */
static const char *what(const ds_query *q)
{
    return q->kind == DS_KIND_PAGE_QUERY ? "sql block" : "query";
}

static const char *short_name(const ds_query *q)
{
    const char *slash = q->kind == DS_KIND_PAGE_QUERY ? strrchr(q->name, '/') : NULL;
    return slash ? slash + 1 : q->name;
}

/* ---- DuckDB's messages, told in the user's terms ------------------------ */

static int count_lines(const char *s, const char *end)
{
    int n = 0;
    for (; s < end; s++)
        n += *s == '\n';
    return n;
}

/* A file source of ducksite.toml named MISSING that made no view (it
 * matched no files, none could be read, or no level of its hierarchy has
 * one): the name was right,
 * and "no such table" would send the author looking for a typo.  Says why
 * and returns true. */
static bool explain_viewless(ds_buf *out, const char *missing, const ds_query_list *l,
                             const ds_collected *files)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcasecmp(l->items[i].name, missing) == 0)
            return false; /* there is a view of that name after all */
    for (size_t i = 0; files && i < files->n_sets; i++) {
        const ds_source_set *set = &files->sets[i];
        const ds_file_source *fs = set->fs;
        if (!fs->name || strcasecmp(fs->name, missing) != 0)
            continue;
        ds_buf_printf(out, "file source '%s' (%s:%d) has no view: ", fs->name,
                      files->config_path ? files->config_path : "ducksite.toml", fs->line);
        if (set->n_files > 0 &&
            (fs->hierarchy_before.n || fs->hierarchy.n || fs->hierarchy_after.n))
            ds_buf_puts(out, "no level of its hierarchy has a file it can read");
        else if (set->n_files > 0)
            ds_buf_puts(out, "none of its files can be read");
        else if (fs->plugin)
            ds_buf_printf(out, "its plugin '%s' returned no files it could publish", fs->plugin);
        else
            ds_buf_printf(out, "%s matched no files", set->origin ? set->origin : "it");
        ds_buf_puts(out, set->n_files > 0 ? " (see the warnings above)" : " (see the warning above)");
        return true;
    }
    return false;
}

/* The model or source closest to a name DuckDB could not find.  DuckDB's
 * own guess comes from its catalog (duckdb_tables, pg_prepared_statements),
 * which a page author never meant. */
static void suggest_table(ds_buf *out, const char *missing, const ds_query_list *l,
                          const ds_collected *files)
{
    if (explain_viewless(out, missing, l, files))
        return;
    const char **names = ds_xcalloc(l->len + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; i < l->len; i++)
        if (l->items[i].kind != DS_KIND_PAGE_QUERY)
            names[n++] = l->items[i].name;
    const char *best = ds_suggest(missing, names, n);
    if (best)
        ds_buf_printf(out, "Did you mean \"%s\"?", best);
    else if (n == 0)
        ds_buf_puts(out, "There are no models or sources (sources_sql/, ducksite.toml).");
    else
        ds_buf_puts(out, "No model or source has a similar name.");
    free(names);
}

/* Writes q's error prefix and DuckDB's message msg, about SQL in which q's
 * own text starts after `shift` lines, in the user's terms:
 *   - "LINE n:" counts lines of the block (or model) as written, so the
 *     lines of inlined dependencies do not count, and the prefix names the
 *     file line of the error when it is known;
 *   - "Did you mean" for a missing table names a model or source. */
static int sql_error(ds_err *err, const ds_query *q, const ds_query_list *l,
                     const ds_collected *files, const char *msg, int shift)
{
    ds_buf m = {0};
    int file_line = q->line;
    const char *at = strstr(msg, "LINE ");
    while (at && at != msg && at[-1] != '\n')
        at = strstr(at + 1, "LINE ");
    const char *table = strstr(msg, "Table with name ");
    const char *guess = strstr(msg, "Did you mean \"");
    /* Without a guess of DuckDB's, ours goes after "does not exist!". */
    const char *exist = table ? strstr(table, " does not exist!") : NULL;
    const char *insert = exist && (!guess || guess < table) ? exist + strlen(" does not exist!")
                                                            : NULL;
    for (const char *p = msg;; ) {
        if (p == insert) {
            char *missing = ds_strndup(table + strlen("Table with name "),
                                       (size_t)(exist - table - strlen("Table with name ")));
            ds_buf_putc(&m, '\n');
            suggest_table(&m, missing, l, files);
            free(missing);
        }
        if (!*p)
            break;
        if (p == at) {
            char *end;
            long n = strtol(at + 5, &end, 10);
            long user = n - shift;
            if (*end == ':' && user >= 1) {
                /* Page queries: lines of the block, counted from the fence. */
                long shown = q->text_line ? q->text_line - q->line - 1 + user : user;
                if (q->text_line)
                    file_line = q->text_line + (int)user - 1;
                ds_buf_printf(&m, "LINE %ld", shown);
                p = end;
                continue;
            }
        }
        if (p == guess && table && table < guess) {
            const char *name = table + strlen("Table with name ");
            const char *stop = strstr(name, " does not exist");
            const char *eol = strchr(guess, '\n');
            if (stop && stop < guess) {
                char *missing = ds_strndup(name, (size_t)(stop - name));
                suggest_table(&m, missing, l, files);
                free(missing);
                p = eol ? eol : guess + strlen(guess);
                continue;
            }
        }
        ds_buf_putc(&m, *p++);
    }
    /* Validation prefixes "EXPLAIN ", which the author did not write: it
     * goes from the quoted line and the caret under it moves back. */
    char *text = ds_buf_take(&m), *ex = strstr(text, ": EXPLAIN ");
    if (ex && ex - text >= 6 && strncmp(ex - 6, "LINE ", 5) == 0) {
        memmove(ex + 2, ex + 10, strlen(ex + 10) + 1);
        char *caret = strchr(ex, '\n');
        if (caret && strncmp(caret + 1, "        ", 8) == 0)
            memmove(caret + 1, caret + 9, strlen(caret + 9) + 1);
    }
    int rc = ds_err_set(err, "%s:%d: %s '%s': %s", q->file, file_line, what(q), short_name(q),
                        text);
    free(text);
    return rc;
}

/* ---- dependencies from DuckDB's parser -------------------------------- */

static void collect_names(json_t *node, json_t *tables, json_t *ctes)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *item;
        json_array_foreach(node, i, item) collect_names(item, tables, ctes);
        return;
    }
    if (!json_is_object(node))
        return;
    const char *type = json_string_value(json_object_get(node, "type"));
    if (type && strcmp(type, "BASE_TABLE") == 0) {
        const char *schema = json_string_value(json_object_get(node, "schema_name"));
        const char *catalog = json_string_value(json_object_get(node, "catalog_name"));
        json_t *name = json_object_get(node, "table_name");
        if (json_is_string(name) && (!schema || !*schema) && (!catalog || !*catalog))
            json_object_set(tables, json_string_value(name), json_true());
    }
    json_t *map = json_object_get(json_object_get(node, "cte_map"), "map");
    size_t i;
    json_t *item;
    json_array_foreach(map, i, item)
    {
        json_t *key = json_object_get(item, "key");
        if (json_is_string(key))
            json_object_set(ctes, json_string_value(key), json_true());
    }
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) collect_names(v, tables, ctes);
}

static int query_index(const ds_query_list *l, const char *name)
{
    for (size_t i = 0; i < l->len; i++)
        if (ds_query_name_eq(l->items[i].name, name))
            return (int)i;
    return -1;
}

/* Page queries are named "<page>/<id>", so a table reference "id" never
 * finds one by name.  Reading one is still an error worth explaining: this
 * finds the sql block "id" of q's own page, else of any page. */
static int page_query_index(const ds_query_list *l, const ds_query *q, const char *name)
{
    size_t n = strlen(name);
    const char *own = q->kind == DS_KIND_PAGE_QUERY ? strrchr(q->name, '/') : NULL;
    size_t own_len = own ? (size_t)(own - q->name) + 1 : 0; /* "<page>/" */
    int any = -1;
    for (size_t i = 0; i < l->len; i++) {
        const ds_query *p = &l->items[i];
        size_t len = strlen(p->name);
        if (p->kind != DS_KIND_PAGE_QUERY || len <= n || p->name[len - n - 1] != '/' ||
            strcmp(p->name + len - n, name) != 0)
            continue;
        if (own && len == own_len + n && strncmp(p->name, q->name, own_len) == 0)
            return (int)i;
        if (any < 0)
            any = (int)i;
    }
    return any;
}

/* Entries a compile memo table holds at most. */
#define DS_COMPILE_MEMO_MAX 20000

struct ds_compile_memo {
    json_t *parsed;    /* query text -> its names (parse_names) */
    json_t *explained; /* EXPLAIN text -> true, for those that passed */
};

ds_compile_memo *ds_compile_memo_new(void)
{
    ds_compile_memo *m = ds_xcalloc(1, sizeof *m);
    m->parsed = json_object();
    m->explained = json_object();
    return m;
}

void ds_compile_memo_forget_data(ds_compile_memo *m)
{
    json_object_clear(m->explained);
    /* A parse stays true, but the views' texts (megabytes over a lake)
     * change with the data: forgotten too, so a long session stays small. */
    json_object_clear(m->parsed);
}

/* Remembers VALUE under KEY in one of the memo's tables; a table that grew
 * past DS_COMPILE_MEMO_MAX (a long session of edits) starts again. */
static void memo_put(json_t *table, const char *key, json_t *value)
{
    if (json_object_size(table) >= DS_COMPILE_MEMO_MAX)
        json_object_clear(table);
    json_object_set(table, key, value);
}

void ds_compile_memo_free(ds_compile_memo *m)
{
    if (!m)
        return;
    json_decref(m->parsed);
    json_decref(m->explained);
    free(m);
}

/* DuckDB's reading of PLAIN (a query's text, placeholders as NULL):
 * {"statements": n, "tables": {name: true}, "ctes": {name: true}} with the
 * table references and CTE names it holds, or {"error": message} when it
 * does not parse.  A function of the text alone, so kept in MEMO (may be
 * NULL).  NULL with err when DuckDB cannot be asked. */
static json_t *parse_names(const ds_query *q, const ds_query_list *l, const char *plain,
                           ds_duck *db, ds_compile_memo *memo, ds_err *err)
{
    json_t *known = memo ? json_object_get(memo->parsed, plain) : NULL;
    if (known)
        return json_incref(known);
    ds_buf sql = {0};
    ds_buf_puts(&sql, "SELECT json_serialize_sql(");
    ds_sql_quote(&sql, plain);
    /* Named, so DuckDB does not spell the whole text out as the column's
     * name (quadratic in the quotes of a view over 100,000 files). */
    ds_buf_puts(&sql, ") AS ast");
    ds_rows rows;
    ds_err qerr;
    int rc = ds_duck_query(db, sql.data, &rows, &qerr);
    ds_buf_free(&sql);
    if (rc != 0) {
        sql_error(err, q, l, NULL, qerr.msg, 0);
        return NULL;
    }
    json_error_t jerr;
    /* query_location can be 2^64-1, more than jansson's integers hold. */
    json_t *doc = json_loads(ds_rows_get(&rows, 0, 0), JSON_DECODE_INT_AS_REAL, &jerr);
    ds_rows_free(&rows);
    if (!doc) {
        ds_err_set(err, "query '%s': cannot read DuckDB's parse tree: %s", q->name, jerr.text);
        return NULL;
    }
    json_t *out;
    if (json_is_true(json_object_get(doc, "error"))) {
        const char *msg = json_string_value(json_object_get(doc, "error_message"));
        /* DuckDB's parse tree has no form for these statements, even inside
         * a SELECT: say which, and what to write instead. */
        if (msg && strstr(msg, "Only SELECT statements can be serialized"))
            msg = "a PIVOT, SUMMARIZE, DESCRIBE or SHOW statement, also inside a subquery, "
                  "is not supported (the build cannot read which tables it uses): write a "
                  "pivot as one aggregate per column, e.g. sum(amount) FILTER (WHERE region "
                  "= 'north') AS north";
        /* The parser gives a byte position, not a line: its line is
         * named as DuckDB's other errors name one (sql_error maps it to
         * the file's line). */
        json_t *pos = json_object_get(doc, "position");
        long at = json_is_string(pos) ? atol(json_string_value(pos))
                  : json_is_number(pos) ? (long)json_number_value(pos)
                                        : -1;
        char *with_line = NULL;
        /* DuckDB counts after turning Unicode spaces (U+00A0, U+2000...,
         * U+3000) into one byte each: with any of them the line could be
         * off, and the query's own line is named instead. */
        bool wide_spaces = strstr(plain, "\xC2\xA0") || strstr(plain, "\xE2\x80") ||
                           strstr(plain, "\xE2\x81\x9F") || strstr(plain, "\xE3\x80\x80");
        if (msg && at >= 0 && (size_t)at <= strlen(plain) && !wide_spaces) {
            long line = 1;
            const char *start = plain;
            for (const char *c = plain; c < plain + at; c++)
                if (*c == '\n') {
                    line++;
                    start = c + 1;
                }
            with_line = ds_asprintf("%s\nLINE %ld: %.*s", msg, line, (int)strcspn(start, "\n"),
                                    start);
        }
        out = json_pack("{s:s}", "error", with_line ? with_line : msg ? msg : "DuckDB cannot parse it");
        free(with_line);
    } else {
        json_t *stmts = json_object_get(doc, "statements");
        json_t *tables = json_object(), *ctes = json_object();
        collect_names(stmts, tables, ctes);
        out = json_pack("{s:I, s:o, s:o}", "statements", (json_int_t)json_array_size(stmts),
                        "tables", tables, "ctes", ctes);
    }
    json_decref(doc);
    if (memo)
        memo_put(memo->parsed, plain, out);
    return out;
}

/* The queries that q reads, as indices, in the order DuckDB lists them. */
static int direct_deps(const ds_query_list *l, size_t qi, ds_duck *db, ds_compile_memo *memo,
                       dep_list *out, ds_err *err)
{
    const ds_query *q = &l->items[qi];
    memset(out, 0, sizeof *out);
    /* The validation copy names the same views and is shorter to parse. */
    char *plain = ds_sql_null_placeholders(ds_query_check_sql(q));
    json_t *names = parse_names(q, l, plain, db, memo, err);
    free(plain);
    if (!names)
        return -1;
    int rc = 0;
    const char *parse_error = json_string_value(json_object_get(names, "error"));
    json_int_t n_stmts = json_integer_value(json_object_get(names, "statements"));
    if (parse_error) {
        rc = sql_error(err, q, l, NULL, parse_error, 0);
        json_decref(names);
        return rc;
    }
    if (n_stmts != 1) {
        json_decref(names);
        return ds_err_set(err, "%s:%d: %s '%s': expected exactly one SELECT statement, "
                               "found %lld statements",
                          q->file, q->line, what(q), short_name(q), (long long)n_stmts);
    }
    json_t *tables = json_object_get(names, "tables"), *ctes = json_object_get(names, "ctes");
    out->deps = ds_xcalloc(json_object_size(tables) + 1, sizeof *out->deps);
    const char *name;
    json_t *v;
    json_object_foreach(tables, name, v)
    {
        if (json_object_get(ctes, name))
            continue;
        int di = query_index(l, name);
        if (di < 0)
            di = page_query_index(l, q, name);
        if (di < 0)
            continue; /* not ours: DuckDB will resolve or reject it */
        const ds_query *d = &l->items[di];
        if ((size_t)di == qi) {
            rc = ds_err_set(err, "%s:%d: %s '%s' reads itself (FROM %s)", q->file, q->line,
                            what(q), short_name(q), name);
            break;
        }
        if (d->kind == DS_KIND_PAGE_QUERY) {
            rc = ds_err_set(err,
                            "%s:%d: %s '%s' reads page query '%s' as a table; page queries "
                            "cannot be used by other queries (move it to sources_sql/)",
                            q->file, q->line, what(q), short_name(q), d->name);
            break;
        }
        out->deps[out->n++] = (size_t)di;
    }
    json_decref(names);
    return rc;
}

/* ---- ordering ---------------------------------------------------------- */

enum { UNSEEN, ON_STACK, DONE };

typedef struct {
    const ds_query_list *l;
    const dep_list *deps;
    unsigned char *state;
    size_t *stack;       /* the current DFS path, for cycle messages */
    size_t depth;
    size_t *order;       /* post-order: dependencies first */
    size_t n_order;
} topo;

static int visit(topo *t, size_t i, ds_err *err)
{
    if (t->state[i] == DONE)
        return 0;
    if (t->state[i] == ON_STACK) {
        ds_buf cycle = {0};
        size_t from = 0;
        while (t->stack[from] != i)
            from++;
        for (size_t k = from; k < t->depth; k++)
            ds_buf_printf(&cycle, "%s -> ", t->l->items[t->stack[k]].name);
        ds_buf_puts(&cycle, t->l->items[i].name);
        const ds_query *q = &t->l->items[i];
        ds_err_set(err, "%s:%d: queries depend on each other in a cycle: %s", q->file, q->line,
                   ds_buf_str(&cycle));
        ds_buf_free(&cycle);
        return -1;
    }
    t->state[i] = ON_STACK;
    t->stack[t->depth++] = i;
    for (size_t k = 0; k < t->deps[i].n; k++)
        if (visit(t, t->deps[i].deps[k], err) != 0)
            return -1;
    t->depth--;
    t->state[i] = DONE;
    t->order[t->n_order++] = i;
    return 0;
}

/* ---- composing --------------------------------------------------------- */

static char *compose(const ds_query_list *l, size_t qi, const size_t *deps, size_t n, bool check)
{
    const char *main_sql = check ? ds_query_check_sql(&l->items[qi]) : l->items[qi].sql;
    if (n == 0)
        return ds_strdup(main_sql);
    bool recursive;
    const char *rest = ds_sql_leading_with(main_sql, &recursive);
    ds_buf b = {0};
    ds_buf_puts(&b, recursive ? "WITH RECURSIVE " : "WITH ");
    for (size_t k = 0; k < n; k++) {
        const ds_query *d = &l->items[deps[k]];
        ds_buf_printf(&b, "%s%s AS (\n%s\n)", k ? ",\n" : "", d->name,
                      check ? ds_query_check_sql(d) : d->sql);
    }
    if (rest)
        ds_buf_printf(&b, ",\n%s", rest);
    else
        ds_buf_printf(&b, "\n%s", main_sql);
    return ds_buf_take(&b);
}

/* ---- validation and metrics ------------------------------------------- */

typedef struct {
    const ds_collected *files;
    const ds_keyset *unreadable;
    long long *sizes;     /* per index entry; -1 = not yet known */
    unsigned *seen;       /* per index entry: last query that counted it */
    unsigned gen;
    size_t n_files;
    long long total, largest, second;
    const char *unreadable_key;
    size_t near; /* where the last key was found: lists come in key order */
} literal_ctx;

static const char *to_physical(void *vctx, const char *literal)
{
    literal_ctx *c = vctx;
    const ds_datamap_entry *e = ds_collected_find_near(c->files, literal, &c->near);
    if (!e)
        return NULL;
    size_t i = c->near;
    if (c->seen[i] != c->gen) {
        c->seen[i] = c->gen;
        if (c->sizes[i] < 0) {
            /* Known from the views' stamps (collect.h) for a source's
             * files: a lake's files are not stat-ed again here. */
            struct stat st;
            c->sizes[i] = e->size >= 0                   ? e->size
                          : stat(e->path, &st) == 0 ? (long long)st.st_size
                                                    : 0;
        }
        long long s = c->sizes[i];
        c->n_files++;
        c->total += s;
        if (s > c->largest) {
            c->second = c->largest;
            c->largest = s;
        } else if (s > c->second) {
            c->second = s;
        }
        if (!c->unreadable_key && ds_keyset_has(c->unreadable, literal))
            c->unreadable_key = e->key;
    }
    return e->path;
}

/* A file of a list a placeholder stands for (filelist.h), counted. */
static void count_key(void *ctx, const char *key)
{
    to_physical(ctx, key);
}

/* How many lines of compiled SQL come before the line where q's own text
 * starts, minus the lines of q's text before that point (a leading WITH of
 * q is merged with the inlined dependencies). */
static int user_shift(const ds_query *q, const char *compiled)
{
    bool recursive;
    const char *own = ds_query_check_sql(q);
    const char *rest = strcmp(compiled, own) == 0 ? NULL : ds_sql_leading_with(own, &recursive);
    const char *tail = rest ? rest : own;
    size_t n = strlen(compiled), t = strlen(tail);
    if (t > n || strcmp(compiled + n - t, tail) != 0)
        return 0;
    return count_lines(compiled, compiled + n - t) - count_lines(own, tail);
}

/* Metrics count the files of the published SQL; EXPLAIN runs on CHECK,
 * the same query over one file per group of its file sources (the columns
 * and types are the same, and DuckDB binds it without opening every file). */
static int validate(const ds_query_list *l, const ds_query *q, ds_compiled *out,
                    const char *check, literal_ctx *lc, ds_duck *db, ds_compile_memo *memo,
                    ds_err *err)
{
    lc->gen++;
    lc->n_files = 0;
    lc->total = lc->largest = lc->second = 0;
    lc->unreadable_key = NULL;
    /* Counting needs no rewritten copy of the published SQL (over a lake,
     * tens of megabytes); the copy EXPLAIN reads is made from CHECK, whose
     * files are among those counted, so nothing counts twice. */
    if (strcmp(check, out->sql) != 0) {
        ds_sql_each_literal(out->sql, to_physical, lc);
        ds_filelists_each_key(lc->files->lists, out->sql, count_key, lc);
    }
    /* A view with no validation copy (sourceview.h) is checked as it is
     * published: the lists its placeholders name put back. */
    char *whole = ds_filelists_named(check) ? ds_filelists_expand(lc->files->lists, check) : NULL;
    char *plain = ds_sql_null_placeholders(whole ? whole : check);
    free(whole);
    char *physical = ds_sql_map_literals(plain, to_physical, lc);
    free(plain);
    out->metrics = ds_asprintf("-- METRICS: num_files=%zu total_bytes_cold=%lld "
                               "largest_file_bytes=%lld two_largest_bytes=%lld "
                               "avg_file_bytes=%.2f sql_bytes=%zu",
                               lc->n_files, lc->total, lc->largest, lc->largest + lc->second,
                               lc->n_files ? (double)lc->total / (double)lc->n_files : 0.0,
                               strlen(out->sql));
    int rc = 0;
    if (lc->unreadable_key) {
        ds_warn("query '%s' is not validated: it reads %s, which cannot be read now", q->name,
                lc->unreadable_key);
    } else {
        char *explain = ds_asprintf("EXPLAIN %s", physical);
        ds_err qerr;
        /* Only what passed is remembered: an error is found again, with
         * its message, by the next build. */
        if (memo && json_object_get(memo->explained, explain))
            ;
        else if (ds_duck_exec(db, explain, &qerr) != 0)
            rc = sql_error(err, q, l, lc->files, qerr.msg, user_shift(q, check));
        else if (memo)
            memo_put(memo->explained, explain, json_true());
        free(explain);
    }
    free(physical);
    return rc;
}

int ds_compile_all(const ds_query_list *l, const ds_collected *files,
                   const ds_keyset *unreadable, ds_duck *db, ds_compiled_list *out,
                   ds_err *err)
{
    return ds_compile_all_memo(l, files, unreadable, db, NULL, out, err);
}

int ds_compile_all_memo(const ds_query_list *l, const ds_collected *files,
                        const ds_keyset *unreadable, ds_duck *db, ds_compile_memo *memo,
                        ds_compiled_list *out, ds_err *err)
{
    memset(out, 0, sizeof *out);
    out->items = ds_xcalloc(l->len ? l->len : 1, sizeof *out->items);
    dep_list *deps = ds_xcalloc(l->len ? l->len : 1, sizeof *deps);
    int rc = 0;
    for (size_t i = 0; i < l->len && rc == 0; i++)
        rc = direct_deps(l, i, db, memo, &deps[i], err);

    topo t = {l, deps, ds_xcalloc(l->len + 1, 1), ds_xcalloc(l->len + 1, sizeof(size_t)), 0,
              ds_xcalloc(l->len + 1, sizeof(size_t)), 0};
    size_t n_index = ds_collected_count(files);
    literal_ctx lc = {files, unreadable, ds_xmalloc((n_index + 1) * sizeof(long long)),
                      ds_xcalloc(n_index + 1, sizeof(unsigned)), 0, 0, 0, 0, 0, NULL, 0};
    for (size_t i = 0; i < n_index; i++)
        lc.sizes[i] = -1;

    for (size_t i = 0; i < l->len && rc == 0; i++) {
        /* A fresh DFS from each query gives exactly its own closure. */
        memset(t.state, UNSEEN, l->len);
        t.depth = t.n_order = 0;
        rc = visit(&t, i, err);
        if (rc != 0)
            break;
        ds_compiled *c = &out->items[out->len++];
        c->name = ds_strdup(l->items[i].name);
        c->kind = l->items[i].kind;
        c->n_deps = t.n_order - 1; /* the query itself comes last */
        c->deps = ds_xcalloc(t.n_order, sizeof *c->deps);
        for (size_t k = 0; k < c->n_deps; k++)
            c->deps[k] = ds_strdup(l->items[t.order[k]].name);
        c->sql = compose(l, i, t.order, c->n_deps, false);
        char *check = compose(l, i, t.order, c->n_deps, true);
        rc = validate(l, &l->items[i], c, check, &lc, db, memo, err);
        free(check);
        /* A view reads its lists by placeholder, not another view by
         * name: only the queries over views have partition predicates. */
        if (rc == 0 && c->kind != DS_KIND_FILE_SOURCE && c->kind != DS_KIND_FILE_SOURCE_TEMPLATE)
            c->prune = ds_prune_spec(db, c->sql, files->lists);
    }

    for (size_t i = 0; i < l->len; i++)
        free(deps[i].deps);
    free(deps);
    free(t.state);
    free(t.stack);
    free(t.order);
    free(lc.sizes);
    free(lc.seen);
    if (rc != 0)
        ds_compiled_list_free(out);
    return rc;
}

void ds_compiled_list_free(ds_compiled_list *l)
{
    for (size_t i = 0; i < l->len; i++) {
        ds_compiled *c = &l->items[i];
        free(c->name);
        for (size_t k = 0; k < c->n_deps; k++)
            free(c->deps[k]);
        free(c->deps);
        free(c->sql);
        free(c->metrics);
        free(c->prune);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}
