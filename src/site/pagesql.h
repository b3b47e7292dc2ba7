/* pagesql.h - the browser runtime's SQL text rules (web/src/sql.js and the
 * query part of web/src/page.js), mirrored in C.
 *
 * A stored result is looked up by the hash of the exact SQL text the page
 * would run, so the build must compute that text byte for byte as the
 * runtime does: input defaults and templates (buildEnv), placeholders
 * (substitute), query ids (substituteId, resolveQuery) and format columns
 * (wrapFormat).  When the two ever disagree nothing breaks: the page simply
 * finds no stored result and runs the query live.  The inputs are the page
 * config JSON the runtime itself reads (ds_html_page_config). */
#ifndef DS_PAGESQL_H
#define DS_PAGESQL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* An input value: NULL, a string, or a list of strings (multiple). */
typedef struct {
    enum { DS_VAL_NULL, DS_VAL_STR, DS_VAL_LIST } kind;
    char *s;
    char **items;
    size_t n;
} ds_val;

/* One input block, normalised like normalizeInput(). */
typedef struct {
    char *name;
    char *mode;             /* "dropdown", "text", ... (lowercase) */
    bool multiple;
    ds_val def;             /* default */
    char *options_query;    /* NULL when none */
    ds_val options;         /* options: written in the block (a list) */
    char *value_column;
    char *tmpl;             /* expression_template, NULL when none or empty */
    char *all_label, *all_value, *all_expression;
    char *param_name, *param_template;
} ds_input_spec;

/* name -> value pairs (inputs) or name -> SQL text (params). */
typedef struct {
    char **names;
    ds_val *vals;
    size_t n;
} ds_env_map;

typedef struct {
    ds_env_map inputs;
    ds_env_map params;      /* vals are DS_VAL_STR */
    ds_env_map typed;       /* name -> the SQL literal of a typed input's
                               value (DATE '2024-01-31', 42, TRUE), written
                               instead of its text quoted (sql.js SqlValue) */
} ds_env;

/* The page's inputs from its config JSON ("inputs" object). */
ds_input_spec *ds_pagesql_inputs(json_t *config, size_t *n);
void ds_pagesql_inputs_free(ds_input_spec *specs, size_t n);

/* values[i] is the value of specs[i] (NULL entry = its default).  Date
 * presets count from today's local date. */
void ds_pagesql_env(const ds_input_spec *specs, size_t n, const ds_val *values, ds_env *out);

/* Today's local date, YYYY-MM-DD: where date inputs' relative defaults
 * start (the build, the server and the build's record agree on it). */
void ds_pagesql_today(char day[16]);

/* The same with TODAY ("YYYY-MM-DD") given, as buildEnv(specs, values, today). */
void ds_pagesql_env_at(const ds_input_spec *specs, size_t n, const ds_val *values,
                       const char *today, ds_env *out);

/* validDate(): s when it is a real calendar date YYYY-MM-DD. */
bool ds_pagesql_valid_date(const char *s);

/* validNumber(): a plain decimal number (-12, 3.5). */
bool ds_pagesql_valid_number(const char *s);

/* TEXT (a component's title) with each ${inputs.NAME} replaced by the
 * input's default as a first visit shows it (sql.js fillTitle): a list
 * joined with ", ", no value as the all_label of a dropdown or button
 * group and as nothing otherwise.  Other placeholders are kept. */
char *ds_pagesql_fill_title(const char *text, const ds_input_spec *specs, size_t n);
void ds_pagesql_env_free(ds_env *env);

/* ${inputs.x} / ${params.x} filled in as the runtime does. */
char *ds_pagesql_substitute(const char *sql, const ds_env *env);

/* The SQL file path a (substituted) query id reads, e.g.
 * "/sql/_global/orders.sql"; NULL for an id the runtime rejects. */
char *ds_pagesql_resolve(const char *query_id, const ds_env *env, json_t *page_queries);

/* wrapFormat(): KIND is "chart", "table" or "input". */
char *ds_pagesql_wrap_format(const char *sql, json_t *format, const char *kind);

/* FNV-1a 64 of the text as 16 lowercase hex digits (web/src/results.js). */
void ds_pagesql_hash(const char *text, char out[17]);

/* String(x) of JavaScript for a finite double. */
void ds_pagesql_js_number(double x, char out[40]);

void ds_val_free(ds_val *v);

/* A comma-separated list as sql.js splitList reads it: items trimmed,
 * empty ones left out; NULL gives an empty list. */
ds_val ds_pagesql_split_list(const char *s);

#endif
